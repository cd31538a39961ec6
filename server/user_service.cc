#include "server/user_service.h"

#include <memory>
#include <string>
#include <utility>

#include "server/rpc_util.h"

namespace pwx::server {
grpc::ServerUnaryReactor* UserServiceImpl::GrantRole(
    grpc::CallbackServerContext* context,
    const pwx::v1::GrantRoleRequest* request, pwx::v1::User* response) {
  auto call = UnaryCall::Start(context, *authz_, Permission::kUsers,
                               "GrantRole", request->name());
  if (!call->allowed()) return call->reactor();
  authz_->Grant(request->name(), request->role(), call->user(),
                call->FinishWith(response));
  return call->reactor();
}

grpc::ServerUnaryReactor* UserServiceImpl::RevokeRole(
    grpc::CallbackServerContext* context,
    const pwx::v1::RevokeRoleRequest* request, pwx::v1::User* response) {
  auto call = UnaryCall::Start(context, *authz_, Permission::kUsers,
                               "RevokeRole", request->name());
  if (!call->allowed()) return call->reactor();
  authz_->Revoke(request->name(), request->role(), call->user(),
                 call->FinishWith(response));
  return call->reactor();
}

grpc::ServerUnaryReactor* UserServiceImpl::ListUsers(
    grpc::CallbackServerContext* context, const pwx::v1::ListUsersRequest*,
    pwx::v1::ListUsersResponse* response) {
  auto call =
      UnaryCall::Start(context, *authz_, Permission::kUsers, "ListUsers");
  if (!call->allowed()) return call->reactor();
  for (pwx::v1::User& user : authz_->List()) {
    *response->add_users() = std::move(user);
  }
  call->Finish(absl::OkStatus());
  return call->reactor();
}

grpc::ServerUnaryReactor* UserServiceImpl::SetLanguage(
    grpc::CallbackServerContext* context,
    const pwx::v1::SetLanguageRequest* request, pwx::v1::User* response) {
  auto call =
      UnaryCall::Start(context, *authz_, Permission::kAnyRole, "SetLanguage");
  if (!call->allowed()) return call->reactor();
  call->set_object(call->user());
  authz_->SetLanguage(call->user(), request->language(),
                      call->FinishWith(response));
  return call->reactor();
}

grpc::ServerUnaryReactor* UserServiceImpl::GetCurrentUser(
    grpc::CallbackServerContext* context, const pwx::v1::GetCurrentUserRequest*,
    pwx::v1::GetCurrentUserResponse* response) {
  auto call = UnaryCall::Start(context, *authz_, Permission::kAnyRole,
                               "GetCurrentUser");
  if (!call->allowed()) return call->reactor();
  call->set_object(call->user());
  *response->mutable_user() = authz_->Get(call->user());
  response->set_authority_id(authority_id_);
  response->set_authority_name(authority_name_);
  call->Finish(absl::OkStatus());
  return call->reactor();
}

}  // namespace pwx::server
