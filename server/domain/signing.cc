#include "server/domain/signing.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <array>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "server/domain/digest.h"

namespace pwx::domain {
// The types Signer::Key and Verifier::Key hold (so not in an anonymous
// namespace: a member's type must have linkage).
namespace signing_internal {

struct PkeyDeleter {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyDeleter>;

struct PkeyCtxDeleter {
  void operator()(EVP_PKEY_CTX* c) const { EVP_PKEY_CTX_free(c); }
};
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, PkeyCtxDeleter>;

// Contexts initialised once for one key and one operation (sign or verify),
// reused: initialising costs more than an ECDSA verification. Thread-safe.
class ContextPool {
 public:
  using Init = int (*)(EVP_PKEY_CTX*);
  explicit ContextPool(Init init) : init_(init) {}

  // A ready context for `pkey`, or null when OpenSSL cannot make one.
  PkeyCtxPtr Take(EVP_PKEY* pkey) {
    {
      absl::MutexLock lock(&mu_);
      if (!free_.empty()) {
        PkeyCtxPtr ctx = std::move(free_.back());
        free_.pop_back();
        return ctx;
      }
    }
    PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey, nullptr));
    if (ctx == nullptr || init_(ctx.get()) != 1) return nullptr;
    return ctx;
  }
  void Give(PkeyCtxPtr ctx) {
    absl::MutexLock lock(&mu_);
    if (free_.size() < 16) free_.push_back(std::move(ctx));
  }

 private:
  const Init init_;
  absl::Mutex mu_;
  std::vector<PkeyCtxPtr> free_ ABSL_GUARDED_BY(mu_);
};

}  // namespace signing_internal

using signing_internal::ContextPool;
using signing_internal::PkeyCtxPtr;
using signing_internal::PkeyPtr;

namespace {

struct BioDeleter {
  void operator()(BIO* b) const { BIO_free(b); }
};

std::unique_ptr<BIO, BioDeleter> MemBio(absl::string_view pem) {
  return std::unique_ptr<BIO, BioDeleter>(
      BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
}

absl::Status RequireP256(const EVP_PKEY* key, absl::string_view what) {
  char group[64] = {0};
  size_t len = 0;
  if (EVP_PKEY_get_base_id(key) != EVP_PKEY_EC ||
      EVP_PKEY_get_utf8_string_param(key, "group", group, sizeof(group),
                                     &len) != 1 ||
      std::string(group, len) != "prime256v1") {
    return absl::InvalidArgumentError(
        absl::StrCat(what, ": not an ECDSA P-256 key (prime256v1)"));
  }
  return absl::OkStatus();
}

void AppendBigEndian(uint64_t v, std::string* out) {
  for (int shift = 56; shift >= 0; shift -= 8) {
    out->push_back(static_cast<char>((v >> shift) & 0xFF));
  }
}

}  // namespace

// Signatures are over SHA-256(message), computed by digest.h's fast SHA-256
// and signed as a digest: the same DER ECDSA signature EVP_DigestSign makes.
struct Signer::Key {
  PkeyPtr pkey;
  ContextPool contexts{&EVP_PKEY_sign_init};
};

struct Verifier::Key {
  PkeyPtr pkey;
  ContextPool contexts{&EVP_PKEY_verify_init};
};

Signer::Signer(std::unique_ptr<Key> key) : key_(std::move(key)) {}
Signer::~Signer() = default;

absl::StatusOr<std::unique_ptr<Signer>> Signer::FromPem(
    absl::string_view key_pem) {
  auto bio = MemBio(key_pem);
  PkeyPtr pkey(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (pkey == nullptr) {
    return absl::InvalidArgumentError(
        "signing key: not an unencrypted PEM private key");
  }
  if (absl::Status s = RequireP256(pkey.get(), "signing key"); !s.ok()) {
    return s;
  }
  auto key = std::make_unique<Key>();
  key->pkey = std::move(pkey);
  return std::unique_ptr<Signer>(new Signer(std::move(key)));
}

absl::StatusOr<std::string> Signer::Sign(absl::string_view message) const {
  const std::array<uint8_t, 32> digest = Sha256({message});
  PkeyCtxPtr ctx = key_->contexts.Take(key_->pkey.get());
  size_t length = 0;
  if (ctx == nullptr || EVP_PKEY_sign(ctx.get(), nullptr, &length,
                                      digest.data(), digest.size()) != 1) {
    return absl::InternalError("ECDSA signing failed to start");
  }
  std::string signature(length, '\0');
  if (EVP_PKEY_sign(ctx.get(), reinterpret_cast<unsigned char*>(&signature[0]),
                    &length, digest.data(), digest.size()) != 1) {
    return absl::InternalError("ECDSA signing failed");
  }
  key_->contexts.Give(std::move(ctx));
  signature.resize(length);
  return signature;
}

Verifier::Verifier(std::unique_ptr<Key> key) : key_(std::move(key)) {}
Verifier::~Verifier() = default;

absl::StatusOr<std::unique_ptr<Verifier>> Verifier::FromCertificatePem(
    absl::string_view cert_pem) {
  auto bio = MemBio(cert_pem);
  X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr);
  if (cert == nullptr) {
    return absl::InvalidArgumentError("certificate: not a PEM certificate");
  }
  PkeyPtr pkey(X509_get_pubkey(cert));
  X509_free(cert);
  if (pkey == nullptr) {
    return absl::InvalidArgumentError("certificate: no usable public key");
  }
  if (absl::Status s = RequireP256(pkey.get(), "certificate"); !s.ok()) {
    return s;
  }
  auto key = std::make_unique<Key>();
  key->pkey = std::move(pkey);
  return std::unique_ptr<Verifier>(new Verifier(std::move(key)));
}

absl::StatusOr<std::string> CertificateSha256(absl::string_view cert_pem) {
  auto bio = MemBio(cert_pem);
  std::unique_ptr<X509, decltype(&X509_free)> cert(
      PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr), &X509_free);
  if (cert == nullptr) {
    return absl::InvalidArgumentError("certificate: not a PEM certificate");
  }
  unsigned char* der = nullptr;
  const int length = i2d_X509(cert.get(), &der);
  if (length <= 0) {
    return absl::InvalidArgumentError("certificate: cannot be DER-encoded");
  }
  std::string hex = Sha256Hex(absl::string_view(
      reinterpret_cast<const char*>(der), static_cast<size_t>(length)));
  OPENSSL_free(der);
  return hex;
}

absl::StatusOr<std::unique_ptr<Verifier>> Verifier::FromPublicKeyPem(
    absl::string_view public_key_pem) {
  auto bio = MemBio(public_key_pem);
  PkeyPtr pkey(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
  if (pkey == nullptr) {
    return absl::InvalidArgumentError("public key: not a PEM public key");
  }
  if (absl::Status s = RequireP256(pkey.get(), "public key"); !s.ok()) {
    return s;
  }
  auto key = std::make_unique<Key>();
  key->pkey = std::move(pkey);
  return std::unique_ptr<Verifier>(new Verifier(std::move(key)));
}

absl::Status Verifier::Verify(absl::string_view message,
                              absl::string_view signature) const {
  const std::array<uint8_t, 32> digest = Sha256({message});
  PkeyCtxPtr ctx = key_->contexts.Take(key_->pkey.get());
  if (ctx == nullptr) {
    return absl::InternalError("ECDSA verification failed to start");
  }
  const int verified = EVP_PKEY_verify(
      ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
      signature.size(), digest.data(), digest.size());
  key_->contexts.Give(std::move(ctx));
  if (verified != 1) {
    return absl::DataLossError(
        "signature does not match the signed data and key");
  }
  return absl::OkStatus();
}

std::string TreeHeadSigningInput(absl::string_view authority_id, uint64_t size,
                                 absl::string_view root_hash,
                                 absl::Time timestamp) {
  std::string out = "pwx tree head v1";
  out.push_back('\0');
  AppendBigEndian(authority_id.size(), &out);
  out.append(authority_id.data(), authority_id.size());
  AppendBigEndian(size, &out);
  AppendBigEndian(root_hash.size(), &out);
  out.append(root_hash.data(), root_hash.size());
  AppendBigEndian(static_cast<uint64_t>(absl::ToUnixNanos(timestamp)), &out);
  return out;
}

}  // namespace pwx::domain
