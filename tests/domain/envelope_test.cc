// Envelopes and receipts: what is signed, and every refusal a receiver
// makes before storing anything.
#include "server/domain/envelope.h"

#include <openssl/evp.h>
#include <openssl/pem.h>

#include <memory>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/domain/merkle.h"

namespace pwx::domain {
namespace {

using ::testing::HasSubstr;

struct KeyPair {
  std::unique_ptr<Signer> signer;
  std::unique_ptr<Verifier> verifier;
};

KeyPair NewKeyPair() {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  BIO* priv = BIO_new(BIO_s_mem());
  BIO* pub = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(priv, key, nullptr, nullptr, 0, nullptr, nullptr);
  PEM_write_bio_PUBKEY(pub, key);
  char* data = nullptr;
  long n = BIO_get_mem_data(priv, &data);
  std::string private_pem(data, static_cast<size_t>(n));
  n = BIO_get_mem_data(pub, &data);
  std::string public_pem(data, static_cast<size_t>(n));
  BIO_free(priv);
  BIO_free(pub);
  EVP_PKEY_free(key);
  return {*Signer::FromPem(private_pem),
          *Verifier::FromPublicKeyPem(public_pem)};
}

pwx::v1::EnvelopeBody Body(uint64_t sequence = 7) {
  pwx::v1::EnvelopeBody body;
  body.set_sender("FR-DGT");
  body.set_recipient("PL-PIP");
  body.set_sequence(sequence);
  body.set_message_id(EnvelopeMessageId("FR-DGT", "PL-PIP", sequence));
  body.mutable_sent()->set_seconds(1'790'000'000);
  pwx::v1::Case* c = body.mutable_event()->mutable_case_shared()->mutable_case_();
  c->set_id("FR-DGT-2026-000001");
  c->set_owner_authority("FR-DGT");
  c->set_version(3);
  return body;
}

class EnvelopeTest : public ::testing::Test {
 protected:
  absl::StatusOr<pwx::v1::EnvelopeBody> Open(const pwx::v1::Envelope& e) {
    return OpenEnvelope(e, "FR-DGT", "PL-PIP", *fr_.verifier);
  }
  pwx::v1::Envelope Sealed(const pwx::v1::EnvelopeBody& body) {
    absl::StatusOr<pwx::v1::Envelope> e = SealEnvelope(body, *fr_.signer);
    EXPECT_TRUE(e.ok()) << e.status();
    return e.value_or(pwx::v1::Envelope());
  }
  // An envelope whose body is `body` as is, signed by FR-DGT's key.
  pwx::v1::Envelope SignedAsIs(const pwx::v1::EnvelopeBody& body) {
    pwx::v1::Envelope e;
    body.SerializeToString(e.mutable_body());
    e.set_signature(*fr_.signer->Sign(EnvelopeSigningInput(e.body())));
    return e;
  }

  KeyPair fr_ = NewKeyPair();
  KeyPair other_ = NewKeyPair();
};

TEST_F(EnvelopeTest, SealedEnvelopeOpensToTheSameBody) {
  EXPECT_EQ(EnvelopeMessageId("FR-DGT", "PL-PIP", 7), "FR-DGT/PL-PIP/7");
  absl::StatusOr<pwx::v1::EnvelopeBody> body = Open(Sealed(Body()));
  ASSERT_TRUE(body.ok()) << body.status();
  EXPECT_EQ(body->SerializeAsString(), Body().SerializeAsString());
}

TEST_F(EnvelopeTest, AlteredOrForeignSignaturesAreRefused) {
  pwx::v1::Envelope e = Sealed(Body());
  pwx::v1::Envelope flipped = e;
  (*flipped.mutable_signature())[10] ^= 0x01;
  EXPECT_EQ(Open(flipped).status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(std::string(Open(flipped).status().message()),
              HasSubstr("envelope.signature"));
  // The body changed after signing (a later sequence number).
  pwx::v1::Envelope changed = e;
  Body(8).SerializeToString(changed.mutable_body());
  EXPECT_EQ(Open(changed).status().code(), absl::StatusCode::kPermissionDenied);
  // Signed by another key.
  absl::StatusOr<pwx::v1::Envelope> foreign = SealEnvelope(Body(), *other_.signer);
  ASSERT_TRUE(foreign.ok());
  EXPECT_EQ(Open(*foreign).status().code(), absl::StatusCode::kPermissionDenied);
}

TEST_F(EnvelopeTest, ImpostorAndMisaddressedEnvelopesAreRefused) {
  // A valid envelope of FR-DGT presented by a peer whose certificate is of
  // DE-ZOLL.
  pwx::v1::Envelope e = Sealed(Body());
  absl::Status s =
      OpenEnvelope(e, "DE-ZOLL", "PL-PIP", *fr_.verifier).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(std::string(s.message()), HasSubstr("envelope.body.sender"));
  s = OpenEnvelope(e, "FR-DGT", "BE-SPF", *fr_.verifier).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(std::string(s.message()), HasSubstr("envelope.body.recipient"));
}

TEST_F(EnvelopeTest, MalformedEnvelopesNameTheField) {
  pwx::v1::Envelope e = Sealed(Body());
  struct Case {
    pwx::v1::Envelope envelope;
    std::string field;
  };
  pwx::v1::Envelope empty_body = e;
  empty_body.clear_body();
  pwx::v1::Envelope no_signature = e;
  no_signature.clear_signature();
  pwx::v1::Envelope truncated = e;
  truncated.set_body(e.body().substr(0, e.body().size() - 5));
  pwx::v1::Envelope oversized = e;
  oversized.set_body(std::string(kMaxEnvelopeBodyBytes + 1, 'x'));
  pwx::v1::EnvelopeBody zero = Body();
  zero.set_sequence(0);
  pwx::v1::EnvelopeBody wrong_id = Body();
  wrong_id.set_message_id("FR-DGT/PL-PIP/8");
  pwx::v1::EnvelopeBody no_event = Body();
  no_event.clear_event();
  const Case cases[] = {
      {empty_body, "envelope.body"},
      {no_signature, "envelope.signature"},
      {truncated, "envelope.body"},
      {oversized, "envelope.body"},
      {SignedAsIs(zero), "envelope.body.sequence"},
      {SignedAsIs(wrong_id), "envelope.body.message_id"},
      {SignedAsIs(no_event), "envelope.body.event"},
  };
  for (const Case& c : cases) {
    absl::Status s = Open(c.envelope).status();
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << c.field << s;
    EXPECT_THAT(std::string(s.message()), HasSubstr(c.field + ":"));
  }
  // The sender's own checks refuse what a receiver would.
  EXPECT_EQ(SealEnvelope(no_event, *fr_.signer).status().code(),
            absl::StatusCode::kInvalidArgument);
}

pwx::v1::DeliverResponse Receipts() {
  pwx::v1::DeliverResponse response;
  for (uint64_t seq : {7, 8}) {
    pwx::v1::Receipt* r = response.add_receipts();
    r->set_message_id(EnvelopeMessageId("FR-DGT", "PL-PIP", seq));
    r->set_sender("FR-DGT");
    r->set_sequence(seq);
    r->set_body_sha256(std::string(32, static_cast<char>(seq)));
    r->set_audit_index(100 + seq);
  }
  pwx::v1::SignedTreeHead* head = response.mutable_tree_head();
  head->set_authority_id("PL-PIP");
  head->set_tree_size(200);
  head->set_root_hash(std::string(32, 'r'));
  head->set_signature("head-signature");
  response.add_consistency_proof(std::string(32, 'p'));
  return response;
}

TEST_F(EnvelopeTest, ReceiptsVerifyAndAnyChangeIsCaught) {
  KeyPair pl = NewKeyPair();
  pwx::v1::DeliverResponse response = Receipts();
  ASSERT_TRUE(SignReceipts(*pl.signer, &response).ok());
  EXPECT_TRUE(VerifyReceipts(response, "PL-PIP", *pl.verifier).ok());
  EXPECT_EQ(VerifyReceipts(response, "PL-PIP", *fr_.verifier).code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(VerifyReceipts(response, "DE-ZOLL", *pl.verifier).code(),
            absl::StatusCode::kPermissionDenied);
  auto tampered = [&](auto change) {
    pwx::v1::DeliverResponse copy = response;
    change(&copy);
    return VerifyReceipts(copy, "PL-PIP", *pl.verifier).code();
  };
  using R = pwx::v1::DeliverResponse;
  EXPECT_EQ(tampered([](R* r) { r->mutable_receipts(1)->set_duplicate(true); }),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(tampered([](R* r) { r->mutable_receipts(0)->set_audit_index(1); }),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(tampered([](R* r) { r->mutable_receipts()->RemoveLast(); }),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(tampered([](R* r) { r->mutable_tree_head()->set_tree_size(199); }),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(tampered([](R* r) { r->mutable_consistency_proof()->Clear(); }),
            absl::StatusCode::kPermissionDenied);
}

}  // namespace
}  // namespace pwx::domain

namespace pwx::domain {
namespace {

pwx::v1::SignedTreeHead Head(const MemoryMerkleTree& tree, uint64_t size) {
  pwx::v1::SignedTreeHead head;
  head.set_tree_size(size);
  head.set_root_hash(std::string(HashBytes(*RootAt(tree, size))));
  return head;
}

google::protobuf::RepeatedPtrField<std::string> Proof(
    const MemoryMerkleTree& tree, uint64_t from, uint64_t to) {
  google::protobuf::RepeatedPtrField<std::string> proof;
  absl::StatusOr<std::vector<Hash>> hashes = ConsistencyProof(tree, from, to);
  EXPECT_TRUE(hashes.ok()) << hashes.status();
  if (!hashes.ok()) return proof;
  for (const Hash& h : *hashes) *proof.Add() = std::string(HashBytes(h));
  return proof;
}

// A peer's heads must extend one another; a rewritten log is caught.
TEST(ConsistentHeadTest, ExtendedLogPassesAndForkedOrShrunkLogFails) {
  MemoryMerkleTree honest;
  for (int i = 0; i < 20; ++i) honest.AppendEntry("entry " + std::to_string(i));
  EXPECT_TRUE(CheckConsistentHead(Head(honest, 7), Head(honest, 20),
                                  Proof(honest, 7, 20))
                  .ok());
  EXPECT_TRUE(CheckConsistentHead(Head(honest, 20), Head(honest, 20),
                                  Proof(honest, 20, 20))
                  .ok());
  // The same first 6 entries, then a different 7th: a fork.
  MemoryMerkleTree forked;
  for (int i = 0; i < 20; ++i) {
    forked.AppendEntry(i == 6 ? std::string("rewritten")
                              : "entry " + std::to_string(i));
  }
  absl::Status s = CheckConsistentHead(Head(honest, 7), Head(forked, 20),
                                       Proof(forked, 7, 20));
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss) << s;
  s = CheckConsistentHead(Head(honest, 20), Head(honest, 7),
                          Proof(honest, 7, 7));
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(std::string(s.message()), HasSubstr("shrank"));
  // No proof at all is no evidence of consistency.
  EXPECT_EQ(CheckConsistentHead(Head(honest, 7), Head(honest, 20), {}).code(),
            absl::StatusCode::kDataLoss);
}

}  // namespace
}  // namespace pwx::domain
