// The life of a link between two real nodes (gRPC, mTLS, RocksDB) over the
// years: a peer removed and added again, its card replaced (new endpoint;
// new CA and signing key), suspended and resumed, and either node restored
// from a backup. Each scenario ends with a share delivered exactly once.
#include <grpcpp/grpcpp.h>

#include <string>

#include "absl/strings/match.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/server/federation_node.h"

namespace pwx::server {
namespace {

using ::testing::HasSubstr;

class LifecycleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fr_.Start();
    pl_.Start();
    ASSERT_TRUE(fr_.AddPeer(pl_.Card()).ok());
    ASSERT_TRUE(pl_.AddPeer(fr_.Card()).ok());
  }

  // Shares a new case from FR-DGT and waits until PL-PIP holds it; returns
  // its id.
  std::string ShareOne(const std::string& name) {
    Case created = fr_.CreateCase(name);
    EXPECT_TRUE(fr_.Share(created.id(), "PL-PIP").ok());
    Case copy;
    EXPECT_TRUE(Eventually([&] {
      return pl_.GetCase(created.id(), &copy).ok();
    })) << created.id();
    return created.id();
  }
  bool Drained() {
    pwx::v1::PeerHealth h = fr_.Health("PL-PIP");
    return h.queued() == 0 && h.last_error().empty();
  }
  // Each envelope PL-PIP received, once: as many receive entries as the
  // link's last sequence, less what was declared withdrawn.
  int Received() { return Count(pl_.AuditActions(), "envelope.receive"); }

  TestNode fr_{"FR-DGT"};
  TestNode pl_{"PL-PIP"};
};

TEST_F(LifecycleTest, APeerRemovedAndAddedAgainWithTheSameCardGoesOn) {
  ShareOne("Budimex");
  ASSERT_TRUE(Eventually([&] { return Drained(); }));
  ASSERT_TRUE(fr_.RemovePeer("PL-PIP").ok());
  ASSERT_TRUE(fr_.AddPeer(pl_.Card()).ok());
  ShareOne("Mostostal");
  ASSERT_TRUE(Eventually([&] { return Drained(); }));
  pwx::v1::PeerHealth h = fr_.Health("PL-PIP");
  EXPECT_EQ(h.last_sequence(), 2u);
  EXPECT_EQ(h.acked_sequence(), 2u);
  EXPECT_EQ(pl_.Health("FR-DGT").received_sequence(), 2u);
  EXPECT_EQ(Received(), 2);
  EXPECT_EQ(Count(fr_.AuditActions(), "peer.remove"), 1);
}

TEST_F(LifecycleTest,
       ACardWithANewEndpointReplacesTheOldWithoutLosingTheQueue) {
  ShareOne("Budimex");
  pl_.Stop();
  pl_.MovePort();
  Case queued = fr_.CreateCase("Mostostal");
  ASSERT_TRUE(fr_.Share(queued.id(), "PL-PIP").ok());
  pl_.Start();
  // The old endpoint answers no more; the new card brings the new one.
  ASSERT_TRUE(fr_.UpdatePeer(pl_.Card()).ok());
  Case copy;
  ASSERT_TRUE(Eventually([&] { return pl_.GetCase(queued.id(), &copy).ok(); }));
  ASSERT_TRUE(Eventually([&] { return Drained(); }));
  EXPECT_EQ(Received(), 2);
  EXPECT_EQ(Count(fr_.AuditActions(), "peer.update"), 1);
}

TEST_F(LifecycleTest, ANewCaAndSigningKeyAreAnUpdateOfThePeer) {
  ShareOne("Budimex");
  pl_.Stop();
  pl_.RotateCa();
  pl_.Start();
  // FR-DGT still holds PL-PIP's old card: the new certificate is refused.
  Case queued = fr_.CreateCase("Mostostal");
  ASSERT_TRUE(fr_.Share(queued.id(), "PL-PIP").ok());
  ASSERT_TRUE(
      Eventually([&] { return !fr_.Health("PL-PIP").last_error().empty(); }));
  ASSERT_TRUE(fr_.UpdatePeer(pl_.Card()).ok());
  Case copy;
  ASSERT_TRUE(Eventually([&] { return pl_.GetCase(queued.id(), &copy).ok(); }));
  ASSERT_TRUE(Eventually([&] { return Drained(); }));
  EXPECT_EQ(Received(), 2);
  // The old receipts still verify: both signing certificates are kept.
  pwx::v1::ListReceiptsResponse receipts;
  ASSERT_TRUE(fr_.ListReceipts("PL-PIP", 0, 10, &receipts).ok());
  EXPECT_EQ(receipts.batches_size(), 2);
  EXPECT_EQ(receipts.certificates_size(), 2);
}

TEST_F(LifecycleTest, ASuspendedPeerGetsWhatWaitedOnceWhenResumed) {
  pwx::v1::PeerRequest request;
  request.set_authority_id("PL-PIP");
  pwx::v1::Peer peer;
  ASSERT_TRUE(fr_.Peers()->SuspendPeer(Context().get(), request, &peer).ok());
  Case waiting = fr_.CreateCase("Budimex");
  ASSERT_TRUE(fr_.Share(waiting.id(), "PL-PIP").ok());
  absl::SleepFor(absl::Milliseconds(200));
  EXPECT_EQ(fr_.Health("PL-PIP").queued(), 1u);
  ASSERT_TRUE(fr_.Peers()->ResumePeer(Context().get(), request, &peer).ok());
  Case copy;
  ASSERT_TRUE(
      Eventually([&] { return pl_.GetCase(waiting.id(), &copy).ok(); }));
  ASSERT_TRUE(Eventually([&] { return Drained(); }));
  EXPECT_EQ(Received(), 1);
}

TEST_F(LifecycleTest, AReceiverRestoredFromABackupIsResentWhatItLost) {
  pl_.Stop();
  pl_.Snapshot("backup");
  pl_.Start();
  const std::string first = ShareOne("Budimex");
  const std::string second = ShareOne("Mostostal");
  ASSERT_TRUE(Eventually([&] { return Drained(); }));
  pl_.Stop();
  pl_.RestoreSnapshot("backup");
  pl_.Start();
  Case lost;
  EXPECT_EQ(pl_.GetCase(first, &lost).error_code(),
            grpc::StatusCode::NOT_FOUND);
  Case third = fr_.CreateCase("Polimex");
  ASSERT_TRUE(fr_.Share(third.id(), "PL-PIP").ok());
  // The link says why it stopped and what repairs it.
  ASSERT_TRUE(
      Eventually([&] { return !fr_.Health("PL-PIP").problem().empty(); }));
  EXPECT_THAT(fr_.Health("PL-PIP").problem(),
              HasSubstr("pwx peer resend PL-PIP --from 1"));
  ASSERT_TRUE(fr_.Repair(/*resend=*/true, "PL-PIP", 1).ok());
  Case copy;
  for (const std::string& id : {first, second, third.id()}) {
    EXPECT_TRUE(Eventually([&] { return pl_.GetCase(id, &copy).ok(); })) << id;
  }
  ASSERT_TRUE(Eventually([&] { return Drained(); }));
  EXPECT_EQ(fr_.Health("PL-PIP").problem(), "");
  EXPECT_EQ(pl_.Health("FR-DGT").received_sequence(), 3u);
  EXPECT_EQ(Received(), 3);  // the restored log: each envelope once
  EXPECT_EQ(Count(fr_.AuditActions(), "peer.resend"), 1);
  EXPECT_EQ(Count(fr_.AuditActions(), "peer.fork"), 0);
}

TEST_F(LifecycleTest, ASenderRestoredFromABackupSkipsWhatThePeerHas) {
  // A case in the backup, shared only after the restore.
  Case again = fr_.CreateCase("Polimex");
  fr_.Stop();
  fr_.Snapshot("backup");
  fr_.Start();
  ShareOne("Budimex");
  ShareOne("Mostostal");
  ASSERT_TRUE(Eventually([&] { return Drained(); }));
  fr_.Stop();
  fr_.RestoreSnapshot("backup");
  fr_.Start();
  ASSERT_TRUE(fr_.Share(again.id(), "PL-PIP").ok());
  ASSERT_TRUE(
      Eventually([&] { return !fr_.Health("PL-PIP").problem().empty(); }));
  EXPECT_THAT(fr_.Health("PL-PIP").problem(),
              HasSubstr("pwx peer skip PL-PIP --to 3"));
  // Nothing of the refused envelope reached PL-PIP.
  Case copy;
  EXPECT_EQ(pl_.GetCase(again.id(), &copy).error_code(),
            grpc::StatusCode::NOT_FOUND);
  ASSERT_TRUE(fr_.Repair(/*resend=*/false, "PL-PIP", 3).ok());
  ASSERT_TRUE(Eventually([&] { return pl_.GetCase(again.id(), &copy).ok(); }));
  ASSERT_TRUE(Eventually([&] { return Drained(); }));
  EXPECT_EQ(pl_.Health("FR-DGT").received_sequence(), 3u);
  EXPECT_EQ(Received(), 3);
  EXPECT_EQ(Count(fr_.AuditActions(), "peer.skip"), 1);
  EXPECT_EQ(Count(pl_.AuditActions(), "envelope.gap"), 1);
  // The restored node hands out case ids again that it had used after the
  // backup: PL-PIP keeps the copy it holds and records the conflict.
  Case reissued = fr_.CreateCase("Reissued");
  ASSERT_TRUE(pl_.GetCase(reissued.id(), &copy).ok());
  const std::string held = copy.undertaking().name();
  ASSERT_TRUE(fr_.Share(reissued.id(), "PL-PIP").ok());
  ASSERT_TRUE(Eventually(
      [&] { return Count(pl_.AuditActions(), "case.copy_conflict") == 1; }));
  ASSERT_TRUE(pl_.GetCase(reissued.id(), &copy).ok());
  EXPECT_EQ(copy.undertaking().name(), held);
}

TEST_F(LifecycleTest, RepairsOfAnUnknownPeerOrAWrongSequenceAreRefused) {
  EXPECT_EQ(fr_.Repair(true, "DE-ZOLL", 1).error_code(),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(fr_.Repair(true, "PL-PIP", 5).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(fr_.Repair(false, "PL-PIP", 0).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  pwx::v1::IdentityCard stranger = pl_.Card();
  stranger.set_authority_id("DE-ZOLL");
  EXPECT_EQ(fr_.UpdatePeer(stranger).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(fr_.AddPeer(pl_.Card()).error_code(),
            grpc::StatusCode::ALREADY_EXISTS);
}

}  // namespace
}  // namespace pwx::server
