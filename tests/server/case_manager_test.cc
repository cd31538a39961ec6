// CaseManager over the in-memory store: the case operations without gRPC.
#include "server/case_manager.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/time/civil_time.h"
#include "pwx/v1/audit.pb.h"
#include "server/domain/digest.h"
#include "storage/audit_log.h"
#include "storage/memory_store.h"
#include "tests/server/gated_store.h"

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
  CaseManagerTest() {
    auto gated =
        std::make_unique<testing::GatedStore>(storage::NewMemoryStore());
    gate_ = gated.get();
    kv_ = std::move(gated);
    CaseManagerOptions options;
    options.authority_id = "FR-DGT";
    options.max_attachment_bytes = 1000;
    options.read_entry_delay = kReadEntryDelay;
    options.clock = [] {
      return absl::FromCivil(absl::CivilSecond(2026, 3, 1, 9, 0, 0),
                             absl::UTCTimeZone());
    };
    cases_ = std::make_unique<CaseManager>(std::move(options), kv_.get());
  }

  // Runs an asynchronous operation and waits for its result.
  template <typename T = Case, typename F>
  absl::StatusOr<T> Await(F op) {
    std::promise<absl::StatusOr<T>> promise;
    op([&promise](absl::StatusOr<T> r) { promise.set_value(std::move(r)); });
    return promise.get_future().get();
  }

  absl::StatusOr<Case> GetForUser(const std::string& id,
                                  const std::string& user) {
    return Await([&](CaseCallback done) {
      cases_->GetForUser(id, user, std::move(done));
    });
  }
  absl::StatusOr<pwx::v1::ListCasesResponse> ListForUser(
      const pwx::v1::ListCasesRequest& request, const std::string& user) {
    return Await<pwx::v1::ListCasesResponse>([&](CaseListCallback done) {
      cases_->ListForUser(request, user, std::move(done));
    });
  }
  absl::StatusOr<pwx::v1::AttachmentMeta> FindAttachmentForUser(
      const std::string& case_id, const std::string& sha256,
      const std::string& user) {
    return Await<pwx::v1::AttachmentMeta>([&](AttachmentCallback done) {
      cases_->FindAttachmentForUser(case_id, sha256, user, std::move(done));
    });
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

  // Every entry of the audit log, parsed, in log order.
  std::vector<pwx::v1::AuditEntry> AuditEntries() {
    storage::AuditLog log(kv_.get());
    absl::StatusOr<uint64_t> size = log.Size();
    EXPECT_TRUE(size.ok()) << size.status();
    absl::StatusOr<std::vector<std::string>> bytes =
        log.Entries(0, size.value_or(0));
    EXPECT_TRUE(bytes.ok()) << bytes.status();
    std::vector<pwx::v1::AuditEntry> entries;
    if (!bytes.ok()) return {};
    for (const std::string& b : *bytes) {
      EXPECT_TRUE(entries.emplace_back().ParseFromString(b));
    }
    return entries;
  }

  // Waits until every write queued so far is committed: the store commits
  // in queue order, so a blocking write queued now finishes after them.
  void Flush() { ASSERT_TRUE(kv_->Write(storage::WriteBatch()).ok()); }

  // The hash an audit entry of a change holds: of the case as stored.
  std::string StoredHash(const std::string& id) {
    absl::StatusOr<std::optional<storage::StoredCase>> stored =
        storage::CaseStore(kv_.get()).Get(id);
    EXPECT_TRUE(stored.ok() && stored->has_value());
    return stored.ok() && stored->has_value()
               ? domain::Sha256Hex((*stored)->bytes)
               : "";
  }

  // How long a read's entry may wait for a commit to share.
  static constexpr absl::Duration kReadEntryDelay = absl::Milliseconds(20);

  std::unique_ptr<storage::KvStore> kv_;
  // kv_, which passes writes through unless a test closes it.
  testing::GatedStore* gate_ = nullptr;
  std::unique_ptr<CaseManager> cases_;
};

// An audit entry's action, user and object.
MATCHER_P3(AuditIs, action, user, object_id, "") {
  return arg.action() == action && arg.user() == user &&
         arg.object_id() == object_id && arg.authority() == "FR-DGT";
}

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
  ASSERT_TRUE(Await([&](CaseCallback done) {
                cases_->AddAttachment(header, "pdf bytes", "dave", done);
              }).ok());
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
      Await([&](CaseCallback done) {
        cases_->AddAttachment(header, std::string(1001, 'x'), "alice", done);
      }).status()));
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
  Case with = *Await([&](CaseCallback done) {
    cases_->AddAttachment(header, "pdf bytes", "alice", done);
  });
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
  Case with = *Await([&](CaseCallback done) {
    pwx::v1::AttachmentHeader header;
    header.set_case_id(c.id());
    header.set_file_name("contract.pdf");
    cases_->AddAttachment(header, "pdf bytes", "alice", done);
  });
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

// Federation: a peer's case arrives as a read-only copy.
class SharedCopyTest : public CaseManagerTest {
 protected:
  // A case as PL-PIP's node holds it.
  static Case PeerCase(uint64_t version) {
    Case c = Draft("Budimex", "PL");
    c.set_id("PL-PIP-2026-000007");
    c.set_owner_authority("PL-PIP");
    c.set_version(version);
    c.set_status(pwx::v1::CASE_STATUS_OPEN);
    return c;
  }

  absl::Status Store(const Case& copy, const std::string& sender) {
    storage::WriteBatch batch;
    absl::StatusOr<bool> stored = cases_->PutSharedCopy(copy, sender, &batch);
    if (!stored.ok()) return stored.status();
    return kv_->Write(std::move(batch));
  }
};

TEST_F(SharedCopyTest, CopyIsStoredAndReplacedByALaterShare) {
  ASSERT_TRUE(Store(PeerCase(1), "PL-PIP").ok());
  EXPECT_EQ(cases_->Get("PL-PIP-2026-000007")->version(), 1u);
  ASSERT_TRUE(Store(PeerCase(3), "PL-PIP").ok());
  absl::StatusOr<Case> got = cases_->Get("PL-PIP-2026-000007");
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->version(), 3u);
  EXPECT_EQ(got->owner_authority(), "PL-PIP");
}

TEST_F(SharedCopyTest, CopyOfAnotherAuthoritysCaseIsRefused) {
  Case forged = PeerCase(1);
  forged.set_owner_authority("DE-ZOLL");
  EXPECT_EQ(Store(forged, "PL-PIP").code(),
            absl::StatusCode::kPermissionDenied);
  // Nor may a peer overwrite one of this node's own cases.
  absl::StatusOr<Case> own = Create(Draft("Acme"));
  ASSERT_TRUE(own.ok()) << own.status();
  Case takeover = *own;
  takeover.set_owner_authority("PL-PIP");
  absl::Status s = Store(takeover, "PL-PIP");
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied) << s;
  EXPECT_THAT(std::string(s.message()), HasSubstr("shares only its own"));
  EXPECT_EQ(cases_->Get(own->id())->owner_authority(), "FR-DGT");
  Case unversioned = PeerCase(0);
  EXPECT_EQ(Store(unversioned, "PL-PIP").code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(SharedCopyTest, AnOlderOrRepeatedCopyNeverReplacesANewerOne) {
  ASSERT_TRUE(Store(PeerCase(3), "PL-PIP").ok());
  Case older = PeerCase(2);
  older.set_title("Older title");
  storage::WriteBatch batch;
  absl::StatusOr<bool> stored = cases_->PutSharedCopy(older, "PL-PIP", &batch);
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_FALSE(*stored);
  EXPECT_TRUE(batch.empty());
  EXPECT_FALSE(*cases_->PutSharedCopy(PeerCase(3), "PL-PIP", &batch));
  EXPECT_TRUE(batch.empty());
  EXPECT_EQ(cases_->Get("PL-PIP-2026-000007")->title(), "Site inspection");
  // The same version with other contents is a conflict, recorded.
  Case reissued = PeerCase(3);
  reissued.set_title("Another case under the same id");
  EXPECT_FALSE(*cases_->PutSharedCopy(reissued, "PL-PIP", &batch));
  ASSERT_EQ(batch.audit_entries().size(), 1u);
  pwx::v1::AuditEntry entry;
  ASSERT_TRUE(entry.ParseFromString(batch.audit_entries()[0]));
  EXPECT_EQ(entry.action(), "case.copy_conflict");
  EXPECT_EQ(entry.object_id(), "PL-PIP-2026-000007");
}

TEST_F(SharedCopyTest, MalformedCopiesAreRefusedNamingTheField) {
  struct Bad {
    std::function<void(Case*)> change;
    std::string field;
  };
  const std::vector<Bad> bad = {
      {[](Case* c) { c->mutable_undertaking()->set_name(""); },
       "case.undertaking.name"},
      {[](Case* c) {
         c->mutable_undertaking()->set_country_of_establishment("XX");
       },
       "case.undertaking.country_of_establishment"},
      {[](Case* c) { c->add_notes()->set_text(""); }, "case.notes[0].text"},
      {[](Case* c) { c->add_attachments()->set_sha256("../etc"); },
       "case.attachments[0].sha256"},
      {[](Case* c) {
         auto* a = c->add_attachments();
         a->set_sha256(std::string(64, 'a'));
         a->set_file_name("../a1.pdf");
       },
       "case.attachments[0].file_name"},
  };
  for (const Bad& b : bad) {
    Case copy = PeerCase(1);
    b.change(&copy);
    absl::Status s = Store(copy, "PL-PIP");
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << b.field;
    EXPECT_THAT(std::string(s.message()), HasSubstr(b.field)) << s;
  }
  EXPECT_EQ(cases_->Get("PL-PIP-2026-000007").status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(SharedCopyTest, ACopysAttachmentNeverResolvesToABlobHeldHere) {
  // A local case holds a blob; a peer's copy names the same hash.
  absl::StatusOr<Case> own = Create(Draft("Acme"));
  ASSERT_TRUE(own.ok()) << own.status();
  pwx::v1::AttachmentHeader header;
  header.set_case_id(own->id());
  header.set_file_name("payslips.pdf");
  absl::StatusOr<Case> attached = Await([&](CaseCallback done) {
    cases_->AddAttachment(header, "pdf bytes", "alice", done);
  });
  ASSERT_TRUE(attached.ok()) << attached.status();
  const std::string sha256 = attached->attachments(0).sha256();
  Case copy = PeerCase(1);
  *copy.add_attachments() = attached->attachments(0);
  ASSERT_TRUE(Store(copy, "PL-PIP").ok());
  absl::Status s = cases_->FindAttachment(copy.id(), sha256).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition) << s;
  EXPECT_THAT(std::string(s.message()), HasSubstr("stay with PL-PIP"));
  EXPECT_TRUE(cases_->FindAttachment(own->id(), sha256).ok());
}

TEST_F(SharedCopyTest, CopyIsReadOnlyHere) {
  ASSERT_TRUE(Store(PeerCase(2), "PL-PIP").ok());
  const size_t entries = AuditEntries().size();
  Case patch;
  patch.set_title("Changed here");
  absl::StatusOr<Case> updated =
      Update("PL-PIP-2026-000007", 2, patch, {"title"});
  EXPECT_EQ(updated.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(updated.status().message()),
              HasSubstr("read-only copy"));
  pwx::v1::AddNoteRequest note;
  note.set_case_id("PL-PIP-2026-000007");
  note.set_text("seen");
  EXPECT_EQ(
      Await([&](CaseCallback done) { cases_->AddNote(note, "alice", done); })
          .status()
          .code(),
      absl::StatusCode::kFailedPrecondition);
  pwx::v1::AttachmentHeader header;
  header.set_case_id("PL-PIP-2026-000007");
  header.set_file_name("a1.pdf");
  EXPECT_EQ(cases_->CheckAttachmentHeader(header).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(
      cases_->ShareableCopy("PL-PIP-2026-000007", "alice").status().code(),
      absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(cases_->Get("PL-PIP-2026-000007")->title(), "Site inspection");
  EXPECT_EQ(AuditEntries().size(), entries);
}

TEST_F(SharedCopyTest, ShareableCopyCarriesTheStoredCase) {
  absl::StatusOr<Case> own = Create(Draft("Acme"));
  ASSERT_TRUE(own.ok()) << own.status();
  absl::StatusOr<CaseManager::Shareable> shareable =
      cases_->ShareableCopy(own->id(), "alice");
  ASSERT_TRUE(shareable.ok()) << shareable.status();
  EXPECT_EQ(shareable->event.case_().id(), own->id());
  EXPECT_EQ(shareable->event.case_().version(), own->version());
  EXPECT_EQ(shareable->event.shared_by(), "alice");
  EXPECT_EQ(shareable->content_sha256, StoredHash(own->id()));
  EXPECT_EQ(
      cases_->ShareableCopy("FR-DGT-2026-999999", "alice").status().code(),
      absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace pwx::server
