#include "server/user_service.h"

#include <memory>
#include <string>
#include <utility>

#include "server/rpc_util.h"

namespace pwx::server {
namespace {

UserCallback FinishWithUser(grpc::ServerUnaryReactor* reactor,
                            pwx::v1::User* response,
                            std::shared_ptr<CallLog> log) {
  return [reactor, response,
          log = std::move(log)](absl::StatusOr<pwx::v1::User> r) {
    if (r.ok()) *response = *std::move(r);
    log->Finish(r.status());
    reactor->Finish(ToGrpcStatus(r.status()));
  };
}

}  // namespace

grpc::ServerUnaryReactor* UserServiceImpl::GrantRole(
    grpc::CallbackServerContext* context,
    const pwx::v1::GrantRoleRequest* request, pwx::v1::User* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  auto log = std::make_shared<CallLog>("GrantRole", CallerName(*context));
  log->set_object(request->name());
  if (absl::Status s =
          authz_->Check(log->user(), Permission::kUsers, "GrantRole");
      !s.ok()) {
    log->Finish(s);
    reactor->Finish(ToGrpcStatus(s));
    return reactor;
  }
  authz_->Grant(request->name(), request->role(), log->user(),
                FinishWithUser(reactor, response, log));
  return reactor;
}

grpc::ServerUnaryReactor* UserServiceImpl::RevokeRole(
    grpc::CallbackServerContext* context,
    const pwx::v1::RevokeRoleRequest* request, pwx::v1::User* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  auto log = std::make_shared<CallLog>("RevokeRole", CallerName(*context));
  log->set_object(request->name());
  if (absl::Status s =
          authz_->Check(log->user(), Permission::kUsers, "RevokeRole");
      !s.ok()) {
    log->Finish(s);
    reactor->Finish(ToGrpcStatus(s));
    return reactor;
  }
  authz_->Revoke(request->name(), request->role(), log->user(),
                 FinishWithUser(reactor, response, log));
  return reactor;
}

grpc::ServerUnaryReactor* UserServiceImpl::ListUsers(
    grpc::CallbackServerContext* context, const pwx::v1::ListUsersRequest*,
    pwx::v1::ListUsersResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  CallLog log("ListUsers", CallerName(*context));
  absl::Status s = authz_->Check(log.user(), Permission::kUsers, "ListUsers");
  if (s.ok()) {
    for (pwx::v1::User& user : authz_->List()) {
      *response->add_users() = std::move(user);
    }
  }
  log.Finish(s);
  reactor->Finish(ToGrpcStatus(s));
  return reactor;
}

}  // namespace pwx::server
