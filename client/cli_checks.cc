// Checks of flag values shared by the commands: each failure is a usage
// error that names the flag.
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "client/cli_internal.h"
#include "server/domain/fields.h"

namespace pwx::client::internal {

absl::Status AsUsage(const absl::Status& status) {
  if (status.ok() || status.code() != absl::StatusCode::kInvalidArgument) {
    return status;
  }
  return UsageError(status.message());
}

absl::Status FlagUsage(absl::string_view flag, const absl::Status& status) {
  if (status.ok()) return status;
  if (absl::StartsWith(status.message(), flag)) {
    return UsageError(status.message());
  }
  return UsageError(absl::StrCat(flag, ": ", status.message()));
}

absl::Status CheckText(absl::string_view flag, const std::string& value) {
  if (absl::StripAsciiWhitespace(value).empty()) {
    return UsageError(absl::StrCat(flag, ": must not be empty"));
  }
  return absl::OkStatus();
}

absl::Status CheckAuthority(absl::string_view flag, const std::string& value) {
  return FlagUsage(flag, domain::ValidateAuthorityId(flag, value));
}

absl::Status CheckDate(absl::string_view flag, const std::string& value) {
  return FlagUsage(flag, domain::ParseDate(flag, value).status());
}

}  // namespace pwx::client::internal
