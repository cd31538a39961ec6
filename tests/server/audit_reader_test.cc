// AuditReader over the in-memory store: what auditors read, without gRPC.
#include "server/audit_reader.h"

#include <memory>
#include <string>

#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/audit_trail.h"
#include "storage/memory_store.h"
#include "tests/testing/test_pki.h"

namespace pwx::server {
namespace {

using ::testing::HasSubstr;

class AuditReaderTest : public ::testing::Test {
 protected:
  AuditReaderTest()
      : kv_(storage::NewMemoryStore()),
        fed_(*storage::FederationStore::Open(kv_.get())),
        keys_(testing::TestCa::Create("FR-DGT").IssueNode("FR-DGT")) {
    TreeHeadSignerOptions options;
    options.authority_id = "FR-DGT";
    options.certificate_pem = keys_.cert_pem;
    options.key_pem = keys_.key_pem;
    options.sign_interval = absl::Milliseconds(10);
    signer_ = *TreeHeadSigner::Open(kv_.get(), options);
    reader_ = std::make_unique<AuditReader>("FR-DGT", kv_.get(), fed_.get(),
                                            signer_.get());
  }

  // A receipt batch of PL-PIP for sequences [first, last].
  void Receipted(uint64_t first, uint64_t last) {
    pwx::v1::DeliverResponse receipts;
    for (uint64_t s = first; s <= last; ++s) {
      receipts.add_receipts()->set_sequence(s);
    }
    storage::WriteBatch batch;
    fed_->Ack("PL-PIP", *fed_->Link("PL-PIP"), last, receipts, absl::Now(),
              &batch);
    ASSERT_TRUE(kv_->Write(std::move(batch)).ok());
    absl::SleepFor(absl::Milliseconds(1));  // a key of its own
  }

  std::unique_ptr<storage::KvStore> kv_;
  std::unique_ptr<storage::FederationStore> fed_;
  testing::KeyPair keys_;
  std::unique_ptr<TreeHeadSigner> signer_;
  std::unique_ptr<AuditReader> reader_;
};

TEST_F(AuditReaderTest, BatchesOfAResendStayOnOnePageSoPagingMovesOn) {
  Receipted(1, 2);
  Receipted(1, 3);  // the peer was restored; 1..3 sent again
  Receipted(4, 4);
  pwx::v1::ListReceiptsRequest request;
  request.set_peer("PL-PIP");
  request.set_page_size(1);
  absl::StatusOr<pwx::v1::ListReceiptsResponse> page =
      reader_->Receipts(request);
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_EQ(page->batches_size(), 2);
  EXPECT_EQ(page->next_sequence(), 4u);
  request.set_from_sequence(page->next_sequence());
  page = reader_->Receipts(request);
  ASSERT_TRUE(page.ok()) << page.status();
  ASSERT_EQ(page->batches_size(), 1);
  EXPECT_EQ(page->batches(0).receipts(0).sequence(), 4u);
  EXPECT_EQ(page->next_sequence(), 0u);
}

TEST_F(AuditReaderTest, RequestsOutsideTheLogNameTheirField) {
  storage::WriteBatch read;
  read.AppendAudit(AuditEntryBytes(ToProtoTime(absl::Now()), "FR-DGT", "alice",
                                   "case.read", "FR-DGT-2026-000001", ""));
  ASSERT_TRUE(kv_->Write(std::move(read)).ok());
  pwx::v1::ListEntriesRequest entries;
  entries.set_from_index(2);
  entries.set_to_index(1);
  absl::Status s = reader_->Entries(entries).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  EXPECT_THAT(std::string(s.message()), HasSubstr("from_index"));
  pwx::v1::GetInclusionProofRequest proof;
  proof.set_tree_size(99);
  s = reader_->InclusionProof(proof).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kOutOfRange) << s;
  pwx::v1::GetAccessLogRequest access;
  s = reader_->AccessLog(access).status();
  EXPECT_THAT(std::string(s.message()), HasSubstr("case_id"));
  access.set_case_id("FR-DGT-2026-000001");
  absl::StatusOr<pwx::v1::GetAccessLogResponse> log =
      reader_->AccessLog(access);
  ASSERT_TRUE(log.ok()) << log.status();
  ASSERT_EQ(log->entries_size(), 1);
  EXPECT_EQ(log->entries(0).entry().action(), "case.read");
}

}  // namespace
}  // namespace pwx::server
