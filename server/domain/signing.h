// ECDSA P-256 signatures over SHA-256: what a node signs its audit tree
// heads (and, later, its envelopes and receipts) with. Keys and certificates
// are parsed once and reused.
#ifndef PWX_SERVER_DOMAIN_SIGNING_H_
#define PWX_SERVER_DOMAIN_SIGNING_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace pwx::domain {

// Signs with one private key. Thread-safe: each call uses its own context.
class Signer {
 public:
  // Parses an unencrypted PEM private key (PKCS#8 or SEC1). INVALID_ARGUMENT
  // when it is not a P-256 EC key: RSA signing is many times slower and the
  // federation agrees on one algorithm.
  static absl::StatusOr<std::unique_ptr<Signer>> FromPem(
      absl::string_view key_pem);

  Signer(const Signer&) = delete;
  Signer& operator=(const Signer&) = delete;
  ~Signer();

  // A DER-encoded ECDSA signature of SHA-256(message).
  absl::StatusOr<std::string> Sign(absl::string_view message) const;

 private:
  struct Key;
  explicit Signer(std::unique_ptr<Key> key);
  std::unique_ptr<Key> key_;
};

// Checks signatures made by one public key. Thread-safe.
class Verifier {
 public:
  // From the public key of a PEM certificate (the first in the file).
  static absl::StatusOr<std::unique_ptr<Verifier>> FromCertificatePem(
      absl::string_view cert_pem);
  // From a PEM public key ("BEGIN PUBLIC KEY").
  static absl::StatusOr<std::unique_ptr<Verifier>> FromPublicKeyPem(
      absl::string_view public_key_pem);

  Verifier(const Verifier&) = delete;
  Verifier& operator=(const Verifier&) = delete;
  ~Verifier();

  // OK when `signature` is a valid signature of `message`; DATA_LOSS (the
  // signed data or the signature was altered) otherwise.
  absl::Status Verify(absl::string_view message,
                      absl::string_view signature) const;

 private:
  struct Key;
  explicit Verifier(std::unique_ptr<Key> key);
  std::unique_ptr<Key> key_;
};

// The exact bytes a node signs for a tree head: a fixed label, then the
// size, root hash and timestamp (Unix nanoseconds) in big-endian, so that
// any verifier rebuilds them byte for byte.
std::string TreeHeadSigningInput(absl::string_view authority_id, uint64_t size,
                                 absl::string_view root_hash,
                                 absl::Time timestamp);

// Lower-case hex SHA-256 of the DER encoding of the first certificate in
// `cert_pem`: how tree heads and receipts name the certificate that signed
// them. INVALID_ARGUMENT when `cert_pem` holds no certificate.
absl::StatusOr<std::string> CertificateSha256(absl::string_view cert_pem);

}  // namespace pwx::domain

#endif  // PWX_SERVER_DOMAIN_SIGNING_H_
