#include "server/case_service.h"

#include <memory>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "server/attachment_stream.h"
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
  UploadTarget<pwx::v1::AttachmentHeader, Case> target;
  target.max_bytes = cases_->max_attachment_bytes();
  target.object = [](const pwx::v1::AttachmentHeader& h) {
    return h.case_id();
  };
  target.check = [cases = cases_](const pwx::v1::AttachmentHeader& h) {
    return cases->CheckAttachmentHeader(h);
  };
  target.store = [cases = cases_](
                     const pwx::v1::AttachmentHeader& h,
                     const SpoolFile* content, const std::string& user,
                     std::function<void(absl::StatusOr<Case>)> done) {
    cases->AddAttachment(h, content, user, std::move(done));
  };
  return new UploadReactor<pwx::v1::UploadAttachmentRequest,
                           pwx::v1::AttachmentHeader, Case>(
      std::move(target), spool_, context, response, "UploadAttachment",
      authz_->Check(CallerName(*context), Permission::kCases,
                    "UploadAttachment"));
}

grpc::ServerWriteReactor<pwx::v1::DownloadAttachmentResponse>*
CaseServiceImpl::DownloadAttachment(
    grpc::CallbackServerContext* context,
    const pwx::v1::DownloadAttachmentRequest* request) {
  const std::string user = CallerName(*context);
  DownloadSource<pwx::v1::AttachmentMeta> source;
  source.find =
      [cases = cases_, case_id = request->case_id(), sha256 = request->sha256(),
       user](
          std::function<void(absl::StatusOr<pwx::v1::AttachmentMeta>)> done) {
        cases->FindAttachmentForUser(case_id, sha256, user, std::move(done));
      };
  source.chunk = [cases = cases_](const pwx::v1::AttachmentMeta& meta,
                                  uint64_t index) {
    return cases->AttachmentChunk(meta.sha256(), index);
  };
  return new DownloadReactor<pwx::v1::DownloadAttachmentResponse,
                             pwx::v1::AttachmentMeta>(
      std::move(source), context, "DownloadAttachment", request->case_id(),
      authz_->Check(user, Permission::kCases, "DownloadAttachment"));
}

}  // namespace pwx::server
