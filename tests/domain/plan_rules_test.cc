#include "server/domain/plan_rules.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "tests/domain/plan_samples.h"

namespace pwx::domain {
namespace {

using pwx::testing::By;
using pwx::testing::kBe;
using pwx::testing::kCz;
using pwx::testing::kDe;
using pwx::testing::kEla;
using pwx::testing::kFr;
using pwx::testing::kPl;
using pwx::testing::kPlanId;
using pwx::testing::kRo;
using pwx::testing::SampleAction;
using pwx::testing::SampleContent;
using pwx::v1::Plan;
using pwx::v1::PlanEvent;
using pwx::v1::PlanState;
using ::testing::HasSubstr;

constexpr auto D = pwx::v1::PLAN_STATE_DRAFT;
constexpr auto P = pwx::v1::PLAN_STATE_PROPOSED;
constexpr auto A = pwx::v1::PLAN_STATE_AGREED;
constexpr auto I = pwx::v1::PLAN_STATE_IN_PROGRESS;
constexpr auto R = pwx::v1::PLAN_STATE_REPORTED;
constexpr auto C = pwx::v1::PLAN_STATE_CLOSED;
constexpr auto X = pwx::v1::PLAN_STATE_CANCELLED;
constexpr PlanState kAllStates[] = {D, P, A, I, R, C, X};

// A plan led by FR-DGT put directly into `state`: PL-PIP invited, RO-ITM
// agreed, DE-FKS declined, EU-ELA coordinating; actions A1 (PL-PIP), A2
// (RO-ITM) and A3 (FR-DGT).
Plan InState(PlanState state) {
  Plan p = EmptyPlan(kPlanId);
  p.set_kind(pwx::v1::PLAN_KIND_JOINT_INSPECTION);
  p.set_lead(kFr);
  p.set_state(state);
  *p.mutable_content() = SampleContent();
  auto add = [&](const char* who, pwx::v1::ParticipantStatus status) {
    auto* x = p.add_participants();
    x->set_authority(who);
    x->set_status(status);
  };
  add(kPl, pwx::v1::PARTICIPANT_STATUS_INVITED);
  add(kRo, pwx::v1::PARTICIPANT_STATUS_AGREED);
  add(kDe, pwx::v1::PARTICIPANT_STATUS_DECLINED);
  int n = 0;
  for (const char* who : {kPl, kRo, kFr}) {
    pwx::v1::PlanAction a = SampleAction(who, "2026-03-10");
    a.set_id(absl::StrCat("A", ++n));
    *p.add_actions() = a;
  }
  p.set_last_action_number(n);
  if (state != D) p.set_proposed_seq(1);
  return p;
}

// A valid change of each kind, by name (as PlanActionName spells it).
std::map<std::string, PlanEvent> SampleChanges() {
  std::map<std::string, PlanEvent> c;
  *c["edit-draft"].mutable_edit_draft()->mutable_content() = SampleContent();
  c["invite"].mutable_invite()->set_authority(kBe);
  c["propose"].mutable_propose();
  c["agree"].mutable_agree();
  c["decline"].mutable_decline()->set_reason("No inspectors in March");
  pwx::v1::PlanContent amended = SampleContent();
  amended.set_title("Construction sites, Rhône and Isère 2026");
  *c["amend"].mutable_amend()->mutable_content() = amended;
  c["amend"].mutable_amend()->set_replaces_content(true);
  *c["add-action"].mutable_add_action()->mutable_action() =
      SampleAction(kFr, "2026-03-12");
  c["start"].mutable_start();
  c["add-finding"] = pwx::testing::FindingEvent("A2", 12);
  c["submit-report-part"].mutable_submit_report_part()->set_text(
      "12 workers checked");
  auto* v = c["measure"].mutable_measure()->add_values();
  v->set_indicator_id("coverage");
  v->set_value(85);
  c["close"].mutable_close();
  c["cancel"].mutable_cancel()->set_reason("Site closed");
  return c;
}

using Authors = std::set<std::string>;
using States = std::set<PlanState>;

// The lifecycle as the issue states it. For each change: who may make it
// (everyone else: PERMISSION_DENIED), in which states (others:
// FAILED_PRECONDITION naming the state), and who may not *now* for a
// reason of their own status (FAILED_PRECONDITION).
struct Row {
  std::string change;
  // For add-finding: the action the finding is for.
  std::string action_id;
  Authors allowed;
  States states;
  Authors not_now;
};

const std::vector<Row>& Table() {
  static const auto* rows = new std::vector<Row>{
      {"edit-draft", "", {kFr}, {D}, {}},
      {"invite", "", {kFr}, {D, P, A, I}, {}},
      {"propose", "", {kFr}, {D}, {}},
      // Each participant answers for itself, once per invitation.
      {"agree", "", {kPl}, {P}, {kRo}},
      {"decline", "", {kPl}, {P}, {kRo}},
      {"amend", "", {kFr}, {D, P, A, I}, {}},
      {"add-action", "", {kFr}, {D, P, A, I}, {}},
      {"start", "", {kFr}, {A}, {}},
      // Findings only by the authority responsible for the action, once
      // it agreed: A1 is PL-PIP's (invited), A2 RO-ITM's, A3 the lead's.
      {"add-finding", "A1", {}, {I}, {kPl}},
      {"add-finding", "A2", {kRo}, {I}, {}},
      {"add-finding", "A3", {kFr}, {I}, {}},
      {"submit-report-part", "", {kFr, kRo}, {I}, {kPl}},
      {"measure", "", {kFr, kEla}, {I, R}, {}},
      {"close", "", {kFr}, {R}, {}},
      {"cancel", "", {kFr}, {D, P, A, I}, {}},
  };
  return *rows;
}

TEST(PlanRulesTest, LifecycleTableByChangeAuthorAndState) {
  const std::map<std::string, PlanEvent> changes = SampleChanges();
  int checked = 0;
  for (const Row& row : Table()) {
    ASSERT_TRUE(changes.contains(row.change)) << row.change;
    for (PlanState state : kAllStates) {
      for (const char* author : {kFr, kPl, kRo, kDe, kEla, kCz}) {
        Plan p = InState(state);
        const Plan before = p;
        PlanEvent e = changes.at(row.change);
        if (!row.action_id.empty()) {
          e.mutable_add_finding()->set_action_id(row.action_id);
        }
        e.set_author(author);
        EXPECT_EQ(PlanActionName(e), row.change);
        absl::Status s = ApplyPlanEvent(e, &p);
        SCOPED_TRACE(absl::StrCat(row.change, " ", row.action_id, " by ",
                                  author, " in ", PlanStateName(state), ": ",
                                  s.ToString()));
        if (row.not_now.contains(author)) {
          EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
          EXPECT_THAT(s.message(), HasSubstr(PlanStateName(state)));
        } else if (!row.allowed.contains(author)) {
          EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied);
          EXPECT_THAT(s.message(), HasSubstr(author));
        } else if (!row.states.contains(state)) {
          EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
          EXPECT_THAT(s.message(), HasSubstr(PlanStateName(state)));
        } else {
          EXPECT_TRUE(s.ok());
        }
        if (!s.ok()) {
          EXPECT_EQ(p.SerializeAsString(), before.SerializeAsString())
              << "a refused change changed the plan";
        }
        ++checked;
      }
    }
  }
  EXPECT_EQ(checked, static_cast<int>(Table().size()) * 7 * 6);
}

TEST(PlanRulesTest, ElaObserverAndOutsidersChangeNothing) {
  Plan p = InState(I);
  p.mutable_content()->mutable_ela()->set_role(pwx::v1::ELA_ROLE_OBSERVER);
  PlanEvent e = SampleChanges().at("measure");
  e.set_author(kEla);
  absl::Status s = ApplyPlanEvent(e, &p);
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(s.message(), HasSubstr("observes"));
  e.set_author(kCz);
  s = ApplyPlanEvent(e, &p);
  EXPECT_THAT(s.message(), HasSubstr("not a party"));
  e = SampleChanges().at("submit-report-part");
  e.set_author(kDe);
  s = ApplyPlanEvent(e, &p);
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(s.message(), HasSubstr("declined"));
}

TEST(PlanRulesTest, CreateOnlyOnAnEmptyPlan) {
  Plan empty = EmptyPlan(kPlanId);
  PlanEvent start = By(kFr, pwx::testing::StartEvent());
  absl::Status s = ApplyPlanEvent(start, &empty);
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.message(), HasSubstr("does not exist"));

  PlanEvent create = By(kFr, pwx::testing::CreateEvent({kPl, kRo}));
  ASSERT_TRUE(ApplyPlanEvent(create, &empty).ok());
  EXPECT_EQ(empty.lead(), kFr);
  EXPECT_EQ(empty.state(), D);
  EXPECT_EQ(empty.content().sectors(0), "F41.20");  // normalised
  EXPECT_EQ(empty.participants_size(), 2);
  s = ApplyPlanEvent(create, &empty);
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.message(), HasSubstr("exists already"));

  // A plan id names its lead: nobody creates a plan under another's id.
  Plan theirs = EmptyPlan(kPlanId);
  s = ApplyPlanEvent(By(kPl, pwx::testing::CreateEvent({kRo})), &theirs);
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(s.message(), HasSubstr("own ids"));
  Plan bad_id = EmptyPlan("plan-1");
  s = ApplyPlanEvent(create, &bad_id);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("plan_id:"));
}

TEST(PlanRulesTest, AgreementNeedsEveryAnswerAndTwoAuthorities) {
  Plan p = InState(P);
  // PL-PIP is still invited: RO-ITM's agreement alone does not conclude.
  EXPECT_EQ(p.state(), P);
  PlanEvent agree = By(kPl, SampleChanges().at("agree"));
  agree.set_seq(7);
  ASSERT_TRUE(ApplyPlanEvent(agree, &p).ok());
  EXPECT_EQ(p.state(), A);
  EXPECT_EQ(FindParticipant(p, kPl)->agreed_seq(), 7u);
  EXPECT_EQ(FindParticipant(p, kPl)->answered_by(), "user@PL-PIP");

  // With only declines, the lead alone does not make an agreement.
  Plan q = InState(P);
  q.mutable_participants(1)->set_status(pwx::v1::PARTICIPANT_STATUS_INVITED);
  ASSERT_TRUE(ApplyPlanEvent(By(kPl, SampleChanges().at("decline")), &q).ok());
  PlanEvent ro_declines = By(kRo, SampleChanges().at("decline"));
  ASSERT_TRUE(ApplyPlanEvent(ro_declines, &q).ok());
  EXPECT_EQ(q.state(), P);
  EXPECT_EQ(FindParticipant(q, kRo)->decline_reason(),
            "No inspectors in March");

  PlanEvent no_reason = By(kPl, SampleChanges().at("decline"));
  no_reason.mutable_decline()->clear_reason();
  Plan r = InState(P);
  absl::Status s = ApplyPlanEvent(no_reason, &r);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("decline.reason"));
}

TEST(PlanRulesTest, AmendmentReopensAgreementOfThoseItTouches) {
  Plan p = InState(I);
  p.mutable_participants(0)->set_status(pwx::v1::PARTICIPANT_STATUS_AGREED);
  // Moving RO-ITM's action touches RO-ITM only.
  PlanEvent move;
  pwx::v1::PlanAction a2 = p.actions(1);
  a2.set_date("2026-03-17");
  *move.mutable_amend()->add_changed_actions() = a2;
  ASSERT_TRUE(ApplyPlanEvent(By(kFr, move), &p).ok());
  EXPECT_EQ(p.state(), P);
  EXPECT_EQ(p.resume_state(), I);
  EXPECT_EQ(FindParticipant(p, kPl)->status(),
            pwx::v1::PARTICIPANT_STATUS_AGREED);
  EXPECT_EQ(FindParticipant(p, kRo)->status(),
            pwx::v1::PARTICIPANT_STATUS_INVITED);
  // Its fresh agreement takes the plan back to where it was.
  ASSERT_TRUE(ApplyPlanEvent(By(kRo, SampleChanges().at("agree")), &p).ok());
  EXPECT_EQ(p.state(), I);
  EXPECT_EQ(p.resume_state(), pwx::v1::PLAN_STATE_UNSPECIFIED);

  // A content change touches every participant that has not declined.
  Plan q = InState(A);
  q.mutable_participants(0)->set_status(pwx::v1::PARTICIPANT_STATUS_AGREED);
  ASSERT_TRUE(ApplyPlanEvent(By(kFr, SampleChanges().at("amend")), &q).ok());
  EXPECT_EQ(q.state(), P);
  EXPECT_EQ(q.resume_state(), A);
  for (const char* who : {kPl, kRo}) {
    EXPECT_EQ(FindParticipant(q, who)->status(),
              pwx::v1::PARTICIPANT_STATUS_INVITED)
        << who;
  }
  EXPECT_EQ(FindParticipant(q, kDe)->status(),
            pwx::v1::PARTICIPANT_STATUS_DECLINED);

  // An amendment that changes nothing is refused.
  Plan r = InState(A);
  PlanEvent same;
  *same.mutable_amend()->add_changed_actions() = r.actions(0);
  absl::Status s = ApplyPlanEvent(By(kFr, same), &r);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("changes nothing"));

  // An action added for a participant that agreed needs its agreement.
  Plan t = InState(A);
  PlanEvent add;
  *add.mutable_add_action()->mutable_action() = SampleAction(kRo, "2026-04-01");
  ASSERT_TRUE(ApplyPlanEvent(By(kFr, add), &t).ok());
  EXPECT_EQ(t.actions(3).id(), "A4");
  EXPECT_EQ(FindParticipant(t, kRo)->status(),
            pwx::v1::PARTICIPANT_STATUS_INVITED);
  EXPECT_EQ(t.state(), P);
}

TEST(PlanRulesTest, FindingsAndReportParts) {
  Plan p = InState(I);
  PlanEvent f = By(kRo, pwx::testing::FindingEvent("A2", 12));
  ASSERT_TRUE(ApplyPlanEvent(f, &p).ok());
  ASSERT_TRUE(ApplyPlanEvent(f, &p).ok());
  EXPECT_EQ(p.actions(1).findings(1).id(), "A2-F2");
  EXPECT_EQ(p.actions(1).findings(0).authority(), kRo);

  PlanEvent nowhere = By(kRo, pwx::testing::FindingEvent("A9", 1));
  absl::Status s = ApplyPlanEvent(nowhere, &p);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("add_finding.action_id"));

  // The report is complete once the lead and every participant that agreed
  // submitted a part; a part may be replaced until then.
  ASSERT_TRUE(
      ApplyPlanEvent(By(kFr, pwx::testing::ReportPartEvent("FR v1")), &p).ok());
  ASSERT_TRUE(
      ApplyPlanEvent(By(kFr, pwx::testing::ReportPartEvent("FR v2")), &p).ok());
  EXPECT_EQ(p.state(), I);
  EXPECT_EQ(p.report().parts_size(), 1);
  EXPECT_EQ(p.report().parts(0).text(), "FR v2");
  ASSERT_TRUE(
      ApplyPlanEvent(By(kRo, pwx::testing::ReportPartEvent("RO")), &p).ok());
  EXPECT_EQ(p.state(), R);
  EXPECT_TRUE(p.report().has_completed_at());
}

TEST(PlanRulesTest, CoordinatorsAnswerInspectorsWork) {
  EXPECT_EQ(CheckUserMay(SampleChanges().at("agree"), false).code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(CheckUserMay(SampleChanges().at("decline"), false).code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(CheckUserMay(SampleChanges().at("agree"), true).ok());
  EXPECT_TRUE(CheckUserMay(SampleChanges().at("add-finding"), false).ok());
}

TEST(PlanRulesTest, RolesAndConfidentiality) {
  const Plan p = InState(A);
  EXPECT_EQ(RoleOf(p, kFr), PlanRole::kLead);
  EXPECT_EQ(RoleOf(p, kPl), PlanRole::kParticipant);
  EXPECT_EQ(RoleOf(p, kEla), PlanRole::kEla);
  EXPECT_EQ(RoleOf(p, kCz), PlanRole::kNone);
  EXPECT_TRUE(ConfidentialFor(p, kDe));
  EXPECT_FALSE(ConfidentialFor(p, kPl));
  EXPECT_FALSE(ConfidentialFor(p, kFr));
}

// ---- Content: INVALID_ARGUMENT naming the field path ----

struct BadContent {
  std::string field;
  std::function<void(PlanEvent*)> spoil;
};

TEST(PlanContentTest, BadFieldsAreNamed) {
  const std::vector<BadContent> cases = {
      {"create.kind", [](PlanEvent* e) { e->mutable_create()->clear_kind(); }},
      {"create.content.sectors[1]",
       [](PlanEvent* e) {
         e->mutable_create()->mutable_content()->set_sectors(1, "F99");
       }},
      {"create.content.targets[0].name",
       [](PlanEvent* e) {
         e->mutable_create()
             ->mutable_content()
             ->mutable_targets(0)
             ->clear_name();
       }},
      {"create.content.targets[0].country",
       [](PlanEvent* e) {
         e->mutable_create()
             ->mutable_content()
             ->mutable_targets(0)
             ->set_country("US");
       }},
      {"create.content.case_ids[0]",
       [](PlanEvent* e) {
         e->mutable_create()->mutable_content()->set_case_ids(0, "case 42");
       }},
      {"create.content.ela.authority",
       [](PlanEvent* e) {
         e->mutable_create()->mutable_content()->mutable_ela()->set_authority(
             "FR-DGT");
       }},
      {"create.content.ela.role",
       [](PlanEvent* e) {
         e->mutable_create()->mutable_content()->mutable_ela()->clear_role();
       }},
      {"create.content.report_due_months",
       [](PlanEvent* e) {
         e->mutable_create()->mutable_content()->set_report_due_months(-1);
       }},
      {"create.content.indicators[1].id",
       [](PlanEvent* e) {
         e->mutable_create()->mutable_content()->mutable_indicators(1)->set_id(
             "workers");
       }},
      {"create.content.indicators[0].source",
       [](PlanEvent* e) {
         e->mutable_create()
             ->mutable_content()
             ->mutable_indicators(0)
             ->clear_source();
       }},
      {"create.content.strategic_objectives[0]",
       [](PlanEvent* e) {
         e->mutable_create()->mutable_content()->set_strategic_objectives(0,
                                                                          " ");
       }},
      {"create.participants[1]",
       [](PlanEvent* e) { e->mutable_create()->add_participants(kPl); }},
      {"create.participants[1]",
       [](PlanEvent* e) { e->mutable_create()->add_participants(kFr); }},
      {"create.participants[1]",
       [](PlanEvent* e) { e->mutable_create()->add_participants("XX-ABC"); }},
  };
  for (const BadContent& c : cases) {
    PlanEvent e = By(kFr, pwx::testing::CreateEvent({kPl}));
    c.spoil(&e);
    Plan p = EmptyPlan(kPlanId);
    absl::Status s = ApplyPlanEvent(e, &p);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << c.field;
    EXPECT_THAT(s.message(), HasSubstr(c.field + ":")) << s;
    EXPECT_TRUE(p.lead().empty()) << "nothing is half-written";
  }
}

TEST(PlanContentTest, BadActionsFindingsAndMeasuresAreNamed) {
  struct Case {
    std::string field;
    PlanState state;
    std::function<PlanEvent()> make;
  };
  const std::vector<Case> cases = {
      {"add_action.action.date", D,
       [] {
         PlanEvent e = pwx::testing::AddActionEvent(kFr, "2026-02-30");
         return e;
       }},
      {"add_action.action.end_date", D,
       [] {
         PlanEvent e = pwx::testing::AddActionEvent(kFr, "2026-03-10");
         e.mutable_add_action()->mutable_action()->set_end_date("2026-03-01");
         return e;
       }},
      {"add_action.action.kind", D,
       [] {
         PlanEvent e = pwx::testing::AddActionEvent(kFr, "2026-03-10");
         e.mutable_add_action()->mutable_action()->clear_kind();
         return e;
       }},
      {"add_action.action.place", D,
       [] {
         PlanEvent e = pwx::testing::AddActionEvent(kFr, "2026-03-10");
         e.mutable_add_action()->mutable_action()->clear_place();
         return e;
       }},
      {"add_action.action.responsible", D,
       [] { return pwx::testing::AddActionEvent(kCz, "2026-03-10"); }},
      {"add_action.action.responsible", D,
       [] { return pwx::testing::AddActionEvent(kDe, "2026-03-10"); }},
      {"add_finding.finding.workers_checked", I,
       [] {
         PlanEvent e = pwx::testing::FindingEvent("A3", -1);
         return e;
       }},
      {"add_finding.finding.irregularities[1].category", I,
       [] {
         PlanEvent e = pwx::testing::FindingEvent("A3", 1);
         auto* again =
             e.mutable_add_finding()->mutable_finding()->add_irregularities();
         again->set_category(pwx::v1::IRREGULARITY_CATEGORY_PAY);
         again->set_count(1);
         return e;
       }},
      {"add_finding.finding.irregularities[0].count", I,
       [] {
         PlanEvent e = pwx::testing::FindingEvent("A3", 1);
         e.mutable_add_finding()
             ->mutable_finding()
             ->mutable_irregularities(0)
             ->set_count(0);
         return e;
       }},
      {"add_finding.finding.request_ids[0]", I,
       [] {
         PlanEvent e = pwx::testing::FindingEvent("A3", 1);
         e.mutable_add_finding()->mutable_finding()->add_request_ids("R-1");
         return e;
       }},
      {"measure.values[0].indicator_id", I,
       [] {
         PlanEvent e;
         auto* v = e.mutable_measure()->add_values();
         v->set_indicator_id("workers");  // counted from the findings
         v->set_value(3);
         return e;
       }},
      {"amend.changed_actions[0].id", A,
       [] {
         PlanEvent e;
         *e.mutable_amend()->add_changed_actions() =
             SampleAction(kFr, "2026-03-10");
         return e;
       }},
      {"amend.content.scope", A,
       [] {
         PlanEvent e;
         pwx::v1::PlanContent c = SampleContent();
         c.clear_scope();
         *e.mutable_amend()->mutable_content() = c;
         e.mutable_amend()->set_replaces_content(true);
         return e;
       }},
      {"invite.authority", D,
       [] {
         PlanEvent e;
         e.mutable_invite()->set_authority(kRo);  // invited already
         return e;
       }},
      {"cancel.reason", D,
       [] {
         PlanEvent e;
         e.mutable_cancel();
         return e;
       }},
  };
  for (const Case& c : cases) {
    Plan p = InState(c.state);
    const Plan before = p;
    absl::Status s = ApplyPlanEvent(By(kFr, c.make()), &p);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << c.field;
    EXPECT_THAT(s.message(), HasSubstr(c.field + ":")) << s;
    EXPECT_EQ(p.SerializeAsString(), before.SerializeAsString()) << c.field;
  }
}

TEST(PlanContentTest, ProposalNeedsTermsParticipantsAndActions) {
  Plan p = InState(D);
  p.mutable_content()->clear_legal_basis();
  absl::Status s = ApplyPlanEvent(By(kFr, SampleChanges().at("propose")), &p);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("content.legal_basis:"));

  Plan q = InState(D);
  q.clear_actions();
  s = ApplyPlanEvent(By(kFr, SampleChanges().at("propose")), &q);
  EXPECT_THAT(s.message(), HasSubstr("actions:"));

  Plan r = InState(D);
  r.clear_participants();
  r.mutable_actions()->DeleteSubrange(0, 2);
  s = ApplyPlanEvent(By(kFr, SampleChanges().at("propose")), &r);
  EXPECT_THAT(s.message(), HasSubstr("participants:"));

  // A draft may be saved without the terms a proposal needs.
  Plan t = EmptyPlan(kPlanId);
  PlanEvent create = By(kFr, pwx::testing::CreateEvent({}));
  create.mutable_create()->mutable_content()->clear_scope();
  EXPECT_TRUE(ApplyPlanEvent(create, &t).ok());
}

TEST(PlanContentTest, PlanIds) {
  EXPECT_EQ(FormatPlanId(kFr, 2026, 1), "FR-DGT-P-2026-000001");
  EXPECT_EQ(FormatPlanId(kFr, 2026, 1234567), "FR-DGT-P-2026-1234567");
  EXPECT_TRUE(ValidatePlanId("id", "FR-DGT-P-2026-000001").ok());
  EXPECT_TRUE(ValidatePlanId("id", "FR-DGT-P-2026-1234567").ok());
  for (const char* bad :
       {"FR-DGT-R-2026-000001", "FR-DGT-P-26-000001", "XX-DGT-P-2026-000001",
        "FR-DGT-P-2026-0001", "FR-DGT-P-2026-00000a", ""}) {
    absl::Status s = ValidatePlanId("plan_id", bad);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_THAT(s.message(), HasSubstr("plan_id:")) << bad;
  }
}

}  // namespace
}  // namespace pwx::domain
