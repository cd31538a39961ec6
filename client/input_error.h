// The error of a command-line value that cannot be used.
#ifndef PWX_CLIENT_INPUT_ERROR_H_
#define PWX_CLIENT_INPUT_ERROR_H_

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace pwx::client {

// INVALID_ARGUMENT "flag: why", naming the flag to fix first.
inline absl::Status FlagError(absl::string_view flag, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat(flag, ": ", why));
}

}  // namespace pwx::client

#endif  // PWX_CLIENT_INPUT_ERROR_H_
