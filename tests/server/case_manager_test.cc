// CaseManager over the in-memory store: the case operations without gRPC.
// The shared copies of peers' cases are tested in shared_copy_test.cc.
#include "server/case_manager.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "tests/server/case_manager_fixture.h"

namespace pwx::server {
namespace {

using ::testing::HasSubstr;

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

TEST_F(CaseManagerTest, AListPageStaysWithinItsByteBudget) {
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(Create(Draft("Firm")).ok());
  const storage::CaseStore store(kv_.get());
  const size_t one =
      store.Get("FR-DGT-2026-000001")->value().record.ByteSizeLong();
  // Room for two cases a page, whatever page_size says; every case is seen
  // once across the pages, in order.
  std::vector<std::string> ids;
  std::string token;
  for (int page = 0; page < 10; ++page) {
    absl::StatusOr<storage::CasePage> p =
        store.List({}, 100, token, 2 * one + one / 2);
    ASSERT_TRUE(p.ok()) << p.status();
    EXPECT_LE(p->cases.size(), 2u);
    EXPECT_GE(p->cases.size(), 1u);
    for (const Case& c : p->cases) ids.push_back(c.id());
    token = p->next_page_token;
    if (token.empty()) break;
  }
  EXPECT_THAT(ids,
              ::testing::ElementsAre("FR-DGT-2026-000001", "FR-DGT-2026-000002",
                                     "FR-DGT-2026-000003", "FR-DGT-2026-000004",
                                     "FR-DGT-2026-000005"));
  // A case larger than the budget still comes, alone.
  absl::StatusOr<storage::CasePage> tiny = store.List({}, 100, "", 1);
  ASSERT_TRUE(tiny.ok()) << tiny.status();
  EXPECT_EQ(tiny->cases.size(), 1u);
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
  auto attach = [&] { return Attach(header, content, "alice"); };
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
  absl::StatusOr<Case> r = Attach(header, std::string(1001, 'x'), "alice");
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

TEST_F(CaseManagerTest, EveryChangeLeavesExactlyOneAuditEntry) {
  Case c = *Create(Draft("Acme"));
  std::vector<pwx::v1::AuditEntry> entries = AuditEntries();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_THAT(entries[0], AuditIs("case.create", "alice", c.id()));
  EXPECT_EQ(entries[0].content_sha256(), StoredHash(c.id()));
  EXPECT_EQ(entries[0].time().seconds(), c.created_at().seconds());

  Case patch;
  patch.set_title("renamed");
  ASSERT_TRUE(Update(c.id(), 1, patch, {"title"}).ok());
  entries = AuditEntries();
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_THAT(entries[1], AuditIs("case.update", "bob", c.id()));
  EXPECT_EQ(entries[1].content_sha256(), StoredHash(c.id()));

  pwx::v1::AddNoteRequest note;
  note.set_case_id(c.id());
  note.set_text("called the employer");
  ASSERT_TRUE(Await([&](CaseCallback done) {
                cases_->AddNote(note, "carol", done);
              }).ok());
  entries = AuditEntries();
  ASSERT_EQ(entries.size(), 3u);
  EXPECT_THAT(entries[2], AuditIs("case.note", "carol", c.id()));
  EXPECT_EQ(entries[2].content_sha256(), StoredHash(c.id()));

  pwx::v1::AttachmentHeader header;
  header.set_case_id(c.id());
  header.set_file_name("contract.pdf");
  ASSERT_TRUE(Attach(header, "pdf bytes", "dave").ok());
  entries = AuditEntries();
  ASSERT_EQ(entries.size(), 4u);
  EXPECT_THAT(entries[3], AuditIs("case.attach", "dave", c.id()));
  EXPECT_EQ(entries[3].content_sha256(), StoredHash(c.id()));
}

TEST_F(CaseManagerTest, RefusedCallsLeaveNoAuditEntry) {
  EXPECT_FALSE(Create(Draft("Acme", "XX")).ok());
  EXPECT_TRUE(AuditEntries().empty());
  Case c = *Create(Draft("Acme"));
  Case patch;
  patch.set_title("first");
  ASSERT_TRUE(Update(c.id(), 1, patch, {"title"}).ok());
  ASSERT_EQ(AuditEntries().size(), 2u);

  EXPECT_TRUE(absl::IsAborted(Update(c.id(), 1, patch, {"title"}).status()));
  patch.set_sector_nace("C41.20");
  EXPECT_TRUE(absl::IsInvalidArgument(
      Update(c.id(), 2, patch, {"sector_nace"}).status()));
  EXPECT_TRUE(absl::IsNotFound(
      Update("FR-DGT-2026-000099", 1, patch, {"title"}).status()));
  pwx::v1::AttachmentHeader header;
  header.set_case_id(c.id());
  header.set_file_name("big.bin");
  EXPECT_TRUE(absl::IsResourceExhausted(
      Attach(header, std::string(1001, 'x'), "alice").status()));
  pwx::v1::AddNoteRequest note;
  note.set_case_id(c.id());
  EXPECT_FALSE(Await([&](CaseCallback done) {
                 cases_->AddNote(note, "alice", done);
               }).ok());
  EXPECT_EQ(AuditEntries().size(), 2u);
}

TEST_F(CaseManagerTest, ConcurrentChangesLeaveOneEntryEach) {
  Case c = *Create(Draft("Acme"));
  constexpr int kThreads = 8;
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      pwx::v1::AddNoteRequest note;
      note.set_case_id(c.id());
      note.set_text("note " + std::to_string(i));
      EXPECT_TRUE(Await([&](CaseCallback done) {
                    cases_->AddNote(note, "alice", done);
                  }).ok());
    });
  }
  for (std::thread& t : threads) t.join();
  // Retried attempts must not leave entries of their own.
  std::vector<pwx::v1::AuditEntry> entries = AuditEntries();
  ASSERT_EQ(entries.size(), 1u + kThreads);
  EXPECT_THAT(entries.back(), AuditIs("case.note", "alice", c.id()));
  EXPECT_EQ(entries.back().content_sha256(), StoredHash(c.id()));
}

TEST_F(CaseManagerTest, ReadsForUsersAreAuditedWithoutPersonalData) {
  Case draft = Draft("Acme");
  pwx::v1::PostedWorker* worker = draft.add_workers();
  worker->set_full_name("Jan Kowalski");
  worker->set_date_of_birth("1980-04-02");
  worker->set_a1_certificate_number("A1-77-123");
  worker->mutable_posting_period()->set_start_date("2026-02-01");
  Case c = *Create(draft);
  ASSERT_EQ(AuditEntries().size(), 1u);

  // The node's own reads log nothing.
  ASSERT_TRUE(cases_->Get(c.id()).ok());
  ASSERT_TRUE(cases_->List({}).ok());
  Flush();
  EXPECT_EQ(AuditEntries().size(), 1u);

  absl::StatusOr<Case> read = GetForUser(c.id(), "erin");
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->workers(0).full_name(), "Jan Kowalski");
  EXPECT_TRUE(
      absl::IsNotFound(GetForUser("FR-DGT-2026-000099", "erin").status()));
  absl::StatusOr<pwx::v1::ListCasesResponse> list = ListForUser({}, "frank");
  ASSERT_TRUE(list.ok());
  Flush();

  std::vector<pwx::v1::AuditEntry> entries = AuditEntries();
  ASSERT_EQ(entries.size(), 3u);
  EXPECT_THAT(entries[1], AuditIs("case.read", "erin", c.id()));
  EXPECT_EQ(entries[1].content_sha256(), StoredHash(c.id()));
  EXPECT_THAT(entries[2], AuditIs("case.list", "frank", ""));
  EXPECT_EQ(entries[2].count(), 1u);
  EXPECT_EQ(entries[2].content_sha256(),
            domain::Sha256Hex(list->SerializeAsString()));

  storage::AuditLog log(kv_.get());
  for (uint64_t i = 0; i < entries.size(); ++i) {
    absl::StatusOr<std::string> bytes = log.Entry(i);
    ASSERT_TRUE(bytes.ok());
    for (const char* personal : {"Jan Kowalski", "A1-77-123", "1980-04-02"}) {
      EXPECT_EQ(bytes->find(personal), std::string::npos)
          << "entry " << i << " holds " << personal;
    }
  }
}

TEST_F(CaseManagerTest, AttachmentDownloadIsAudited) {
  Case c = *Create(Draft("Acme"));
  pwx::v1::AttachmentHeader header;
  header.set_case_id(c.id());
  header.set_file_name("contract.pdf");
  Case with = *Attach(header, "pdf bytes", "alice");
  const std::string sha = with.attachments(0).sha256();
  ASSERT_TRUE(FindAttachmentForUser(c.id(), sha, "gina").ok());
  EXPECT_TRUE(absl::IsNotFound(
      FindAttachmentForUser(c.id(), std::string(64, 'a'), "gina").status()));
  Flush();
  std::vector<pwx::v1::AuditEntry> entries = AuditEntries();
  ASSERT_EQ(entries.size(), 3u);
  EXPECT_THAT(entries[2], AuditIs("case.attachment.read", "gina", c.id()));
  EXPECT_EQ(entries[2].content_sha256(), sha);
}

// A read hands personal data out only once the record of it is durable: the
// store holds the entry's commit back, and the read waits for it.
TEST_F(CaseManagerTest, ReadsAnswerOnlyOnceTheirEntryIsDurable) {
  Case c = *Create(Draft("Acme"));
  pwx::v1::AttachmentHeader header;
  header.set_case_id(c.id());
  header.set_file_name("contract.pdf");
  Case with = *Attach(header, "pdf bytes", "alice");
  const size_t before = AuditEntries().size();

  gate_->Close();
  std::promise<absl::StatusOr<Case>> got;
  cases_->GetForUser(c.id(), "erin", [&got](absl::StatusOr<Case> r) {
    got.set_value(std::move(r));
  });
  std::promise<absl::StatusOr<pwx::v1::ListCasesResponse>> listed;
  cases_->ListForUser({}, "frank",
                      [&listed](absl::StatusOr<pwx::v1::ListCasesResponse> r) {
                        listed.set_value(std::move(r));
                      });
  std::promise<absl::StatusOr<pwx::v1::AttachmentMeta>> found;
  cases_->FindAttachmentForUser(
      c.id(), with.attachments(0).sha256(), "gina",
      [&found](absl::StatusOr<pwx::v1::AttachmentMeta> r) {
        found.set_value(std::move(r));
      });
  std::future<absl::StatusOr<Case>> get_result = got.get_future();
  std::future<absl::StatusOr<pwx::v1::ListCasesResponse>> list_result =
      listed.get_future();
  std::future<absl::StatusOr<pwx::v1::AttachmentMeta>> find_result =
      found.get_future();

  // Well past the read-entry delay: nothing answered, nothing committed.
  EXPECT_EQ(get_result.wait_for(std::chrono::milliseconds(200)),
            std::future_status::timeout);
  EXPECT_EQ(list_result.wait_for(std::chrono::milliseconds(0)),
            std::future_status::timeout);
  EXPECT_EQ(find_result.wait_for(std::chrono::milliseconds(0)),
            std::future_status::timeout);
  EXPECT_EQ(gate_->held(), 3u);
  EXPECT_EQ(AuditEntries().size(), before);
  // Each entry may wait the configured delay for a commit to share, no
  // more and no less: reads do not cost an fsync each.
  for (absl::Duration delay : gate_->held_delays()) {
    EXPECT_EQ(delay, kReadEntryDelay);
  }

  gate_->Open();
  absl::StatusOr<Case> read = get_result.get();
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->id(), c.id());
  ASSERT_TRUE(list_result.get().ok());
  ASSERT_TRUE(find_result.get().ok());
  // Answered, so logged: no Flush() needed.
  std::vector<pwx::v1::AuditEntry> entries = AuditEntries();
  ASSERT_EQ(entries.size(), before + 3);
  EXPECT_THAT(entries[before], AuditIs("case.read", "erin", c.id()));
  EXPECT_THAT(entries[before + 1], AuditIs("case.list", "frank", ""));
  EXPECT_THAT(entries[before + 2],
              AuditIs("case.attachment.read", "gina", c.id()));
}

TEST_F(CaseManagerTest, AReadWhoseEntryIsNotStoredReturnsNoData) {
  Case c = *Create(Draft("Acme"));
  gate_->FailWrites(absl::UnavailableError("disk full"));

  absl::StatusOr<Case> read = GetForUser(c.id(), "erin");
  EXPECT_TRUE(absl::IsUnavailable(read.status())) << read.status();
  EXPECT_THAT(read.status().message(),
              HasSubstr("the case.read audit entry of " + c.id() +
                        " was not stored, so the data is not returned: disk "
                        "full"));
  absl::StatusOr<pwx::v1::ListCasesResponse> list = ListForUser({}, "frank");
  EXPECT_TRUE(absl::IsUnavailable(list.status())) << list.status();
  EXPECT_THAT(list.status().message(), HasSubstr("case.list audit entry"));
}

}  // namespace
}  // namespace pwx::server
