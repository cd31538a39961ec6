// The CLI's spelling of the roles a node grants its users.
#ifndef PWX_CLIENT_USER_ROLE_H_
#define PWX_CLIENT_USER_ROLE_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "pwx/v1/user_service.pb.h"

namespace pwx::client {

// "inspector", "coordinator", "auditor" or "admin"; "unspecified" for
// ROLE_UNSPECIFIED and "role N" for a number this client does not know
// (a newer server's role).
std::string RoleName(pwx::v1::Role role);

// The inverse of RoleName() for the four real roles. INVALID_ARGUMENT naming
// `name` and listing the accepted names otherwise.
absl::StatusOr<pwx::v1::Role> ParseRole(std::string_view name);

}  // namespace pwx::client

#endif  // PWX_CLIENT_USER_ROLE_H_
