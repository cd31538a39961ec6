// The certificate checks gRPC runs right after a TLS handshake, before the
// connection carries any call (TlsCredentialsOptions::
// set_certificate_verifier): what the handshake cannot check by itself. A
// refusal closes the connection. They run synchronously on a gRPC thread and
// take well under a millisecond.
//
// gRPC 1.51 gives a verifier the peer's leaf certificate (PEM), the rest of
// the chain it sent (on a server: without the leaf; on a client: with it)
// and its SAN URIs. It calls the verifier only when the handshake itself
// accepted the certificate; a certificate the handshake refuses never gets
// here (server/grpc_log.h says how that refusal is logged).
#ifndef PWX_SERVER_TLS_VERIFIERS_H_
#define PWX_SERVER_TLS_VERIFIERS_H_

#include <grpcpp/security/tls_certificate_verifier.h>

#include <memory>
#include <optional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "server/crl_set.h"
#include "server/peer_registry.h"

namespace pwx::server {

// The federation port. The handshake accepts a certificate of any peer's CA;
// this verifier refuses one that does not name a registered peer (active or
// suspended: suspended peers are refused with a reason inside the call), is
// not issued by the CA on the card of the peer it names, or is listed in any
// list of federation.crl_files (expired lists too, which the handshake
// leaves out). Refusals are logged with the authority the certificate names.
// `peers` must outlive the verifier.
std::shared_ptr<grpc::experimental::CertificateVerifier> PeerClientVerifier(
    const PeerRegistry* peers);

// The API port: the user's certificate must chain to `client_ca_pem` and be
// listed in no list of `crls` (api.crl_files; expired lists too). Refusals
// are logged with the certificate's common name. `crls` must outlive the
// verifier.
std::shared_ptr<grpc::experimental::CertificateVerifier> UserClientVerifier(
    std::string client_ca_pem, const CrlSet* crls);

// What happened on one channel to a peer: the server certificate checks
// and the calls that succeeded, for the transport to turn a connection that
// failed into an error that says why. Thread-safe.
class ChannelLog {
 public:
  void Accepted();
  void Refused(std::string why);
  void CallSucceeded();
  // Why the last server certificate was refused, when that was the last
  // thing to happen on the channel.
  std::optional<std::string> Refusal() const;
  // True when the last thing was that a server certificate was accepted
  // (the connection then failed before any call went through).
  bool AcceptedSinceLastCall() const;

 private:
  mutable absl::Mutex mu_;
  absl::Time accepted_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  absl::Time refused_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  absl::Time call_ok_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  std::string refusal_ ABSL_GUARDED_BY(mu_);
};

// Outbound calls to `authority`: the server certificate must chain to
// `ca_pem` (the CA on the peer's card, and only it), be for TLS servers,
// name pwx://authority/<authority> in its SAN URI (not merely come from
// that CA), name `host` (the card endpoint's host) as a DNS or IP name, and
// be listed in no list of `crls` (federation.crl_files, expired lists too).
// Each decision goes to `log`. `crls` must outlive the verifier.
std::shared_ptr<grpc::experimental::CertificateVerifier> PeerServerVerifier(
    std::string authority, std::string ca_pem, std::string host,
    const CrlSet* crls, std::shared_ptr<ChannelLog> log);

}  // namespace pwx::server

#endif  // PWX_SERVER_TLS_VERIFIERS_H_
