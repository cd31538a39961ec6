// CaseManager over the in-memory store: the case operations without gRPC.
#include "server/case_manager.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/time/civil_time.h"
#include "storage/memory_store.h"

namespace pwx::server {
namespace {

using pwx::v1::Case;
using ::testing::HasSubstr;

Case Draft(const std::string& name, const std::string& country = "PL") {
  Case c;
  c.set_title("Site inspection");
  c.mutable_undertaking()->set_name(name);
  c.mutable_undertaking()->set_registration_number("REG-" + name);
  c.mutable_undertaking()->set_country_of_establishment(country);
  c.set_sector_nace("41.20");
  return c;
}

class CaseManagerTest : public ::testing::Test {
 protected:
  CaseManagerTest() : kv_(storage::NewMemoryStore()) {
    CaseManagerOptions options;
    options.authority_id = "FR-DGT";
    options.max_attachment_bytes = 1000;
    options.clock = [] {
      return absl::FromCivil(absl::CivilSecond(2026, 3, 1, 9, 0, 0),
                             absl::UTCTimeZone());
    };
    cases_ = std::make_unique<CaseManager>(std::move(options), kv_.get());
  }

  // Runs an asynchronous operation and waits for its result.
  template <typename F>
  absl::StatusOr<Case> Await(F op) {
    std::promise<absl::StatusOr<Case>> promise;
    op([&promise](absl::StatusOr<Case> r) { promise.set_value(std::move(r)); });
    return promise.get_future().get();
  }

  absl::StatusOr<Case> Create(Case draft) {
    return Await(
        [&](CaseCallback done) { cases_->Create(draft, "alice", done); });
  }

  absl::StatusOr<Case> Update(const std::string& id, uint64_t version,
                              Case patch, std::vector<std::string> paths) {
    pwx::v1::UpdateCaseRequest request;
    request.set_id(id);
    request.set_expected_version(version);
    *request.mutable_case_() = std::move(patch);
    for (const std::string& p : paths)
      request.mutable_update_mask()->add_paths(p);
    return Await(
        [&](CaseCallback done) { cases_->Update(request, "bob", done); });
  }

  size_t Count() {
    absl::StatusOr<pwx::v1::ListCasesResponse> r = cases_->List({});
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? r->cases_size() : 0;
  }

  std::unique_ptr<storage::KvStore> kv_;
  std::unique_ptr<CaseManager> cases_;
};

TEST_F(CaseManagerTest, CreateAssignsIdVersionOwnerAndAuditFields) {
  absl::StatusOr<Case> c = Create(Draft("Acme"));
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->id(), "FR-DGT-2026-000001");
  EXPECT_EQ(c->version(), 1u);
  EXPECT_EQ(c->owner_authority(), "FR-DGT");
  EXPECT_EQ(c->created_by(), "alice");
  EXPECT_EQ(c->sector_nace(), "F41.20");
  EXPECT_EQ(c->status(), pwx::v1::CASE_STATUS_OPEN);
  EXPECT_EQ(Create(Draft("Beta"))->id(), "FR-DGT-2026-000002");
  absl::StatusOr<Case> read = cases_->Get("FR-DGT-2026-000001");
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->undertaking().name(), "Acme");
}

TEST_F(CaseManagerTest, CreateIgnoresServerOwnedFieldsInTheDraft) {
  Case draft = Draft("Acme");
  draft.set_id("FR-DGT-2026-123456");
  draft.set_version(77);
  draft.add_notes()->set_text("smuggled");
  absl::StatusOr<Case> c = Create(draft);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->id(), "FR-DGT-2026-000001");
  EXPECT_EQ(c->version(), 1u);
  EXPECT_EQ(c->notes_size(), 0);
}

TEST_F(CaseManagerTest, InvalidCaseIsRefusedAndNothingIsStored) {
  absl::StatusOr<Case> c = Create(Draft("Acme", "XX"));
  EXPECT_TRUE(absl::IsInvalidArgument(c.status()));
  EXPECT_THAT(c.status().message(),
              HasSubstr("case.undertaking.country_of_establishment"));
  EXPECT_EQ(Count(), 0u);
}

TEST_F(CaseManagerTest, SequenceContinuesAfterReopening) {
  ASSERT_TRUE(Create(Draft("Acme")).ok());
  ASSERT_TRUE(Create(Draft("Beta")).ok());
  CaseManagerOptions options;
  options.authority_id = "FR-DGT";
  options.clock = [] {
    return absl::FromCivil(absl::CivilSecond(2026, 5, 1, 0, 0, 0),
                           absl::UTCTimeZone());
  };
  cases_ = std::make_unique<CaseManager>(std::move(options), kv_.get());
  EXPECT_EQ(Create(Draft("Gamma"))->id(), "FR-DGT-2026-000003");
}

TEST_F(CaseManagerTest, UpdateWithCurrentVersionAppliesMaskedFields) {
  Case c = *Create(Draft("Acme"));
  Case patch;
  patch.set_status(pwx::v1::CASE_STATUS_UNDER_INVESTIGATION);
  patch.set_title("ignored: not in the mask");
  absl::StatusOr<Case> updated = Update(c.id(), 1, patch, {"status"});
  ASSERT_TRUE(updated.ok()) << updated.status();
  EXPECT_EQ(updated->version(), 2u);
  EXPECT_EQ(updated->status(), pwx::v1::CASE_STATUS_UNDER_INVESTIGATION);
  EXPECT_EQ(updated->title(), "Site inspection");
  EXPECT_EQ(updated->updated_by(), "bob");
  EXPECT_EQ(updated->created_by(), "alice");
}

TEST_F(CaseManagerTest, StaleVersionIsAbortedAndNothingChanges) {
  Case c = *Create(Draft("Acme"));
  Case patch;
  patch.set_title("first");
  ASSERT_TRUE(Update(c.id(), 1, patch, {"title"}).ok());
  patch.set_title("second");
  absl::StatusOr<Case> stale = Update(c.id(), 1, patch, {"title"});
  EXPECT_TRUE(absl::IsAborted(stale.status())) << stale.status();
  EXPECT_THAT(stale.status().message(), HasSubstr("is at version 2"));
  EXPECT_EQ(cases_->Get(c.id())->title(), "first");
}

TEST_F(CaseManagerTest, UpdateValidatesTheResult) {
  Case c = *Create(Draft("Acme"));
  Case patch;
  patch.set_sector_nace("C41.20");
  absl::StatusOr<Case> r = Update(c.id(), 1, patch, {"sector_nace"});
  EXPECT_TRUE(absl::IsInvalidArgument(r.status()));
  EXPECT_EQ(cases_->Get(c.id())->version(), 1u);
}

TEST_F(CaseManagerTest, UpdateOfMissingCaseIsNotFound) {
  absl::StatusOr<Case> r = Update("FR-DGT-2026-000099", 1, Case(), {"title"});
  EXPECT_TRUE(absl::IsNotFound(r.status())) << r.status();
}

TEST_F(CaseManagerTest, ConcurrentNotesAreAllKept) {
  Case c = *Create(Draft("Acme"));
  constexpr int kThreads = 8;
  std::vector<std::thread> threads;
  std::vector<absl::Status> results(kThreads);
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      pwx::v1::AddNoteRequest note;
      note.set_case_id(c.id());
      note.set_text("note " + std::to_string(i));
      results[i] = Await([&](CaseCallback done) {
                     cases_->AddNote(note, "alice", done);
                   }).status();
    });
  }
  for (std::thread& t : threads) t.join();
  for (const absl::Status& s : results) EXPECT_TRUE(s.ok()) << s;
  Case after = *cases_->Get(c.id());
  EXPECT_EQ(after.notes_size(), kThreads);
  EXPECT_EQ(after.version(), 1u + kThreads);
}

TEST_F(CaseManagerTest, ListFiltersAndPagesInStableOrder) {
  for (int i = 0; i < 7; ++i) {
    ASSERT_TRUE(
        Create(Draft("Firm" + std::to_string(i), i % 2 ? "RO" : "PL")).ok());
  }
  pwx::v1::ListCasesRequest request;
  request.set_country_of_establishment("PL");
  request.set_page_size(2);
  std::vector<std::string> ids;
  for (int page = 0; page < 10; ++page) {
    absl::StatusOr<pwx::v1::ListCasesResponse> r = cases_->List(request);
    ASSERT_TRUE(r.ok()) << r.status();
    for (const Case& c : r->cases()) ids.push_back(c.id());
    if (r->next_page_token().empty()) break;
    request.set_page_token(r->next_page_token());
  }
  EXPECT_THAT(
      ids, ::testing::ElementsAre("FR-DGT-2026-000001", "FR-DGT-2026-000003",
                                  "FR-DGT-2026-000005", "FR-DGT-2026-000007"));

  pwx::v1::ListCasesRequest text;
  text.set_text("firm3");
  EXPECT_EQ(cases_->List(text)->cases_size(), 1);
  pwx::v1::ListCasesRequest sector;
  sector.set_sector_nace("F");
  EXPECT_EQ(cases_->List(sector)->cases_size(), 7);
  sector.set_sector_nace("C10");
  EXPECT_EQ(cases_->List(sector)->cases_size(), 0);
}

TEST_F(CaseManagerTest, ListFollowsStatusChanges) {
  Case c = *Create(Draft("Acme"));
  Case patch;
  patch.set_status(pwx::v1::CASE_STATUS_CLOSED);
  ASSERT_TRUE(Update(c.id(), 1, patch, {"status"}).ok());
  pwx::v1::ListCasesRequest open;
  open.set_status(pwx::v1::CASE_STATUS_OPEN);
  EXPECT_EQ(cases_->List(open)->cases_size(), 0);
  pwx::v1::ListCasesRequest closed;
  closed.set_status(pwx::v1::CASE_STATUS_CLOSED);
  EXPECT_EQ(cases_->List(closed)->cases_size(), 1);
}

TEST_F(CaseManagerTest, PageTokenOfAnotherQueryIsRefused) {
  for (int i = 0; i < 3; ++i)
    ASSERT_TRUE(Create(Draft("F" + std::to_string(i))).ok());
  pwx::v1::ListCasesRequest request;
  request.set_page_size(1);
  std::string token = cases_->List(request)->next_page_token();
  ASSERT_FALSE(token.empty());
  pwx::v1::ListCasesRequest other;
  other.set_country_of_establishment("PL");
  other.set_page_token(token);
  absl::StatusOr<pwx::v1::ListCasesResponse> r = cases_->List(other);
  EXPECT_TRUE(absl::IsInvalidArgument(r.status()));
  EXPECT_THAT(r.status().message(), HasSubstr("page_token"));
  other.set_page_token("garbage!");
  EXPECT_TRUE(absl::IsInvalidArgument(cases_->List(other).status()));
}

TEST_F(CaseManagerTest, AttachmentsAreDeduplicatedAndReadBack) {
  Case c = *Create(Draft("Acme"));
  pwx::v1::AttachmentHeader header;
  header.set_case_id(c.id());
  header.set_file_name("contract.pdf");
  const std::string content(600, 'x');
  auto attach = [&] {
    return Await([&](CaseCallback done) {
      cases_->AddAttachment(header, content, "alice", done);
    });
  };
  ASSERT_TRUE(attach().ok());
  absl::StatusOr<Case> twice = attach();
  ASSERT_TRUE(twice.ok());
  ASSERT_EQ(twice->attachments_size(), 2);
  EXPECT_EQ(twice->attachments(0).sha256(), twice->attachments(1).sha256());
  const std::string sha = twice->attachments(0).sha256();
  absl::StatusOr<pwx::v1::AttachmentMeta> meta =
      cases_->FindAttachment(c.id(), sha);
  ASSERT_TRUE(meta.ok());
  EXPECT_EQ(meta->size_bytes(), 600u);
  EXPECT_EQ(*cases_->AttachmentChunk(sha, 0), content);
}

TEST_F(CaseManagerTest, OversizedAttachmentIsRefusedAndNothingWritten) {
  Case c = *Create(Draft("Acme"));
  pwx::v1::AttachmentHeader header;
  header.set_case_id(c.id());
  header.set_file_name("big.bin");
  absl::StatusOr<Case> r = Await([&](CaseCallback done) {
    cases_->AddAttachment(header, std::string(1001, 'x'), "alice", done);
  });
  EXPECT_TRUE(absl::IsResourceExhausted(r.status()));
  EXPECT_EQ(cases_->Get(c.id())->version(), 1u);
}

TEST_F(CaseManagerTest, UnknownAttachmentIsNotFoundAndBadHashInvalid) {
  Case c = *Create(Draft("Acme"));
  EXPECT_TRUE(absl::IsNotFound(
      cases_->FindAttachment(c.id(), std::string(64, 'a')).status()));
  EXPECT_TRUE(
      absl::IsInvalidArgument(cases_->FindAttachment(c.id(), "abc").status()));
}

}  // namespace
}  // namespace pwx::server
