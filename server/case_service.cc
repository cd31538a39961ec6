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

// Completes a call that returns a case, from whichever thread the manager
// calls back on; the log line names the case (CreateCase learns its id).
CaseCallback FinishWithCase(std::shared_ptr<UnaryCall> call, Case* response) {
  return [call = std::move(call), response](absl::StatusOr<Case> r) {
    if (r.ok()) {
      call->set_object(r->id());
      *response = *std::move(r);
    }
    call->Finish(r.status());
  };
}

// Receives an attachment: the header first, then the bytes, written to a
// spool file up to the size limit (memory holds one message at a time), so
// that nothing is stored unless the whole file arrived. The file is removed
// before the call finishes, however it ends.
class UploadReactor final
    : public grpc::ServerReadReactor<pwx::v1::UploadAttachmentRequest> {
 public:
  // `allowed` is the caller's authorization: when it is an error the call
  // ends at once, before a byte is read.
  UploadReactor(CaseManager* cases, const AttachmentSpool* spool,
                grpc::CallbackServerContext* context, Case* response,
                const absl::Status& allowed)
      : cases_(cases),
        spool_(spool),
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
    if (content_ == nullptr) {
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
      absl::StatusOr<std::unique_ptr<SpoolFile>> file = spool_->Create();
      if (!file.ok()) {
        Fail(file.status());
        return;
      }
      content_ = *std::move(file);
    } else {
      if (message_.part_case() != pwx::v1::UploadAttachmentRequest::kChunk) {
        Fail(absl::InvalidArgumentError(
            "header: only the first message may carry a header"));
        return;
      }
      if (content_->size() + message_.chunk().size() >
          cases_->max_attachment_bytes()) {
        Fail(absl::ResourceExhaustedError(
            absl::StrCat("attachment: larger than the limit of ",
                         cases_->max_attachment_bytes(), " bytes")));
        return;
      }
      if (absl::Status s = content_->Append(message_.chunk()); !s.ok()) {
        Fail(s);
        return;
      }
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
    if (content_ == nullptr) {
      Fail(absl::InvalidArgumentError("header: the upload was empty"));
      return;
    }
    if (header_.size_bytes() != 0 && header_.size_bytes() != content_->size()) {
      Fail(absl::InvalidArgumentError(
          absl::StrCat("header.size_bytes: announced ", header_.size_bytes(),
                       " bytes but ", content_->size(), " arrived")));
      return;
    }
    cases_->AddAttachment(header_, content_.get(), log_->user(),
                          [this](absl::StatusOr<Case> r) {
                            content_.reset();
                            if (r.ok()) *response_ = *std::move(r);
                            log_->Finish(r.status());
                            Finish(ToGrpcStatus(r.status()));
                          });
  }

  void Fail(const absl::Status& status) {
    content_.reset();
    log_->Finish(status);
    Finish(ToGrpcStatus(status));
  }

  CaseManager* const cases_;
  const AttachmentSpool* const spool_;
  grpc::CallbackServerContext* const context_;
  Case* const response_;
  std::shared_ptr<CallLog> log_;
  pwx::v1::UploadAttachmentRequest message_;
  pwx::v1::AttachmentHeader header_;
  // Created once the header is accepted; removed when the call ends.
  std::unique_ptr<SpoolFile> content_;
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

grpc::ServerUnaryReactor* CaseServiceImpl::CreateCase(
    grpc::CallbackServerContext* context,
    const pwx::v1::CreateCaseRequest* request, Case* response) {
  auto call =
      UnaryCall::Start(context, *authz_, Permission::kCases, "CreateCase");
  if (!call->allowed()) return call->reactor();
  cases_->Create(request->case_(), call->user(),
                 FinishWithCase(call, response));
  return call->reactor();
}

grpc::ServerUnaryReactor* CaseServiceImpl::GetCase(
    grpc::CallbackServerContext* context,
    const pwx::v1::GetCaseRequest* request, Case* response) {
  auto call = UnaryCall::Start(context, *authz_, Permission::kCases, "GetCase",
                               request->id());
  if (!call->allowed()) return call->reactor();
  // Answers once the read's audit entry is durable.
  cases_->GetForUser(request->id(), call->user(),
                     [this, call, response](absl::StatusOr<Case> c) {
                       if (c.ok() && requests_ != nullptr) {
                         absl::StatusOr<std::vector<std::string>> ids =
                             requests_->ForCase(c->id());
                         if (!ids.ok()) {
                           call->Finish(ids.status());
                           return;
                         }
                         for (std::string& id : *ids)
                           c->add_request_ids(std::move(id));
                       }
                       FinishWithCase(call, response)(std::move(c));
                     });
  return call->reactor();
}

grpc::ServerUnaryReactor* CaseServiceImpl::ShareCase(
    grpc::CallbackServerContext* context,
    const pwx::v1::ShareCaseRequest* request,
    pwx::v1::ShareCaseResponse* response) {
  auto call = UnaryCall::Start(context, *authz_, Permission::kCases,
                               "ShareCase", request->id());
  if (!call->allowed()) return call->reactor();
  if (sharing_ == nullptr) {
    call->Finish(absl::FailedPreconditionError(
        "this node does not federate: set federation.listen in its config"));
    return call->reactor();
  }
  if (absl::Status s = domain::ValidateAuthorityId("with", request->with());
      !s.ok()) {
    call->Finish(s);
    return call->reactor();
  }
  sharing_->Share(request->id(), request->with(), call->user(),
                  call->FinishWith(response));
  return call->reactor();
}

grpc::ServerUnaryReactor* CaseServiceImpl::UpdateCase(
    grpc::CallbackServerContext* context,
    const pwx::v1::UpdateCaseRequest* request, Case* response) {
  auto call = UnaryCall::Start(context, *authz_, Permission::kCases,
                               "UpdateCase", request->id());
  if (!call->allowed()) return call->reactor();
  cases_->Update(*request, call->user(), FinishWithCase(call, response));
  return call->reactor();
}

grpc::ServerUnaryReactor* CaseServiceImpl::ListCases(
    grpc::CallbackServerContext* context,
    const pwx::v1::ListCasesRequest* request,
    pwx::v1::ListCasesResponse* response) {
  auto call =
      UnaryCall::Start(context, *authz_, Permission::kCases, "ListCases");
  if (!call->allowed()) return call->reactor();
  // Answers once the page's audit entry is durable.
  cases_->ListForUser(*request, call->user(), call->FinishWith(response));
  return call->reactor();
}

grpc::ServerUnaryReactor* CaseServiceImpl::AddNote(
    grpc::CallbackServerContext* context,
    const pwx::v1::AddNoteRequest* request, Case* response) {
  auto call = UnaryCall::Start(context, *authz_, Permission::kCases, "AddNote",
                               request->case_id());
  if (!call->allowed()) return call->reactor();
  cases_->AddNote(*request, call->user(), FinishWithCase(call, response));
  return call->reactor();
}

grpc::ServerReadReactor<pwx::v1::UploadAttachmentRequest>*
CaseServiceImpl::UploadAttachment(grpc::CallbackServerContext* context,
                                  Case* response) {
  return new UploadReactor(
      cases_, spool_, context, response,
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
