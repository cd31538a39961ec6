// The contents of another party's request attachments, as RequestStore
// keeps them on both stores: chunks read through a pending batch, the
// record that a content arrived whole, and the removal of chunks that did
// not match; and the promises of contents to send a peer, moved on once
// each as their chunks are queued.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storage/case_store.h"
#include "storage/request_store.h"
#include "tests/storage/storage_test_util.h"

namespace pwx::storage {
namespace {

constexpr char kId[] = "FR-DGT-R-2026-000001";
const std::string kSha(64, 'a');

template <typename Factory>
class RequestAttachmentStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    kv_ = factory_.Open();
    ASSERT_NE(kv_, nullptr);
  }

  Factory factory_;
  std::unique_ptr<KvStore> kv_;
};

using Stores = ::testing::Types<MemoryStoreFactory, RocksStoreFactory>;
TYPED_TEST_SUITE(RequestAttachmentStoreTest, Stores, StoreName);

TYPED_TEST(RequestAttachmentStoreTest,
           ReceivedChunksAreReadThroughThePendingBatch) {
  RequestStore store(this->kv_.get(), "PL-PIP");
  WriteBatch batch;
  store.PutReceivedChunk(kId, kSha, 0, "first", &batch);
  // Not stored yet, but the batch has it.
  absl::StatusOr<std::optional<std::string>> chunk =
      store.ReceivedChunk(kId, kSha, 0);
  ASSERT_OK(chunk);
  EXPECT_FALSE(chunk->has_value());
  chunk = store.ReceivedChunk(kId, kSha, 0, &batch);
  ASSERT_OK(chunk);
  EXPECT_EQ(chunk->value_or(""), "first");
  store.PutReceivedSize(kId, kSha, 5, &batch);
  absl::StatusOr<std::optional<uint64_t>> size =
      store.ReceivedSize(kId, kSha, &batch);
  ASSERT_OK(size);
  EXPECT_EQ(size->value_or(0), 5u);
  ASSERT_OK(this->kv_->Write(std::move(batch)));

  size = store.ReceivedSize(kId, kSha);
  ASSERT_OK(size);
  EXPECT_EQ(size->value_or(0), 5u);
  // Kept per request, apart from this node's own blobs.
  size = store.ReceivedSize("FR-DGT-R-2026-000002", kSha);
  ASSERT_OK(size);
  EXPECT_FALSE(size->has_value());
  absl::StatusOr<std::optional<uint64_t>> blob =
      CaseStore(this->kv_.get()).BlobSize(kSha);
  ASSERT_OK(blob);
  EXPECT_FALSE(blob->has_value());
}

TYPED_TEST(RequestAttachmentStoreTest, DeletedChunksAreGone) {
  RequestStore store(this->kv_.get(), "PL-PIP");
  WriteBatch batch;
  store.PutReceivedChunk(kId, kSha, 0, "a", &batch);
  store.PutReceivedChunk(kId, kSha, 1, "b", &batch);
  ASSERT_OK(this->kv_->Write(std::move(batch)));
  WriteBatch removal;
  store.DeleteReceivedChunks(kId, kSha, 2, &removal);
  absl::StatusOr<std::optional<std::string>> chunk =
      store.ReceivedChunk(kId, kSha, 1, &removal);
  ASSERT_OK(chunk);
  EXPECT_FALSE(chunk->has_value());
  ASSERT_OK(this->kv_->Write(std::move(removal)));
  for (uint64_t i = 0; i < 2; ++i) {
    chunk = store.ReceivedChunk(kId, kSha, i);
    ASSERT_OK(chunk);
    EXPECT_FALSE(chunk->has_value()) << i;
  }
}

TYPED_TEST(RequestAttachmentStoreTest, PromisesMoveOnOnceAndEnd) {
  RequestStore store(this->kv_.get(), "FR-DGT");
  WriteBatch batch;
  OutgoingContent promise;
  promise.peer = "PL-PIP";
  promise.id = kId;
  promise.sha256 = kSha;
  promise.user = "anne";
  store.PutOutgoing(promise, &batch);
  promise.peer = "DE-FKS";
  store.PutOutgoing(promise, &batch);
  ASSERT_OK(this->kv_->Write(std::move(batch)));

  absl::StatusOr<std::vector<OutgoingContent>> held = store.Outgoing(10);
  ASSERT_OK(held);
  ASSERT_EQ(held->size(), 2u);
  EXPECT_EQ((*held)[0].peer, "DE-FKS");  // by peer
  const OutgoingContent pl = (*held)[1];
  EXPECT_EQ(pl.peer, "PL-PIP");
  EXPECT_EQ(pl.id, kId);
  EXPECT_EQ(pl.sha256, kSha);
  EXPECT_EQ(pl.next, 0u);
  EXPECT_EQ(pl.user, "anne");
  held = store.Outgoing(1);
  ASSERT_OK(held);
  EXPECT_EQ(held->size(), 1u);

  WriteBatch advance;
  store.AdvanceOutgoing(pl, 4, false, &advance);
  ASSERT_OK(this->kv_->Write(std::move(advance)));
  // A second move from what was read before is refused: no chunk is
  // queued twice.
  WriteBatch again;
  store.AdvanceOutgoing(pl, 4, false, &again);
  EXPECT_EQ(this->kv_->Write(std::move(again)).code(),
            absl::StatusCode::kAborted);
  held = store.Outgoing(10);
  ASSERT_OK(held);
  ASSERT_EQ(held->size(), 2u);
  EXPECT_EQ((*held)[1].next, 4u);

  WriteBatch end;
  store.AdvanceOutgoing((*held)[1], 8, true, &end);
  ASSERT_OK(this->kv_->Write(std::move(end)));
  held = store.Outgoing(10);
  ASSERT_OK(held);
  ASSERT_EQ(held->size(), 1u);
  EXPECT_EQ((*held)[0].peer, "DE-FKS");

  // Rounds skip the ended promises, and still find every one added later,
  // wherever it sorts.
  WriteBatch last;
  store.AdvanceOutgoing((*held)[0], 8, true, &last);
  ASSERT_OK(this->kv_->Write(std::move(last)));
  held = store.Outgoing(10);
  ASSERT_OK(held);
  EXPECT_TRUE(held->empty());
  WriteBatch more;
  promise.peer = "AT-AUVA";
  store.PutOutgoing(promise, &more);
  promise.peer = "SK-NIP";
  store.PutOutgoing(promise, &more);
  ASSERT_OK(this->kv_->Write(std::move(more)));
  held = store.Outgoing(10);
  ASSERT_OK(held);
  ASSERT_EQ(held->size(), 2u);
  EXPECT_EQ((*held)[0].peer, "AT-AUVA");
  EXPECT_EQ((*held)[1].peer, "SK-NIP");
}

}  // namespace
}  // namespace pwx::storage
