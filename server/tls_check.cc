#include "server/tls_check.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <memory>

#include "absl/strings/str_cat.h"
#include "server/cert_verify.h"

namespace pwx::server {
namespace {

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};

std::unique_ptr<BIO, BioFree> MemBio(absl::string_view pem) {
  return std::unique_ptr<BIO, BioFree>(
      BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
}

X509Ptr FirstCert(absl::string_view pem) {
  auto bio = MemBio(pem);
  return X509Ptr(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
}

}  // namespace

absl::Status CheckCertificates(absl::string_view key, absl::string_view pem) {
  if (FirstCert(pem) == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat(key, ": the file holds no PEM certificate"));
  }
  return absl::OkStatus();
}

absl::Status CheckKeyPair(absl::string_view cert_key,
                          absl::string_view cert_pem, absl::string_view key_key,
                          absl::string_view key_pem) {
  auto cert = FirstCert(cert_pem);
  if (cert == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat(cert_key, ": the file holds no PEM certificate"));
  }
  auto bio = MemBio(key_pem);
  std::unique_ptr<EVP_PKEY, PkeyFree> pkey(
      PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (pkey == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(
        key_key, ": the file holds no unencrypted PEM private key"));
  }
  if (X509_check_private_key(cert.get(), pkey.get()) != 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        key_key, ": the private key does not belong to the certificate in ",
        cert_key));
  }
  return absl::OkStatus();
}

}  // namespace pwx::server
