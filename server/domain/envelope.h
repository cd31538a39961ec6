// Envelopes and receipts between nodes (proto/pwx/v1/federation.proto): the
// exact bytes each side signs, and every check a receiver makes on an
// envelope before anything of it is stored. Plain C++ over the generated
// messages and signing.h: no gRPC, no storage.
#ifndef PWX_SERVER_DOMAIN_ENVELOPE_H_
#define PWX_SERVER_DOMAIN_ENVELOPE_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "pwx/v1/federation.pb.h"
#include "server/domain/signing.h"

namespace pwx::domain {

// Largest envelope body accepted (a case with its notes fits many times).
inline constexpr size_t kMaxEnvelopeBodyBytes = size_t{2} << 20;

// "FR-DGT/PL-PIP/7": unique per sender, so receivers deduplicate by it.
std::string EnvelopeMessageId(absl::string_view sender,
                              absl::string_view recipient, uint64_t sequence);

// What the sender signs: a label, then the body bytes.
std::string EnvelopeSigningInput(absl::string_view body_bytes);

// Serializes `body` and signs it. INVALID_ARGUMENT when the body would not
// pass OpenEnvelope (a caller's bug, caught before anything is queued).
absl::StatusOr<pwx::v1::Envelope> SealEnvelope(
    const pwx::v1::EnvelopeBody& body, const Signer& signer);

// Opens an envelope received from `sender` (the authority its certificate
// names) by `recipient` (this node). Errors name the field:
//   INVALID_ARGUMENT  the body is missing, too large, truncated or not an
//                     EnvelopeBody; a field is missing or malformed (message
//                     id, sequence, event);
//   PERMISSION_DENIED the body claims another sender (an impostor), is
//                     addressed to another node, or its signature does not
//                     verify with `sender_key`.
absl::StatusOr<pwx::v1::EnvelopeBody> OpenEnvelope(
    const pwx::v1::Envelope& envelope, absl::string_view sender,
    absl::string_view recipient, const Verifier& sender_key);

// What a receiver signs for a batch of receipts: a label, each receipt's
// fields and the tree head's fields and signature, length-prefixed or fixed
// 8-byte big-endian (not a protobuf serialization, which is not canonical).
std::string ReceiptsSigningInput(const pwx::v1::DeliverResponse& response);

// Sets response->signature.
absl::Status SignReceipts(const Signer& signer,
                          pwx::v1::DeliverResponse* response);

// PERMISSION_DENIED unless `response` is signed by `receiver_key` and its
// tree head carries the receiver's authority.
absl::Status VerifyReceipts(const pwx::v1::DeliverResponse& response,
                            absl::string_view receiver,
                            const Verifier& receiver_key);

// PERMISSION_DENIED unless `head` names `authority` and is signed by `key`.
absl::Status VerifyTreeHead(const pwx::v1::SignedTreeHead& head,
                            absl::string_view authority, const Verifier& key);

// What a sender keeps of an envelope it delivered, to check its receipt.
struct SentEnvelope {
  uint64_t sequence = 0;
  // 32 bytes: SHA-256 of the envelope's body bytes.
  std::string body_sha256;
};

// 32 bytes: SHA-256 of `body_bytes`, as receipts carry it.
std::string BodySha256(absl::string_view body_bytes);

// Checks the answer `response` of `receiver` (its signing key
// `receiver_key`) to a delivery of `sent` by `sender`, in that order: the
// batch's signature and tree head (PERMISSION_DENIED), one receipt per
// envelope naming its sequence, message id and body hash, and a tree head
// covering every receipt's audit entry (DATA_LOSS naming the receipt).
// Returns the highest audit index receipted. Pure.
absl::StatusOr<uint64_t> CheckReceiptsFor(
    const std::vector<SentEnvelope>& sent,
    const pwx::v1::DeliverResponse& response, absl::string_view sender,
    absl::string_view receiver, const Verifier& receiver_key);

// A receiver's refusal of a delivery that does not continue its link
// (FAILED_PRECONDITION with `message`), carrying the sequence it expects
// next so that the sender can say what repairs the link.
absl::Status LinkRefusal(absl::string_view message, uint64_t expects);
// The sequence a LinkRefusal carries; std::nullopt for any other status.
std::optional<uint64_t> ExpectedSequence(const absl::Status& status);

// OK when `next`, a peer's new tree head, extends `old`, the head of the
// same peer held before, as `proof` (RFC 9162 consistency proof, 32-byte
// hashes) shows. DATA_LOSS when the log shrank or the proof does not lead
// from the old root to the new one: the peer rewrote its log (a fork).
// Signatures are not checked here.
absl::Status CheckConsistentHead(
    const pwx::v1::SignedTreeHead& old, const pwx::v1::SignedTreeHead& next,
    const google::protobuf::RepeatedPtrField<std::string>& proof);

}  // namespace pwx::domain

#endif  // PWX_SERVER_DOMAIN_ENVELOPE_H_
