#include "client/user_role.h"

#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "client/absl_view.h"

namespace pwx::client {
namespace {

struct RoleEntry {
  pwx::v1::Role role;
  std::string_view name;
};
constexpr RoleEntry kRoles[] = {
    {pwx::v1::ROLE_INSPECTOR, "inspector"},
    {pwx::v1::ROLE_COORDINATOR, "coordinator"},
    {pwx::v1::ROLE_AUDITOR, "auditor"},
    {pwx::v1::ROLE_ADMIN, "admin"},
};

}  // namespace

std::string RoleName(pwx::v1::Role role) {
  if (role == pwx::v1::ROLE_UNSPECIFIED) return "unspecified";
  for (const RoleEntry& entry : kRoles) {
    if (entry.role == role) return std::string(entry.name);
  }
  return absl::StrCat("role ", static_cast<int>(role));
}

absl::StatusOr<pwx::v1::Role> ParseRole(std::string_view name) {
  std::vector<absl::string_view> names;
  for (const RoleEntry& entry : kRoles) {
    if (entry.name == name) return entry.role;
    names.push_back(ToAbsl(entry.name));
  }
  return absl::InvalidArgumentError(
      absl::StrCat("unknown role '", ToAbsl(name),
                   "'; one of: ", absl::StrJoin(names, ", ")));
}

}  // namespace pwx::client
