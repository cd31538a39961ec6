#include "server/cert_verify.h"

#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <ctime>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"

namespace pwx::server {
namespace {

struct StoreFree {
  void operator()(X509_STORE* s) const { X509_STORE_free(s); }
};
struct StoreCtxFree {
  void operator()(X509_STORE_CTX* c) const { X509_STORE_CTX_free(c); }
};
struct StackFree {
  void operator()(STACK_OF(X509) * s) const { sk_X509_pop_free(s, X509_free); }
};

std::string NotAfter(X509* cert) {
  const absl::Time end = NotAfterTime(cert);
  if (end == absl::InfinitePast()) return "?";
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", end, absl::UTCTimeZone());
}

std::string Serial(X509* cert) {
  BIGNUM* bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), nullptr);
  if (bn == nullptr) return "?";
  char* hex = BN_bn2hex(bn);
  std::string out = hex == nullptr ? "?" : hex;
  OPENSSL_free(hex);
  BN_free(bn);
  return out;
}

}  // namespace

absl::Time NotAfterTime(X509* cert) {
  struct tm tm = {};
  if (cert == nullptr || ASN1_TIME_to_tm(X509_get0_notAfter(cert), &tm) != 1) {
    return absl::InfinitePast();
  }
  return absl::FromTimeT(timegm(&tm));
}

std::vector<X509Ptr> ParseCertificates(absl::string_view pem) {
  std::vector<X509Ptr> certs;
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  if (bio == nullptr) return certs;
  while (X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr)) {
    certs.emplace_back(cert);
  }
  BIO_free(bio);
  return certs;
}

absl::Status VerifyCertificate(absl::string_view leaf_pem,
                               absl::string_view chain_pem,
                               const CertificateCheck& check,
                               absl::string_view subject) {
  std::vector<X509Ptr> leaf = ParseCertificates(leaf_pem);
  if (leaf.empty()) {
    return absl::UnauthenticatedError(
        absl::StrCat(subject, " was not presented"));
  }
  std::vector<X509Ptr> ca = ParseCertificates(check.ca_pem);
  std::unique_ptr<X509_STORE, StoreFree> store(X509_STORE_new());
  std::unique_ptr<X509_STORE_CTX, StoreCtxFree> ctx(X509_STORE_CTX_new());
  std::unique_ptr<STACK_OF(X509), StackFree> untrusted(sk_X509_new_null());
  if (store == nullptr || ctx == nullptr || untrusted == nullptr ||
      ca.empty() || X509_STORE_add_cert(store.get(), ca.front().get()) != 1) {
    return absl::InternalError("cannot set up certificate verification");
  }
  for (X509Ptr& cert : ParseCertificates(chain_pem)) {
    sk_X509_push(untrusted.get(), cert.release());
  }
  X509_STORE_CTX_init(ctx.get(), store.get(), leaf.front().get(),
                      untrusted.get());
  X509_STORE_CTX_set_purpose(ctx.get(), check.server ? X509_PURPOSE_SSL_SERVER
                                                     : X509_PURPOSE_SSL_CLIENT);
  if (X509_verify_cert(ctx.get()) != 1) {
    const int error = X509_STORE_CTX_get_error(ctx.get());
    std::string why;
    switch (error) {
      case X509_V_ERR_CERT_HAS_EXPIRED:
        why = absl::StrCat("has expired (valid until ",
                           NotAfter(leaf.front().get()), ")");
        break;
      case X509_V_ERR_CERT_NOT_YET_VALID:
        why = "is not valid yet";
        break;
      case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
      case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
      case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
      case X509_V_ERR_CERT_SIGNATURE_FAILURE:
      case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
      case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
        why = absl::StrCat("is not issued by ", check.ca_name, " (unknown CA)");
        break;
      case X509_V_ERR_INVALID_PURPOSE:
        why = absl::StrCat("is not for use by a TLS ",
                           check.server ? "server" : "client",
                           " (extended key usage)");
        break;
      default:
        why = absl::StrCat("does not verify against ", check.ca_name, ": ",
                           X509_verify_cert_error_string(error));
    }
    return absl::UnauthenticatedError(absl::StrCat(subject, " ", why));
  }
  if (check.crls == nullptr) return absl::OkStatus();
  // The verified chain runs from the leaf to the CA: each certificate but
  // the CA is checked against its issuer's lists.
  STACK_OF(X509)* chain = X509_STORE_CTX_get0_chain(ctx.get());
  for (int i = 0; i + 1 < sk_X509_num(chain); ++i) {
    X509* cert = sk_X509_value(chain, i);
    if (std::optional<std::string> list =
            check.crls->RevokedBy(cert, sk_X509_value(chain, i + 1))) {
      return absl::UnauthenticatedError(absl::StrCat(
          subject, i == 0 ? "" : "'s issuing CA", " is revoked (serial ",
          Serial(cert), " is listed in ", *list, ")"));
    }
  }
  return absl::OkStatus();
}

absl::Status VerifyHost(absl::string_view leaf_pem, absl::string_view host,
                        absl::string_view subject) {
  std::vector<X509Ptr> leaf = ParseCertificates(leaf_pem);
  if (leaf.empty()) {
    return absl::UnauthenticatedError(
        absl::StrCat(subject, " was not presented"));
  }
  const std::string name(host);
  const int ip = X509_check_ip_asc(leaf.front().get(), name.c_str(), 0);
  // -2: not an IP address; check it as a DNS name.
  const bool ok =
      ip == 1 || (ip == -2 && X509_check_host(leaf.front().get(), name.data(),
                                              name.size(), 0, nullptr) == 1);
  if (ok) return absl::OkStatus();
  return absl::UnauthenticatedError(absl::StrCat(
      subject, " is not for host ", host,
      " (no such DNS or IP name in its subject alternative names)"));
}

}  // namespace pwx::server
