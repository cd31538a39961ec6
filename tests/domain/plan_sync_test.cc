// The lead-ordered sequence of plan changes across nodes: the issue's
// three-authority joint inspection, a decline, forbidden changes, and the
// pieces (Submit, ReceiveSequenced, FoldPlan, Deliveries, EventsFor).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "server/domain/plan_rules.h"
#include "tests/domain/plan_samples.h"

namespace pwx::domain {
namespace {

using pwx::testing::AddActionEvent;
using pwx::testing::AgreeEvent;
using pwx::testing::By;
using pwx::testing::CloseEvent;
using pwx::testing::CreateEvent;
using pwx::testing::DeclineEvent;
using pwx::testing::FindingEvent;
using pwx::testing::kDe;
using pwx::testing::kEla;
using pwx::testing::kFr;
using pwx::testing::kPl;
using pwx::testing::kPlanId;
using pwx::testing::kRo;
using pwx::testing::PlanFederation;
using pwx::testing::ProposeEvent;
using pwx::testing::ReportPartEvent;
using pwx::testing::StartEvent;
using pwx::v1::Plan;
using pwx::v1::PlanEvent;
using ::testing::HasSubstr;

// The same bytes on every node named.
void ExpectSame(const PlanFederation& f, std::vector<std::string> nodes) {
  for (const std::string& n : nodes) {
    EXPECT_EQ(f.nodes.at(n).plan.SerializeAsString(),
              f.lead.plan.SerializeAsString())
        << n << " differs from the lead";
  }
}

class PlanSyncTest : public ::testing::Test {
 protected:
  // `author` makes `change` (its n-th submission); expects it accepted.
  PlanEvent Ok(PlanFederation& f, const char* author, PlanEvent change) {
    absl::StatusOr<PlanEvent> e = f.Change(author, By(author, change, ++n_));
    EXPECT_TRUE(e.ok()) << e.status();
    return e.ok() ? *e : PlanEvent();
  }
  absl::Status Refused(PlanFederation& f, const char* author,
                       PlanEvent change) {
    return f.Change(author, By(author, change, ++n_)).status();
  }
  int n_ = 0;
};

TEST_F(PlanSyncTest, JointInspectionFromProposalToClosure) {
  PlanFederation f({kPl, kRo, kEla});
  // RO-ITM is offline during the whole agreement.
  f.nodes.at(kRo).online = false;
  Ok(f, kFr, CreateEvent({kPl, kRo}));
  Ok(f, kFr, AddActionEvent(kFr, "2026-03-10"));  // A1
  Ok(f, kFr, AddActionEvent(kPl, "2026-03-11"));  // A2
  Ok(f, kFr, AddActionEvent(kRo, "2026-03-12"));  // A3
  // A draft stays on the lead's node.
  EXPECT_EQ(f.nodes.at(kPl).plan.seq(), 0u);
  Ok(f, kFr, ProposeEvent());
  // Proposed: PL-PIP and EU-ELA get the whole history.
  ExpectSame(f, {kPl, kEla});
  EXPECT_EQ(f.nodes.at(kPl).plan.state(), pwx::v1::PLAN_STATE_PROPOSED);
  Ok(f, kPl, AgreeEvent());
  EXPECT_EQ(f.lead.plan.state(), pwx::v1::PLAN_STATE_PROPOSED);
  EXPECT_EQ(f.nodes.at(kRo).plan.seq(), 0u);

  // RO-ITM comes back, catches up, and agrees: the plan is agreed.
  ASSERT_TRUE(f.CatchUp(kRo).ok());
  ExpectSame(f, {kPl, kRo, kEla});
  Ok(f, kRo, AgreeEvent());
  EXPECT_EQ(f.lead.plan.state(), pwx::v1::PLAN_STATE_AGREED);
  ExpectSame(f, {kPl, kRo, kEla});

  // Moving PL-PIP's action reopens its agreement only.
  PlanEvent move;
  pwx::v1::PlanAction a2 = f.lead.plan.actions(1);
  a2.set_date("2026-03-18");
  *move.mutable_amend()->add_changed_actions() = a2;
  move.mutable_amend()->set_reason("site opens later");
  Ok(f, kFr, move);
  const Plan& at_pl = f.nodes.at(kPl).plan;
  EXPECT_EQ(at_pl.state(), pwx::v1::PLAN_STATE_PROPOSED);
  EXPECT_EQ(FindParticipant(at_pl, kPl)->status(),
            pwx::v1::PARTICIPANT_STATUS_INVITED);
  EXPECT_EQ(FindParticipant(at_pl, kRo)->status(),
            pwx::v1::PARTICIPANT_STATUS_AGREED);
  Ok(f, kPl, AgreeEvent());
  EXPECT_EQ(f.lead.plan.state(), pwx::v1::PLAN_STATE_AGREED);

  // Forbidden changes are refused and change nothing anywhere.
  const std::string before = f.lead.plan.SerializeAsString();
  PlanEvent amend_by_pl = move;
  amend_by_pl.mutable_amend()->mutable_changed_actions(0)->set_date(
      "2026-03-25");
  absl::Status s = Refused(f, kPl, amend_by_pl);
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(s.message(), HasSubstr("only the lead"));
  Ok(f, kFr, StartEvent());
  const std::string started = f.lead.plan.SerializeAsString();
  EXPECT_NE(started, before);
  s = Refused(f, kRo, FindingEvent("A2", 5));  // PL-PIP's action
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(s.message(), HasSubstr("only PL-PIP"));
  EXPECT_EQ(f.lead.plan.SerializeAsString(), started);
  ExpectSame(f, {kPl, kRo, kEla});
  const pwx::v1::PlanRefusal refusal =
      MakeRefusal(f.lead.plan, By(kRo, FindingEvent("A2", 5), 99), s);
  EXPECT_EQ(refusal.submission_id(), "RO-ITM/99");
  EXPECT_EQ(refusal.code(), static_cast<int>(s.code()));
  EXPECT_EQ(refusal.checked_at_seq(), f.lead.plan.seq());

  // Findings, report parts, closure.
  Ok(f, kFr, FindingEvent("A1", 20));
  Ok(f, kPl, FindingEvent("A2", 15));
  Ok(f, kRo, FindingEvent("A3", 18));
  Ok(f, kFr, ReportPartEvent("Lyon: 20 workers checked"));
  Ok(f, kPl, ReportPartEvent("Budimex: pay slips requested"));
  EXPECT_EQ(f.lead.plan.state(), pwx::v1::PLAN_STATE_IN_PROGRESS);
  Ok(f, kRo, ReportPartEvent("A1 coverage confirmed"));
  EXPECT_EQ(f.lead.plan.state(), pwx::v1::PLAN_STATE_REPORTED);
  Ok(f, kFr, CloseEvent());
  ExpectSame(f, {kPl, kRo, kEla});
  EXPECT_EQ(f.nodes.at(kRo).plan.state(), pwx::v1::PLAN_STATE_CLOSED);
  const pwx::v1::PlanReportSummary report =
      SummarizeReport(f.nodes.at(kRo).plan, absl::CivilDay(2026, 4, 1));
  EXPECT_EQ(report.total().workers_checked(), 53);
  EXPECT_TRUE(report.complete());
  // Every node can rebuild the plan from its history alone.
  absl::StatusOr<Plan> folded = FoldPlan(
      kPlanId, {f.lead.plan.history().begin(), f.lead.plan.history().end()});
  ASSERT_TRUE(folded.ok()) << folded.status();
  EXPECT_EQ(folded->SerializeAsString(), f.lead.plan.SerializeAsString());
}

TEST_F(PlanSyncTest, DeclinerGetsItsDeclineThenNothingAndKeepsItsCopy) {
  PlanFederation f({kPl, kRo, kDe, kEla});
  Ok(f, kFr, CreateEvent({kPl, kRo, kDe}));
  Ok(f, kFr, AddActionEvent(kFr, "2026-03-10"));
  Ok(f, kFr, ProposeEvent());
  Ok(f, kPl, AgreeEvent());
  const PlanEvent decline = Ok(f, kDe, DeclineEvent());
  const std::string at_decline = f.lead.plan.SerializeAsString();
  Ok(f, kRo, AgreeEvent());
  EXPECT_EQ(f.lead.plan.state(), pwx::v1::PLAN_STATE_AGREED);
  Ok(f, kFr, StartEvent());
  ExpectSame(f, {kPl, kRo});
  const Plan& de = f.nodes.at(kDe).plan;
  EXPECT_EQ(de.SerializeAsString(), at_decline);
  EXPECT_EQ(de.seq(), decline.seq());
  EXPECT_TRUE(ConfidentialFor(de, kDe));
  // Catching up gives it nothing past its decline.
  absl::StatusOr<std::vector<PlanEvent>> events =
      EventsFor(f.lead.plan, kDe, 0);
  ASSERT_TRUE(events.ok());
  EXPECT_EQ(events->back().seq(), decline.seq());
  ASSERT_TRUE(f.CatchUp(kDe).ok());
  EXPECT_EQ(f.nodes.at(kDe).plan.SerializeAsString(), at_decline);
  // Nor may it be invited again.
  PlanEvent invite;
  invite.mutable_invite()->set_authority(kDe);
  EXPECT_EQ(Refused(f, kFr, invite).code(),
            absl::StatusCode::kFailedPrecondition);
  // And an authority that never held the plan gets nothing.
  EXPECT_EQ(EventsFor(f.lead.plan, "CZ-SUIP", 0).status().code(),
            absl::StatusCode::kPermissionDenied);
}

TEST_F(PlanSyncTest, ALoneDeclineLeavesNoAgreement) {
  PlanFederation f({kPl, kEla});
  Ok(f, kFr, CreateEvent({kPl}));
  Ok(f, kFr, AddActionEvent(kFr, "2026-03-10"));
  Ok(f, kFr, ProposeEvent());
  Ok(f, kPl, DeclineEvent());
  EXPECT_EQ(f.lead.plan.state(), pwx::v1::PLAN_STATE_PROPOSED);
  PlanEvent cancel;
  cancel.mutable_cancel()->set_reason("No partner");
  Ok(f, kFr, cancel);
  EXPECT_EQ(f.lead.plan.state(), pwx::v1::PLAN_STATE_CANCELLED);
}

TEST(PlanSubmitTest, SequencesOnceAndSetsTheAuthor) {
  Plan lead = EmptyPlan(kPlanId);
  PlanEvent create = By(kFr, CreateEvent({kPl}));
  create.set_author("SOMEONE-ELSE");  // never trusted: the sender counts
  absl::StatusOr<PlanEvent> e = Submit(lead, kFr, create);
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ(e->author(), kFr);
  EXPECT_EQ(e->seq(), 1u);
  ASSERT_TRUE(ApplySequenced(*e, &lead).ok());
  // The same submission again: the event it became, nothing new.
  absl::StatusOr<PlanEvent> again = Submit(lead, kFr, create);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->SerializeAsString(), e->SerializeAsString());
  EXPECT_FALSE(ApplySequenced(*again, &lead).ok());
  EXPECT_EQ(lead.seq(), 1u);

  PlanEvent anonymous = By(kFr, AddActionEvent(kFr, "2026-03-10"));
  anonymous.clear_submission_id();
  absl::Status s = Submit(lead, kFr, anonymous).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("submission_id:"));
}

// Events 1..5 of a plan: create, three actions, propose.
std::vector<PlanEvent> FiveEvents() {
  Plan lead = EmptyPlan(kPlanId);
  std::vector<PlanEvent> out;
  int n = 0;
  for (PlanEvent e : {CreateEvent({kPl}), AddActionEvent(kFr, "2026-03-10"),
                      AddActionEvent(kPl, "2026-03-11"),
                      AddActionEvent(kFr, "2026-03-12"), ProposeEvent()}) {
    absl::StatusOr<PlanEvent> s = Submit(lead, kFr, By(kFr, e, ++n));
    EXPECT_TRUE(s.ok()) << s.status();
    EXPECT_TRUE(ApplySequenced(*s, &lead).ok());
    out.push_back(*s);
  }
  return out;
}

TEST(PlanReceiveTest, BuffersGapsIgnoresDuplicatesAppliesInOrder) {
  const std::vector<PlanEvent> ev = FiveEvents();
  Plan p = EmptyPlan(kPlanId);
  std::vector<PlanEvent> pending;
  absl::StatusOr<int> n = ReceiveSequenced({ev[2], ev[4]}, &p, &pending);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 0);
  EXPECT_EQ(pending.size(), 2u);
  n = ReceiveSequenced({ev[0], ev[2]}, &p, &pending);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 1);
  EXPECT_EQ(p.seq(), 1u);
  n = ReceiveSequenced({ev[1], ev[0], ev[3]}, &p, &pending);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 4);
  EXPECT_EQ(p.seq(), 5u);
  EXPECT_TRUE(pending.empty());
  absl::StatusOr<Plan> folded = FoldPlan(kPlanId, ev);
  ASSERT_TRUE(folded.ok());
  EXPECT_EQ(p.SerializeAsString(), folded->SerializeAsString());
}

TEST(PlanReceiveTest, AnotherEventAtAKnownSeqIsRefusedWholly) {
  const std::vector<PlanEvent> ev = FiveEvents();
  Plan p = EmptyPlan(kPlanId);
  std::vector<PlanEvent> pending;
  ASSERT_TRUE(ReceiveSequenced({ev[0], ev[1]}, &p, &pending).ok());
  const std::string before = p.SerializeAsString();
  PlanEvent other = ev[1];
  other.mutable_add_action()->mutable_action()->set_place("Marseille");
  absl::Status s = ReceiveSequenced({ev[2], other}, &p, &pending).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.message(), HasSubstr("seq 2"));
  EXPECT_EQ(p.SerializeAsString(), before);
  EXPECT_TRUE(pending.empty());

  // An event that does not apply leaves plan and buffer as they were,
  // even when others before it in the same delivery would apply.
  PlanEvent bad = ev[3];
  bad.set_author(kPl);  // only the lead adds actions
  s = ReceiveSequenced({ev[2], bad}, &p, &pending).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(p.SerializeAsString(), before);
  EXPECT_TRUE(pending.empty());

  PlanEvent unsequenced = ev[2];
  unsequenced.clear_seq();
  EXPECT_THAT(ReceiveSequenced({unsequenced}, &p, &pending).status().message(),
              HasSubstr("events[0].seq"));
}

TEST(PlanFoldTest, NeedsEveryEventFromOne) {
  std::vector<PlanEvent> ev = FiveEvents();
  std::vector<PlanEvent> shuffled = {ev[4], ev[1], ev[0], ev[3], ev[2], ev[1]};
  absl::StatusOr<Plan> folded = FoldPlan(kPlanId, shuffled);
  ASSERT_TRUE(folded.ok()) << folded.status();
  EXPECT_EQ(folded->seq(), 5u);
  std::vector<PlanEvent> gap = {ev[0], ev[1], ev[3]};
  absl::Status s = FoldPlan(kPlanId, gap).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("no event at seq 3"));
}

TEST(PlanDeliveriesTest, NewReceiversGetTheHistoryOthersTheEvent) {
  const std::vector<PlanEvent> ev = FiveEvents();
  absl::StatusOr<Plan> draft = FoldPlan(kPlanId, {ev.begin(), ev.begin() + 4});
  absl::StatusOr<Plan> proposed = FoldPlan(kPlanId, ev);
  ASSERT_TRUE(draft.ok() && proposed.ok());
  EXPECT_TRUE(Receivers(*draft).empty());
  std::vector<PlanDelivery> d = Deliveries(*draft, *proposed);
  ASSERT_EQ(d.size(), 2u);  // PL-PIP and EU-ELA, from the start
  EXPECT_EQ(d[0].authority, kPl);
  EXPECT_EQ(d[0].after_seq, 0u);
  EXPECT_EQ(d[1].authority, kEla);
  EXPECT_EQ(d[1].after_seq, 0u);

  // An amendment replacing ELA's node: the old one gets that event, last.
  Plan next = *proposed;
  PlanEvent amend;
  pwx::v1::PlanContent content = next.content();
  content.mutable_ela()->set_authority("EU-ELA2");
  *amend.mutable_amend()->mutable_content() = content;
  amend.mutable_amend()->set_replaces_content(true);
  absl::StatusOr<PlanEvent> e = Submit(next, kFr, By(kFr, amend, 6));
  ASSERT_TRUE(e.ok()) << e.status();
  ASSERT_TRUE(ApplySequenced(*e, &next).ok());
  d = Deliveries(*proposed, next);
  ASSERT_EQ(d.size(), 3u);
  EXPECT_EQ(d[1].authority, "EU-ELA2");
  EXPECT_EQ(d[1].after_seq, 0u);
  EXPECT_EQ(d[2].authority, kEla);
  EXPECT_EQ(d[2].after_seq, 5u);
  absl::StatusOr<std::vector<PlanEvent>> old = EventsFor(next, kEla, 5);
  ASSERT_TRUE(old.ok());
  ASSERT_EQ(old->size(), 1u);
  EXPECT_EQ(old->front().seq(), 6u);
  PlanEvent later = By(kFr, AddActionEvent(kFr, "2026-04-01"), 7);
  absl::StatusOr<PlanEvent> e7 = Submit(next, kFr, later);
  ASSERT_TRUE(e7.ok());
  ASSERT_TRUE(ApplySequenced(*e7, &next).ok());
  old = EventsFor(next, kEla, 6);
  ASSERT_TRUE(old.ok());
  EXPECT_TRUE(old->empty());
}

}  // namespace
}  // namespace pwx::domain
