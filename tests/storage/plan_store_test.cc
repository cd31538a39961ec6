// PlanStore: plans read back as written (also from a batch not yet
// committed), the waiting events and refusals kept beside them, and lists
// by state, by upcoming action date and by case that return exactly what a
// plain filter of all plans returns, page by page, after plans changed;
// the case index built once for a database written before it, resuming
// after a failed write.
#include "storage/plan_store.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "storage/key_codec.h"
#include "storage/memory_store.h"
#include "tests/storage/storage_test_util.h"

namespace pwx::storage {
namespace {

using pwx::v1::Plan;
using pwx::v1::PlanState;

std::string Id(int n) { return absl::StrFormat("FR-DGT-P-2026-%06d", n); }

// Plan `n`: its state and action dates vary with n.
Plan Make(int n, PlanState state) {
  Plan p;
  p.set_id(Id(n));
  p.set_lead("FR-DGT");
  p.set_state(state);
  p.set_seq(static_cast<uint64_t>(n));
  for (int a = 0; a < n % 4; ++a) {
    pwx::v1::PlanAction* action = p.add_actions();
    action->set_id(absl::StrCat("A", a + 1));
    action->set_date(absl::StrFormat("2026-%02d-%02d", 1 + (n * 7 + a * 5) % 12,
                                     1 + (n * 3 + a) % 28));
  }
  return p;
}

// The case ids of plan `n`: none, one or two of cases 1 to 5.
std::vector<std::string> CasesOf(int n) {
  std::vector<std::string> cases;
  for (int c = 0; c < n % 3; ++c) {
    cases.push_back(absl::StrFormat("FR-DGT-2026-%06d", 1 + (n + c * 2) % 5));
  }
  return cases;
}

Plan WithCases(Plan p, const std::vector<std::string>& cases) {
  p.mutable_content()->clear_case_ids();
  for (const std::string& c : cases) p.mutable_content()->add_case_ids(c);
  return p;
}

// A store over memory that records the index entries each write puts and
// fails the writes from number `fail_from` on (counted from 0; -1: none).
class RecordingStore final : public KvStore {
 public:
  RecordingStore() : inner_(NewMemoryStore()) {}

  void FailFrom(int n) {
    absl::MutexLock lock(&mu_);
    fail_from_ = n;
    writes_ = 0;
    index_puts_.clear();
  }
  std::vector<std::string> index_puts() const {
    absl::MutexLock lock(&mu_);
    return index_puts_;
  }
  int writes() const {
    absl::MutexLock lock(&mu_);
    return writes_;
  }

  absl::StatusOr<std::optional<std::string>> Get(
      Column column, std::string_view key) const override {
    return inner_->Get(column, key);
  }
  std::unique_ptr<Iterator> NewIterator(Column column) const override {
    return inner_->NewIterator(column);
  }
  void WriteAsyncWithAuditIndex(WriteBatch batch,
                                AuditWriteCallback done) override {
    {
      absl::MutexLock lock(&mu_);
      if (fail_from_ >= 0 && writes_ >= fail_from_) {
        done(absl::UnavailableError("disk unplugged"));
        return;
      }
      ++writes_;
      for (const WriteBatch::Op& op : batch.ops()) {
        if (op.column == Column::kIndex) index_puts_.push_back(op.key);
      }
    }
    inner_->WriteAsyncWithAuditIndex(std::move(batch), std::move(done));
  }

 private:
  const std::unique_ptr<KvStore> inner_;
  mutable absl::Mutex mu_;
  int fail_from_ ABSL_GUARDED_BY(mu_) = -1;
  int writes_ ABSL_GUARDED_BY(mu_) = 0;
  std::vector<std::string> index_puts_ ABSL_GUARDED_BY(mu_);
};

class PlanStoreTest : public ::testing::Test {
 protected:
  PlanStoreTest() : kv_(NewMemoryStore()), store_(kv_.get()) {}

  // The ids of the plans in `plans_` that name `case_id`, by id.
  std::vector<std::string> NamingCase(const std::string& case_id) const {
    std::vector<std::string> want;
    for (const auto& [id, p] : plans_) {
      if (std::find(p.content().case_ids().begin(),
                    p.content().case_ids().end(),
                    case_id) != p.content().case_ids().end()) {
        want.push_back(id);
      }
    }
    return want;
  }

  void Store(const Plan& p) {
    absl::StatusOr<std::optional<StoredPlan>> old = store_.Get(p.id());
    ASSERT_OK(old);
    WriteBatch batch;
    store_.Put(p, old->has_value() ? &**old : nullptr, &batch);
    ASSERT_OK(kv_->Write(std::move(batch)));
    plans_[p.id()] = p;
  }

  // Every page of `q`, `size` at a time.
  std::vector<std::string> All(const PlanQuery& q, int size) {
    std::vector<std::string> ids;
    std::string token;
    for (int pages = 0; pages < 1000; ++pages) {
      absl::StatusOr<PlanPage> page = store_.List(q, size, token);
      EXPECT_OK(page);
      if (!page.ok()) break;
      EXPECT_LE(static_cast<int>(page->plans.size()), size);
      for (const Plan& p : page->plans) ids.push_back(p.id());
      token = page->next_page_token;
      if (token.empty()) break;
    }
    return ids;
  }

  std::unique_ptr<KvStore> kv_;
  PlanStore store_;
  std::map<std::string, Plan> plans_;
};

TEST_F(PlanStoreTest, ReadsBackWhatItWroteAndRefusesAStaleWrite) {
  Store(Make(1, pwx::v1::PLAN_STATE_DRAFT));
  absl::StatusOr<std::optional<StoredPlan>> got = store_.Get(Id(1));
  ASSERT_OK(got);
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ((*got)->record.SerializeAsString(),
            Make(1, pwx::v1::PLAN_STATE_DRAFT).SerializeAsString());
  // A second create of the same id, or a write over a changed plan, fails.
  WriteBatch again;
  store_.Put(Make(1, pwx::v1::PLAN_STATE_PROPOSED), nullptr, &again);
  EXPECT_TRUE(absl::IsAborted(kv_->Write(std::move(again))));
  Store(Make(1, pwx::v1::PLAN_STATE_PROPOSED));
  WriteBatch stale;
  store_.Put(Make(1, pwx::v1::PLAN_STATE_AGREED), &**got, &stale);
  EXPECT_TRUE(absl::IsAborted(kv_->Write(std::move(stale))));
  EXPECT_EQ((*store_.Get(Id(1)))->record.state(), pwx::v1::PLAN_STATE_PROPOSED);
}

TEST_F(PlanStoreTest, ReadsWhatABatchNotYetCommittedWrites) {
  WriteBatch batch;
  store_.Put(Make(2, pwx::v1::PLAN_STATE_PROPOSED), nullptr, &batch);
  absl::StatusOr<std::optional<StoredPlan>> got = store_.Get(Id(2), &batch);
  ASSERT_OK(got);
  ASSERT_TRUE(got->has_value());
  EXPECT_TRUE((*got)->in_batch);
  EXPECT_FALSE(store_.Get(Id(2))->has_value());
}

TEST_F(PlanStoreTest, KeepsWaitingEventsAndRefusals) {
  std::vector<pwx::v1::PlanEvent> events(2);
  events[0].set_seq(4);
  events[1].set_seq(6);
  WriteBatch batch;
  store_.PutPending(Id(3), events, &batch);
  pwx::v1::PlanRefusal refusal;
  refusal.set_plan_id(Id(3));
  refusal.set_submission_id("s-1");
  refusal.set_code(7);
  refusal.set_message("PL-PIP may not close plan");
  store_.PutRefusal("PL-PIP", refusal, &batch);
  EXPECT_EQ(store_.Pending(Id(3), &batch)->size(), 2u);
  ASSERT_OK(kv_->Write(std::move(batch)));
  absl::StatusOr<std::vector<pwx::v1::PlanEvent>> pending =
      store_.Pending(Id(3));
  ASSERT_OK(pending);
  ASSERT_EQ(pending->size(), 2u);
  EXPECT_EQ((*pending)[1].seq(), 6u);
  absl::StatusOr<std::optional<pwx::v1::PlanRefusal>> got =
      store_.Refusal(Id(3), "PL-PIP", "s-1");
  ASSERT_OK(got);
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ((*got)->message(), "PL-PIP may not close plan");
  EXPECT_FALSE(store_.Refusal(Id(3), "RO-ITM", "s-1")->has_value());
  EXPECT_EQ(store_.Refusals(Id(3), "PL-PIP")->size(), 1u);
  WriteBatch clear;
  store_.PutPending(Id(3), {}, &clear);
  ASSERT_OK(kv_->Write(std::move(clear)));
  EXPECT_TRUE(store_.Pending(Id(3))->empty());
}

TEST_F(PlanStoreTest, ListsByStateAndByUpcomingDateAsAPlainFilterDoes) {
  const PlanState states[] = {
      pwx::v1::PLAN_STATE_DRAFT,    pwx::v1::PLAN_STATE_PROPOSED,
      pwx::v1::PLAN_STATE_AGREED,   pwx::v1::PLAN_STATE_IN_PROGRESS,
      pwx::v1::PLAN_STATE_REPORTED, pwx::v1::PLAN_STATE_CLOSED,
      pwx::v1::PLAN_STATE_CANCELLED};
  for (int n = 1; n <= 60; ++n) Store(Make(n, states[n % 7]));
  // Some move on: their old index entries must go.
  for (int n = 1; n <= 60; n += 3) Store(Make(n, states[(n + 2) % 7]));
  for (const PlanState s : states) {
    std::vector<std::string> want;
    for (const auto& [id, p] : plans_) {
      if (p.state() == s) want.push_back(id);
    }
    EXPECT_FALSE(want.empty()) << pwx::v1::PlanState_Name(s);
    PlanQuery q;
    q.state = s;
    for (int size : {1, 4, 100}) {
      EXPECT_EQ(All(q, size), want) << pwx::v1::PlanState_Name(s) << size;
    }
  }
  EXPECT_EQ(All(PlanQuery{}, 7).size(), plans_.size());
  for (const std::string from : {"2026-01-01", "2026-06-15", "2026-12-20"}) {
    // Each open plan once, at its first action on or after `from`.
    std::vector<std::pair<std::pair<std::string, std::string>, std::string>>
        firsts;
    for (const auto& [id, p] : plans_) {
      if (p.state() == pwx::v1::PLAN_STATE_REPORTED ||
          p.state() == pwx::v1::PLAN_STATE_CLOSED ||
          p.state() == pwx::v1::PLAN_STATE_CANCELLED) {
        continue;
      }
      std::optional<std::pair<std::string, std::string>> first;
      for (const pwx::v1::PlanAction& a : p.actions()) {
        if (a.date() < from) continue;
        std::pair<std::string, std::string> at(a.date(), a.id());
        if (!first || at < *first) first = at;
      }
      if (first) firsts.push_back({{first->first, id}, id});
    }
    std::sort(firsts.begin(), firsts.end());
    std::vector<std::string> want;
    for (const auto& f : firsts) want.push_back(f.second);
    EXPECT_GE(want.size(), 2u) << from;
    PlanQuery q;
    q.upcoming_from = from;
    for (int size : {1, 3, 100}) EXPECT_EQ(All(q, size), want) << from << size;
  }
}

TEST_F(PlanStoreTest, RefusesATokenOfAnotherQueryAndAStateWithADate) {
  for (int n = 1; n <= 5; ++n) Store(Make(n, pwx::v1::PLAN_STATE_PROPOSED));
  PlanQuery proposed;
  proposed.state = pwx::v1::PLAN_STATE_PROPOSED;
  absl::StatusOr<PlanPage> page = store_.List(proposed, 2, "");
  ASSERT_OK(page);
  ASSERT_FALSE(page->next_page_token.empty());
  PlanQuery agreed;
  agreed.state = pwx::v1::PLAN_STATE_AGREED;
  absl::StatusOr<PlanPage> other =
      store_.List(agreed, 2, page->next_page_token);
  EXPECT_TRUE(absl::IsInvalidArgument(other.status())) << other.status();
  PlanQuery both = proposed;
  both.upcoming_from = "2026-01-01";
  EXPECT_TRUE(absl::IsInvalidArgument(store_.List(both, 2, "").status()));
}

TEST_F(PlanStoreTest, ListsByCaseAsThePlansContentsSay) {
  for (int n = 1; n <= 40; ++n) {
    Store(WithCases(Make(n, pwx::v1::PLAN_STATE_DRAFT), CasesOf(n)));
  }
  // Edits and amendments change the cases: some gain one, some lose all,
  // one names a case twice.
  for (int n = 1; n <= 40; n += 4) {
    std::vector<std::string> cases = CasesOf(n + 1);
    if (n % 8 == 1) cases.push_back("PL-PIP-2026-000009");
    Store(WithCases(Make(n, pwx::v1::PLAN_STATE_PROPOSED), cases));
  }
  Store(WithCases(Make(2, pwx::v1::PLAN_STATE_AGREED),
                  {"FR-DGT-2026-000001", "FR-DGT-2026-000001"}));
  for (int c = 1; c <= 5; ++c) {
    const std::string case_id = absl::StrFormat("FR-DGT-2026-%06d", c);
    const std::vector<std::string> want = NamingCase(case_id);
    EXPECT_GE(want.size(), 3u) << case_id;
    PlanQuery q;
    q.case_id = case_id;
    for (int size : {1, 2, 100}) {
      EXPECT_EQ(All(q, size), want) << case_id << " " << size;
    }
  }
  PlanQuery pl;
  pl.case_id = "PL-PIP-2026-000009";
  EXPECT_EQ(All(pl, 2), NamingCase("PL-PIP-2026-000009"));
  EXPECT_EQ(All(pl, 2).size(), 5u);
  PlanQuery none;
  none.case_id = "FR-DGT-2026-000099";
  EXPECT_TRUE(All(none, 10).empty());
  // One entry for the case named twice.
  PlanQuery first;
  first.case_id = "FR-DGT-2026-000001";
  const std::vector<std::string> listed = All(first, 100);
  EXPECT_EQ(std::count(listed.begin(), listed.end(), Id(2)), 1);

  // Not with a state or a date; a token of one case's list is refused for
  // another's.
  PlanQuery with_state = first;
  with_state.state = pwx::v1::PLAN_STATE_DRAFT;
  absl::StatusOr<PlanPage> refused = store_.List(with_state, 2, "");
  EXPECT_TRUE(absl::IsInvalidArgument(refused.status()));
  EXPECT_TRUE(absl::StrContains(refused.status().message(), "case_id"));
  PlanQuery with_date = first;
  with_date.upcoming_from = "2026-01-01";
  EXPECT_TRUE(absl::IsInvalidArgument(store_.List(with_date, 2, "").status()));
  absl::StatusOr<PlanPage> page = store_.List(first, 1, "");
  ASSERT_OK(page);
  ASSERT_FALSE(page->next_page_token.empty());
  PlanQuery second;
  second.case_id = "FR-DGT-2026-000002";
  refused = store_.List(second, 1, page->next_page_token);
  EXPECT_TRUE(absl::IsInvalidArgument(refused.status()));
  EXPECT_TRUE(absl::StrContains(refused.status().message(), "page_token"));
}

// Writes `plans` as a build without the case index did: the records and
// their state and action entries, and no index version.
void WriteOldLayout(KvStore* kv, const std::vector<Plan>& plans) {
  PlanStore scratch_store(kv);
  WriteBatch batch;
  for (const Plan& p : plans) {
    WriteBatch one;
    scratch_store.Put(p, nullptr, &one);
    for (const WriteBatch::Op& op : one.ops()) {
      if (op.column == Column::kIndex &&
          op.key.starts_with(KeyBuilder().String("pl.c").Build())) {
        continue;
      }
      batch.Put(op.column, op.key, op.value);
    }
  }
  ASSERT_OK(kv->Write(std::move(batch)));
}

TEST(PlanStoreUpgradeTest, BuildsTheCaseIndexOnceAndResumesAfterAFailure) {
  RecordingStore kv;
  PlanStore store(&kv);
  std::vector<Plan> plans;
  for (int n = 1; n <= 25; ++n) {
    plans.push_back(WithCases(Make(n, pwx::v1::PLAN_STATE_PROPOSED),
                              {absl::StrFormat("FR-DGT-2026-%06d", n % 2)}));
  }
  WriteOldLayout(&kv, plans);
  PlanQuery even;
  even.case_id = "FR-DGT-2026-000000";
  absl::StatusOr<PlanPage> page = store.List(even, 100, "");
  ASSERT_OK(page);
  EXPECT_TRUE(page->plans.empty());  // no case index yet

  // The third write fails: the first two (4 plans each) are kept.
  kv.FailFrom(2);
  absl::Status failed = store.UpgradeIndexes(4);
  EXPECT_TRUE(absl::IsUnavailable(failed)) << failed;
  page = store.List(even, 100, "");
  ASSERT_OK(page);
  std::vector<std::string> ids;
  for (const Plan& p : page->plans) ids.push_back(p.id());
  EXPECT_EQ(ids, (std::vector<std::string>{Id(2), Id(4), Id(6), Id(8)}));

  // The next start goes on after plan 8: no entry of plans 1 to 8 again.
  kv.FailFrom(-1);
  ASSERT_OK(store.UpgradeIndexes(4));
  const std::string case_prefix = KeyBuilder().String("pl.c").Build();
  size_t case_entries = 0;
  for (const std::string& key : kv.index_puts()) {
    if (!key.starts_with(case_prefix)) continue;
    ++case_entries;
    for (int n = 1; n <= 8; ++n) {
      EXPECT_FALSE(absl::StrContains(key, Id(n))) << n;
    }
  }
  EXPECT_EQ(case_entries, 17u);
  page = store.List(even, 100, "");
  ASSERT_OK(page);
  EXPECT_EQ(page->plans.size(), 12u);
  PlanQuery odd;
  odd.case_id = "FR-DGT-2026-000001";
  page = store.List(odd, 100, "");
  ASSERT_OK(page);
  EXPECT_EQ(page->plans.size(), 13u);

  // Once built, a start writes nothing.
  kv.FailFrom(-1);
  ASSERT_OK(store.UpgradeIndexes(4));
  EXPECT_EQ(kv.writes(), 0);
}

TEST(PlanStoreUpgradeTest, ANewDatabaseJustRecordsTheVersion) {
  RecordingStore kv;
  PlanStore store(&kv);
  ASSERT_OK(store.UpgradeIndexes());
  EXPECT_EQ(kv.writes(), 1);
  ASSERT_OK(store.UpgradeIndexes());
  EXPECT_EQ(kv.writes(), 1);
  // Plans written from then on are indexed by their Put.
  WriteBatch batch;
  store.Put(
      WithCases(Make(1, pwx::v1::PLAN_STATE_DRAFT), {"FR-DGT-2026-000005"}),
      nullptr, &batch);
  ASSERT_OK(kv.Write(std::move(batch)));
  PlanQuery q;
  q.case_id = "FR-DGT-2026-000005";
  absl::StatusOr<PlanPage> page = store.List(q, 10, "");
  ASSERT_OK(page);
  ASSERT_EQ(page->plans.size(), 1u);
  EXPECT_EQ(page->plans[0].id(), Id(1));
}

TEST_F(PlanStoreTest, RecordsTheLastNumberPerYear) {
  EXPECT_EQ(*store_.LastNumber(2026), 0u);
  WriteBatch batch;
  store_.PutLastNumber(2026, 17, &batch);
  ASSERT_OK(kv_->Write(std::move(batch)));
  EXPECT_EQ(*store_.LastNumber(2026), 17u);
  EXPECT_EQ(*store_.LastNumber(2027), 0u);
}

}  // namespace
}  // namespace pwx::storage
