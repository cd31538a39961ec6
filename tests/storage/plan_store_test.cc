// PlanStore: plans read back as written (also from a batch not yet
// committed), the waiting events and refusals kept beside them, and lists
// by state and by upcoming action date that return exactly what a plain
// filter of all plans returns, page by page, after plans changed state.
#include "storage/plan_store.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
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

class PlanStoreTest : public ::testing::Test {
 protected:
  PlanStoreTest() : kv_(NewMemoryStore()), store_(kv_.get()) {}

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
