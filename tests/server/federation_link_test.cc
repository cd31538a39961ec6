// The federation transport over in-memory stores: the inbox's ordering and
// deduplication rules, and the life of a link between two nodes — delivery
// in order, a peer removed and added again, a card replaced, either node
// restored from a backup, a peer that hangs — each ending with the link
// delivering again, and nothing applied twice or skipped unannounced.
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "absl/strings/match.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/domain/envelope.h"
#include "tests/server/memory_federation.h"

namespace pwx::server {
namespace {

using ::pwx::server::fed_testing::MemoryNode;
using ::pwx::server::fed_testing::MemoryNodeOptions;
using ::testing::HasSubstr;

constexpr absl::Duration kPatience = absl::Seconds(60);

bool Eventually(const std::function<bool()>& done) {
  const absl::Time deadline = absl::Now() + kPatience;
  while (absl::Now() < deadline) {
    if (done()) return true;
    absl::SleepFor(absl::Milliseconds(10));
  }
  return done();
}

// ---- The inbox, driven directly ----

class InboxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(pl_.AddPeer(fr_.Card()).ok());
    fr_signer_ = *domain::Signer::FromPem(fr_.keys().key_pem);
    fr_key_ = *domain::Verifier::FromCertificatePem(fr_.keys().cert_pem);
  }

  // Envelope `sequence` from FR-DGT to PL-PIP sharing case `case_id`.
  pwx::v1::Envelope Envelope(uint64_t sequence, const std::string& case_id,
                             std::optional<uint64_t> follows = std::nullopt) {
    pwx::v1::EnvelopeBody body;
    body.set_message_id(
        domain::EnvelopeMessageId("FR-DGT", "PL-PIP", sequence));
    body.set_sender("FR-DGT");
    body.set_recipient("PL-PIP");
    body.set_sequence(sequence);
    body.mutable_event()->mutable_case_shared()->mutable_case_()->set_id(
        case_id);
    body.mutable_event()->mutable_case_shared()->mutable_case_()->set_version(
        sequence);
    if (follows.has_value()) body.set_follows(*follows);
    // Signed by hand: SealEnvelope refuses to seal a malformed body.
    pwx::v1::Envelope envelope;
    body.SerializeToString(envelope.mutable_body());
    envelope.set_signature(
        *fr_signer_->Sign(domain::EnvelopeSigningInput(envelope.body())));
    return envelope;
  }

  absl::Status Deliver(std::vector<pwx::v1::Envelope> envelopes,
                       pwx::v1::DeliverResponse* response = nullptr) {
    pwx::v1::DeliverRequest request;
    for (auto& e : envelopes) *request.add_envelopes() = std::move(e);
    pwx::v1::DeliverResponse ignored;
    absl::Notification done;
    absl::Status status;
    pl_.inbox()->Deliver("FR-DGT", *fr_key_, request,
                         response ? response : &ignored, [&](absl::Status s) {
                           status = std::move(s);
                           done.Notify();
                         });
    done.WaitForNotification();
    return status;
  }

  std::map<std::string, MemoryNode*> nodes_;
  MemoryNode fr_{"FR-DGT", &nodes_};
  MemoryNode pl_{"PL-PIP", &nodes_};
  std::unique_ptr<domain::Signer> fr_signer_;
  std::unique_ptr<domain::Verifier> fr_key_;
};

TEST_F(InboxTest, AppliesInOrderAndAnswersARedeliveryWithItsFirstReceipt) {
  pwx::v1::DeliverResponse first;
  ASSERT_TRUE(Deliver({Envelope(1, "C-1"), Envelope(2, "C-2")}, &first).ok());
  ASSERT_EQ(first.receipts_size(), 2);
  EXPECT_EQ(pl_.Applied("C-2"), 2u);
  EXPECT_EQ(pl_.LastApplied("FR-DGT"), 2u);
  pwx::v1::DeliverResponse again;
  ASSERT_TRUE(Deliver({Envelope(2, "C-2"), Envelope(3, "C-3")}, &again).ok());
  ASSERT_EQ(again.receipts_size(), 2);
  EXPECT_TRUE(again.receipts(0).duplicate());
  EXPECT_EQ(again.receipts(0).audit_index(), first.receipts(1).audit_index());
  EXPECT_FALSE(again.receipts(1).duplicate());
  EXPECT_EQ(pl_.Count("envelope.receive"), 3);
  EXPECT_TRUE(domain::CheckReceiptsFor(
                  {{2, domain::BodySha256(Envelope(2, "C-2").body())},
                   {3, domain::BodySha256(Envelope(3, "C-3").body())}},
                  again, "FR-DGT", "PL-PIP",
                  **domain::Verifier::FromCertificatePem(pl_.keys().cert_pem))
                  .ok());
}

TEST_F(InboxTest, AnUndeclaredGapIsRefusedWithTheSequenceExpected) {
  ASSERT_TRUE(Deliver({Envelope(1, "C-1")}).ok());
  absl::Status s = Deliver({Envelope(3, "C-3")});
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition) << s;
  EXPECT_EQ(domain::ExpectedSequence(s), 2u);
  EXPECT_EQ(pl_.Applied("C-3"), 0u);
  EXPECT_EQ(pl_.LastApplied("FR-DGT"), 1u);
}

TEST_F(InboxTest, ADeclaredGapIsAppliedAndRecorded) {
  ASSERT_TRUE(Deliver({Envelope(1, "C-1")}).ok());
  ASSERT_TRUE(Deliver({Envelope(5, "C-5", /*follows=*/1)}).ok());
  EXPECT_EQ(pl_.Applied("C-5"), 5u);
  EXPECT_EQ(pl_.LastApplied("FR-DGT"), 5u);
  EXPECT_EQ(pl_.Count("envelope.gap"), 1);
  EXPECT_EQ(pl_.CountSum("envelope.gap"), 3u);  // 2, 3 and 4 withdrawn
  // A withdrawn sequence that turns up later is refused, not applied.
  absl::Status s = Deliver({Envelope(3, "C-3")});
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition) << s;
  EXPECT_THAT(std::string(s.message()), HasSubstr("withdrawn"));
  EXPECT_EQ(domain::ExpectedSequence(s), 6u);
  EXPECT_EQ(pl_.Applied("C-3"), 0u);
  // Nor may a gap be declared past what was applied.
  s = Deliver({Envelope(9, "C-9", /*follows=*/7)});
  EXPECT_EQ(domain::ExpectedSequence(s), 6u) << s;
}

TEST_F(InboxTest, ASequenceAppliedWithOtherContentsIsRefused) {
  ASSERT_TRUE(Deliver({Envelope(1, "C-1")}).ok());
  // The sender lost its link (restored) and numbers another event 1.
  absl::Status s = Deliver({Envelope(1, "C-other")});
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition) << s;
  EXPECT_THAT(std::string(s.message()), HasSubstr("restored from a backup"));
  EXPECT_EQ(domain::ExpectedSequence(s), 2u);
  EXPECT_EQ(pl_.Applied("C-other"), 0u);
}

TEST_F(InboxTest, AnEventTheHandlerRefusesStoresNothing) {
  absl::Status s = Deliver({Envelope(1, "C-1"), Envelope(2, "")});
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  EXPECT_THAT(std::string(s.message()),
              HasSubstr("envelopes[1].body.event.case.id"));
  EXPECT_EQ(pl_.Applied("C-1"), 0u);
  EXPECT_EQ(pl_.LastApplied("FR-DGT"), 0u);
  EXPECT_EQ(pl_.Count("envelope.receive"), 0);
}

class InboxQuotaTest : public InboxTest {
 protected:
  InboxQuotaTest() {
    MemoryNodeOptions options;
    options.quota_events_per_hour = 3;
    options.quota_bytes_per_hour = 1 << 20;
    options.clock = [this] { return now_; };
    limited_ = std::make_unique<MemoryNode>("PL-PIP", &nodes_, options);
  }
  void SetUp() override {
    ASSERT_TRUE(limited_->AddPeer(fr_.Card()).ok());
    fr_signer_ = *domain::Signer::FromPem(fr_.keys().key_pem);
    fr_key_ = *domain::Verifier::FromCertificatePem(fr_.keys().cert_pem);
  }
  absl::Status DeliverLimited(std::vector<pwx::v1::Envelope> envelopes) {
    pwx::v1::DeliverRequest request;
    for (auto& e : envelopes) *request.add_envelopes() = std::move(e);
    pwx::v1::DeliverResponse response;
    absl::Notification done;
    absl::Status status;
    limited_->inbox()->Deliver("FR-DGT", *fr_key_, request, &response,
                               [&](absl::Status s) {
                                 status = std::move(s);
                                 done.Notify();
                               });
    done.WaitForNotification();
    return status;
  }

  absl::Time now_ = absl::FromUnixSeconds(1'800'000'000);
  std::unique_ptr<MemoryNode> limited_;
};

TEST_F(InboxQuotaTest, AFloodIsRefusedUntilTheAllowanceRefills) {
  ASSERT_TRUE(DeliverLimited({Envelope(1, "C-1"), Envelope(2, "C-2")}).ok());
  absl::Status s = DeliverLimited({Envelope(3, "C-3"), Envelope(4, "C-4")});
  EXPECT_EQ(s.code(), absl::StatusCode::kResourceExhausted) << s;
  EXPECT_THAT(std::string(s.message()),
              HasSubstr("federation.quota_events_per_hour"));
  EXPECT_EQ(limited_->Applied("C-3"), 0u);
  EXPECT_EQ(limited_->LastApplied("FR-DGT"), 2u);
  // Redeliveries count too: a sender cannot flood with old envelopes.
  ASSERT_TRUE(DeliverLimited({Envelope(3, "C-3")}).ok());
  EXPECT_EQ(DeliverLimited({Envelope(3, "C-3")}).code(),
            absl::StatusCode::kResourceExhausted);
  now_ += absl::Minutes(40);  // two envelopes' worth
  ASSERT_TRUE(DeliverLimited({Envelope(4, "C-4"), Envelope(5, "C-5")}).ok());
  EXPECT_EQ(limited_->LastApplied("FR-DGT"), 5u);
}

TEST_F(InboxTest, AnEnvelopeDeclaringItFollowsItselfIsMalformed) {
  absl::Status s = Deliver({Envelope(2, "C-2", /*follows=*/2)});
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
}

// ---- Two nodes: dispatchers, outboxes and inboxes together ----

class LinkTest : public ::testing::Test {
 protected:
  void SetUp() override { Federate(); }
  void Federate() {
    ASSERT_TRUE(fr_->AddPeer(pl_->Card()).ok());
    ASSERT_TRUE(pl_->AddPeer(fr_->Card()).ok());
  }
  // Nothing waits and the last attempt succeeded (the receipts are stored
  // just before the success is recorded, so both are waited for).
  bool Drained() {
    const pwx::v1::PeerHealth h = fr_->Health("PL-PIP");
    return h.queued() == 0 && h.last_error().empty();
  }

  std::map<std::string, MemoryNode*> nodes_;
  MemoryNodeOptions fr_options_;
  std::unique_ptr<MemoryNode> fr_ =
      std::make_unique<MemoryNode>("FR-DGT", &nodes_, fr_options_);
  std::unique_ptr<MemoryNode> pl_ =
      std::make_unique<MemoryNode>("PL-PIP", &nodes_);
};

TEST_F(LinkTest, APeerDownGetsEverythingOnceAndInOrder) {
  pl_->set_down(true);
  for (int i = 1; i <= 5; ++i) {
    ASSERT_TRUE(fr_->Queue("PL-PIP", "C-" + std::to_string(i)).ok());
  }
  ASSERT_TRUE(
      Eventually([&] { return !fr_->Health("PL-PIP").last_error().empty(); }));
  EXPECT_EQ(fr_->Health("PL-PIP").queued(), 5u);
  pl_->set_down(false);
  ASSERT_TRUE(Eventually([&] { return Drained(); }));
  EXPECT_EQ(pl_->LastApplied("FR-DGT"), 5u);
  EXPECT_EQ(pl_->Count("envelope.receive"), 5);
  EXPECT_EQ(fr_->Count("envelope.receipt"), 5);
}

TEST_F(LinkTest, ARemovedPeerAddedAgainContinuesTheLink) {
  ASSERT_TRUE(fr_->Queue("PL-PIP", "C-1").ok());
  ASSERT_TRUE(Eventually([&] { return pl_->Applied("C-1") == 1; }));
  ASSERT_TRUE(Eventually([&] { return Drained(); }));
  // Two envelopes queued while the peer is down, then the peer removed.
  pl_->set_down(true);
  ASSERT_TRUE(fr_->Queue("PL-PIP", "C-2").ok());
  ASSERT_TRUE(fr_->Queue("PL-PIP", "C-3").ok());
  ASSERT_TRUE(
      Eventually([&] { return fr_->Health("PL-PIP").last_sequence() == 3; }));
  EXPECT_EQ(*fr_->RemovePeer("PL-PIP"), 2u);
  pl_->set_down(false);
  // The same card again: sequences go on, the dropped ones are declared.
  ASSERT_TRUE(fr_->AddPeer(pl_->Card()).ok());
  ASSERT_TRUE(fr_->Queue("PL-PIP", "C-4").ok());
  ASSERT_TRUE(Eventually([&] { return pl_->Applied("C-4") == 1; }));
  EXPECT_EQ(pl_->Applied("C-2"), 0u);
  EXPECT_EQ(pl_->LastApplied("FR-DGT"), 4u);
  EXPECT_EQ(pl_->Count("envelope.gap"), 1);
  EXPECT_EQ(pl_->CountSum("envelope.gap"), 2u);
  ASSERT_TRUE(Eventually([&] { return Drained(); }));
  const pwx::v1::PeerHealth h = fr_->Health("PL-PIP");
  EXPECT_EQ(h.last_error(), "");
  EXPECT_EQ(h.acked_sequence(), 4u);
  EXPECT_EQ(h.problem(), "");
}

TEST_F(LinkTest, ABothSidesRemoveAndReAddContinuesToo) {
  ASSERT_TRUE(fr_->Queue("PL-PIP", "C-1").ok());
  ASSERT_TRUE(Eventually([&] { return Drained(); }));
  ASSERT_TRUE(fr_->RemovePeer("PL-PIP").ok());
  ASSERT_TRUE(pl_->RemovePeer("FR-DGT").ok());
  Federate();
  ASSERT_TRUE(fr_->Queue("PL-PIP", "C-2").ok());
  ASSERT_TRUE(Eventually([&] { return pl_->Applied("C-2") == 1; }));
  EXPECT_EQ(pl_->LastApplied("FR-DGT"), 2u);
  EXPECT_EQ(pl_->Count("envelope.gap"), 0);
}

TEST_F(LinkTest, AReplacedCardKeepsTheQueueAndTheLink) {
  pl_->set_down(true);
  ASSERT_TRUE(fr_->Queue("PL-PIP", "C-1").ok());
  ASSERT_TRUE(fr_->Queue("PL-PIP", "C-2").ok());
  pwx::v1::IdentityCard card = pl_->Card();
  card.set_federation_endpoint("127.0.0.2:7444");
  ASSERT_TRUE(fr_->UpdatePeer(card).ok());
  EXPECT_EQ(fr_->peers()->Find("PL-PIP")->peer.card().federation_endpoint(),
            "127.0.0.2:7444");
  EXPECT_EQ(fr_->peers()->Find("PL-PIP")->peer.updated_by(), "carol");
  EXPECT_EQ(fr_->Health("PL-PIP").queued(), 2u);
  pl_->set_down(false);
  ASSERT_TRUE(Eventually([&] { return Drained(); }));
  EXPECT_EQ(pl_->LastApplied("FR-DGT"), 2u);
  EXPECT_EQ(fr_->Count("peer.update"), 1);
  // A card of a stranger is not an update.
  pwx::v1::IdentityCard stranger = pl_->Card();
  stranger.set_authority_id("DE-ZOLL");
  EXPECT_EQ(fr_->UpdatePeer(stranger).code(), absl::StatusCode::kNotFound);
  stranger.set_ca_certificate_pem("not a certificate");
  EXPECT_EQ(fr_->UpdatePeer(stranger).code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(LinkTest, AReceiverRestoredFromABackupGetsTheKeptEnvelopesAgain) {
  for (int i = 1; i <= 3; ++i) {
    ASSERT_TRUE(fr_->Queue("PL-PIP", "C-" + std::to_string(i)).ok());
  }
  ASSERT_TRUE(Eventually([&] { return Drained(); }));
  pl_->Restore();  // to before anything arrived
  ASSERT_TRUE(pl_->AddPeer(fr_->Card()).ok());
  ASSERT_TRUE(fr_->Queue("PL-PIP", "C-4").ok());
  // The link cannot go on by itself, and the node says why and what to do.
  ASSERT_TRUE(
      Eventually([&] { return !fr_->Health("PL-PIP").problem().empty(); }));
  pwx::v1::PeerHealth h = fr_->Health("PL-PIP");
  EXPECT_EQ(h.peer_expects(), 1u);
  EXPECT_THAT(h.problem(), HasSubstr("pwx peer resend PL-PIP --from 1"));
  EXPECT_EQ(fr_->Resend("PL-PIP", 5).status().code(),
            absl::StatusCode::kFailedPrecondition);
  absl::StatusOr<pwx::v1::LinkRepairResponse> resent = fr_->Resend("PL-PIP", 1);
  ASSERT_TRUE(resent.ok()) << resent.status();
  EXPECT_EQ(resent->envelopes(), 3u);
  ASSERT_TRUE(Eventually([&] { return pl_->Applied("C-4") == 1; }));
  for (int i = 1; i <= 3; ++i) {
    EXPECT_EQ(pl_->Applied("C-" + std::to_string(i)), 1u) << i;
  }
  ASSERT_TRUE(Eventually([&] { return Drained(); }));
  EXPECT_EQ(fr_->Health("PL-PIP").problem(), "");
  EXPECT_EQ(fr_->Count("peer.resend"), 1);
  // Every batch of receipts is kept: the first for sequence 1 and the
  // resent one's too.
  absl::StatusOr<std::vector<pwx::v1::DeliverResponse>> kept =
      fr_->fed()->Receipts("PL-PIP", 0, 100);
  ASSERT_TRUE(kept.ok()) << kept.status();
  int from_one = 0;
  for (const pwx::v1::DeliverResponse& batch : *kept) {
    from_one += batch.receipts(0).sequence() == 1 ? 1 : 0;
  }
  EXPECT_EQ(from_one, 2);
  // The restored peer's log was accepted as the new baseline: no fork.
  EXPECT_EQ(fr_->Count("peer.fork"), 0);
  EXPECT_EQ(fr_->Health("PL-PIP").last_error(), "");
}

class ShortMemoryLinkTest : public LinkTest {
 protected:
  ShortMemoryLinkTest() {
    fr_options_.keep_delivered = absl::ZeroDuration();
    fr_ = std::make_unique<MemoryNode>("FR-DGT", &nodes_, fr_options_);
  }
};

TEST_F(ShortMemoryLinkTest, EnvelopesNoLongerKeptAreDeclaredWithdrawn) {
  ASSERT_TRUE(fr_->Queue("PL-PIP", "C-1").ok());
  ASSERT_TRUE(fr_->Queue("PL-PIP", "C-2").ok());
  ASSERT_TRUE(Eventually([&] { return Drained(); }));
  pl_->Restore();
  ASSERT_TRUE(pl_->AddPeer(fr_->Card()).ok());
  ASSERT_TRUE(fr_->Queue("PL-PIP", "C-3").ok());
  ASSERT_TRUE(
      Eventually([&] { return !fr_->Health("PL-PIP").problem().empty(); }));
  EXPECT_THAT(fr_->Health("PL-PIP").problem(),
              HasSubstr("pwx peer skip PL-PIP --to 1"));
  absl::Status s = fr_->Resend("PL-PIP", 1).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition) << s;
  EXPECT_THAT(std::string(s.message()), HasSubstr("no longer kept"));
  absl::StatusOr<pwx::v1::LinkRepairResponse> skipped = fr_->Skip("PL-PIP", 1);
  ASSERT_TRUE(skipped.ok()) << skipped.status();
  EXPECT_EQ(skipped->envelopes(), 1u);
  ASSERT_TRUE(Eventually([&] { return pl_->Applied("C-3") == 1; }));
  EXPECT_EQ(pl_->Applied("C-1"), 0u);
  EXPECT_EQ(pl_->Count("envelope.gap"), 1);
  EXPECT_EQ(fr_->Count("peer.skip"), 1);
  ASSERT_TRUE(Eventually([&] { return Drained(); }));
  EXPECT_EQ(fr_->Health("PL-PIP").problem(), "");
}

TEST_F(LinkTest, ASenderRestoredFromABackupSkipsPastWhatThePeerHas) {
  for (int i = 1; i <= 3; ++i) {
    ASSERT_TRUE(fr_->Queue("PL-PIP", "C-" + std::to_string(i)).ok());
  }
  ASSERT_TRUE(Eventually([&] { return Drained(); }));
  fr_->Restore();
  ASSERT_TRUE(fr_->AddPeer(pl_->Card()).ok());
  ASSERT_TRUE(fr_->Queue("PL-PIP", "C-new").ok());
  ASSERT_TRUE(
      Eventually([&] { return !fr_->Health("PL-PIP").problem().empty(); }));
  pwx::v1::PeerHealth h = fr_->Health("PL-PIP");
  EXPECT_EQ(h.peer_expects(), 4u);
  EXPECT_THAT(h.problem(), HasSubstr("pwx peer skip PL-PIP --to 4"));
  EXPECT_EQ(pl_->Applied("C-new"), 0u);
  ASSERT_TRUE(fr_->Skip("PL-PIP", 4).ok());
  ASSERT_TRUE(Eventually([&] { return pl_->Applied("C-new") == 1; }));
  EXPECT_EQ(pl_->LastApplied("FR-DGT"), 4u);
  // The receiver records the sender's declaration too.
  EXPECT_EQ(pl_->Count("envelope.gap"), 1);
  ASSERT_TRUE(Eventually([&] { return Drained(); }));
  EXPECT_EQ(fr_->Health("PL-PIP").problem(), "");
}

TEST_F(LinkTest, SkipWithNothingQueuedNumbersTheNextEnvelope) {
  EXPECT_EQ(fr_->Skip("PL-PIP", 0).status().code(),
            absl::StatusCode::kInvalidArgument);
  absl::StatusOr<pwx::v1::LinkRepairResponse> skipped = fr_->Skip("PL-PIP", 7);
  ASSERT_TRUE(skipped.ok()) << skipped.status();
  EXPECT_EQ(skipped->envelopes(), 0u);
  EXPECT_EQ(skipped->next_sequence(), 7u);
  ASSERT_TRUE(fr_->Queue("PL-PIP", "C-7").ok());
  ASSERT_TRUE(Eventually([&] { return pl_->Applied("C-7") == 1; }));
  EXPECT_EQ(pl_->LastApplied("FR-DGT"), 7u);
  EXPECT_EQ(pl_->CountSum("envelope.gap"), 6u);
}

class BoundedQueueTest : public LinkTest {
 protected:
  BoundedQueueTest() {
    fr_options_.max_queued_per_peer = 2;
    fr_ = std::make_unique<MemoryNode>("FR-DGT", &nodes_, fr_options_);
  }
};

TEST_F(BoundedQueueTest,
       SharesForAPeerThatReceiptsNothingAreRefusedPastTheCap) {
  pl_->set_down(true);
  ASSERT_TRUE(fr_->Queue("PL-PIP", "C-1").ok());
  ASSERT_TRUE(fr_->Queue("PL-PIP", "C-2").ok());
  ASSERT_TRUE(
      Eventually([&] { return fr_->Health("PL-PIP").last_sequence() == 2; }));
  absl::Status s = fr_->Queue("PL-PIP", "C-3");
  EXPECT_EQ(s.code(), absl::StatusCode::kResourceExhausted) << s;
  EXPECT_THAT(std::string(s.message()),
              HasSubstr("federation.max_queued_per_peer"));
  pl_->set_down(false);
  ASSERT_TRUE(Eventually([&] { return Drained(); }));
  EXPECT_TRUE(fr_->Queue("PL-PIP", "C-3").ok());
  ASSERT_TRUE(Eventually([&] { return pl_->Applied("C-3") == 1; }));
}

class HangingPeerTest : public LinkTest {
 protected:
  HangingPeerTest() {
    fr_options_.call_timeout = absl::Milliseconds(300);
    fr_ = std::make_unique<MemoryNode>("FR-DGT", &nodes_, fr_options_);
  }
};

TEST_F(HangingPeerTest, APeerThatNeverAnswersShowsAnErrorAfterTheDeadline) {
  pl_->set_hang(true);
  ASSERT_TRUE(fr_->Queue("PL-PIP", "C-1").ok());
  ASSERT_TRUE(
      Eventually([&] { return fr_->Health("PL-PIP").has_in_flight(); }));
  ASSERT_TRUE(Eventually([&] {
    return absl::StrContains(fr_->Health("PL-PIP").last_error(),
                             "did not answer within");
  }));
  pl_->set_hang(false);
  ASSERT_TRUE(Eventually([&] { return Drained(); }));
  EXPECT_EQ(pl_->Applied("C-1"), 1u);
}

}  // namespace
}  // namespace pwx::server
