// Checks of an X.509 certificate against one CA and the configured
// revocation lists, with errors that say which check failed. Plain OpenSSL,
// no gRPC: the certificate verifiers run them right after the TLS handshake
// (server/tls_verifiers.h) and PeerRegistry::Authenticate again inside each
// call.
#ifndef PWX_SERVER_CERT_VERIFY_H_
#define PWX_SERVER_CERT_VERIFY_H_

#include <openssl/x509.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "server/crl_set.h"

namespace pwx::server {

struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
using X509Ptr = std::unique_ptr<X509, X509Free>;

// Every certificate in `pem`, in order; empty when none parses.
std::vector<X509Ptr> ParseCertificates(absl::string_view pem);

// The end of `cert`'s validity; InfinitePast() when it cannot be read.
absl::Time NotAfterTime(X509* cert);

// What a certificate must satisfy.
struct CertificateCheck {
  // The CA that must have issued it (PEM; its first certificate).
  std::string ca_pem;
  // That CA as errors name it, e.g. "the CA on PL-PIP's identity card".
  std::string ca_name;
  // Presented by a TLS server (true) or a TLS client (false): its extended
  // key usage must allow it.
  bool server = false;
  // The revocation lists that apply; none when null. Must outlive the call.
  const CrlSet* crls = nullptr;
};

// OK when the first certificate of `leaf_pem`, with the intermediates in
// `chain_pem` (which may repeat the leaf), chains to `check.ca_pem`, is
// within its validity, may be used for the purpose, and neither it nor an
// intermediate is listed in a list of `check.crls` (expired lists too).
// UNAUTHENTICATED otherwise, starting with `subject` ("the certificate of
// PL-PIP") and saying which check failed: none presented, expired, not valid
// yet, not issued by the CA (unknown CA), not for this use, revoked (naming
// the list's file). Pure apart from reading `check.crls`.
absl::Status VerifyCertificate(absl::string_view leaf_pem,
                               absl::string_view chain_pem,
                               const CertificateCheck& check,
                               absl::string_view subject);

// OK when the first certificate of `leaf_pem` names `host` (an IP address
// or a DNS name, as in a card's federation endpoint) in its subject
// alternative names; UNAUTHENTICATED starting with `subject` otherwise.
absl::Status VerifyHost(absl::string_view leaf_pem, absl::string_view host,
                        absl::string_view subject);

}  // namespace pwx::server

#endif  // PWX_SERVER_CERT_VERIFY_H_
