// The TLS trust of the node's two listeners, checked inside the TLS
// handshake and kept current while the node runs: the federation port
// trusts the CAs on the cards of the registered peers, the API port the CA
// of the node's users, each with the revocation lists in force.
//
// How gRPC 1.51 is used, and why this shape (each point tried on 1.51.1):
// - TlsServerCredentials with GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_
//   CERTIFICATE_AND_VERIFY refuses, inside the handshake, a client
//   certificate that does not chain to the provider's root certificates or
//   is listed in a CRL of the hashed directory given to set_crl_directory:
//   the client gets no TLS session (no Finished in TLS 1.2, no session
//   ticket in TLS 1.3), only a closed connection; gRPC sends no alert.
// - A running server's root certificates change only through its
//   certificate provider: StaticDataCertificateProvider never changes, and
//   1.51 has no public API for a provider of one's own. The
//   FileWatcherCertificateProvider reads its files again every second, so
//   the trust lives in files here (ListenerTrust) that are rewritten at once
//   after a change of the registry and when a CRL file changes.
// - OpenSSL caches a CRL of the hashed directory in the SSL_CTX that first
//   read it, and gRPC makes a new SSL_CTX only when the provider's
//   certificates change: so every rewrite also changes the roots file (its
//   first line counts generations). A missing or empty roots file keeps the
//   old roots: with no peers the federation port trusts a throw-away CA
//   nobody holds the key of.
// - An expired CRL in the directory fails every certificate of its CA
//   (X509_V_ERR_CRL_HAS_EXPIRED); a CA without one is not checked (gRPC
//   ignores X509_V_ERR_UNABLE_TO_GET_CRL). So only current lists go there
//   (CrlSet::ForHandshake); expired ones are reported and still revoke what
//   they list, through the certificate verifiers (server/tls_verifiers.h).
// - The files are copies of the listeners' key pairs and trust, under
//   <data_dir>/tls (0700, keys 0600), removed when the node stops.
#ifndef PWX_SERVER_TLS_TRUST_H_
#define PWX_SERVER_TLS_TRUST_H_

#include <grpcpp/security/server_credentials.h>
#include <grpcpp/security/tls_certificate_verifier.h>

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "pwx/v1/federation.pb.h"
#include "server/crl_set.h"
#include "server/peer_registry.h"

namespace pwx::server {

// The files one listener's certificate provider watches. Thread-safe.
class ListenerTrust {
 public:
  // Creates `dir` (mode 0700) with the listener's certificate chain and key
  // (0600), a throw-away CA as its only trusted CA and an empty CRL
  // directory. INTERNAL naming the file when one cannot be written.
  static absl::StatusOr<std::unique_ptr<ListenerTrust>> Create(
      std::string dir, const std::string& cert_pem, const std::string& key_pem);

  ListenerTrust(const ListenerTrust&) = delete;
  ListenerTrust& operator=(const ListenerTrust&) = delete;

  // Trusts exactly the first certificate of each of `ca_pems` (the
  // throw-away CA when there are none) and enforces `crls` at the handshake,
  // from the next time gRPC reads the files (within a second).
  absl::Status Set(const std::vector<std::string>& ca_pems,
                   const std::vector<HandshakeCrl>& crls);

  // Credentials reading these files: a client certificate is required and
  // verified at the handshake, then checked by `verifier`.
  std::shared_ptr<grpc::ServerCredentials> ServerCredentials(
      std::shared_ptr<grpc::experimental::CertificateVerifier> verifier) const;

  // Removes the files. The credentials must no longer be in use.
  void Remove();

 private:
  explicit ListenerTrust(std::string dir) : dir_(std::move(dir)) {}

  const std::string dir_;
  absl::Mutex mu_;
  uint64_t generation_ ABSL_GUARDED_BY(mu_) = 0;
};

struct NodeTrustOptions {
  // Where the listeners' files go, e.g. "<data_dir>/tls".
  std::string dir;
  std::string api_cert_pem;
  std::string api_key_pem;
  std::string api_client_ca_pem;
  // api.crl_files, read again by the NodeTrust. Required; must outlive it.
  CrlSet* api_crls = nullptr;
  // The federation listener; all null or empty when the node does not
  // federate. Must outlive the NodeTrust.
  std::string federation_cert_pem;
  std::string federation_key_pem;
  CrlSet* federation_crls = nullptr;
  PeerRegistry* peers = nullptr;
  // How often CRL files are read again. Default: 1 s.
  absl::Duration reload_interval = absl::Seconds(1);
};

// Keeps both listeners' trust current: follows the peer registry (a change
// applies at once), reads the CRL files again every reload_interval, leaves
// lists that expire out of the handshake, and logs what changed and what a
// coordinator should fix. Thread-safe.
class NodeTrust {
 public:
  // Writes the files and starts watching. Errors name the file that cannot
  // be written.
  static absl::StatusOr<std::unique_ptr<NodeTrust>> Start(
      NodeTrustOptions options);

  NodeTrust(const NodeTrust&) = delete;
  NodeTrust& operator=(const NodeTrust&) = delete;
  // Stop()s.
  ~NodeTrust();

  std::shared_ptr<grpc::ServerCredentials> ApiCredentials() const;
  // Null when the node does not federate.
  std::shared_ptr<grpc::ServerCredentials> FederationCredentials() const;

  // What a coordinator should fix about the federation lists of the CA on
  // `card` (an expired list, one not signed by that CA), one sentence each.
  std::vector<std::string> IssuesOf(const pwx::v1::IdentityCard& card) const;
  // The rest: files that cannot be read again, federation lists of no
  // peer's CA, the API's lists.
  std::vector<std::string> OtherIssues() const;

  // Stops watching and removes the files; the listeners must be shut down.
  // Idempotent.
  void Stop();

 private:
  struct Guard;

  explicit NodeTrust(NodeTrustOptions options);

  // Reads the CRL files again when `reload`, and rewrites what changed.
  void Refresh(bool reload);
  void Run();

  const NodeTrustOptions options_;
  // Shared with the registry's change listener, which may outlive this.
  const std::shared_ptr<Guard> guard_;
  std::unique_ptr<ListenerTrust> api_;
  std::unique_ptr<ListenerTrust> federation_;
  std::shared_ptr<grpc::experimental::CertificateVerifier> api_verifier_;
  std::shared_ptr<grpc::experimental::CertificateVerifier> peer_verifier_;

  absl::Mutex refresh_mu_;
  bool stopped_ ABSL_GUARDED_BY(refresh_mu_) = false;
  // What the files hold now, to rewrite them only on a change.
  std::vector<std::string> api_written_ ABSL_GUARDED_BY(refresh_mu_);
  std::vector<std::string> federation_written_ ABSL_GUARDED_BY(refresh_mu_);
  std::vector<std::string> logged_issues_ ABSL_GUARDED_BY(refresh_mu_);

  absl::Notification stop_;
  std::thread thread_;
};

}  // namespace pwx::server

#endif  // PWX_SERVER_TLS_TRUST_H_
