#include "server/domain/digest.h"

#include <openssl/evp.h>
#include <openssl/sha.h>

#include <array>
#include <cstdlib>
#include <memory>

#include "absl/strings/escaping.h"

namespace pwx::domain {
namespace {

// Fetched once: the implicit fetch inside SHA256() or EVP_sha256() costs
// three times as much as hashing a 65-byte node.
const EVP_MD* Sha256Md() {
  static const EVP_MD* const md = [] {
    const EVP_MD* fetched = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    return fetched != nullptr ? fetched : EVP_sha256();
  }();
  return md;
}

}  // namespace

// Sha256Hasher::Context's member type, so not in an anonymous namespace.
namespace digest_internal {
struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};
}  // namespace digest_internal
using digest_internal::MdCtxDeleter;

std::array<uint8_t, 32> Sha256(std::initializer_list<absl::string_view> parts) {
  // One context per thread, reused: allocating one per hash would double the
  // cost of a node hash.
  thread_local std::unique_ptr<EVP_MD_CTX, MdCtxDeleter> ctx(EVP_MD_CTX_new());
  std::array<uint8_t, 32> out{};
  unsigned int length = 0;
  bool ok =
      ctx != nullptr && EVP_DigestInit_ex2(ctx.get(), Sha256Md(), nullptr) == 1;
  for (absl::string_view part : parts) {
    ok = ok && EVP_DigestUpdate(ctx.get(), part.data(), part.size()) == 1;
  }
  ok = ok && EVP_DigestFinal_ex(ctx.get(), out.data(), &length) == 1 &&
       length == out.size();
  // Only a libcrypto without SHA-256 or out of memory fails here. A log that
  // cannot hash must not carry on with a made-up hash, and the hash functions
  // are too basic to make every caller handle a status.
  if (!ok) std::abort();
  return out;
}

std::string Sha256Hex(absl::string_view data) {
  const std::array<uint8_t, 32> digest = Sha256({data});
  return absl::BytesToHexString(absl::string_view(
      reinterpret_cast<const char*>(digest.data()), digest.size()));
}

struct Sha256Hasher::Context {
  std::unique_ptr<EVP_MD_CTX, MdCtxDeleter> ctx{EVP_MD_CTX_new()};
};

Sha256Hasher::Sha256Hasher() : context_(std::make_unique<Context>()) {
  if (context_->ctx == nullptr ||
      EVP_DigestInit_ex2(context_->ctx.get(), Sha256Md(), nullptr) != 1) {
    std::abort();
  }
}

Sha256Hasher::~Sha256Hasher() = default;

void Sha256Hasher::Update(absl::string_view data) {
  if (EVP_DigestUpdate(context_->ctx.get(), data.data(), data.size()) != 1) {
    std::abort();
  }
}

std::string Sha256Hasher::Hex() const {
  // Finishes a copy, so that the running hash can go on.
  std::unique_ptr<EVP_MD_CTX, MdCtxDeleter> copy(EVP_MD_CTX_new());
  std::array<uint8_t, 32> digest{};
  unsigned int length = 0;
  if (copy == nullptr ||
      EVP_MD_CTX_copy_ex(copy.get(), context_->ctx.get()) != 1 ||
      EVP_DigestFinal_ex(copy.get(), digest.data(), &length) != 1 ||
      length != digest.size()) {
    std::abort();
  }
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
