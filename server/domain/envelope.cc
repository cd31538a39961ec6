#include "server/domain/envelope.h"

#include <algorithm>
#include <array>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/cord.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "server/domain/digest.h"
#include "server/domain/fields.h"
#include "server/domain/merkle.h"

namespace pwx::domain {
namespace {

void AppendBigEndian(uint64_t v, std::string* out) {
  for (int shift = 56; shift >= 0; shift -= 8) {
    out->push_back(static_cast<char>((v >> shift) & 0xff));
  }
}

void AppendBytes(absl::string_view bytes, std::string* out) {
  AppendBigEndian(bytes.size(), out);
  out->append(bytes.data(), bytes.size());
}

// The checks that need no key: OpenEnvelope's and SealEnvelope's.
absl::Status CheckBody(const pwx::v1::EnvelopeBody& body) {
  if (body.sender().empty())
    return Invalid("envelope.body.sender", "is required");
  if (body.recipient().empty()) {
    return Invalid("envelope.body.recipient", "is required");
  }
  if (body.sequence() == 0) {
    return Invalid("envelope.body.sequence", "must be at least 1");
  }
  const std::string expected =
      EnvelopeMessageId(body.sender(), body.recipient(), body.sequence());
  if (body.message_id() != expected) {
    return Invalid("envelope.body.message_id",
                   absl::StrCat("is \"", body.message_id(), "\", expected \"",
                                expected, "\""));
  }
  if (body.has_follows() && body.follows() >= body.sequence()) {
    return Invalid("envelope.body.follows",
                   absl::StrCat(body.follows(), " is not below the sequence ",
                                body.sequence()));
  }
  if (body.event().payload_case() == pwx::v1::Event::PAYLOAD_NOT_SET) {
    return Invalid("envelope.body.event", "carries no payload");
  }
  return absl::OkStatus();
}

constexpr absl::string_view kExpectsSequenceUrl = "type.pwx/expects_sequence";

}  // namespace

std::string EnvelopeMessageId(absl::string_view sender,
                              absl::string_view recipient, uint64_t sequence) {
  return absl::StrCat(sender, "/", recipient, "/", sequence);
}

std::string EnvelopeSigningInput(absl::string_view body_bytes) {
  std::string out = "pwx envelope v1";
  out.push_back('\0');
  out.append(body_bytes.data(), body_bytes.size());
  return out;
}

absl::StatusOr<pwx::v1::Envelope> SealEnvelope(
    const pwx::v1::EnvelopeBody& body, const Signer& signer) {
  if (absl::Status s = CheckBody(body); !s.ok()) return s;
  pwx::v1::Envelope envelope;
  if (!body.SerializeToString(envelope.mutable_body())) {
    return Invalid("envelope.body", "cannot be serialized");
  }
  if (envelope.body().size() > kMaxEnvelopeBodyBytes) {
    return Invalid("envelope.body",
                   absl::StrCat(envelope.body().size(), " bytes, more than ",
                                kMaxEnvelopeBodyBytes));
  }
  absl::StatusOr<std::string> signature =
      signer.Sign(EnvelopeSigningInput(envelope.body()));
  if (!signature.ok()) return signature.status();
  envelope.set_signature(*std::move(signature));
  return envelope;
}

absl::StatusOr<pwx::v1::EnvelopeBody> OpenEnvelope(
    const pwx::v1::Envelope& envelope, absl::string_view sender,
    absl::string_view recipient, const Verifier& sender_key) {
  if (envelope.body().empty()) return Invalid("envelope.body", "is empty");
  if (envelope.body().size() > kMaxEnvelopeBodyBytes) {
    return Invalid("envelope.body",
                   absl::StrCat(envelope.body().size(), " bytes, more than ",
                                kMaxEnvelopeBodyBytes));
  }
  if (envelope.signature().empty()) {
    return Invalid("envelope.signature", "is empty");
  }
  pwx::v1::EnvelopeBody body;
  if (!body.ParseFromString(envelope.body())) {
    return Invalid("envelope.body", "is not an EnvelopeBody (truncated?)");
  }
  if (body.sender() != sender) {
    return absl::PermissionDeniedError(
        absl::StrCat("envelope.body.sender: claims \"", body.sender(),
                     "\" but the peer's certificate is of ", sender));
  }
  if (body.recipient() != recipient) {
    return absl::PermissionDeniedError(
        absl::StrCat("envelope.body.recipient: addressed to \"",
                     body.recipient(), "\", this node is ", recipient));
  }
  if (absl::Status s = CheckBody(body); !s.ok()) return s;
  if (!sender_key
           .Verify(EnvelopeSigningInput(envelope.body()), envelope.signature())
           .ok()) {
    return absl::PermissionDeniedError(absl::StrCat(
        "envelope.signature: does not verify with the signing certificate "
        "of ",
        sender, " (message ", body.message_id(), ")"));
  }
  return body;
}

std::string ReceiptsSigningInput(const pwx::v1::DeliverResponse& response) {
  std::string out = "pwx receipts v1";
  out.push_back('\0');
  AppendBigEndian(static_cast<uint64_t>(response.receipts_size()), &out);
  for (const pwx::v1::Receipt& r : response.receipts()) {
    AppendBytes(r.message_id(), &out);
    AppendBytes(r.sender(), &out);
    AppendBigEndian(r.sequence(), &out);
    AppendBytes(r.body_sha256(), &out);
    AppendBigEndian(r.audit_index(), &out);
    out.push_back(r.duplicate() ? '\1' : '\0');
  }
  const pwx::v1::SignedTreeHead& head = response.tree_head();
  AppendBytes(head.authority_id(), &out);
  AppendBigEndian(head.tree_size(), &out);
  AppendBytes(head.root_hash(), &out);
  AppendBigEndian(static_cast<uint64_t>(head.timestamp().seconds()), &out);
  AppendBigEndian(static_cast<uint64_t>(head.timestamp().nanos()), &out);
  AppendBytes(head.signature(), &out);
  AppendBigEndian(static_cast<uint64_t>(response.consistency_proof_size()),
                  &out);
  for (const std::string& hash : response.consistency_proof()) {
    AppendBytes(hash, &out);
  }
  return out;
}

absl::Status SignReceipts(const Signer& signer,
                          pwx::v1::DeliverResponse* response) {
  absl::StatusOr<std::string> signature =
      signer.Sign(ReceiptsSigningInput(*response));
  if (!signature.ok()) return signature.status();
  response->set_signature(*std::move(signature));
  return absl::OkStatus();
}

absl::Status VerifyReceipts(const pwx::v1::DeliverResponse& response,
                            absl::string_view receiver,
                            const Verifier& receiver_key) {
  if (response.tree_head().authority_id() != receiver) {
    return absl::PermissionDeniedError(absl::StrCat(
        "receipts: the tree head is of \"", response.tree_head().authority_id(),
        "\", not of ", receiver));
  }
  if (!receiver_key.Verify(ReceiptsSigningInput(response), response.signature())
           .ok()) {
    return absl::PermissionDeniedError(
        absl::StrCat("receipts: the signature does not verify with the signing "
                     "certificate of ",
                     receiver));
  }
  return absl::OkStatus();
}

absl::Status VerifyTreeHead(const pwx::v1::SignedTreeHead& head,
                            absl::string_view authority, const Verifier& key) {
  if (head.authority_id() != authority) {
    return absl::PermissionDeniedError(absl::StrCat(
        "tree head of \"", head.authority_id(), "\", not of ", authority));
  }
  const absl::Time time = absl::FromUnixSeconds(head.timestamp().seconds()) +
                          absl::Nanoseconds(head.timestamp().nanos());
  if (!key.Verify(TreeHeadSigningInput(head.authority_id(), head.tree_size(),
                                       head.root_hash(), time),
                  head.signature())
           .ok()) {
    return absl::PermissionDeniedError(
        absl::StrCat("the tree head of ", authority,
                     " does not verify with its signing certificate"));
  }
  return absl::OkStatus();
}

std::string BodySha256(absl::string_view body_bytes) {
  const std::array<uint8_t, 32> digest = Sha256({body_bytes});
  return std::string(reinterpret_cast<const char*>(digest.data()),
                     digest.size());
}

absl::StatusOr<uint64_t> CheckReceiptsFor(
    const std::vector<SentEnvelope>& sent,
    const pwx::v1::DeliverResponse& response, absl::string_view sender,
    absl::string_view receiver, const Verifier& receiver_key) {
  if (absl::Status s = VerifyReceipts(response, receiver, receiver_key);
      !s.ok()) {
    return s;
  }
  if (static_cast<size_t>(response.receipts_size()) != sent.size()) {
    return absl::DataLossError(absl::StrCat(receiver, " receipted ",
                                            response.receipts_size(), " of ",
                                            sent.size(), " envelopes"));
  }
  uint64_t highest = 0;
  for (size_t i = 0; i < sent.size(); ++i) {
    const pwx::v1::Receipt& r = response.receipts(static_cast<int>(i));
    if (r.sequence() != sent[i].sequence ||
        r.message_id() !=
            EnvelopeMessageId(sender, receiver, sent[i].sequence) ||
        r.body_sha256() != sent[i].body_sha256) {
      return absl::DataLossError(absl::StrCat(receiver, "'s receipt ", i,
                                              " is not for envelope ",
                                              sent[i].sequence));
    }
    highest = std::max(highest, r.audit_index());
  }
  if (absl::Status s =
          VerifyTreeHead(response.tree_head(), receiver, receiver_key);
      !s.ok()) {
    return s;
  }
  if (response.tree_head().tree_size() <= highest) {
    return absl::DataLossError(absl::StrCat(
        receiver, "'s tree head of ", response.tree_head().tree_size(),
        " entries does not cover its receipts"));
  }
  return highest;
}

absl::Status LinkRefusal(absl::string_view message, uint64_t expects) {
  absl::Status status = absl::FailedPreconditionError(message);
  status.SetPayload(kExpectsSequenceUrl, absl::Cord(absl::StrCat(expects)));
  return status;
}

std::optional<uint64_t> ExpectedSequence(const absl::Status& status) {
  absl::optional<absl::Cord> payload = status.GetPayload(kExpectsSequenceUrl);
  uint64_t expects = 0;
  if (!payload.has_value() ||
      !absl::SimpleAtoi(std::string(*payload), &expects)) {
    return std::nullopt;
  }
  return expects;
}

absl::Status CheckConsistentHead(
    const pwx::v1::SignedTreeHead& old, const pwx::v1::SignedTreeHead& next,
    const google::protobuf::RepeatedPtrField<std::string>& proof) {
  if (next.tree_size() < old.tree_size()) {
    return absl::DataLossError(absl::StrCat("the log shrank from ",
                                            old.tree_size(), " to ",
                                            next.tree_size(), " entries"));
  }
  absl::StatusOr<Hash> old_root =
      HashFromBytes("tree_head.root_hash", old.root_hash());
  if (!old_root.ok()) return absl::DataLossError(old_root.status().message());
  absl::StatusOr<Hash> new_root =
      HashFromBytes("tree_head.root_hash", next.root_hash());
  if (!new_root.ok()) return absl::DataLossError(new_root.status().message());
  std::vector<Hash> hashes;
  for (const std::string& bytes : proof) {
    absl::StatusOr<Hash> h = HashFromBytes("consistency_proof", bytes);
    if (!h.ok()) return absl::DataLossError(h.status().message());
    hashes.push_back(*h);
  }
  if (absl::Status s = VerifyConsistency(old.tree_size(), next.tree_size(),
                                         *old_root, *new_root, hashes);
      !s.ok()) {
    return absl::DataLossError(s.message());
  }
  return absl::OkStatus();
}

}  // namespace pwx::domain
