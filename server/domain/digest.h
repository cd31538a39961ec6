// Content digests.
#ifndef PWX_SERVER_DOMAIN_DIGEST_H_
#define PWX_SERVER_DOMAIN_DIGEST_H_

#include <array>
#include <cstdint>
#include <initializer_list>
#include <string>

#include "absl/strings/string_view.h"

namespace pwx::domain {

// SHA-256 of the concatenation of `parts`. Thread-safe; reuses a per-thread
// context and a digest fetched once, which costs a third of what OpenSSL's
// one-shot SHA256() does on short inputs. Aborts only if libcrypto cannot
// hash at all.
std::array<uint8_t, 32> Sha256(std::initializer_list<absl::string_view> parts);

// Lower-case hex SHA-256 of `data`. Thread-safe.
std::string Sha256Hex(absl::string_view data);

// True for 64 lower-case hex digits.
bool IsSha256Hex(absl::string_view text);

}  // namespace pwx::domain

#endif  // PWX_SERVER_DOMAIN_DIGEST_H_
