#include "server/case_service.h"

#include <memory>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "server/domain/fields.h"
#include "server/rpc_util.h"
#include "storage/case_store.h"

namespace pwx::server {
namespace {

using pwx::v1::Case;

// Completes a unary call that returns a case, from whichever thread the
// manager calls back on.
CaseCallback FinishWithCase(grpc::ServerUnaryReactor* reactor, Case* response,
                            std::shared_ptr<CallLog> log) {
  return [reactor, response, log = std::move(log)](absl::StatusOr<Case> r) {
    if (r.ok()) {
      log->set_object(r->id());
      *response = *std::move(r);
    }
    log->Finish(r.status());
    reactor->Finish(ToGrpcStatus(r.status()));
  };
}

// Receives an attachment: the header first, then the bytes, buffered up to
// the size limit so nothing is written unless the whole file arrived.
class UploadReactor final
    : public grpc::ServerReadReactor<pwx::v1::UploadAttachmentRequest> {
 public:
  // `allowed` is the caller's authorization: when it is an error the call
  // ends at once, before a byte is read.
  UploadReactor(CaseManager* cases, grpc::CallbackServerContext* context,
                Case* response, const absl::Status& allowed)
      : cases_(cases),
        context_(context),
        response_(response),
        log_(std::make_shared<CallLog>("UploadAttachment",
                                       CallerName(*context))) {
    if (!allowed.ok()) {
      Fail(allowed);
      return;
    }
    StartRead(&message_);
  }

  void OnReadDone(bool ok) override {
    if (!ok) {
      Complete();
      return;
    }
    if (!have_header_) {
      if (!message_.has_header()) {
        Fail(absl::InvalidArgumentError(
            "header: the first message must carry the attachment header"));
        return;
      }
      header_ = message_.header();
      log_->set_object(header_.case_id());
      if (absl::Status s = cases_->CheckAttachmentHeader(header_); !s.ok()) {
        Fail(s);
        return;
      }
      if (header_.size_bytes() > cases_->max_attachment_bytes()) {
        Fail(absl::ResourceExhaustedError(absl::StrCat(
            "attachment: ", header_.size_bytes(), " bytes exceed the limit of ",
            cases_->max_attachment_bytes(), " bytes")));
        return;
      }
      have_header_ = true;
    } else {
      if (message_.part_case() != pwx::v1::UploadAttachmentRequest::kChunk) {
        Fail(absl::InvalidArgumentError(
            "header: only the first message may carry a header"));
        return;
      }
      if (content_.size() + message_.chunk().size() >
          cases_->max_attachment_bytes()) {
        Fail(absl::ResourceExhaustedError(
            absl::StrCat("attachment: larger than the limit of ",
                         cases_->max_attachment_bytes(), " bytes")));
        return;
      }
      content_.append(message_.chunk());
    }
    StartRead(&message_);
  }

  void OnDone() override { delete this; }

 private:
  void Complete() {
    // A read also ends when the client goes away: store nothing then.
    if (context_->IsCancelled()) {
      Fail(absl::CancelledError("the upload was cancelled"));
      return;
    }
    if (!have_header_) {
      Fail(absl::InvalidArgumentError("header: the upload was empty"));
      return;
    }
    if (header_.size_bytes() != 0 && header_.size_bytes() != content_.size()) {
      Fail(absl::InvalidArgumentError(
          absl::StrCat("header.size_bytes: announced ", header_.size_bytes(),
                       " bytes but ", content_.size(), " arrived")));
      return;
    }
    cases_->AddAttachment(header_, std::move(content_), log_->user(),
                          [this](absl::StatusOr<Case> r) {
                            if (r.ok()) *response_ = *std::move(r);
                            log_->Finish(r.status());
                            Finish(ToGrpcStatus(r.status()));
                          });
  }

  void Fail(const absl::Status& status) {
    log_->Finish(status);
    Finish(ToGrpcStatus(status));
  }

  CaseManager* const cases_;
  grpc::CallbackServerContext* const context_;
  Case* const response_;
  std::shared_ptr<CallLog> log_;
  pwx::v1::UploadAttachmentRequest message_;
  pwx::v1::AttachmentHeader header_;
  bool have_header_ = false;
  std::string content_;
};

// Streams an attachment chunk by chunk, reading each from the store only
// when the previous one has been sent.
class DownloadReactor final
    : public grpc::ServerWriteReactor<pwx::v1::DownloadAttachmentResponse> {
 public:
  // `allowed` as for UploadReactor.
  DownloadReactor(CaseManager* cases, grpc::CallbackServerContext* context,
                  const pwx::v1::DownloadAttachmentRequest& request,
                  const absl::Status& allowed)
      : cases_(cases), log_("DownloadAttachment", CallerName(*context)) {
    log_.set_object(request.case_id());
    if (!allowed.ok()) {
      Done(allowed);
      return;
    }
    // No byte goes out before the download's audit entry is durable. The
    // callback may run on the store's writer thread: it only starts the
    // first write (the metadata alone), and the chunks are read from the
    // store on gRPC's threads, in OnWriteDone.
    cases_->FindAttachmentForUser(
        request.case_id(), request.sha256(), log_.user(),
        [this](absl::StatusOr<pwx::v1::AttachmentMeta> meta) {
          if (!meta.ok()) {
            Done(meta.status());
            return;
          }
          meta_ = *std::move(meta);
          chunks_ = (meta_.size_bytes() + storage::kBlobChunkBytes - 1) /
                    storage::kBlobChunkBytes;
          WriteNext();
        });
  }

  void OnWriteDone(bool ok) override {
    if (!ok) {
      Done(absl::CancelledError("the client stopped reading"));
      return;
    }
    WriteNext();
  }

  void OnDone() override { delete this; }

 private:
  // The metadata first, alone, then one chunk per message.
  void WriteNext() {
    message_.Clear();
    if (!meta_sent_) {
      meta_sent_ = true;
      *message_.mutable_meta() = meta_;
      StartWrite(&message_);
      return;
    }
    if (next_ >= chunks_) {
      Done(absl::OkStatus());
      return;
    }
    absl::StatusOr<std::string> chunk =
        cases_->AttachmentChunk(meta_.sha256(), next_);
    if (!chunk.ok()) {
      Done(chunk.status());
      return;
    }
    message_.set_chunk(*std::move(chunk));
    ++next_;
    StartWrite(&message_);
  }

  void Done(const absl::Status& status) {
    log_.Finish(status);
    Finish(ToGrpcStatus(status));
  }

  CaseManager* const cases_;
  CallLog log_;
  pwx::v1::AttachmentMeta meta_;
  pwx::v1::DownloadAttachmentResponse message_;
  bool meta_sent_ = false;
  uint64_t chunks_ = 0;
  uint64_t next_ = 0;
};

}  // namespace

bool CaseServiceImpl::Denied(grpc::CallbackServerContext* context,
                             grpc::ServerUnaryReactor* reactor,
                             absl::string_view call) const {
  const std::string user = CallerName(*context);
  absl::Status allowed = authz_->Check(user, Permission::kCases, call);
  if (allowed.ok()) return false;
  CallLog(call, user).Finish(allowed);
  reactor->Finish(ToGrpcStatus(allowed));
  return true;
}

grpc::ServerUnaryReactor* CaseServiceImpl::CreateCase(
    grpc::CallbackServerContext* context,
    const pwx::v1::CreateCaseRequest* request, Case* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  if (Denied(context, reactor, "CreateCase")) return reactor;
  auto log = std::make_shared<CallLog>("CreateCase", CallerName(*context));
  cases_->Create(request->case_(), log->user(),
                 FinishWithCase(reactor, response, log));
  return reactor;
}

grpc::ServerUnaryReactor* CaseServiceImpl::GetCase(
    grpc::CallbackServerContext* context,
    const pwx::v1::GetCaseRequest* request, Case* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  if (Denied(context, reactor, "GetCase")) return reactor;
  auto log = std::make_shared<CallLog>("GetCase", CallerName(*context));
  log->set_object(request->id());
  // Answers once the read's audit entry is durable.
  cases_->GetForUser(request->id(), log->user(),
                     FinishWithCase(reactor, response, log));
  return reactor;
}

grpc::ServerUnaryReactor* CaseServiceImpl::ShareCase(
    grpc::CallbackServerContext* context,
    const pwx::v1::ShareCaseRequest* request,
    pwx::v1::ShareCaseResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  if (Denied(context, reactor, "ShareCase")) return reactor;
  auto log = std::make_shared<CallLog>("ShareCase", CallerName(*context));
  log->set_object(request->id());
  auto finish = [reactor, response,
                 log](absl::StatusOr<pwx::v1::ShareCaseResponse> r) {
    if (r.ok()) *response = *std::move(r);
    log->Finish(r.status());
    reactor->Finish(ToGrpcStatus(r.status()));
  };
  if (sharing_ == nullptr) {
    finish(absl::FailedPreconditionError(
        "this node does not federate: set federation.listen in its config"));
    return reactor;
  }
  if (absl::Status s = domain::ValidateAuthorityId("with", request->with());
      !s.ok()) {
    finish(s);
    return reactor;
  }
  sharing_->Share(request->id(), request->with(), log->user(),
                  std::move(finish));
  return reactor;
}

grpc::ServerUnaryReactor* CaseServiceImpl::UpdateCase(
    grpc::CallbackServerContext* context,
    const pwx::v1::UpdateCaseRequest* request, Case* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  if (Denied(context, reactor, "UpdateCase")) return reactor;
  auto log = std::make_shared<CallLog>("UpdateCase", CallerName(*context));
  log->set_object(request->id());
  cases_->Update(*request, log->user(), FinishWithCase(reactor, response, log));
  return reactor;
}

grpc::ServerUnaryReactor* CaseServiceImpl::ListCases(
    grpc::CallbackServerContext* context,
    const pwx::v1::ListCasesRequest* request,
    pwx::v1::ListCasesResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  if (Denied(context, reactor, "ListCases")) return reactor;
  auto log = std::make_shared<CallLog>("ListCases", CallerName(*context));
  // Answers once the page's audit entry is durable.
  cases_->ListForUser(
      *request, log->user(),
      [reactor, response, log](absl::StatusOr<pwx::v1::ListCasesResponse> r) {
        if (r.ok()) *response = *std::move(r);
        log->Finish(r.status());
        reactor->Finish(ToGrpcStatus(r.status()));
      });
  return reactor;
}

grpc::ServerUnaryReactor* CaseServiceImpl::AddNote(
    grpc::CallbackServerContext* context,
    const pwx::v1::AddNoteRequest* request, Case* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  if (Denied(context, reactor, "AddNote")) return reactor;
  auto log = std::make_shared<CallLog>("AddNote", CallerName(*context));
  log->set_object(request->case_id());
  cases_->AddNote(*request, log->user(),
                  FinishWithCase(reactor, response, log));
  return reactor;
}

grpc::ServerReadReactor<pwx::v1::UploadAttachmentRequest>*
CaseServiceImpl::UploadAttachment(grpc::CallbackServerContext* context,
                                  Case* response) {
  return new UploadReactor(
      cases_, context, response,
      authz_->Check(CallerName(*context), Permission::kCases,
                    "UploadAttachment"));
}

grpc::ServerWriteReactor<pwx::v1::DownloadAttachmentResponse>*
CaseServiceImpl::DownloadAttachment(
    grpc::CallbackServerContext* context,
    const pwx::v1::DownloadAttachmentRequest* request) {
  return new DownloadReactor(
      cases_, context, *request,
      authz_->Check(CallerName(*context), Permission::kCases,
                    "DownloadAttachment"));
}

}  // namespace pwx::server
