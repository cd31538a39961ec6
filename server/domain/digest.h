// Content digests.
#ifndef PWX_SERVER_DOMAIN_DIGEST_H_
#define PWX_SERVER_DOMAIN_DIGEST_H_

#include <array>
#include <cstdint>
#include <initializer_list>
#include <memory>
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

// SHA-256 of data given in parts over time, e.g. an upload as it arrives.
// Not thread-safe. Aborts, like Sha256(), only if libcrypto cannot hash.
class Sha256Hasher {
 public:
  Sha256Hasher();
  Sha256Hasher(const Sha256Hasher&) = delete;
  Sha256Hasher& operator=(const Sha256Hasher&) = delete;
  ~Sha256Hasher();

  // Adds `data` to what is hashed.
  void Update(absl::string_view data);

  // Lower-case hex SHA-256 of everything added so far; more may be added
  // after.
  std::string Hex() const;

 private:
  struct Context;
  std::unique_ptr<Context> context_;
};

// True for 64 lower-case hex digits.
bool IsSha256Hex(absl::string_view text);

}  // namespace pwx::domain

#endif  // PWX_SERVER_DOMAIN_DIGEST_H_
