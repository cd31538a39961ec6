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
// here (see GrpcLogTranslation for how that refusal is logged).
#ifndef PWX_SERVER_TLS_VERIFIERS_H_
#define PWX_SERVER_TLS_VERIFIERS_H_

#include <grpcpp/security/tls_certificate_verifier.h>

#include <memory>
#include <string>

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

}  // namespace pwx::server

#endif  // PWX_SERVER_TLS_VERIFIERS_H_
