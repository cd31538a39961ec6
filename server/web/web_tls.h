// The TLS of the web listener: the API port's trust for browsers. A client
// certificate is required and checked inside the handshake exactly as the
// API port's verifier checks it (server/cert_verify.h: it must chain to
// api.client_ca_file and be listed in no list of api.crl_files, expired lists
// too), so a browser without one, or with one of another CA or a revoked
// one, gets no TLS session. Plain OpenSSL, no HTTP.
#ifndef PWX_SERVER_WEB_WEB_TLS_H_
#define PWX_SERVER_WEB_WEB_TLS_H_

#include <openssl/ssl.h>

#include <string>

#include "absl/status/status.h"
#include "server/cert_verify.h"
#include "server/crl_set.h"

namespace pwx::server {

// What the web listener presents and trusts.
struct WebTlsOptions {
  // The server certificate chain (leaf first) and its key: the API's.
  std::string cert_pem;
  std::string key_pem;
  // The CA that issues user certificates (api.client_ca_file).
  std::string client_ca_pem;
  // api.crl_files; read at each handshake, so a reloaded list applies to
  // the next connection. Required; must outlive every SSL_CTX configured.
  const CrlSet* crls = nullptr;
};

// The check a handshake runs, kept alive as long as the SSL_CTX using it.
class WebClientCheck {
 public:
  explicit WebClientCheck(const WebTlsOptions& options);
  WebClientCheck(const WebClientCheck&) = delete;
  WebClientCheck& operator=(const WebClientCheck&) = delete;

  // Sets up `ctx`: TLS 1.2 or later, the certificate chain and key, the
  // user CA as the one CA browsers are asked for, a client certificate
  // required and verified by this check, and no session resumption (every
  // connection is checked against the lists in force). INVALID_ARGUMENT
  // naming api.cert_file, api.key_file or api.client_ca_file when one
  // cannot be used. `ctx` must not outlive this object.
  absl::Status Configure(SSL_CTX* ctx, const WebTlsOptions& options) const;

 private:
  static int Verify(X509_STORE_CTX* store_ctx, void* arg);

  CertificateCheck check_;
};

// The common name of `ssl`'s peer certificate (verified by the handshake),
// or empty when there is none.
std::string PeerCommonName(const SSL* ssl);

}  // namespace pwx::server

#endif  // PWX_SERVER_WEB_WEB_TLS_H_
