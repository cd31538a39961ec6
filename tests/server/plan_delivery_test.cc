// Plans between in-memory nodes when delivery is hard: a receiver whose
// queue at the lead is full, a history too large for one envelope, a
// participant restored from an empty backup, and the ELA node as a
// receiver (coordinator or observer) that goes offline.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "pwx/v1/audit.pb.h"
#include "server/domain/plan_rules.h"
#include "tests/domain/plan_samples.h"
#include "tests/server/plans_fixture.h"

namespace pwx::server::fed_testing {
namespace {

using ::pwx::v1::Plan;
using ::pwx::v1::PlanEvent;
using ::testing::HasSubstr;
namespace samples = ::pwx::testing;

MemoryNodeOptions SmallQueues() {
  MemoryNodeOptions o;
  o.max_queued_per_peer = 2;
  return o;
}

// FR-DGT leads; at most two envelopes wait at its node for each peer.
class PlanQueueTest : public PlansFixture {
 protected:
  void SetUp() override { LinkAll({&fr_, &pl_, &ro_}); }

  // A proposed plan with PL-PIP and RO-ITM, RO-ITM down and its queue at
  // FR-DGT full.
  std::string ProposedWithRoFull() {
    const std::string id = NewPlan(fr_, {"PL-PIP", "RO-ITM"});
    ro_.set_down(true);
    EXPECT_TRUE(Act(fr_, id, samples::ProposeEvent()).ok());
    EXPECT_TRUE(
        Act(fr_, id, samples::AddActionEvent("FR-DGT", "2026-04-01")).ok());
    EXPECT_TRUE(
        Eventually([&] { return fr_.Health("RO-ITM").last_sequence() == 2; }));
    EXPECT_TRUE(Same(fr_, pl_, id));
    EXPECT_TRUE(Eventually([&] { return fr_.Health("PL-PIP").queued() == 0; }));
    return id;
  }

  MemoryNode fr_{"FR-DGT", &nodes_, SmallQueues()};
  MemoryNode pl_{"PL-PIP", &nodes_};
  MemoryNode ro_{"RO-ITM", &nodes_};
};

TEST_F(PlanQueueTest, ALeadsChangeOneReceiverCannotTakeChangesNothing) {
  const std::string id = ProposedWithRoFull();
  const std::string before = Stored(fr_, id);
  const uint64_t pl_link = fr_.Health("PL-PIP").last_sequence();
  absl::Status s =
      Act(fr_, id, samples::AddActionEvent("FR-DGT", "2026-04-02")).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kResourceExhausted) << s;
  EXPECT_THAT(std::string(s.message()),
              HasSubstr(absl::StrCat("plan ", id,
                                     ": the change cannot be queued for "
                                     "RO-ITM, so nothing was changed")));
  EXPECT_THAT(std::string(s.message()),
              HasSubstr("federation.max_queued_per_peer"));
  // Nothing changed here, and PL-PIP was sent nothing.
  EXPECT_EQ(Stored(fr_, id), before);
  ASSERT_TRUE(Eventually([&] { return fr_.Health("PL-PIP").queued() == 0; }));
  EXPECT_EQ(fr_.Health("PL-PIP").last_sequence(), pl_link);
  EXPECT_EQ(Stored(pl_, id), before);
  // Once RO-ITM is back, the next change reaches both, with no gap.
  ro_.set_down(false);
  ASSERT_TRUE(Same(fr_, ro_, id));
  ASSERT_TRUE(Eventually([&] { return fr_.Health("RO-ITM").queued() == 0; }));
  ASSERT_TRUE(
      Act(fr_, id, samples::AddActionEvent("FR-DGT", "2026-04-02")).ok());
  ASSERT_TRUE(Same(fr_, pl_, id));
  ASSERT_TRUE(Same(fr_, ro_, id));
  EXPECT_EQ(fr_.Health("PL-PIP").last_sequence(), pl_link + 1);
  EXPECT_EQ(pl_.LastApplied("FR-DGT"), pl_link + 1);
  EXPECT_EQ(fr_.Health("PL-PIP").problem(), "");
  EXPECT_EQ(fr_.Health("RO-ITM").problem(), "");
}

TEST_F(PlanQueueTest, ASubmissionWaitsUntilEveryReceiverCanTakeIt) {
  const std::string id = ProposedWithRoFull();
  const uint64_t seq = StoredPlan(fr_, id).seq();
  // PL-PIP agrees; the lead cannot pass it on to RO-ITM now, so it takes
  // nothing of it: no refusal, no event to PL-PIP alone.
  absl::StatusOr<PlanChange> agree = Act(pl_, id, samples::AgreeEvent());
  ASSERT_TRUE(agree.ok()) << agree.status();
  ASSERT_TRUE(Eventually([&] {
    return absl::StrContains(pl_.Health("FR-DGT").last_error(),
                             "federation.max_queued_per_peer");
  }));
  EXPECT_EQ(StoredPlan(fr_, id).seq(), seq);
  EXPECT_EQ(StoredPlan(pl_, id).seq(), seq);
  EXPECT_EQ(fr_.Count("plan.refuse"), 0);
  EXPECT_TRUE(pl_.plans()->Refusals(id)->empty());
  // RO-ITM comes back: the submission goes through, and all agree on it.
  ro_.set_down(false);
  ASSERT_TRUE(ReachesSeq(fr_, id, seq + 1));
  const Plan plan = StoredPlan(fr_, id);
  EXPECT_EQ(plan.history(static_cast<int>(seq)).author(), "PL-PIP");
  EXPECT_EQ(plan.history(static_cast<int>(seq)).submission_id(),
            agree->event.submission_id());
  EXPECT_EQ(domain::FindParticipant(plan, "PL-PIP")->status(),
            pwx::v1::PARTICIPANT_STATUS_AGREED);
  ASSERT_TRUE(Same(fr_, pl_, id));
  ASSERT_TRUE(Same(fr_, ro_, id));
  EXPECT_EQ(fr_.Count("plan.refuse"), 0);
  ASSERT_TRUE(Eventually([&] { return pl_.Health("FR-DGT").queued() == 0; }));
}

class PlanDeliveryTest : public PlansFixture {
 protected:
  void SetUp() override { LinkAll({&fr_, &pl_, &ro_}); }

  MemoryNode fr_{"FR-DGT", &nodes_};
  MemoryNode pl_{"PL-PIP", &nodes_};
  MemoryNode ro_{"RO-ITM", &nodes_};
};

TEST_F(PlanDeliveryTest, AHistoryLargerThanAnEnvelopeGoesInSeveral) {
  const std::string id = NewPlan(fr_, {"PL-PIP", "RO-ITM"});
  // Thirty actions with the longest descriptions allowed (20000 characters
  // of four bytes): 2.4 MB of history, which the participants get from
  // seq 1 when the plan is proposed.
  std::string text;
  for (int i = 0; i < 20000; ++i) text += "\xF0\x9F\x8F\x97";  // U+1F3D7
  for (int i = 0; i < 30; ++i) {
    PlanEvent add = samples::AddActionEvent("FR-DGT", "2026-05-04");
    add.mutable_add_action()->mutable_action()->set_description(text);
    ASSERT_TRUE(Act(fr_, id, add).ok()) << i;
  }
  ASSERT_GT(Stored(fr_, id).size(), domain::kMaxEnvelopeBodyBytes);
  absl::StatusOr<PlanChange> proposed = Act(fr_, id, samples::ProposeEvent());
  ASSERT_TRUE(proposed.ok()) << proposed.status();
  ASSERT_TRUE(Same(fr_, pl_, id));
  ASSERT_TRUE(Same(fr_, ro_, id));
  EXPECT_EQ(StoredPlan(pl_, id).actions_size(), 33);
}

TEST_F(PlanDeliveryTest, AParticipantRestoredFromAnEmptyBackupCatchesUp) {
  const std::string id = NewPlan(fr_, {"PL-PIP", "RO-ITM"});
  ASSERT_TRUE(Act(fr_, id, samples::ProposeEvent()).ok());
  ASSERT_TRUE(Same(fr_, pl_, id));
  ASSERT_TRUE(Act(pl_, id, samples::AgreeEvent()).ok());
  ASSERT_TRUE(Same(fr_, ro_, id));
  ASSERT_TRUE(Act(ro_, id, samples::AgreeEvent()).ok());
  ASSERT_TRUE(Eventually([&] {
    return StoredPlan(fr_, id).state() == pwx::v1::PLAN_STATE_AGREED;
  }));
  ASSERT_TRUE(Act(fr_, id, samples::StartEvent()).ok());
  ASSERT_TRUE(Same(fr_, pl_, id));
  // Another open plan, which nobody changes after the restore; a draft
  // PL-PIP never saw, and a plan it declined: those two never come back.
  const std::string quiet = NewPlan(fr_, {"PL-PIP"});
  ASSERT_TRUE(Act(fr_, quiet, samples::ProposeEvent()).ok());
  const std::string draft = NewPlan(fr_, {"PL-PIP"});
  const std::string declined = NewPlan(fr_, {"PL-PIP", "RO-ITM"});
  ASSERT_TRUE(Act(fr_, declined, samples::ProposeEvent()).ok());
  ASSERT_TRUE(Same(fr_, pl_, declined));
  ASSERT_TRUE(Act(pl_, declined, samples::DeclineEvent()).ok());
  ASSERT_TRUE(Eventually([&] {
    return domain::ConfidentialFor(StoredPlan(pl_, declined), "PL-PIP");
  }));
  ASSERT_TRUE(Same(fr_, pl_, declined));
  ASSERT_TRUE(Same(fr_, pl_, quiet));
  // (Receipted, so that the restore loses it.)
  ASSERT_TRUE(Eventually([&] { return fr_.Health("PL-PIP").queued() == 0; }));

  // PL-PIP's node is restored from a backup taken before it held anything,
  // its coordinator adds the peers again and the node starts.
  pl_.Restore();
  ASSERT_TRUE(pl_.AddPeer(fr_.Card()).ok());
  ASSERT_TRUE(pl_.AddPeer(ro_.Card()).ok());
  pl_.Restart();
  EXPECT_EQ(Stored(pl_, id), "");
  // The lead's next change finds PL-PIP holding nothing, and the node says
  // what its coordinator can do: skip, not resend (a backup older than
  // what the lead keeps).
  ASSERT_TRUE(Act(fr_, id, samples::FindingEvent("A1", 4)).ok());
  ASSERT_TRUE(
      Eventually([&] { return fr_.Health("PL-PIP").peer_expects() == 1; }));
  EXPECT_THAT(fr_.Health("PL-PIP").problem(),
              HasSubstr("pwx peer skip PL-PIP --to 1"));
  // (A repair that meets the dispatcher stamping is refused: try again.)
  ASSERT_TRUE(Eventually([&] { return fr_.Skip("PL-PIP", 1).ok(); }));
  // After the repair the lead sent every open plan PL-PIP takes part in.
  ASSERT_TRUE(Same(fr_, pl_, id));
  ASSERT_TRUE(Same(fr_, pl_, quiet));
  EXPECT_EQ(StoredPlan(pl_, id).state(), pwx::v1::PLAN_STATE_IN_PROGRESS);
  EXPECT_EQ(StoredPlan(pl_, quiet).state(), pwx::v1::PLAN_STATE_PROPOSED);
  EXPECT_EQ(Stored(pl_, draft), "");
  EXPECT_EQ(Stored(pl_, declined), "");
  // And PL-PIP acts on them as before, once its own link is repaired too
  // (its numbers started again).
  ASSERT_TRUE(Act(pl_, id, samples::FindingEvent("A2", 7)).ok());
  ASSERT_TRUE(Act(pl_, quiet, samples::AgreeEvent()).ok());
  ASSERT_TRUE(
      Eventually([&] { return pl_.Health("FR-DGT").peer_expects() > 1; }));
  const uint64_t expects = pl_.Health("FR-DGT").peer_expects();
  ASSERT_TRUE(Eventually([&] { return pl_.Skip("FR-DGT", expects).ok(); }));
  ASSERT_TRUE(Eventually(
      [&] { return StoredPlan(fr_, id).actions(1).findings_size() == 1; }));
  ASSERT_TRUE(Eventually([&] {
    return StoredPlan(fr_, quiet).state() == pwx::v1::PLAN_STATE_AGREED;
  }));
  ASSERT_TRUE(Same(fr_, pl_, id));
  ASSERT_TRUE(Same(fr_, ro_, id));
  ASSERT_TRUE(Same(fr_, pl_, quiet));
  // (A link's problem clears once the receipts of its next delivery are
  // recorded, which may be just after the peer applied it.)
  EXPECT_TRUE(Eventually([&] {
    return fr_.Health("PL-PIP").problem().empty();
  })) << fr_.Health("PL-PIP").problem();
  EXPECT_TRUE(Eventually([&] {
    return pl_.Health("FR-DGT").problem().empty();
  })) << pl_.Health("FR-DGT").problem();
}

TEST_F(PlanDeliveryTest, ARestartAsksForWhatWasMissedOnce) {
  const std::string id = NewPlan(fr_, {"PL-PIP", "RO-ITM"});
  ASSERT_TRUE(Act(fr_, id, samples::ProposeEvent()).ok());
  ASSERT_TRUE(Same(fr_, pl_, id));
  ASSERT_TRUE(Same(fr_, ro_, id));
  const std::string other = NewPlan(fr_, {"PL-PIP"});
  ASSERT_TRUE(Act(fr_, other, samples::ProposeEvent()).ok());
  ASSERT_TRUE(Same(fr_, pl_, other));
  const int catch_ups = fr_.Count("plan.catch-up");
  // A node that holds everything asks and gets nothing.
  pl_.Restart();
  ASSERT_TRUE(Eventually([&] { return pl_.Health("FR-DGT").queued() == 0; }));
  EXPECT_EQ(fr_.Count("plan.catch-up"), catch_ups);
  EXPECT_EQ(fr_.Health("PL-PIP").queued(), 0u);
  // One restored from an older backup, which holds only the first plan,
  // gets the other one whole.
  {
    pwx::v1::Event older;
    pwx::v1::PlanCatchUp* had =
        older.mutable_plan()->mutable_holdings()->add_plans();
    had->set_plan_id(id);
    had->set_after_seq(StoredPlan(fr_, id).seq());
    storage::WriteBatch batch;
    ASSERT_TRUE(fr_.plans()->Apply(older, "PL-PIP", &batch).ok());
    ASSERT_EQ(batch.audit_entries().size(), 1u);
    pwx::v1::AuditEntry entry;
    ASSERT_TRUE(entry.ParseFromString(batch.audit_entries()[0]));
    EXPECT_EQ(entry.action(), "plan.catch-up");
    EXPECT_EQ(entry.object_id(), other);
    EXPECT_EQ(entry.count(), StoredPlan(fr_, other).seq());
  }
  // Holdings that name plans of another lead, or a plan not held, get
  // nothing; a bad plan id names the field.
  pwx::v1::Event holdings;
  pwx::v1::PlanCatchUp* held =
      holdings.mutable_plan()->mutable_holdings()->add_plans();
  held->set_plan_id("PL-PIP-P-2026-000001");
  storage::WriteBatch batch;
  ASSERT_TRUE(ro_.plans()->Apply(holdings, "PL-PIP", &batch).ok());
  EXPECT_TRUE(batch.empty());
  held->set_plan_id("nonsense");
  absl::Status s = fr_.plans()->Apply(holdings, "PL-PIP", &batch);
  EXPECT_TRUE(absl::IsInvalidArgument(s)) << s;
  EXPECT_THAT(std::string(s.message()),
              HasSubstr("plan.holdings.plans[0].plan_id"));
  EXPECT_TRUE(batch.empty());
}

pwx::v1::ElaParticipation Ela(pwx::v1::ElaRole role) {
  pwx::v1::ElaParticipation ela;
  ela.set_authority("EU-ELA");
  ela.set_role(role);
  return ela;
}

PlanEvent MeasureEvent(double coverage) {
  PlanEvent e;
  pwx::v1::IndicatorValue* v = e.mutable_measure()->add_values();
  v->set_indicator_id("coverage");
  v->set_value(coverage);
  return e;
}

// FR-DGT leads, PL-PIP takes part, the European Labour Authority's node
// receives.
class ElaNodeTest : public PlansFixture {
 protected:
  void SetUp() override { LinkAll({&fr_, &pl_, &ela_}); }

  // A plan with ELA in `role`, proposed, agreed by PL-PIP and started.
  std::string Running(pwx::v1::ElaRole role) {
    const std::string id = NewPlan(fr_, {"PL-PIP"}, Ela(role));
    EXPECT_TRUE(Act(fr_, id, samples::ProposeEvent()).ok());
    EXPECT_TRUE(Same(fr_, ela_, id));
    EXPECT_TRUE(Same(fr_, pl_, id));
    // ELA does not take part as a participant: it is not asked to agree.
    const Plan proposed = StoredPlan(ela_, id);
    EXPECT_EQ(domain::FindParticipant(proposed, "EU-ELA"), nullptr);
    EXPECT_EQ(proposed.participants_size(), 1);
    EXPECT_TRUE(Act(pl_, id, samples::AgreeEvent()).ok());
    EXPECT_TRUE(Eventually([&] {
      return StoredPlan(fr_, id).state() == pwx::v1::PLAN_STATE_AGREED;
    }));
    EXPECT_TRUE(Act(fr_, id, samples::StartEvent()).ok());
    EXPECT_TRUE(Same(fr_, ela_, id));
    EXPECT_TRUE(Same(fr_, pl_, id));
    return id;
  }

  MemoryNode fr_{"FR-DGT", &nodes_};
  MemoryNode pl_{"PL-PIP", &nodes_};
  MemoryNode ela_{"EU-ELA", &nodes_};
};

TEST_F(ElaNodeTest, ACoordinatorReceivesEveryChangeAndMeasures) {
  const std::string id = Running(pwx::v1::ELA_ROLE_COORDINATOR);
  ASSERT_FALSE(id.empty());
  EXPECT_FALSE(Get(ela_, id)->confidential());
  // Agreeing is not ELA's to do.
  const std::string before = Stored(ela_, id);
  EXPECT_TRUE(
      absl::IsPermissionDenied(Act(ela_, id, samples::AgreeEvent()).status()));
  EXPECT_TRUE(absl::IsPermissionDenied(
      Act(ela_, id, samples::FindingEvent("A1", 3)).status()));
  EXPECT_EQ(Stored(ela_, id), before);
  // It records a measured value: sequenced by the lead, back to everyone.
  const uint64_t had = StoredPlan(fr_, id).seq();
  absl::StatusOr<PlanChange> measured = Act(ela_, id, MeasureEvent(85));
  ASSERT_TRUE(measured.ok()) << measured.status();
  EXPECT_FALSE(measured->sequenced);
  ASSERT_TRUE(ReachesSeq(fr_, id, had + 1));
  ASSERT_TRUE(Same(fr_, ela_, id));
  ASSERT_TRUE(Same(fr_, pl_, id));
  const Plan plan = StoredPlan(pl_, id);
  ASSERT_EQ(plan.measured_size(), 1);
  EXPECT_EQ(plan.measured(0).value(), 85);
  EXPECT_EQ(plan.history(plan.history_size() - 1).author(), "EU-ELA");
  // Offline while the others record findings, then restarted: it catches
  // up with all of them.
  ela_.set_down(true);
  ASSERT_TRUE(Act(fr_, id, samples::FindingEvent("A1", 12)).ok());
  ASSERT_TRUE(Same(fr_, pl_, id));
  ASSERT_TRUE(Act(pl_, id, samples::FindingEvent("A2", 30)).ok());
  ASSERT_TRUE(Eventually(
      [&] { return StoredPlan(fr_, id).actions(1).findings_size() == 1; }));
  EXPECT_LT(StoredPlan(ela_, id).seq(), StoredPlan(fr_, id).seq());
  ela_.set_down(false);
  ela_.Restart();
  ASSERT_TRUE(Same(fr_, ela_, id));
  ASSERT_TRUE(Same(fr_, pl_, id));
  EXPECT_EQ(StoredPlan(ela_, id).seq(), StoredPlan(pl_, id).seq());
}

TEST_F(ElaNodeTest, AnObserverReceivesEveryChangeAndMakesNone) {
  const std::string id = Running(pwx::v1::ELA_ROLE_OBSERVER);
  ASSERT_FALSE(id.empty());
  const std::string before = Stored(fr_, id);
  absl::Status s = Act(ela_, id, MeasureEvent(85)).status();
  EXPECT_TRUE(absl::IsPermissionDenied(s)) << s;
  EXPECT_EQ(Stored(ela_, id), before);
  // Nor does the lead take one from it.
  pwx::v1::Event forged;
  pwx::v1::PlanSubmission* sub = forged.mutable_plan()->mutable_submission();
  sub->set_plan_id(id);
  *sub->mutable_event() = MeasureEvent(85);
  sub->mutable_event()->set_submission_id("ela-1");
  storage::WriteBatch batch;
  ASSERT_TRUE(fr_.plans()->Apply(forged, "EU-ELA", &batch).ok());
  ASSERT_TRUE(fr_.kv()->Write(std::move(batch)).ok());
  fr_.plans()->AfterCommit(forged, "EU-ELA");
  ASSERT_TRUE(Refused(ela_, id, "ela-1"));
  EXPECT_EQ(ela_.plans()->Refusals(id)->front().code(),
            static_cast<int>(absl::StatusCode::kPermissionDenied));
  EXPECT_EQ(Stored(fr_, id), before);
  // The changes of the others reach it, offline or not.
  ela_.set_down(true);
  ASSERT_TRUE(Act(fr_, id, samples::FindingEvent("A1", 5)).ok());
  ASSERT_TRUE(Same(fr_, pl_, id));
  ela_.set_down(false);
  ASSERT_TRUE(Same(fr_, ela_, id));
  EXPECT_EQ(StoredPlan(ela_, id).actions(0).findings_size(), 1);
}

}  // namespace
}  // namespace pwx::server::fed_testing
