#include "server/request_service.h"

#include <memory>
#include <utility>

#include "server/attachment_stream.h"
#include "server/domain/catalogue.h"
#include "server/domain/request_rules.h"
#include "server/rpc_util.h"

namespace pwx::server {
namespace {

using pwx::v1::Request;

// Finishes a call that returns a request; the log line names it.
RequestCallback FinishWithRequest(std::shared_ptr<UnaryCall> call,
                                  Request* response) {
  return [call = std::move(call), response](absl::StatusOr<Request> r) {
    if (r.ok()) {
      call->set_object(r->id());
      *response = *std::move(r);
    }
    call->Finish(r.status());
  };
}

absl::Status NoFederation() {
  return absl::FailedPreconditionError(
      "this node does not federate: set federation.listen in its config");
}

}  // namespace

grpc::ServerUnaryReactor* RequestServiceImpl::CreateRequest(
    grpc::CallbackServerContext* context,
    const pwx::v1::CreateRequestRequest* request, Request* response) {
  auto call = UnaryCall::Start(context, *authz_, Permission::kRequests,
                               "CreateRequest", request->recipient());
  if (!call->allowed()) return call->reactor();
  if (requests_ == nullptr) {
    call->Finish(NoFederation());
    return call->reactor();
  }
  requests_->Create(*request, call->user(), FinishWithRequest(call, response));
  return call->reactor();
}

grpc::ServerUnaryReactor* RequestServiceImpl::GetRequest(
    grpc::CallbackServerContext* context,
    const pwx::v1::GetRequestRequest* request, Request* response) {
  auto call = UnaryCall::Start(context, *authz_, Permission::kRequests,
                               "GetRequest", request->id());
  if (!call->allowed()) return call->reactor();
  if (requests_ == nullptr) {
    call->Finish(NoFederation());
    return call->reactor();
  }
  if (!request->language().empty()) {
    if (absl::Status s =
            domain::ValidateLanguage("language", request->language());
        !s.ok()) {
      call->Finish(s);
      return call->reactor();
    }
  }
  requests_->Get(request->id(), call->user(), FinishWithRequest(call, response),
                 request->language());
  return call->reactor();
}

grpc::ServerUnaryReactor* RequestServiceImpl::Act(
    grpc::CallbackServerContext* context, const pwx::v1::ActRequest* request,
    Request* response) {
  auto call = UnaryCall::Start(context, *authz_, Permission::kRequests, "Act",
                               request->id());
  if (!call->allowed()) return call->reactor();
  if (requests_ == nullptr) {
    call->Finish(NoFederation());
    return call->reactor();
  }
  requests_->Act(*request, call->user(), FinishWithRequest(call, response));
  return call->reactor();
}

grpc::ServerUnaryReactor* RequestServiceImpl::ListRequests(
    grpc::CallbackServerContext* context,
    const pwx::v1::ListRequestsRequest* request,
    pwx::v1::ListRequestsResponse* response) {
  auto call =
      UnaryCall::Start(context, *authz_, Permission::kRequests, "ListRequests");
  if (!call->allowed()) return call->reactor();
  if (requests_ == nullptr) {
    call->Finish(NoFederation());
    return call->reactor();
  }
  call->FinishWith(response)(requests_->List(*request));
  return call->reactor();
}

grpc::ServerUnaryReactor* RequestServiceImpl::GetStats(
    grpc::CallbackServerContext* context,
    const pwx::v1::GetStatsRequest* request,
    pwx::v1::GetStatsResponse* response) {
  auto call = UnaryCall::Start(context, *authz_, Permission::kStatistics,
                               "GetStats", request->peer());
  if (!call->allowed()) return call->reactor();
  if (requests_ == nullptr) {
    call->Finish(NoFederation());
    return call->reactor();
  }
  call->FinishWith(response)(requests_->Stats(*request));
  return call->reactor();
}

grpc::ServerReadReactor<pwx::v1::UploadRequestAttachmentRequest>*
RequestServiceImpl::UploadRequestAttachment(
    grpc::CallbackServerContext* context, Request* response) {
  using Header = pwx::v1::RequestAttachmentHeader;
  absl::Status allowed = authz_->Check(
      CallerName(*context), Permission::kRequests, "UploadRequestAttachment");
  if (allowed.ok() && (requests_ == nullptr || spool_ == nullptr)) {
    allowed = NoFederation();
  }
  UploadTarget<Header, Request> target;
  Requests* requests = requests_;
  target.max_bytes = requests == nullptr ? 0 : requests->max_attachment_bytes();
  target.object = [](const Header& h) { return h.request_id(); };
  target.check = [requests](const Header& h) {
    return requests->CheckAttachmentHeader(h);
  };
  target.store = [requests](const Header& h, const SpoolFile* content,
                            const std::string& user,
                            std::function<void(absl::StatusOr<Request>)> done) {
    requests->AddAttachment(h, content, user, std::move(done));
  };
  return new UploadReactor<pwx::v1::UploadRequestAttachmentRequest, Header,
                           Request>(std::move(target), spool_, context,
                                    response, "UploadRequestAttachment",
                                    allowed);
}

grpc::ServerWriteReactor<pwx::v1::DownloadRequestAttachmentResponse>*
RequestServiceImpl::DownloadRequestAttachment(
    grpc::CallbackServerContext* context,
    const pwx::v1::DownloadRequestAttachmentRequest* request) {
  const std::string user = CallerName(*context);
  absl::Status allowed =
      authz_->Check(user, Permission::kRequests, "DownloadRequestAttachment");
  if (allowed.ok() && requests_ == nullptr) allowed = NoFederation();
  const Requests* requests = requests_;
  const std::string id = request->request_id();
  DownloadSource<pwx::v1::RequestAttachment> source;
  source.find =
      [requests, id, sha256 = request->sha256(),
       user](std::function<void(absl::StatusOr<pwx::v1::RequestAttachment>)>
                 done) {
        requests->FindAttachmentForUser(id, sha256, user, std::move(done));
      };
  source.chunk = [requests, id](const pwx::v1::RequestAttachment& a,
                                uint64_t index) {
    return requests->AttachmentChunk(id, a, index);
  };
  return new DownloadReactor<pwx::v1::DownloadRequestAttachmentResponse,
                             pwx::v1::RequestAttachment>(
      std::move(source), context, "DownloadRequestAttachment", id, allowed);
}

}  // namespace pwx::server
