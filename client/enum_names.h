// The names the CLI gives protobuf enum values: "awaiting-acceptance" for
// REQUEST_STATE_AWAITING_ACCEPTANCE, and back.
#ifndef PWX_CLIENT_ENUM_NAMES_H_
#define PWX_CLIENT_ENUM_NAMES_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"

namespace pwx::client {

// The enum value's name without `prefix`, lower case, '-' for '_'.
std::string SuffixName(const google::protobuf::EnumDescriptor* descriptor,
                       int value, absl::string_view prefix);

// The value whose SuffixName() is `name`, 0 excluded; INVALID_ARGUMENT
// "unknown WHAT 'name'; one of: ..." otherwise.
absl::StatusOr<int> ParseSuffixName(
    const google::protobuf::EnumDescriptor* descriptor,
    absl::string_view prefix, absl::string_view what, std::string_view name);

}  // namespace pwx::client

#endif  // PWX_CLIENT_ENUM_NAMES_H_
