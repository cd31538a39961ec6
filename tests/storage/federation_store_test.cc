// The federation layout against both stores: the transactional outbox,
// stamping, receipts, the inbox's dedup and ordering records, the registry.
#include "storage/federation_store.h"

#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storage/key_codec.h"
#include "tests/storage/storage_test_util.h"

namespace pwx::storage {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

pwx::v1::OutboxItem Item(const std::string& case_id, int64_t queued_s) {
  pwx::v1::OutboxItem item;
  item.mutable_event()->mutable_case_shared()->mutable_case_()->set_id(case_id);
  item.mutable_queued()->set_seconds(queued_s);
  item.set_queued_by("alice");
  return item;
}

std::vector<std::string> CaseIds(const std::vector<OutboxEntry>& entries) {
  std::vector<std::string> ids;
  for (const OutboxEntry& e : entries) {
    ids.push_back(e.item.event().case_shared().case_().id());
  }
  return ids;
}

template <typename Factory>
class FederationStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { Reopen(); }
  void Reopen() {
    fed_.reset();
    kv_.reset();
    kv_ = factory_.Open();
    ASSERT_NE(kv_, nullptr);
    absl::StatusOr<std::unique_ptr<FederationStore>> fed =
        FederationStore::Open(kv_.get());
    ASSERT_OK(fed);
    fed_ = *std::move(fed);
  }
  absl::Status Enqueue(const std::string& peer, const pwx::v1::OutboxItem& item,
                       bool refuse = false) {
    WriteBatch batch;
    if (refuse) batch.Require(Column::kCases, "c", std::string("absent"));
    batch.Put(Column::kCases, "change",
              item.event().case_shared().case_().id());
    fed_->Enqueue(peer, item, &batch);
    return kv_->Write(std::move(batch));
  }
  // Stamps the oldest pending item of `peer` with the next sequence.
  absl::Status StampNext(const std::string& peer) {
    absl::StatusOr<std::vector<OutboxEntry>> pending = fed_->Pending(peer, 1);
    if (!pending.ok()) return pending.status();
    if (pending->empty()) return absl::NotFoundError("nothing pending");
    absl::StatusOr<LinkRecord> link = fed_->Link(peer);
    if (!link.ok()) return link.status();
    OutboxEntry stamped = pending->front();
    stamped.item.set_sequence(link->link.last_stamped() + 1);
    pwx::v1::OutboxLink next = link->link;
    next.set_last_stamped(stamped.item.sequence());
    WriteBatch batch;
    fed_->Stamp(peer, {stamped}, *link, next, &batch);
    return kv_->Write(std::move(batch));
  }
  // Receipts `peer`'s envelopes through `last` in one batch.
  absl::Status AckThrough(const std::string& peer, uint64_t first,
                          uint64_t last) {
    pwx::v1::DeliverResponse receipts;
    for (uint64_t seq = first; seq <= last; ++seq) {
      receipts.add_receipts()->set_sequence(seq);
    }
    absl::StatusOr<LinkRecord> link = fed_->Link(peer);
    if (!link.ok()) return link.status();
    WriteBatch batch;
    fed_->Ack(peer, *link, last, receipts, absl::Now(), &batch);
    return kv_->Write(std::move(batch));
  }

  Factory factory_;
  std::unique_ptr<KvStore> kv_;
  std::unique_ptr<FederationStore> fed_;
};

using Factories = ::testing::Types<MemoryStoreFactory, RocksStoreFactory>;
TYPED_TEST_SUITE(FederationStoreTest, Factories, StoreName);

TYPED_TEST(FederationStoreTest, ItemsQueueWithTheirChangeOrNotAtAll) {
  ASSERT_OK(this->Enqueue("PL-PIP", Item("C-1", 10)));
  EXPECT_EQ(this->Enqueue("PL-PIP", Item("C-2", 11), /*refuse=*/true).code(),
            absl::StatusCode::kAborted);
  ASSERT_OK(this->Enqueue("PL-PIP", Item("C-3", 12)));
  ASSERT_OK(this->Enqueue("DE-ZOLL", Item("C-4", 13)));
  EXPECT_THAT(CaseIds(*this->fed_->Pending("PL-PIP", 10)),
              ElementsAre("C-1", "C-3"));
  EXPECT_THAT(CaseIds(*this->fed_->Pending("DE-ZOLL", 10)), ElementsAre("C-4"));
  EXPECT_THAT(CaseIds(*this->fed_->Pending("PL-PIP", 1)), ElementsAre("C-1"));
}

TYPED_TEST(FederationStoreTest, StampingGivesConsecutiveSequencesOnce) {
  for (const char* id : {"C-1", "C-2", "C-3"}) {
    ASSERT_OK(this->Enqueue("PL-PIP", Item(id, 10)));
  }
  ASSERT_OK(this->StampNext("PL-PIP"));
  ASSERT_OK(this->StampNext("PL-PIP"));
  EXPECT_EQ(*this->fed_->LastStamped("PL-PIP"), 2u);
  std::vector<OutboxEntry> queued = *this->fed_->Queued("PL-PIP", 1, 10);
  ASSERT_EQ(queued.size(), 2u);
  EXPECT_EQ(queued[0].key, 1u);
  EXPECT_EQ(queued[1].key, 2u);
  EXPECT_THAT(CaseIds(queued), ElementsAre("C-1", "C-2"));
  EXPECT_THAT(CaseIds(*this->fed_->Pending("PL-PIP", 10)), ElementsAre("C-3"));
  // A stamp that read a stale counter is refused: no sequence twice.
  OutboxEntry stale = this->fed_->Pending("PL-PIP", 1)->front();
  stale.item.set_sequence(2);
  LinkRecord old;
  old.link.set_last_stamped(1);
  old.bytes = old.link.SerializeAsString();
  pwx::v1::OutboxLink next = old.link;
  next.set_last_stamped(2);
  WriteBatch batch;
  this->fed_->Stamp("PL-PIP", {stale}, old, next, &batch);
  EXPECT_EQ(this->kv_->Write(std::move(batch)).code(),
            absl::StatusCode::kAborted);
  EXPECT_THAT(CaseIds(*this->fed_->Queued("PL-PIP", 2, 10)),
              ElementsAre("C-2"));
}

TYPED_TEST(FederationStoreTest, OneStampNumbersSeveralItems) {
  for (const char* id : {"C-1", "C-2", "C-3"}) {
    ASSERT_OK(this->Enqueue("PL-PIP", Item(id, 10)));
  }
  std::vector<OutboxEntry> pending = *this->fed_->Pending("PL-PIP", 2);
  pending[0].item.set_sequence(1);
  pending[1].item.set_sequence(2);
  pwx::v1::OutboxLink next;
  next.set_last_stamped(2);
  WriteBatch batch;
  this->fed_->Stamp("PL-PIP", pending, *this->fed_->Link("PL-PIP"), next,
                    &batch);
  ASSERT_OK(this->kv_->Write(std::move(batch)));
  EXPECT_EQ(*this->fed_->LastStamped("PL-PIP"), 2u);
  EXPECT_THAT(CaseIds(*this->fed_->Queued("PL-PIP", 0, 10)),
              ElementsAre("C-1", "C-2"));
  EXPECT_THAT(CaseIds(*this->fed_->Pending("PL-PIP", 10)), ElementsAre("C-3"));
}

TYPED_TEST(FederationStoreTest, AckKeepsTheReceiptsAndStatsFollow) {
  for (int i = 0; i < 3; ++i) {
    ASSERT_OK(this->Enqueue("PL-PIP", Item("C-" + std::to_string(i), 100 + i)));
  }
  ASSERT_OK(this->StampNext("PL-PIP"));
  ASSERT_OK(this->StampNext("PL-PIP"));
  OutboxStats stats = *this->fed_->Stats("PL-PIP");
  EXPECT_EQ(stats.pending, 1u);
  EXPECT_EQ(stats.queued, 2u);
  EXPECT_EQ(stats.oldest, absl::FromUnixSeconds(100));
  ASSERT_OK(this->AckThrough("PL-PIP", 1, 2));
  EXPECT_EQ(this->fed_->Link("PL-PIP")->link.acked(), 2u);
  // Delivered envelopes stay (for a resend) until pruned.
  EXPECT_THAT(CaseIds(*this->fed_->Queued("PL-PIP", 1, 10)),
              ElementsAre("C-0", "C-1"));
  std::vector<pwx::v1::DeliverResponse> kept =
      *this->fed_->Receipts("PL-PIP", 0, 10);
  ASSERT_EQ(kept.size(), 1u);
  EXPECT_EQ(kept[0].receipts_size(), 2);
  stats = *this->fed_->Stats("PL-PIP");
  EXPECT_EQ(stats.queued, 0u);
  EXPECT_EQ(stats.oldest, absl::FromUnixSeconds(102));
}

// Receipt batches of `peer` by first sequence, e.g. {1, 3, 4}.
template <typename Store>
std::vector<uint64_t> FirstSequences(const Store& fed, const std::string& peer,
                                     uint64_t from, size_t limit) {
  absl::StatusOr<std::vector<pwx::v1::DeliverResponse>> batches =
      fed.Receipts(peer, from, limit);
  EXPECT_TRUE(batches.ok()) << batches.status();
  std::vector<uint64_t> firsts;
  if (!batches.ok()) return firsts;
  for (const pwx::v1::DeliverResponse& batch : *batches) {
    firsts.push_back(batch.receipts(0).sequence());
  }
  return firsts;
}

TYPED_TEST(FederationStoreTest, ReceiptsPageBySequenceAndOutliveThePeer) {
  // Batches [1, 2], [3], [4, 6] for PL-PIP, one for PL-PIPX (a peer whose
  // id extends PL-PIP's must not show up among PL-PIP's).
  const std::vector<std::tuple<std::string, uint64_t, uint64_t>> acks = {
      {"PL-PIP", 1, 2}, {"PL-PIP", 3, 3}, {"PL-PIP", 4, 6}, {"PL-PIPX", 1, 1}};
  for (const auto& [peer, first, last] : acks) {
    ASSERT_OK(this->AckThrough(peer, first, last));
  }
  EXPECT_THAT(FirstSequences(*this->fed_, "PL-PIP", 0, 10),
              ElementsAre(1, 3, 4));
  EXPECT_THAT(FirstSequences(*this->fed_, "PL-PIP", 0, 2), ElementsAre(1, 3));
  EXPECT_THAT(FirstSequences(*this->fed_, "PL-PIP", 3, 10), ElementsAre(3, 4));
  EXPECT_THAT(FirstSequences(*this->fed_, "PL-PIP", 4, 10), ElementsAre(4));
  EXPECT_THAT(FirstSequences(*this->fed_, "PL-PIP", 7, 10), IsEmpty());
  EXPECT_THAT(FirstSequences(*this->fed_, "PL-PIPX", 0, 10), ElementsAre(1));

  // The peer's certificate, recorded with it, and its receipts stay when it
  // is removed: they are evidence.
  pwx::v1::Peer peer;
  peer.mutable_card()->set_authority_id("PL-PIP");
  WriteBatch add;
  this->fed_->PutPeer(peer, std::nullopt, &add);
  this->fed_->PutPeerCertificate("ab12", "PEM", &add);
  ASSERT_OK(this->kv_->Write(std::move(add)));
  WriteBatch drop;
  ASSERT_OK(
      this->fed_->DropPeer("PL-PIP", **this->fed_->PeerBytes("PL-PIP"), &drop));
  ASSERT_OK(this->kv_->Write(std::move(drop)));
  EXPECT_THAT(FirstSequences(*this->fed_, "PL-PIP", 0, 10),
              ElementsAre(1, 3, 4));
  EXPECT_EQ(*this->fed_->PeerCertificate("ab12"), "PEM");
  EXPECT_EQ(*this->fed_->PeerCertificate("cd34"), std::nullopt);
}

TYPED_TEST(FederationStoreTest, InboxAppliesEachSequenceOnce) {
  EXPECT_EQ(*this->fed_->LastApplied("FR-DGT"), 0u);
  WriteBatch first;
  this->fed_->PutLastApplied("FR-DGT", 0, 2, &first);
  pwx::v1::Receipt receipt;
  receipt.set_message_id("FR-DGT/PL-PIP/1");
  receipt.set_sequence(1);
  this->fed_->PutReceived(receipt, &first);
  // A concurrent delivery that read the same last sequence.
  WriteBatch second;
  this->fed_->PutLastApplied("FR-DGT", 0, 1, &second);
  ASSERT_OK(this->kv_->Write(std::move(first)));
  EXPECT_EQ(this->kv_->Write(std::move(second)).code(),
            absl::StatusCode::kAborted);
  EXPECT_EQ(*this->fed_->LastApplied("FR-DGT"), 2u);
  std::optional<pwx::v1::Receipt> found =
      *this->fed_->Received("FR-DGT/PL-PIP/1");
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->sequence(), 1u);
  EXPECT_EQ(*this->fed_->Received("FR-DGT/PL-PIP/2"), std::nullopt);
}

TYPED_TEST(FederationStoreTest, RegistryAddsListsAndDropsWithTheOutbox) {
  pwx::v1::Peer peer;
  peer.mutable_card()->set_authority_id("PL-PIP");
  peer.set_state(pwx::v1::Peer::ACTIVE);
  WriteBatch add;
  this->fed_->PutPeer(peer, std::nullopt, &add);
  ASSERT_OK(this->kv_->Write(std::move(add)));
  WriteBatch again;
  this->fed_->PutPeer(peer, std::nullopt, &again);
  EXPECT_EQ(this->kv_->Write(std::move(again)).code(),
            absl::StatusCode::kAborted);
  ASSERT_EQ(this->fed_->Peers()->size(), 1u);
  ASSERT_OK(this->Enqueue("PL-PIP", Item("C-1", 10)));
  ASSERT_OK(this->Enqueue("PL-PIP", Item("C-2", 10)));
  ASSERT_OK(this->StampNext("PL-PIP"));
  const std::string stored = **this->fed_->PeerBytes("PL-PIP");
  WriteBatch drop;
  EXPECT_EQ(*this->fed_->DropPeer("PL-PIP", stored, &drop), 2u);
  ASSERT_OK(this->kv_->Write(std::move(drop)));
  EXPECT_THAT(*this->fed_->Peers(), IsEmpty());
  EXPECT_THAT(*this->fed_->Pending("PL-PIP", 10), IsEmpty());
  EXPECT_THAT(*this->fed_->Queued("PL-PIP", 0, 10), IsEmpty());
  // The link stays: sequence 1 is never used again, and the next envelope
  // declares that it follows 0 (sequence 1 withdrawn).
  LinkRecord link = *this->fed_->Link("PL-PIP");
  EXPECT_EQ(link.link.last_stamped(), 1u);
  EXPECT_EQ(link.link.acked(), 1u);  // settled: withdrawn
  ASSERT_TRUE(link.link.has_next_follows());
  EXPECT_EQ(link.link.next_follows(), 0u);
}

TYPED_TEST(FederationStoreTest, ReceiptBatchesForTheSameSequenceAreAllKept) {
  // A resend after the peer was restored receipts sequence 1 again: both
  // batches are evidence, neither overwrites the other.
  ASSERT_OK(this->Enqueue("PL-PIP", Item("C-1", 10)));
  ASSERT_OK(this->StampNext("PL-PIP"));
  ASSERT_OK(this->AckThrough("PL-PIP", 1, 1));
  absl::SleepFor(absl::Milliseconds(1));
  ASSERT_OK(this->AckThrough("PL-PIP", 1, 1));
  EXPECT_THAT(FirstSequences(*this->fed_, "PL-PIP", 0, 10), ElementsAre(1, 1));
}

TYPED_TEST(FederationStoreTest, DeliveredEnvelopesArePrunedOldestFirst) {
  ASSERT_OK(this->Enqueue("PL-PIP", Item("C-1", 10)));
  ASSERT_OK(this->Enqueue("PL-PIP", Item("C-2", 20)));
  ASSERT_OK(this->Enqueue("PL-PIP", Item("C-3", 30)));
  for (int i = 0; i < 3; ++i) ASSERT_OK(this->StampNext("PL-PIP"));
  ASSERT_OK(this->AckThrough("PL-PIP", 1, 2));
  // Cut-off after all three: only the delivered ones (1, 2) go.
  WriteBatch batch;
  EXPECT_EQ(*this->fed_->PruneDelivered("PL-PIP", 2, absl::FromUnixSeconds(40),
                                        10, &batch),
            2u);
  ASSERT_OK(this->kv_->Write(std::move(batch)));
  EXPECT_THAT(CaseIds(*this->fed_->Queued("PL-PIP", 0, 10)),
              ElementsAre("C-3"));
  // Nothing older than the cut-off is left.
  WriteBatch none;
  EXPECT_EQ(*this->fed_->PruneDelivered("PL-PIP", 3, absl::FromUnixSeconds(25),
                                        10, &none),
            0u);
}

// Pending scans start past what was stamped, but never past an item whose
// batch commits after a later one: keys are handed out before commit, and
// concurrent writers commit in any order.
TYPED_TEST(FederationStoreTest, AnItemCommittedAfterALaterOneIsStillSent) {
  WriteBatch early;
  this->fed_->Enqueue("PL-PIP", Item("C-early", 10), &early);
  ASSERT_OK(this->Enqueue("PL-PIP", Item("C-1", 11)));
  ASSERT_OK(this->StampNext("PL-PIP"));
  ASSERT_OK(this->Enqueue("PL-PIP", Item("C-2", 12)));
  EXPECT_THAT(CaseIds(*this->fed_->Pending("PL-PIP", 10)), ElementsAre("C-2"));
  ASSERT_OK(this->kv_->Write(std::move(early)));
  EXPECT_THAT(CaseIds(*this->fed_->Pending("PL-PIP", 10)),
              ElementsAre("C-early", "C-2"));

  // A batch dropped unwritten holds nothing back, and loses nothing.
  {
    WriteBatch dropped;
    this->fed_->Enqueue("PL-PIP", Item("C-dropped", 13), &dropped);
  }
  for (int i = 0; i < 2; ++i) ASSERT_OK(this->StampNext("PL-PIP"));
  ASSERT_OK(this->Enqueue("PL-PIP", Item("C-3", 14)));
  EXPECT_THAT(CaseIds(*this->fed_->Pending("PL-PIP", 10)), ElementsAre("C-3"));
  EXPECT_THAT(CaseIds(*this->fed_->Queued("PL-PIP", 0, 10)),
              ElementsAre("C-1", "C-early", "C-2"));
}

// Many items stamped and pruned one after the other: each step still sees
// exactly what is left, from where the last one stopped.
TYPED_TEST(FederationStoreTest, StampingAndPruningKeepUpOverManyItems) {
  uint64_t stamped = 0;
  for (int i = 0; i < 200; ++i) {
    ASSERT_OK(this->Enqueue("PL-PIP", Item("C-" + std::to_string(i), i)));
    if (i % 3 == 0) continue;
    while (this->StampNext("PL-PIP").ok()) ++stamped;
    ASSERT_OK(this->AckThrough("PL-PIP", stamped, stamped));
    WriteBatch batch;
    absl::StatusOr<uint64_t> pruned = this->fed_->PruneDelivered(
        "PL-PIP", stamped, absl::FromUnixSeconds(i - 5), 10, &batch);
    ASSERT_OK(pruned);
    ASSERT_OK(this->kv_->Write(std::move(batch)));
    EXPECT_THAT(*this->fed_->Pending("PL-PIP", 10), IsEmpty());
  }
  EXPECT_EQ(stamped, 200u);
  // Pruned up to the cut-off of the last round, and not one more.
  std::vector<OutboxEntry> kept = *this->fed_->Queued("PL-PIP", 0, 300);
  ASSERT_FALSE(kept.empty());
  EXPECT_EQ(kept.back().item.sequence(), 200u);
  EXPECT_EQ(kept.size(), 200u - kept.front().item.sequence() + 1);
  EXPECT_GE(kept.front().item.queued().seconds(), 199 - 5 - 10);
  EXPECT_LE(kept.front().item.queued().seconds(), 199 - 5);
}

TYPED_TEST(FederationStoreTest, ALinkStoredAsACounterIsReadAndReplaced) {
  // Before OutboxLink, the link was meta/outbox_seq alone; items still
  // queued were the unreceipted ones.
  ASSERT_OK(this->Enqueue("PL-PIP", Item("C-1", 10)));
  ASSERT_OK(this->Enqueue("PL-PIP", Item("C-2", 10)));
  ASSERT_OK(this->StampNext("PL-PIP"));
  ASSERT_OK(this->StampNext("PL-PIP"));
  const std::string link_key =
      KeyBuilder().String("link").String("PL-PIP").Build();
  WriteBatch legacy;
  legacy.Delete(Column::kMeta, link_key);
  legacy.Put(Column::kMeta,
             KeyBuilder().String("outbox_seq").String("PL-PIP").Build(),
             KeyBuilder().Uint64(2).Build());
  legacy.Delete(
      Column::kOutbox,
      KeyBuilder().String("queued").String("PL-PIP").Uint64(1).Build());
  ASSERT_OK(this->kv_->Write(std::move(legacy)));
  LinkRecord link = *this->fed_->Link("PL-PIP");
  EXPECT_TRUE(link.legacy);
  EXPECT_EQ(link.link.last_stamped(), 2u);
  EXPECT_EQ(link.link.acked(), 1u);
  ASSERT_OK(this->AckThrough("PL-PIP", 2, 2));
  link = *this->fed_->Link("PL-PIP");
  EXPECT_FALSE(link.legacy);
  EXPECT_EQ(link.link.last_stamped(), 2u);
  EXPECT_EQ(link.link.acked(), 2u);
}

class RocksFederationStoreTest : public FederationStoreTest<RocksStoreFactory> {
};

TEST_F(RocksFederationStoreTest, PendingKeysContinueAfterAReopen) {
  ASSERT_OK(Enqueue("PL-PIP", Item("C-1", 10)));
  ASSERT_OK(Enqueue("PL-PIP", Item("C-2", 10)));
  Reopen();
  ASSERT_OK(Enqueue("PL-PIP", Item("C-3", 10)));
  EXPECT_THAT(CaseIds(*fed_->Pending("PL-PIP", 10)),
              ElementsAre("C-1", "C-2", "C-3"));
}

}  // namespace
}  // namespace pwx::storage
