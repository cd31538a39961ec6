#include "server/domain/digest.h"

#include <openssl/sha.h>

#include <array>

#include "absl/strings/escaping.h"

namespace pwx::domain {

std::string Sha256Hex(absl::string_view data) {
  std::array<unsigned char, SHA256_DIGEST_LENGTH> digest{};
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(),
         digest.data());
  return absl::BytesToHexString(absl::string_view(
      reinterpret_cast<const char*>(digest.data()), digest.size()));
}

bool IsSha256Hex(absl::string_view text) {
  if (text.size() != 2 * SHA256_DIGEST_LENGTH) return false;
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace pwx::domain
