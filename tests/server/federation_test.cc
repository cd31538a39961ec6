// Nodes federating on loopback in one process: identity cards, the peer
// registry, a case shared across, a peer down and back, and the refusals of
// a delivery inside the call (impostor sender, unknown or suspended peer,
// bad signature, truncated, oversized, replayed, gap). The refusals at and
// right after the TLS handshake are in federation_tls_test.cc.
#include <grpcpp/grpcpp.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/config.h"
#include "storage/federation_store.h"
#include "storage/key_codec.h"
#include "storage/rocks_store.h"
#include "tests/server/federation_fixture.h"

namespace pwx::server {
namespace {

using pwx::v1::Case;
using ::testing::HasSubstr;
using ::testing::SizeIs;

TEST_F(FederationTest, SharedCaseArrivesAsAReadOnlyCopyAndIsReceipted) {
  Case created = fr_.CreateCase("Budimex");
  ASSERT_TRUE(fr_.Share(created.id(), "PL-PIP").ok());
  Case copy;
  ASSERT_TRUE(
      Eventually([&] { return pl_.GetCase(created.id(), &copy).ok(); }));
  EXPECT_EQ(copy.owner_authority(), "FR-DGT");
  EXPECT_EQ(copy.undertaking().name(), "Budimex");
  // Read-only on PL-PIP.
  pwx::v1::AddNoteRequest note;
  note.set_case_id(created.id());
  note.set_text("seen in Warsaw");
  Case noted;
  EXPECT_EQ(pl_.Cases()->AddNote(Context().get(), note, &noted).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  // The sender holds the receipt: nothing queued, sequence 1 acknowledged.
  ASSERT_TRUE(Eventually([&] {
    pwx::v1::PeerHealth h = fr_.Health("PL-PIP");
    return h.queued() == 0 && h.acked_sequence() == 1;
  }));
  pwx::v1::PeerHealth health = fr_.Health("PL-PIP");
  EXPECT_EQ(health.last_sequence(), 1u);
  EXPECT_TRUE(health.last_error().empty()) << health.last_error();
  EXPECT_TRUE(health.has_last_success());
  EXPECT_EQ(pl_.Health("FR-DGT").received_sequence(), 1u);
  // Both logs hold their side of the exchange.
  EXPECT_EQ(Count(fr_.AuditActions(), "case.share"), 1);
  EXPECT_EQ(Count(fr_.AuditActions(), "envelope.receipt"), 1);
  EXPECT_EQ(Count(pl_.AuditActions(), "envelope.receive"), 1);
  // A later share replaces the copy.
  pwx::v1::UpdateCaseRequest update;
  update.set_id(created.id());
  update.set_expected_version(created.version());
  update.mutable_case_()->set_title("Gros oeuvre");
  update.mutable_update_mask()->add_paths("title");
  Case updated;
  ASSERT_TRUE(fr_.Cases()->UpdateCase(Context().get(), update, &updated).ok());
  ASSERT_TRUE(fr_.Share(created.id(), "PL-PIP").ok());
  ASSERT_TRUE(Eventually([&] {
    return pl_.GetCase(created.id(), &copy).ok() &&
           copy.title() == "Gros oeuvre";
  }));
}

TEST_F(FederationTest, ShareRefusesUnknownPeersAndForeignCopies) {
  Case created = fr_.CreateCase("Acme");
  grpc::Status s = fr_.Share(created.id(), "DE-ZOLL");
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_THAT(s.error_message(), HasSubstr("not a peer"));
  EXPECT_EQ(fr_.Share(created.id(), "nonsense").error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(fr_.Share("FR-DGT-2026-999999", "PL-PIP").error_code(),
            grpc::StatusCode::NOT_FOUND);
  ASSERT_TRUE(fr_.Share(created.id(), "PL-PIP").ok());
  Case copy;
  ASSERT_TRUE(
      Eventually([&] { return pl_.GetCase(created.id(), &copy).ok(); }));
  // PL-PIP cannot pass FR-DGT's case on.
  EXPECT_EQ(pl_.Share(created.id(), "FR-DGT").error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
}

TEST_F(FederationTest, PeerDownGetsEverythingOnceAndInOrderWhenBack) {
  pl_.Stop();
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) {
    Case c = fr_.CreateCase("Firm " + std::to_string(i));
    ids.push_back(c.id());
    ASSERT_TRUE(fr_.Share(c.id(), "PL-PIP").ok());
  }
  ASSERT_TRUE(Eventually([&] {
    pwx::v1::PeerHealth h = fr_.Health("PL-PIP");
    return h.queued() == 5 && !h.last_error().empty();
  }));
  EXPECT_TRUE(fr_.Health("PL-PIP").has_lag());
  pl_.Start();
  ASSERT_TRUE(Eventually([&] { return fr_.Health("PL-PIP").queued() == 0; }));
  for (const std::string& id : ids) {
    Case copy;
    EXPECT_TRUE(pl_.GetCase(id, &copy).ok()) << id;
  }
  EXPECT_EQ(pl_.Health("FR-DGT").received_sequence(), 5u);
  EXPECT_EQ(Count(pl_.AuditActions(), "envelope.receive"), 5);
  EXPECT_EQ(fr_.Health("PL-PIP").last_error(), "");
}

// Each batch goes out while the receipts of the one before still commit:
// the peer's answer must be checked against the head of that one, not the
// head stored before it, or a sound peer would be taken for a fork.
TEST(SmallBatchesTest, BatchesInARowAreReceiptedOnceEachAndNoForkIsSeen) {
  TestNode fr("FR-DGT");
  TestNode pl("PL-PIP");
  fr.set_configure([](pwx::v1::ServerConfig* config) {
    config->mutable_federation()->set_max_batch(2);
  });
  fr.Start();
  pl.Start();
  ASSERT_TRUE(fr.AddPeer(pl.Card()).ok());
  ASSERT_TRUE(pl.AddPeer(fr.Card()).ok());
  pl.Stop();
  for (int i = 0; i < 9; ++i) {
    Case c = fr.CreateCase("Firm " + std::to_string(i));
    ASSERT_TRUE(fr.Share(c.id(), "PL-PIP").ok());
  }
  ASSERT_TRUE(Eventually([&] { return fr.Health("PL-PIP").queued() == 9; }));
  pl.Start();
  ASSERT_TRUE(Eventually([&] { return fr.Health("PL-PIP").queued() == 0; }));
  EXPECT_EQ(pl.Health("FR-DGT").received_sequence(), 9u);
  EXPECT_EQ(Count(pl.AuditActions(), "envelope.receive"), 9);
  ASSERT_TRUE(Eventually(
      [&] { return Count(fr.AuditActions(), "envelope.receipt") == 9; }));
  EXPECT_EQ(Count(fr.AuditActions(), "peer.fork"), 0);
  EXPECT_EQ(fr.Health("PL-PIP").last_error(), "");
}

TEST_F(FederationTest, SuspendedPeerWaitsAndRemovedPeerIsForgotten) {
  pwx::v1::PeerRequest request;
  request.set_authority_id("PL-PIP");
  pwx::v1::Peer peer;
  ASSERT_TRUE(fr_.Peers()->SuspendPeer(Context().get(), request, &peer).ok());
  EXPECT_EQ(peer.state(), pwx::v1::Peer::SUSPENDED);
  Case created = fr_.CreateCase("Acme");
  ASSERT_TRUE(fr_.Share(created.id(), "PL-PIP").ok());
  absl::SleepFor(absl::Milliseconds(300));
  EXPECT_EQ(fr_.Health("PL-PIP").queued(), 1u);
  ASSERT_TRUE(fr_.Peers()->ResumePeer(Context().get(), request, &peer).ok());
  ASSERT_TRUE(Eventually([&] { return fr_.Health("PL-PIP").queued() == 0; }));

  // Suspended on the receiving side: deliveries wait.
  request.set_authority_id("FR-DGT");
  ASSERT_TRUE(pl_.Peers()->SuspendPeer(Context().get(), request, &peer).ok());
  ASSERT_TRUE(fr_.Share(created.id(), "PL-PIP").ok());
  ASSERT_TRUE(Eventually([&] {
    return absl::StrContains(fr_.Health("PL-PIP").last_error(), "suspended");
  }));
  ASSERT_TRUE(pl_.Peers()->ResumePeer(Context().get(), request, &peer).ok());
  ASSERT_TRUE(Eventually([&] { return fr_.Health("PL-PIP").queued() == 0; }));

  // Removed: its queue is dropped, and it is a stranger again.
  pl_.Stop();
  ASSERT_TRUE(fr_.Share(created.id(), "PL-PIP").ok());
  request.set_authority_id("PL-PIP");
  pwx::v1::RemovePeerResponse removed;
  ASSERT_TRUE(fr_.Peers()->RemovePeer(Context().get(), request, &removed).ok());
  EXPECT_EQ(removed.dropped(), 1u);
  EXPECT_EQ(fr_.Share(created.id(), "PL-PIP").error_code(),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(
      fr_.Peers()->RemovePeer(Context().get(), request, &removed).error_code(),
      grpc::StatusCode::NOT_FOUND);
  std::vector<std::string> actions = fr_.AuditActions();
  EXPECT_EQ(Count(actions, "peer.suspend"), 1);
  EXPECT_EQ(Count(actions, "peer.resume"), 1);
  EXPECT_EQ(Count(actions, "peer.remove"), 1);
}

TEST_F(FederationTest, ReceiptsAreEvidenceThatOutlivesThePeer) {
  // Three shares, each receipted before the next: three batches.
  for (uint64_t seq = 1; seq <= 3; ++seq) {
    Case created = fr_.CreateCase(absl::StrCat("Acme ", seq));
    ASSERT_TRUE(fr_.Share(created.id(), "PL-PIP").ok());
    ASSERT_TRUE(Eventually(
        [&] { return fr_.Health("PL-PIP").acked_sequence() == seq; }));
  }
  const std::string pl_certificate = pl_.Card().signing_certificate_pem();

  pwx::v1::ListReceiptsResponse page;
  ASSERT_TRUE(fr_.ListReceipts("PL-PIP", 0, 2, &page).ok());
  ASSERT_EQ(page.batches_size(), 2);
  EXPECT_EQ(page.next_sequence(), 3u);
  pwx::v1::ListReceiptsResponse rest;
  ASSERT_TRUE(fr_.ListReceipts("PL-PIP", 3, 0, &rest).ok());
  ASSERT_EQ(rest.batches_size(), 1);
  EXPECT_EQ(rest.next_sequence(), 0u);
  *page.add_batches() = rest.batches(0);

  uint64_t expected = 1;
  for (const pwx::v1::DeliverResponse& batch : page.batches()) {
    // Signed by PL-PIP's key, whose certificate comes with the page.
    const std::string& pem =
        page.certificates().at(batch.tree_head().signer_certificate_sha256());
    EXPECT_EQ(pem, pl_certificate);
    std::unique_ptr<domain::Verifier> key =
        *domain::Verifier::FromCertificatePem(pem);
    EXPECT_TRUE(domain::VerifyReceipts(batch, "PL-PIP", *key).ok());
    for (const pwx::v1::Receipt& receipt : batch.receipts()) {
      EXPECT_EQ(receipt.sequence(), expected++);
      // The receipt names PL-PIP's audit entry of the envelope.
      const pwx::v1::AuditEntry entry = pl_.AuditEntryAt(receipt.audit_index());
      EXPECT_EQ(entry.action(), "envelope.receive");
      EXPECT_EQ(entry.object_id(), receipt.message_id());
    }
  }
  EXPECT_EQ(expected, 4u);

  // Removing the peer keeps its receipts and the certificate to check them.
  pwx::v1::PeerRequest remove;
  remove.set_authority_id("PL-PIP");
  pwx::v1::RemovePeerResponse removed;
  ASSERT_TRUE(fr_.Peers()->RemovePeer(Context().get(), remove, &removed).ok());
  pwx::v1::ListReceiptsResponse after;
  ASSERT_TRUE(fr_.ListReceipts("PL-PIP", 0, 0, &after).ok());
  EXPECT_EQ(after.batches_size(), 3);
  EXPECT_THAT(after.certificates(), SizeIs(1));
  EXPECT_EQ(after.certificates().begin()->second, pl_certificate);
}

TEST_F(FederationTest, APeerAddedBeforeCertificatesWereKeptGetsItsOnOpen) {
  Case created = fr_.CreateCase("Acme");
  ASSERT_TRUE(fr_.Share(created.id(), "PL-PIP").ok());
  ASSERT_TRUE(
      Eventually([&] { return fr_.Health("PL-PIP").acked_sequence() == 1; }));
  const std::string pl_certificate = pl_.Card().signing_certificate_pem();
  const std::string sha256 = *domain::CertificateSha256(pl_certificate);
  // A database written before peers' certificates were kept by hash.
  fr_.Stop();
  {
    auto store = storage::RocksStore::Open({.path = fr_.data_dir()});
    ASSERT_TRUE(store.ok()) << store.status();
    storage::WriteBatch forget;
    forget.Delete(
        storage::Column::kMeta,
        storage::KeyBuilder().String("peer_cert").String(sha256).Build());
    ASSERT_TRUE((*store)->Write(std::move(forget)).ok());
    auto fed = storage::FederationStore::Open(store->get());
    ASSERT_TRUE(fed.ok());
    ASSERT_EQ(*(*fed)->PeerCertificate(sha256), std::nullopt);
  }
  fr_.Start();

  // Removed, the peer's receipts still come with its certificate.
  pwx::v1::PeerRequest remove;
  remove.set_authority_id("PL-PIP");
  pwx::v1::RemovePeerResponse removed;
  ASSERT_TRUE(fr_.Peers()->RemovePeer(Context().get(), remove, &removed).ok());
  pwx::v1::ListReceiptsResponse after;
  ASSERT_TRUE(fr_.ListReceipts("PL-PIP", 0, 0, &after).ok());
  ASSERT_EQ(after.batches_size(), 1);
  ASSERT_EQ(after.certificates().count(sha256), 1u);
  EXPECT_EQ(after.certificates().at(sha256), pl_certificate);
}

TEST_F(FederationTest, ListReceiptsChecksItsRequest) {
  pwx::v1::ListReceiptsResponse response;
  // PL-PIP is a peer that has receipted nothing yet.
  ASSERT_TRUE(fr_.ListReceipts("PL-PIP", 0, 0, &response).ok());
  EXPECT_EQ(response.batches_size(), 0);
  grpc::Status s = fr_.ListReceipts("DE-ZOLL", 0, 0, &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_THAT(s.error_message(), HasSubstr("peer: DE-ZOLL is not a peer"));
  s = fr_.ListReceipts("", 0, 0, &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("peer: is required"));
  s = fr_.ListReceipts("PL-PIP", 0, 1001, &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("page_size: at most 1000"));
}

TEST_F(FederationTest, RegistryRefusesBadCardsAndSurvivesRestart) {
  pwx::v1::IdentityCard good = pl_.Card();
  EXPECT_EQ(fr_.AddPeer(good).error_code(), grpc::StatusCode::ALREADY_EXISTS);
  struct Bad {
    std::function<void(pwx::v1::IdentityCard*)> change;
    std::string field;
  };
  const std::vector<Bad> bad = {
      {[](auto* c) { c->set_authority_id("pl-pip"); }, "card.authority_id"},
      {[](auto* c) { c->set_authority_id("FR-DGT"); }, "card.authority_id"},
      {[](auto* c) { c->set_federation_endpoint("nowhere"); },
       "card.federation_endpoint"},
      {[](auto* c) { c->set_federation_endpoint("host:99999"); },
       "card.federation_endpoint"},
      {[](auto* c) { c->set_ca_certificate_pem("garbage"); },
       "card.ca_certificate_pem"},
      {[&](auto* c) { c->set_ca_certificate_pem(pl_.keys().cert_pem); },
       "card.ca_certificate_pem"},
      {[](auto* c) { c->set_signing_certificate_pem(""); },
       "card.signing_certificate_pem"},
  };
  for (const Bad& b : bad) {
    pwx::v1::IdentityCard card = good;
    card.set_authority_id("BE-SPF");
    b.change(&card);
    grpc::Status s = fr_.AddPeer(card);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << b.field;
    EXPECT_THAT(s.error_message(), HasSubstr(b.field)) << s.error_message();
  }
  fr_.Stop();
  fr_.Start();
  pwx::v1::ListPeersResponse peers;
  ASSERT_TRUE(fr_.Peers()->ListPeers(Context().get(), {}, &peers).ok());
  ASSERT_EQ(peers.peers_size(), 1);
  EXPECT_EQ(peers.peers(0).peer().card().authority_id(), "PL-PIP");
  EXPECT_EQ(peers.peers(0).peer().added_by(), "alice");
}

TEST_F(DeliveryTest, ReplayedEnvelopeIsReceiptedAgainButAppliedOnce) {
  pwx::v1::DeliverResponse first;
  ASSERT_TRUE(Deliver(fr_.keys(), {Envelope(1)}, &first).ok());
  ASSERT_EQ(first.receipts_size(), 1);
  EXPECT_FALSE(first.receipts(0).duplicate());
  EXPECT_GE(first.tree_head().tree_size(), first.receipts(0).audit_index() + 1);
  pwx::v1::DeliverResponse again;
  ASSERT_TRUE(Deliver(fr_.keys(), {Envelope(1), Envelope(2)}, &again).ok());
  ASSERT_EQ(again.receipts_size(), 2);
  EXPECT_TRUE(again.receipts(0).duplicate());
  EXPECT_EQ(again.receipts(0).audit_index(), first.receipts(0).audit_index());
  EXPECT_FALSE(again.receipts(1).duplicate());
  EXPECT_EQ(pl_.CountCases(), 2);
  EXPECT_EQ(Count(pl_.AuditActions(), "envelope.receive"), 2);
}

// A receipt names the receiver's audit entry of its envelope, whether the
// envelope is new, repeated, or shares its commit with other deliveries.
TEST_F(DeliveryTest, ReceiptsNameTheirEnvelopesAuditEntries) {
  ASSERT_TRUE(Deliver(fr_.keys(), {Envelope(1), Envelope(2)}).ok());
  // Reads of PL-PIP's log (more entries) between the deliveries.
  EXPECT_EQ(pl_.CountCases(), 2);
  pwx::v1::DeliverResponse response;
  ASSERT_TRUE(Deliver(fr_.keys(),
                      {Envelope(2), Envelope(3), Envelope(4), Envelope(5)},
                      &response)
                  .ok());
  ASSERT_EQ(response.receipts_size(), 4);
  for (const pwx::v1::Receipt& r : response.receipts()) {
    const pwx::v1::AuditEntry entry = pl_.AuditEntryAt(r.audit_index());
    EXPECT_EQ(entry.action(), "envelope.receive") << r.message_id();
    EXPECT_EQ(entry.object_id(), r.message_id());
    EXPECT_LT(r.audit_index(), response.tree_head().tree_size());
  }
}

// Large requests are opened by two threads; one bad envelope anywhere still
// refuses the whole request.
TEST_F(DeliveryTest, OneBadEnvelopeInALargeRequestRefusesItAll) {
  std::vector<pwx::v1::Envelope> envelopes;
  for (uint64_t seq = 1; seq <= 40; ++seq) envelopes.push_back(Envelope(seq));
  (*envelopes[30].mutable_signature())[8] ^= 0x01;
  grpc::Status s = Deliver(fr_.keys(), envelopes);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  ExpectNothingStored();
  (*envelopes[30].mutable_signature())[8] ^= 0x01;
  pwx::v1::DeliverResponse response;
  ASSERT_TRUE(Deliver(fr_.keys(), envelopes, &response).ok());
  EXPECT_EQ(response.receipts_size(), 40);
  EXPECT_EQ(pl_.CountCases(), 40);
}

TEST_F(DeliveryTest, GapsAndRepeatsWithinARequestAreRefused) {
  grpc::Status s = Deliver(fr_.keys(), {Envelope(2)});
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(s.error_message(), HasSubstr("expected 1"));
  s = Deliver(fr_.keys(), {Envelope(1), Envelope(1)});
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Deliver(fr_.keys(), {}).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  ExpectNothingStored();
}

TEST_F(DeliveryTest, BadSignatureTruncatedAndOversizedAreRefused) {
  pwx::v1::Envelope flipped = Envelope(1);
  (*flipped.mutable_signature())[8] ^= 0x01;
  EXPECT_EQ(Deliver(fr_.keys(), {flipped}).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  // Signed by a key other than FR-DGT's signing key.
  testing::KeyPair other = fr_.ca().IssueNode("FR-DGT");
  EXPECT_EQ(
      Deliver(fr_.keys(), {Envelope(1, "FR-DGT", &other.key_pem)}).error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
  pwx::v1::Envelope truncated = Envelope(1);
  truncated.set_body(truncated.body().substr(0, truncated.body().size() / 2));
  EXPECT_EQ(Deliver(fr_.keys(), {truncated}).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  pwx::v1::Envelope oversized = Envelope(1);
  oversized.set_body(std::string(2 << 20, 'x'));
  EXPECT_EQ(Deliver(fr_.keys(), {oversized}).error_code(),
            grpc::StatusCode::RESOURCE_EXHAUSTED);
  ExpectNothingStored();
}

TEST(ThreeNodesTest, OneNodeSharesWithTwoPeers) {
  TestNode fr("FR-DGT"), pl("PL-PIP"), be("BE-SPF");
  fr.Start();
  pl.Start();
  be.Start();
  for (TestNode* peer : {&pl, &be}) {
    ASSERT_TRUE(fr.AddPeer(peer->Card()).ok());
    ASSERT_TRUE(peer->AddPeer(fr.Card()).ok());
  }
  Case created = fr.CreateCase("Strabag");
  ASSERT_TRUE(fr.Share(created.id(), "PL-PIP").ok());
  ASSERT_TRUE(fr.Share(created.id(), "BE-SPF").ok());
  for (TestNode* peer : {&pl, &be}) {
    Case copy;
    EXPECT_TRUE(Eventually([&] {
      return peer->GetCase(created.id(), &copy).ok();
    })) << peer->id();
  }
}

}  // namespace
}  // namespace pwx::server
