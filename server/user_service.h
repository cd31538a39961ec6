// UserService on the API port: grant, revoke and list the node's users;
// each user's own language preference.
#ifndef PWX_SERVER_USER_SERVICE_H_
#define PWX_SERVER_USER_SERVICE_H_

#include <grpcpp/grpcpp.h>

#include <string>
#include <utility>

#include "pwx/v1/user_service.grpc.pb.h"
#include "server/authorizer.h"

namespace pwx::server {

// Thread-safe. `authz` must outlive the service.
class UserServiceImpl final : public pwx::v1::UserService::CallbackService {
 public:
  // `authority_id` and `authority_name` are the node's, for GetCurrentUser.
  UserServiceImpl(Authorizer* authz, std::string authority_id,
                  std::string authority_name)
      : authz_(authz),
        authority_id_(std::move(authority_id)),
        authority_name_(std::move(authority_name)) {}

  grpc::ServerUnaryReactor* GrantRole(grpc::CallbackServerContext* context,
                                      const pwx::v1::GrantRoleRequest* request,
                                      pwx::v1::User* response) override;
  grpc::ServerUnaryReactor* RevokeRole(
      grpc::CallbackServerContext* context,
      const pwx::v1::RevokeRoleRequest* request,
      pwx::v1::User* response) override;
  grpc::ServerUnaryReactor* ListUsers(
      grpc::CallbackServerContext* context,
      const pwx::v1::ListUsersRequest* request,
      pwx::v1::ListUsersResponse* response) override;
  // The caller's own preference: any role may call it.
  grpc::ServerUnaryReactor* SetLanguage(
      grpc::CallbackServerContext* context,
      const pwx::v1::SetLanguageRequest* request,
      pwx::v1::User* response) override;
  // The caller and the node's authority: any role may call it.
  grpc::ServerUnaryReactor* GetCurrentUser(
      grpc::CallbackServerContext* context,
      const pwx::v1::GetCurrentUserRequest* request,
      pwx::v1::GetCurrentUserResponse* response) override;

 private:
  Authorizer* const authz_;
  const std::string authority_id_;
  const std::string authority_name_;
};

}  // namespace pwx::server

#endif  // PWX_SERVER_USER_SERVICE_H_
