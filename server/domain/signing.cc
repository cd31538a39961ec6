#include "server/domain/signing.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <string>
#include <utility>

#include "absl/strings/str_cat.h"

namespace pwx::domain {
namespace {

struct PkeyDeleter {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
struct BioDeleter {
  void operator()(BIO* b) const { BIO_free(b); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyDeleter>;

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

struct Signer::Key {
  PkeyPtr pkey;
};

struct Verifier::Key {
  PkeyPtr pkey;
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
  std::unique_ptr<EVP_MD_CTX, MdCtxDeleter> ctx(EVP_MD_CTX_new());
  size_t length = 0;
  if (ctx == nullptr ||
      EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr,
                         key_->pkey.get()) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &length,
                     reinterpret_cast<const unsigned char*>(message.data()),
                     message.size()) != 1) {
    return absl::InternalError("ECDSA signing failed to start");
  }
  std::string signature(length, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(&signature[0]),
                     &length,
                     reinterpret_cast<const unsigned char*>(message.data()),
                     message.size()) != 1) {
    return absl::InternalError("ECDSA signing failed");
  }
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
  std::unique_ptr<EVP_MD_CTX, MdCtxDeleter> ctx(EVP_MD_CTX_new());
  if (ctx == nullptr || EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(),
                                             nullptr, key_->pkey.get()) != 1) {
    return absl::InternalError("ECDSA verification failed to start");
  }
  if (EVP_DigestVerify(ctx.get(),
                       reinterpret_cast<const unsigned char*>(signature.data()),
                       signature.size(),
                       reinterpret_cast<const unsigned char*>(message.data()),
                       message.size()) != 1) {
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
