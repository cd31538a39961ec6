// Early checks of PEM key material, so that a wrong file is reported by name
// at start-up instead of as a failed handshake later.
#ifndef PWX_SERVER_TLS_CHECK_H_
#define PWX_SERVER_TLS_CHECK_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace pwx::server {

// OK when `cert_pem` holds at least one certificate, `key_pem` a private
// key, and the key belongs to the first certificate. INVALID_ARGUMENT naming
// `cert_key` or `key_key` otherwise.
absl::Status CheckKeyPair(absl::string_view cert_key,
                          absl::string_view cert_pem, absl::string_view key_key,
                          absl::string_view key_pem);

// OK when `pem` holds at least one certificate; INVALID_ARGUMENT naming `key`.
absl::Status CheckCertificates(absl::string_view key, absl::string_view pem);

}  // namespace pwx::server

#endif  // PWX_SERVER_TLS_CHECK_H_
