#include "server/request_service.h"

#include <memory>
#include <utility>

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

}  // namespace pwx::server
