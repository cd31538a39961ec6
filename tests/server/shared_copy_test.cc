// CaseManager's copies of the cases peers share with this node: stored
// read-only, validated like local cases, never replaced by older ones.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "server/case_manager.h"
#include "tests/server/case_manager_fixture.h"

namespace pwx::server {
namespace {

using ::testing::HasSubstr;

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
  absl::StatusOr<Case> attached = Attach(header, "pdf bytes", "alice");
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
