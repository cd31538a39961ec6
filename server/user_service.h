// UserService on the API port: grant, revoke and list the node's users;
// each user's own language preference.
#ifndef PWX_SERVER_USER_SERVICE_H_
#define PWX_SERVER_USER_SERVICE_H_

#include <grpcpp/grpcpp.h>

#include "pwx/v1/user_service.grpc.pb.h"
#include "server/authorizer.h"

namespace pwx::server {

// Thread-safe. `authz` must outlive the service.
class UserServiceImpl final : public pwx::v1::UserService::CallbackService {
 public:
  explicit UserServiceImpl(Authorizer* authz) : authz_(authz) {}

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

 private:
  Authorizer* const authz_;
};

}  // namespace pwx::server

#endif  // PWX_SERVER_USER_SERVICE_H_
