// The fixture of the CaseManager tests: a manager over the in-memory store
// (behind a gate a test can close), with a fixed clock and small limits.
#ifndef PWX_TESTS_SERVER_CASE_MANAGER_FIXTURE_H_
#define PWX_TESTS_SERVER_CASE_MANAGER_FIXTURE_H_

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <future>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "pwx/v1/audit.pb.h"
#include "server/attachment_spool.h"
#include "server/case_manager.h"
#include "server/domain/digest.h"
#include "storage/audit_log.h"
#include "storage/case_store.h"
#include "storage/memory_store.h"
#include "tests/server/gated_store.h"
#include "tests/testing/test_pki.h"

namespace pwx::server {

using pwx::v1::Case;

// A valid draft of a case of the undertaking `name`.
inline Case Draft(const std::string& name, const std::string& country = "PL") {
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
    spool_ = *AttachmentSpool::Open(testing::MakeTempDir("case_manager"));
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

  // AddAttachment() of `content`, spooled to a file as an upload is.
  absl::StatusOr<Case> Attach(const pwx::v1::AttachmentHeader& header,
                              const std::string& content,
                              const std::string& user) {
    absl::StatusOr<std::unique_ptr<SpoolFile>> file = spool_->Create();
    EXPECT_TRUE(file.ok()) << file.status();
    if (!file.ok()) return file.status();
    EXPECT_TRUE((*file)->Append(content).ok());
    return Await([&](CaseCallback done) {
      cases_->AddAttachment(header, file->get(), user, std::move(done));
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
  std::unique_ptr<AttachmentSpool> spool_;
};

// An audit entry's action, user and object.
MATCHER_P3(AuditIs, action, user, object_id, "") {
  return arg.action() == action && arg.user() == user &&
         arg.object_id() == object_id && arg.authority() == "FR-DGT";
}

}  // namespace pwx::server

#endif  // PWX_TESTS_SERVER_CASE_MANAGER_FIXTURE_H_
