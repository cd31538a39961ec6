// Plans for the plan tests: a valid joint inspection's content and actions,
// events by author, and a small federation of nodes that passes the lead's
// sequenced events on the way plan_rules.h describes (Submit at the lead,
// Deliveries and EventsFor for whom to send what, ReceiveSequenced at the
// others). Header-only: needs pwx_domain and the protos.
#ifndef PWX_TESTS_DOMAIN_PLAN_SAMPLES_H_
#define PWX_TESTS_DOMAIN_PLAN_SAMPLES_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "pwx/v1/plan.pb.h"
#include "server/domain/plan_rules.h"

namespace pwx::testing {

inline constexpr char kPlanId[] = "FR-DGT-P-2026-000001";
inline constexpr char kFr[] = "FR-DGT";
inline constexpr char kPl[] = "PL-PIP";
inline constexpr char kRo[] = "RO-ITM";
inline constexpr char kDe[] = "DE-FKS";
inline constexpr char kEla[] = "EU-ELA";
inline constexpr char kCz[] = "CZ-SUIP";
inline constexpr char kBe[] = "BE-SPF";

// What a joint inspection of construction sites agrees on: valid for a
// proposal, with ELA as coordinator and three indicators (workers checked,
// at least 50; a manual coverage share, at least 80 %; irregularities, at
// most 10).
inline pwx::v1::PlanContent SampleContent() {
  pwx::v1::PlanContent c;
  c.set_title("Construction sites, Rhône 2026");
  c.add_strategic_objectives("Fight undeclared posting in construction");
  c.add_operational_objectives("Check 50 posted workers on 5 sites");
  c.add_sectors("41.20");
  c.add_sectors("F43");
  auto* t = c.add_targets();
  t->set_name("Budimex Konstrukcje Sp. z o.o.");
  t->set_registration_number("PL7770001234");
  t->set_country("PL");
  c.add_case_ids("FR-DGT-2026-000042");
  c.set_scope("Sites of Budimex and its subcontractors in Lyon");
  c.set_purpose("Check pay, working time and A1 coverage of posted workers");
  c.set_legal_basis("Reg. (EU) 2019/1149, Art. 9; Code du travail L8271-1");
  c.set_short_notice_allowed(true);
  c.mutable_ela()->set_authority(kEla);
  c.mutable_ela()->set_role(pwx::v1::ELA_ROLE_COORDINATOR);
  auto* workers = c.add_indicators();
  workers->set_id("workers");
  workers->set_source(pwx::v1::INDICATOR_SOURCE_WORKERS_CHECKED);
  workers->set_target(50);
  auto* coverage = c.add_indicators();
  coverage->set_id("coverage");
  coverage->set_source(pwx::v1::INDICATOR_SOURCE_MANUAL);
  coverage->set_target(80);
  coverage->set_unit("%");
  auto* irregular = c.add_indicators();
  irregular->set_id("irregularities");
  irregular->set_source(pwx::v1::INDICATOR_SOURCE_IRREGULARITIES);
  irregular->set_target(10);
  irregular->set_at_most(true);
  return c;
}

inline pwx::v1::PlanAction SampleAction(absl::string_view responsible,
                                        absl::string_view date) {
  pwx::v1::PlanAction a;
  a.set_kind(pwx::v1::PLAN_ACTION_KIND_INSPECTION);
  a.set_date(std::string(date));
  a.set_place("Lyon, site 4");
  a.set_responsible(std::string(responsible));
  a.add_inspectors("Marie Dupont");
  return a;
}

// An event by `author` (its submission_id "<author>/<n>").
inline pwx::v1::PlanEvent By(absl::string_view author, pwx::v1::PlanEvent e,
                             int n = 1) {
  e.set_author(std::string(author));
  e.set_user(absl::StrCat("user@", author));
  e.set_submission_id(absl::StrCat(author, "/", n));
  e.mutable_at()->set_seconds(1767225600 + n);
  return e;
}

inline pwx::v1::PlanEvent CreateEvent(std::vector<std::string> participants) {
  pwx::v1::PlanEvent e;
  e.mutable_create()->set_kind(pwx::v1::PLAN_KIND_JOINT_INSPECTION);
  *e.mutable_create()->mutable_content() = SampleContent();
  for (const std::string& p : participants) {
    e.mutable_create()->add_participants(p);
  }
  return e;
}
inline pwx::v1::PlanEvent AddActionEvent(absl::string_view responsible,
                                         absl::string_view date) {
  pwx::v1::PlanEvent e;
  *e.mutable_add_action()->mutable_action() = SampleAction(responsible, date);
  return e;
}
inline pwx::v1::PlanEvent ProposeEvent() {
  pwx::v1::PlanEvent e;
  e.mutable_propose();
  return e;
}
inline pwx::v1::PlanEvent AgreeEvent() {
  pwx::v1::PlanEvent e;
  e.mutable_agree();
  return e;
}
inline pwx::v1::PlanEvent DeclineEvent() {
  pwx::v1::PlanEvent e;
  e.mutable_decline()->set_reason("No inspectors available in March");
  return e;
}
inline pwx::v1::PlanEvent StartEvent() {
  pwx::v1::PlanEvent e;
  e.mutable_start();
  return e;
}
inline pwx::v1::PlanEvent FindingEvent(absl::string_view action_id,
                                       int workers) {
  pwx::v1::PlanEvent e;
  e.mutable_add_finding()->set_action_id(std::string(action_id));
  pwx::v1::Finding* f = e.mutable_add_finding()->mutable_finding();
  f->set_workers_checked(workers);
  f->set_undertakings_checked(1);
  auto* pay = f->add_irregularities();
  pay->set_category(pwx::v1::IRREGULARITY_CATEGORY_PAY);
  pay->set_count(2);
  return e;
}
inline pwx::v1::PlanEvent ReportPartEvent(absl::string_view text) {
  pwx::v1::PlanEvent e;
  e.mutable_submit_report_part()->set_text(std::string(text));
  return e;
}
inline pwx::v1::PlanEvent CloseEvent() {
  pwx::v1::PlanEvent e;
  e.mutable_close();
  return e;
}

// One node's copy: its plan (empty until the lead's events arrive) and the
// events that came early.
struct PlanNode {
  PlanNode() = default;
  explicit PlanNode(absl::string_view authority) : me(authority) {}

  std::string me;
  pwx::v1::Plan plan = domain::EmptyPlan(kPlanId);
  std::vector<pwx::v1::PlanEvent> pending;
  bool online = true;
};

// The lead's node and the others, linked directly: an online node gets
// the lead's events at once, an offline one nothing (it catches up).
struct PlanFederation {
  PlanNode lead = PlanNode(kFr);
  std::map<std::string, PlanNode> nodes;

  explicit PlanFederation(const std::vector<std::string>& others) {
    for (const std::string& a : others) nodes[a].me = a;
  }

  // `author` makes `change` (a submission to the lead, or the lead's own):
  // sequenced, applied at the lead and sent on. The refusal's status when
  // the lead refuses it.
  absl::StatusOr<pwx::v1::PlanEvent> Change(absl::string_view author,
                                            const pwx::v1::PlanEvent& change) {
    absl::StatusOr<pwx::v1::PlanEvent> e =
        domain::Submit(lead.plan, author, change);
    if (!e.ok() || e->seq() <= lead.plan.seq()) return e;
    const pwx::v1::Plan before = lead.plan;
    absl::Status s = domain::ApplySequenced(*e, &lead.plan);
    if (!s.ok()) return s;
    for (const domain::PlanDelivery& d :
         domain::Deliveries(before, lead.plan)) {
      PlanNode& node = nodes.at(d.authority);
      if (!node.online) continue;
      auto events = domain::EventsFor(lead.plan, d.authority, d.after_seq);
      if (!events.ok()) return events.status();
      auto applied =
          domain::ReceiveSequenced(*events, &node.plan, &node.pending);
      if (!applied.ok()) return applied.status();
    }
    return e;
  }

  // `authority` comes back online and asks the lead for what it missed.
  absl::Status CatchUp(absl::string_view authority) {
    PlanNode& node = nodes.at(std::string(authority));
    node.online = true;
    auto events = domain::EventsFor(lead.plan, authority, node.plan.seq());
    if (!events.ok()) return events.status();
    return domain::ReceiveSequenced(*events, &node.plan, &node.pending)
        .status();
  }
};

}  // namespace pwx::testing

#endif  // PWX_TESTS_DOMAIN_PLAN_SAMPLES_H_
