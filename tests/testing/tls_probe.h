// A TLS client made with OpenSSL directly (not gRPC), so that a test can
// tell a certificate refused inside the TLS handshake from one refused after
// it, the way `openssl s_client` would.
#ifndef PWX_TESTS_TESTING_TLS_PROBE_H_
#define PWX_TESTS_TESTING_TLS_PROBE_H_

#include <string>

#include "tests/testing/test_pki.h"

namespace pwx::testing {

enum class TlsOutcome {
  // No TLS session: in TLS 1.2 the handshake did not complete; in TLS 1.3
  // the server closed the connection without sending a session ticket.
  kRefusedInHandshake,
  // The server completed the handshake, then closed the connection without
  // answering the HTTP/2 preface.
  kClosedAfterHandshake,
  // The server answered the HTTP/2 preface.
  kAccepted,
};

// "refused in the handshake", "closed after the handshake", "accepted".
std::string ToString(TlsOutcome outcome);

struct TlsProbe {
  TlsOutcome outcome;
  // What OpenSSL said, for test failure messages.
  std::string detail;
};

// Connects to 127.0.0.1:`port` with exactly TLS 1.2 (`tls13` false) or 1.3,
// ALPN h2, presenting `client` (no certificate when null) and not checking
// the server's, sends the HTTP/2 preface and waits up to 5 s for an answer.
TlsProbe ProbeTls(int port, const KeyPair* client, bool tls13);

}  // namespace pwx::testing

#endif  // PWX_TESTS_TESTING_TLS_PROBE_H_
