// Plans between in-memory nodes with real outboxes, inboxes and
// dispatchers: the joint inspection (FR-DGT leads, PL-PIP and
// RO-ITM take part, RO-ITM offline during the agreement), an amendment
// that reopens agreement, a decline, changes the rules forbid, and a
// randomized run with outages, redeliveries and restarts; every node that
// holds the plan ends with the same bytes.
#include "server/plans.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "server/domain/plan_rules.h"
#include "storage/plan_store.h"
#include "tests/domain/plan_samples.h"
#include "tests/server/plans_fixture.h"

namespace pwx::server::fed_testing {
namespace {

using ::pwx::v1::Plan;
using ::pwx::v1::PlanEvent;
namespace samples = ::pwx::testing;

class PlansTest : public PlansFixture {
 protected:
  void SetUp() override { LinkAll({&fr_, &pl_, &ro_}); }

  std::string NewPlan(const std::vector<std::string>& participants) {
    return PlansFixture::NewPlan(fr_, participants);
  }

  // The ids of the plans `node` lists for `case_id`, every page.
  static std::vector<std::string> OfCase(MemoryNode& node,
                                         const std::string& case_id) {
    std::vector<std::string> ids;
    PlanListQuery q;
    q.case_id = case_id;
    q.page_size = 1;
    do {
      absl::StatusOr<std::vector<Plan>> page =
          node.plans()->List(q, &q.page_token);
      EXPECT_TRUE(page.ok()) << page.status();
      if (!page.ok()) break;
      for (const Plan& p : *page) ids.push_back(p.id());
    } while (!q.page_token.empty());
    return ids;
  }

  MemoryNode fr_{"FR-DGT", &nodes_};
  MemoryNode pl_{"PL-PIP", &nodes_};
  MemoryNode ro_{"RO-ITM", &nodes_};
};

TEST_F(PlansTest, JointInspectionWithAParticipantOfflineDuringAgreement) {
  const std::string id = NewPlan({"PL-PIP", "RO-ITM"});
  ASSERT_FALSE(id.empty());
  // A draft stays on the lead's node.
  EXPECT_EQ(Stored(pl_, id), "");
  ro_.set_down(true);
  ASSERT_TRUE(Act(fr_, id, samples::ProposeEvent()).ok());
  ASSERT_TRUE(Same(fr_, pl_, id));
  EXPECT_EQ(StoredPlan(pl_, id).state(), pwx::v1::PLAN_STATE_PROPOSED);
  // PL-PIP's coordinator agrees: submitted to the lead, sequenced there,
  // and back.
  absl::StatusOr<PlanChange> agree = Act(pl_, id, samples::AgreeEvent());
  ASSERT_TRUE(agree.ok()) << agree.status();
  EXPECT_FALSE(agree->sequenced);
  EXPECT_EQ(agree->plan.state(), pwx::v1::PLAN_STATE_PROPOSED);
  const uint64_t agreed_at = agree->plan.seq() + 1;
  ASSERT_TRUE(ReachesSeq(fr_, id, agreed_at));
  ASSERT_TRUE(Same(fr_, pl_, id));
  EXPECT_EQ(Stored(ro_, id), "");
  // RO-ITM comes back, restarts, and catches up with everything.
  ro_.set_down(false);
  ro_.Restart();
  ASSERT_TRUE(Same(fr_, ro_, id));
  ASSERT_TRUE(Act(ro_, id, samples::AgreeEvent()).ok());
  ASSERT_TRUE(Eventually([&] {
    return StoredPlan(ro_, id).state() == pwx::v1::PLAN_STATE_AGREED;
  }));
  ASSERT_TRUE(Act(fr_, id, samples::StartEvent()).ok());
  ASSERT_TRUE(Same(fr_, ro_, id));
  // Each records the findings of its own action and its report part.
  ASSERT_TRUE(Act(fr_, id, samples::FindingEvent("A1", 12)).ok());
  ASSERT_TRUE(Same(fr_, pl_, id));
  ASSERT_TRUE(Act(pl_, id, samples::FindingEvent("A2", 30)).ok());
  ASSERT_TRUE(Act(ro_, id, samples::FindingEvent("A3", 9)).ok());
  ASSERT_TRUE(Eventually([&] {
    const Plan p = StoredPlan(fr_, id);
    return p.actions(1).findings_size() == 1 &&
           p.actions(2).findings_size() == 1;
  }));
  for (MemoryNode* n : {&fr_, &pl_, &ro_}) {
    ASSERT_TRUE(Same(fr_, *n, id));
    ASSERT_TRUE(
        Act(*n, id, samples::ReportPartEvent(absl::StrCat(n->id(), " part")))
            .ok());
  }
  ASSERT_TRUE(Eventually([&] {
    return StoredPlan(fr_, id).state() == pwx::v1::PLAN_STATE_REPORTED;
  }));
  ASSERT_TRUE(Act(fr_, id, samples::CloseEvent()).ok());
  ASSERT_TRUE(Same(fr_, pl_, id));
  ASSERT_TRUE(Same(fr_, ro_, id));
  EXPECT_EQ(StoredPlan(ro_, id).state(), pwx::v1::PLAN_STATE_CLOSED);
  absl::StatusOr<pwx::v1::PlanReportSummary> report = pl_.plans()->Report(id);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->total().workers_checked(), 51);
  EXPECT_TRUE(report->complete());
  // Every change made or received is in each node's audit log.
  EXPECT_EQ(fr_.Count("plan.agree"), 2);
  // RO-ITM: its own as submitted, then both as sequenced.
  EXPECT_EQ(ro_.Count("plan.agree"), 3);
  EXPECT_EQ(pl_.Count("plan.close"), 1);
  // A read is logged before the plan is returned.
  const int reads = pl_.Count("plan.read");
  ASSERT_TRUE(Get(pl_, id).ok());
  EXPECT_EQ(pl_.Count("plan.read"), reads + 1);
}

TEST_F(PlansTest, AnAmendmentReopensAgreement) {
  const std::string id = NewPlan({"PL-PIP", "RO-ITM"});
  ASSERT_TRUE(Act(fr_, id, samples::ProposeEvent()).ok());
  ASSERT_TRUE(Same(fr_, pl_, id));
  ASSERT_TRUE(Same(fr_, ro_, id));
  ASSERT_TRUE(Act(pl_, id, samples::AgreeEvent()).ok());
  ASSERT_TRUE(Act(ro_, id, samples::AgreeEvent()).ok());
  ASSERT_TRUE(Eventually([&] {
    return StoredPlan(fr_, id).state() == pwx::v1::PLAN_STATE_AGREED;
  }));
  PlanEvent amend;
  pwx::v1::PlanContent content = StoredPlan(fr_, id).content();
  content.set_title("Construction sites, Rhône and Isère 2026");
  *amend.mutable_amend()->mutable_content() = content;
  amend.mutable_amend()->set_replaces_content(true);
  amend.mutable_amend()->set_reason("Isère sites added");
  ASSERT_TRUE(Act(fr_, id, amend).ok());
  ASSERT_TRUE(Same(fr_, pl_, id));
  Plan reopened = StoredPlan(pl_, id);
  EXPECT_EQ(reopened.state(), pwx::v1::PLAN_STATE_PROPOSED);
  EXPECT_EQ(reopened.resume_state(), pwx::v1::PLAN_STATE_AGREED);
  for (const pwx::v1::Participant& x : reopened.participants()) {
    EXPECT_EQ(x.status(), pwx::v1::PARTICIPANT_STATUS_INVITED) << x.authority();
  }
  ASSERT_TRUE(Act(pl_, id, samples::AgreeEvent()).ok());
  ASSERT_TRUE(Same(fr_, ro_, id));
  ASSERT_TRUE(Act(ro_, id, samples::AgreeEvent()).ok());
  ASSERT_TRUE(Eventually([&] {
    return StoredPlan(pl_, id).state() == pwx::v1::PLAN_STATE_AGREED;
  }));
  EXPECT_EQ(StoredPlan(pl_, id).content().title(),
            "Construction sites, Rhône and Isère 2026");
  ASSERT_TRUE(Same(fr_, ro_, id));
}

TEST_F(PlansTest, TheCaseIndexFollowsTheContentOnEveryNode) {
  const std::string id = NewPlan({"PL-PIP"});
  const std::vector<std::string> just{id};
  EXPECT_EQ(OfCase(fr_, "FR-DGT-2026-000042"), just);
  // An edit of the draft moves the plan to its new cases.
  PlanEvent edit;
  pwx::v1::PlanContent content = StoredPlan(fr_, id).content();
  content.clear_case_ids();
  content.add_case_ids("FR-DGT-2026-000043");
  content.add_case_ids("PL-PIP-2026-000007");
  *edit.mutable_edit_draft()->mutable_content() = content;
  ASSERT_TRUE(Act(fr_, id, edit).ok());
  EXPECT_TRUE(OfCase(fr_, "FR-DGT-2026-000042").empty());
  EXPECT_EQ(OfCase(fr_, "FR-DGT-2026-000043"), just);
  ASSERT_TRUE(Act(fr_, id, samples::ProposeEvent()).ok());
  ASSERT_TRUE(Same(fr_, pl_, id));
  EXPECT_EQ(OfCase(pl_, "PL-PIP-2026-000007"), just);
  EXPECT_EQ(OfCase(pl_, "FR-DGT-2026-000043"), just);
  ASSERT_TRUE(Act(pl_, id, samples::AgreeEvent()).ok());
  ASSERT_TRUE(Eventually([&] {
    return StoredPlan(pl_, id).state() == pwx::v1::PLAN_STATE_AGREED;
  }));
  // An amendment drops a case and adds one, at the lead and the
  // participant alike.
  PlanEvent amend;
  content.set_case_ids(0, "FR-DGT-2026-000044");
  *amend.mutable_amend()->mutable_content() = content;
  amend.mutable_amend()->set_replaces_content(true);
  amend.mutable_amend()->set_reason("the Isère case replaces the Rhône one");
  ASSERT_TRUE(Act(fr_, id, amend).ok());
  ASSERT_TRUE(Same(fr_, pl_, id));
  for (MemoryNode* node : {&fr_, &pl_}) {
    SCOPED_TRACE(node->id());
    EXPECT_TRUE(OfCase(*node, "FR-DGT-2026-000043").empty());
    EXPECT_EQ(OfCase(*node, "FR-DGT-2026-000044"), just);
    EXPECT_EQ(OfCase(*node, "PL-PIP-2026-000007"), just);
  }
  // RO-ITM takes no part: it holds nothing to list.
  EXPECT_TRUE(OfCase(ro_, "FR-DGT-2026-000044").empty());
  // A second plan of the same case is listed after the first, by id.
  const std::string second = NewPlan({"PL-PIP"});
  PlanEvent edit_second;
  *edit_second.mutable_edit_draft()->mutable_content() = content;
  ASSERT_TRUE(Act(fr_, second, edit_second).ok());
  EXPECT_EQ(OfCase(fr_, "FR-DGT-2026-000044"),
            (std::vector<std::string>{id, second}));
  PlanListQuery bad;
  bad.case_id = "FR-DGT-42";
  std::string token;
  absl::StatusOr<std::vector<Plan>> refused = fr_.plans()->List(bad, &token);
  EXPECT_TRUE(absl::IsInvalidArgument(refused.status()));
  EXPECT_TRUE(absl::StrContains(refused.status().message(), "case_id"))
      << refused.status();
}

TEST_F(PlansTest, ADeclinerStopsReceivingAndKeepsItsCopyConfidential) {
  const std::string id = NewPlan({"PL-PIP", "RO-ITM"});
  ASSERT_TRUE(Act(fr_, id, samples::ProposeEvent()).ok());
  ASSERT_TRUE(Same(fr_, ro_, id));
  ASSERT_TRUE(Act(ro_, id, samples::DeclineEvent()).ok());
  ASSERT_TRUE(Eventually([&] {
    const Plan plan = StoredPlan(ro_, id);
    const pwx::v1::Participant* x = domain::FindParticipant(plan, "RO-ITM");
    return x != nullptr && x->status() == pwx::v1::PARTICIPANT_STATUS_DECLINED;
  }));
  const uint64_t declined_at = StoredPlan(ro_, id).seq();
  // PL-PIP agrees on a copy that has the proposal (and the decline).
  ASSERT_TRUE(ReachesSeq(pl_, id, declined_at));
  ASSERT_TRUE(Act(pl_, id, samples::AgreeEvent()).ok());
  ASSERT_TRUE(Eventually([&] {
    return StoredPlan(fr_, id).state() == pwx::v1::PLAN_STATE_AGREED;
  }));
  ASSERT_TRUE(Act(fr_, id, samples::StartEvent()).ok());
  ASSERT_TRUE(Same(fr_, pl_, id));
  // Nothing more waits for RO-ITM, and it got nothing after its decline.
  ASSERT_TRUE(Eventually([&] { return fr_.Health("RO-ITM").queued() == 0; }));
  EXPECT_EQ(StoredPlan(ro_, id).seq(), declined_at);
  absl::StatusOr<Plan> copy = Get(ro_, id);
  ASSERT_TRUE(copy.ok()) << copy.status();
  EXPECT_TRUE(copy->confidential());
  absl::StatusOr<Plan> pl_copy = Get(pl_, id);
  ASSERT_TRUE(pl_copy.ok());
  EXPECT_FALSE(pl_copy->confidential());
  // A restart asks for nothing of a declined plan.
  ro_.Restart();
  ASSERT_TRUE(Act(fr_, id, samples::FindingEvent("A1", 4)).ok());
  ASSERT_TRUE(Same(fr_, pl_, id));
  ASSERT_TRUE(Eventually([&] { return fr_.Health("RO-ITM").queued() == 0; }));
  EXPECT_EQ(StoredPlan(ro_, id).seq(), declined_at);
  // And its changes are refused at home.
  absl::StatusOr<PlanChange> late = Act(ro_, id, samples::AgreeEvent());
  EXPECT_FALSE(late.ok());
}

TEST_F(PlansTest, ForbiddenChangesAreRefusedWithNothingChanged) {
  const std::string id = NewPlan({"PL-PIP", "RO-ITM"});
  // Before the proposal, a participant holds nothing.
  EXPECT_TRUE(absl::IsNotFound(Act(pl_, id, samples::AgreeEvent()).status()));
  ASSERT_TRUE(Act(fr_, id, samples::ProposeEvent()).ok());
  ASSERT_TRUE(Same(fr_, pl_, id));
  const std::string before = Stored(fr_, id);
  // Agreeing is for coordinators.
  EXPECT_TRUE(absl::IsPermissionDenied(
      Act(pl_, id, samples::AgreeEvent(), /*coordinator=*/false).status()));
  // Only the lead starts; a participant's own node refuses it at once.
  EXPECT_TRUE(
      absl::IsPermissionDenied(Act(pl_, id, samples::StartEvent()).status()));
  // Bad input names the field.
  PlanEvent bad = samples::DeclineEvent();
  bad.mutable_decline()->clear_reason();
  absl::Status s = Act(pl_, id, bad).status();
  EXPECT_TRUE(absl::IsInvalidArgument(s)) << s;
  EXPECT_TRUE(absl::StrContains(s.message(), "decline.reason")) << s;
  EXPECT_TRUE(absl::IsInvalidArgument(Act(pl_, id, PlanEvent()).status()));
  // A submission that claims to be the lead's is still PL-PIP's: the
  // author is the envelope's sender. The lead refuses it, records the
  // refusal and sends it back.
  pwx::v1::Event forged;
  pwx::v1::PlanSubmission* sub = forged.mutable_plan()->mutable_submission();
  sub->set_plan_id(id);
  *sub->mutable_event() = samples::StartEvent();
  sub->mutable_event()->set_author("FR-DGT");
  sub->mutable_event()->set_submission_id("forged-1");
  for (int round = 0; round < 2; ++round) {  // the second: a resend
    storage::WriteBatch batch;
    ASSERT_TRUE(fr_.plans()->Apply(forged, "PL-PIP", &batch).ok());
    ASSERT_TRUE(fr_.kv()->Write(std::move(batch)).ok());
    fr_.plans()->AfterCommit(forged, "PL-PIP");
  }
  ASSERT_TRUE(Refused(pl_, id, "forged-1"));
  absl::StatusOr<std::vector<pwx::v1::PlanRefusal>> refusals =
      pl_.plans()->Refusals(id);
  ASSERT_TRUE(refusals.ok());
  ASSERT_EQ(refusals->size(), 1u);
  EXPECT_EQ((*refusals)[0].code(),
            static_cast<int>(absl::StatusCode::kPermissionDenied));
  EXPECT_EQ(fr_.Count("plan.refuse"), 1);  // the resend got the same one
  EXPECT_EQ(Stored(fr_, id), before);
  // Events come from the plan's lead only.
  pwx::v1::Event events;
  events.mutable_plan()->mutable_events()->set_plan_id(id);
  *events.mutable_plan()->mutable_events()->add_events() =
      StoredPlan(fr_, id).history(0);
  storage::WriteBatch batch;
  EXPECT_TRUE(
      absl::IsPermissionDenied(pl_.plans()->Apply(events, "RO-ITM", &batch)));
  // Nor may anyone else ask the lead for a plan's events.
  pwx::v1::Event ask;
  ask.mutable_plan()->mutable_catch_up()->set_plan_id(id);
  EXPECT_TRUE(
      absl::IsPermissionDenied(pl_.plans()->Apply(ask, "RO-ITM", &batch)));
  EXPECT_TRUE(batch.empty());
  EXPECT_EQ(Stored(fr_, id), before);
  EXPECT_EQ(Stored(pl_, id), before);
}

TEST_F(PlansTest, AChangeMadeOnAStaleCopyIsRefusedBackToItsAuthor) {
  const std::string id = NewPlan({"PL-PIP", "RO-ITM"});
  ASSERT_TRUE(Act(fr_, id, samples::ProposeEvent()).ok());
  ASSERT_TRUE(Same(fr_, pl_, id));
  const uint64_t proposed = StoredPlan(fr_, id).seq();
  // PL-PIP hears nothing back for a while: its copy still shows it
  // invited after it agreed, so its second agreement passes at home.
  pl_.set_down(true);
  ASSERT_TRUE(Act(pl_, id, samples::AgreeEvent()).ok());
  ASSERT_TRUE(ReachesSeq(fr_, id, proposed + 1));
  absl::StatusOr<PlanChange> again = Act(pl_, id, samples::AgreeEvent());
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_TRUE(Eventually([&] { return fr_.Count("plan.refuse") == 1; }));
  pl_.set_down(false);
  ASSERT_TRUE(Refused(pl_, id, again->event.submission_id()));
  const std::vector<pwx::v1::PlanRefusal> refusals = *pl_.plans()->Refusals(id);
  ASSERT_EQ(refusals.size(), 1u);
  EXPECT_EQ(refusals[0].code(),
            static_cast<int>(absl::StatusCode::kFailedPrecondition));
  EXPECT_EQ(refusals[0].checked_at_seq(), proposed + 1);
  EXPECT_EQ(pl_.Count("plan.refused"), 1);
  ASSERT_TRUE(Same(fr_, pl_, id));
  EXPECT_EQ(StoredPlan(fr_, id).seq(), proposed + 1);
}

TEST_F(PlansTest, EventsAfterAGapWaitUntilTheLeadFillsIt) {
  const std::string id = NewPlan({"PL-PIP", "RO-ITM"});
  ASSERT_TRUE(Act(fr_, id, samples::ProposeEvent()).ok());
  ASSERT_TRUE(Same(fr_, pl_, id));
  const uint64_t had = StoredPlan(pl_, id).seq();
  pl_.set_down(true);
  ASSERT_TRUE(
      Act(fr_, id, samples::AddActionEvent("FR-DGT", "2026-04-01")).ok());
  ASSERT_TRUE(
      Act(fr_, id, samples::AddActionEvent("FR-DGT", "2026-04-02")).ok());
  // Only the second reaches PL-PIP: it waits, and PL-PIP asks for the rest.
  pwx::v1::Event late;
  late.mutable_plan()->mutable_events()->set_plan_id(id);
  *late.mutable_plan()->mutable_events()->add_events() =
      StoredPlan(fr_, id).history(static_cast<int>(had + 1));
  storage::WriteBatch batch;
  ASSERT_TRUE(pl_.plans()->Apply(late, "FR-DGT", &batch).ok());
  ASSERT_TRUE(pl_.kv()->Write(std::move(batch)).ok());
  pl_.plans()->AfterCommit(late, "FR-DGT");
  EXPECT_EQ(StoredPlan(pl_, id).seq(), had);
  EXPECT_EQ(storage::PlanStore(pl_.kv()).Pending(id)->size(), 1u);
  EXPECT_TRUE(Eventually([&] { return fr_.Count("plan.catch-up") >= 1; }));
  pl_.set_down(false);
  ASSERT_TRUE(Same(fr_, pl_, id));
  EXPECT_TRUE(storage::PlanStore(pl_.kv()).Pending(id)->empty());
}

TEST_F(PlansTest, RandomOutagesRedeliveriesAndRestartsConverge) {
  for (uint64_t seed : {1u, 2u, 3u}) {
    SCOPED_TRACE(seed);
    std::mt19937_64 rng(seed);
    const std::string id = NewPlan({"PL-PIP", "RO-ITM"});
    ASSERT_TRUE(Act(fr_, id, samples::ProposeEvent()).ok());
    ASSERT_TRUE(Same(fr_, pl_, id));
    ASSERT_TRUE(Same(fr_, ro_, id));
    ASSERT_TRUE(Act(pl_, id, samples::AgreeEvent()).ok());
    ASSERT_TRUE(Act(ro_, id, samples::AgreeEvent()).ok());
    ASSERT_TRUE(Eventually([&] {
      return StoredPlan(fr_, id).state() == pwx::v1::PLAN_STATE_AGREED;
    }));
    ASSERT_TRUE(Act(fr_, id, samples::StartEvent()).ok());
    ASSERT_TRUE(Same(fr_, pl_, id));
    ASSERT_TRUE(Same(fr_, ro_, id));
    MemoryNode* const all[] = {&fr_, &pl_, &ro_};
    const char* const actions[] = {"A1", "A2", "A3"};
    int findings = 0;
    for (int step = 0; step < 40; ++step) {
      const int who = static_cast<int>(rng() % 3);
      switch (rng() % 6) {
        case 0:  // an outage of a participant's node
          all[1 + rng() % 2]->set_down(rng() % 2 == 0);
          break;
        case 1: {  // a link's envelopes delivered again
          MemoryNode* from = all[rng() % 3];
          MemoryNode* to = all[rng() % 3];
          if (from != to) from->Resend(to->id(), 1).IgnoreError();
          break;
        }
        case 2:
          if (who != 0) all[who]->Restart();
          break;
        default: {
          absl::StatusOr<PlanChange> c =
              Act(*all[who], id, samples::FindingEvent(actions[who], 1));
          ASSERT_TRUE(c.ok()) << c.status();
          ++findings;
          break;
        }
      }
    }
    for (MemoryNode* n : all) n->set_down(false);
    // Every finding reaches the lead, and every node the same plan.
    ASSERT_TRUE(Eventually([&] {
      const Plan p = StoredPlan(fr_, id);
      int n = 0;
      for (const pwx::v1::PlanAction& a : p.actions()) n += a.findings_size();
      return n == findings;
    }));
    EXPECT_TRUE(Same(fr_, pl_, id));
    EXPECT_TRUE(Same(fr_, ro_, id));
  }
}

}  // namespace
}  // namespace pwx::server::fed_testing
