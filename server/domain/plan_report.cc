// The post-inspection report: its due date and the aggregation of findings
// and indicators (see plan_rules.h).
#include <algorithm>
#include <map>
#include <set>
#include <string>

#include "absl/strings/str_format.h"
#include "server/domain/fields.h"
#include "server/domain/plan_fields.h"
#include "server/domain/plan_rules.h"

namespace pwx::domain {
namespace {

using pwx::v1::FindingTotals;
using pwx::v1::Plan;

// Counts kept while adding findings up, turned into FindingTotals at the
// end (irregularities in category order, requests counted once).
struct Tally {
  int actions = 0;
  int findings = 0;
  int workers = 0;
  int undertakings = 0;
  std::map<int, int> irregularities;
  std::set<std::string> requests;

  void Add(const pwx::v1::Finding& f) {
    ++findings;
    workers += f.workers_checked();
    undertakings += f.undertakings_checked();
    for (const pwx::v1::IrregularityCount& c : f.irregularities()) {
      irregularities[c.category()] += c.count();
    }
    requests.insert(f.request_ids().begin(), f.request_ids().end());
  }

  FindingTotals ToProto() const {
    FindingTotals t;
    t.set_actions(actions);
    t.set_findings(findings);
    t.set_workers_checked(workers);
    t.set_undertakings_checked(undertakings);
    int total = 0;
    for (const auto& [category, count] : irregularities) {
      pwx::v1::IrregularityCount* c = t.add_irregularities();
      c->set_category(static_cast<pwx::v1::IrregularityCategory>(category));
      c->set_count(count);
      total += count;
    }
    t.set_irregularities_total(total);
    t.set_requests_opened(static_cast<int>(requests.size()));
    return t;
  }
};

double Computed(pwx::v1::IndicatorSource source, const FindingTotals& t) {
  switch (source) {
    case pwx::v1::INDICATOR_SOURCE_WORKERS_CHECKED:
      return t.workers_checked();
    case pwx::v1::INDICATOR_SOURCE_UNDERTAKINGS_CHECKED:
      return t.undertakings_checked();
    case pwx::v1::INDICATOR_SOURCE_IRREGULARITIES:
      return t.irregularities_total();
    case pwx::v1::INDICATOR_SOURCE_REQUESTS_OPENED:
      return t.requests_opened();
    default:
      return 0;
  }
}

}  // namespace

std::string ReportDueDate(const Plan& plan) {
  if (plan.actions().empty()) return "";
  absl::CivilDay last;
  bool any = false;
  for (const pwx::v1::PlanAction& a : plan.actions()) {
    const absl::CivilDay day = plan_fields::LastDay(a.date(), a.end_date());
    if (!any || day > last) last = day;
    any = true;
  }
  const int months = plan.content().report_due_months() > 0
                         ? plan.content().report_due_months()
                         : kDefaultReportDueMonths;
  const absl::CivilMonth month = absl::CivilMonth(last) + months;
  // The same day of the month, or the month's last day (31 August + 6
  // months is 28 or 29 February).
  const absl::CivilDay month_end = absl::CivilDay(month + 1) - 1;
  const absl::CivilDay due = std::min(
      absl::CivilDay(month.year(), month.month(), last.day()), month_end);
  return absl::StrFormat("%04d-%02d-%02d", due.year(), due.month(), due.day());
}

pwx::v1::PlanReportSummary SummarizeReport(const Plan& plan,
                                           absl::CivilDay today) {
  pwx::v1::PlanReportSummary out;
  out.set_plan_id(plan.id());
  out.set_state(plan.state());
  out.set_due_date(plan.report().due_date());
  const bool complete = plan.state() == pwx::v1::PLAN_STATE_REPORTED ||
                        plan.state() == pwx::v1::PLAN_STATE_CLOSED;
  out.set_complete(complete);

  std::vector<std::string> order = {plan.lead()};
  std::map<std::string, pwx::v1::ParticipantStatus> status = {
      {plan.lead(), pwx::v1::PARTICIPANT_STATUS_AGREED}};
  for (const pwx::v1::Participant& x : plan.participants()) {
    order.push_back(x.authority());
    status[x.authority()] = x.status();
  }
  std::map<std::string, Tally> by_authority;
  Tally total;
  for (const pwx::v1::PlanAction& a : plan.actions()) {
    ++by_authority[a.responsible()].actions;
    ++total.actions;
    for (const pwx::v1::Finding& f : a.findings()) {
      by_authority[f.authority()].Add(f);
      total.Add(f);
    }
  }
  std::set<std::string> submitted;
  for (const pwx::v1::ReportPart& part : plan.report().parts()) {
    submitted.insert(part.authority());
  }
  for (const std::string& authority : order) {
    pwx::v1::ParticipantReport* r = out.add_participants();
    r->set_authority(authority);
    r->set_status(status[authority]);
    *r->mutable_totals() = by_authority[authority].ToProto();
    r->set_part_submitted(submitted.contains(authority));
    if (status[authority] == pwx::v1::PARTICIPANT_STATUS_AGREED &&
        !submitted.contains(authority)) {
      out.add_parts_missing(authority);
    }
  }
  *out.mutable_total() = total.ToProto();

  for (const pwx::v1::Indicator& ind : plan.content().indicators()) {
    pwx::v1::IndicatorResult* r = out.add_indicators();
    *r->mutable_indicator() = ind;
    if (ind.source() == pwx::v1::INDICATOR_SOURCE_MANUAL) {
      for (const pwx::v1::IndicatorValue& v : plan.measured()) {
        if (v.indicator_id() == ind.id()) {
          r->set_measured(true);
          r->set_value(v.value());
        }
      }
    } else {
      r->set_measured(true);
      r->set_value(Computed(ind.source(), out.total()));
    }
    if (r->measured()) {
      r->set_met(ind.at_most() ? r->value() <= ind.target()
                               : r->value() >= ind.target());
    }
  }

  // A report is owed once the plan was agreed, until it is complete.
  const bool owed = plan.state() == pwx::v1::PLAN_STATE_AGREED ||
                    plan.state() == pwx::v1::PLAN_STATE_IN_PROGRESS ||
                    plan.resume_state() != pwx::v1::PLAN_STATE_UNSPECIFIED;
  if (owed && !plan.report().due_date().empty()) {
    absl::StatusOr<absl::CivilDay> due =
        ParseDate("due_date", plan.report().due_date());
    out.set_overdue(due.ok() && today > *due);
  }
  return out;
}

}  // namespace pwx::domain
