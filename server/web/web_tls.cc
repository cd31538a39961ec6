#include "server/web/web_tls.h"

#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <spdlog/spdlog.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"

namespace pwx::server {
namespace {

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct KeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};

std::string Pem(X509* cert) {
  std::unique_ptr<BIO, BioFree> bio(BIO_new(BIO_s_mem()));
  if (bio == nullptr || PEM_write_bio_X509(bio.get(), cert) != 1) return "";
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(size));
}

std::string CommonName(X509* cert) {
  if (cert == nullptr) return "";
  X509_NAME* subject = X509_get_subject_name(cert);
  const int index = X509_NAME_get_index_by_NID(subject, NID_commonName, -1);
  if (index < 0) return "";
  ASN1_STRING* value =
      X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, index));
  unsigned char* utf8 = nullptr;
  const int length = ASN1_STRING_to_UTF8(&utf8, value);
  if (length < 0) return "";
  std::string name(reinterpret_cast<char*>(utf8), static_cast<size_t>(length));
  OPENSSL_free(utf8);
  return name;
}

absl::Status Invalid(const char* key, absl::string_view why) {
  return absl::InvalidArgumentError(
      absl::StrCat(key, ": ", why, " (for the web listener)"));
}

}  // namespace

WebClientCheck::WebClientCheck(const WebTlsOptions& options) {
  check_.ca_pem = options.client_ca_pem;
  check_.ca_name = "api.client_ca_file";
  check_.crls = options.crls;
}

absl::Status WebClientCheck::Configure(SSL_CTX* ctx,
                                       const WebTlsOptions& options) const {
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  std::vector<X509Ptr> chain = ParseCertificates(options.cert_pem);
  if (chain.empty()) return Invalid("api.cert_file", "holds no certificate");
  if (SSL_CTX_use_certificate(ctx, chain.front().get()) != 1) {
    return Invalid("api.cert_file", "the certificate cannot be used");
  }
  for (size_t i = 1; i < chain.size(); ++i) {
    if (SSL_CTX_add1_chain_cert(ctx, chain[i].get()) != 1) {
      return Invalid("api.cert_file", "the chain cannot be used");
    }
  }
  std::unique_ptr<BIO, BioFree> key_bio(BIO_new_mem_buf(
      options.key_pem.data(), static_cast<int>(options.key_pem.size())));
  std::unique_ptr<EVP_PKEY, KeyFree> key(
      PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr));
  if (key == nullptr || SSL_CTX_use_PrivateKey(ctx, key.get()) != 1 ||
      SSL_CTX_check_private_key(ctx) != 1) {
    return Invalid("api.key_file", "not the key of api.cert_file");
  }
  std::vector<X509Ptr> cas = ParseCertificates(options.client_ca_pem);
  if (cas.empty()) {
    return Invalid("api.client_ca_file", "holds no certificate");
  }
  // Browsers offer the user only certificates of the CAs named here.
  if (SSL_CTX_add_client_CA(ctx, cas.front().get()) != 1) {
    return Invalid("api.client_ca_file", "the CA cannot be named");
  }
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT,
                     nullptr);
  SSL_CTX_set_cert_verify_callback(ctx, &WebClientCheck::Verify,
                                   const_cast<WebClientCheck*>(this));
  // A resumed session skips the certificate check: none are kept.
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
  SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
  SSL_CTX_set_num_tickets(ctx, 0);
  return absl::OkStatus();
}

int WebClientCheck::Verify(X509_STORE_CTX* store_ctx, void* arg) {
  const auto* self = static_cast<const WebClientCheck*>(arg);
  X509* leaf = X509_STORE_CTX_get0_cert(store_ctx);
  if (leaf == nullptr) {
    X509_STORE_CTX_set_error(store_ctx, X509_V_ERR_CERT_REJECTED);
    return 0;
  }
  std::string chain_pem;
  if (STACK_OF(X509)* untrusted = X509_STORE_CTX_get0_untrusted(store_ctx)) {
    for (int i = 0; i < sk_X509_num(untrusted); ++i) {
      chain_pem += Pem(sk_X509_value(untrusted, i));
    }
  }
  const std::string user = CommonName(leaf);
  absl::Status s =
      VerifyCertificate(Pem(leaf), chain_pem, self->check_,
                        absl::StrCat("the certificate of user ", user));
  if (!s.ok()) {
    spdlog::warn("web: refused a connection in the TLS handshake: {}",
                 std::string(s.message()));
    X509_STORE_CTX_set_error(store_ctx, X509_V_ERR_CERT_REJECTED);
    return 0;
  }
  return 1;
}

std::string PeerCommonName(const SSL* ssl) {
  if (ssl == nullptr) return "";
  return CommonName(SSL_get0_peer_certificate(ssl));
}

}  // namespace pwx::server
