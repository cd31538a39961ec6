// Content digests.
#ifndef PWX_SERVER_DOMAIN_DIGEST_H_
#define PWX_SERVER_DOMAIN_DIGEST_H_

#include <string>

#include "absl/strings/string_view.h"

namespace pwx::domain {

// Lower-case hex SHA-256 of `data`. Thread-safe.
std::string Sha256Hex(absl::string_view data);

// True for 64 lower-case hex digits.
bool IsSha256Hex(absl::string_view text);

}  // namespace pwx::domain

#endif  // PWX_SERVER_DOMAIN_DIGEST_H_
