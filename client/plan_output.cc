#include "client/plan_output.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "client/output.h"
#include "client/plan_input.h"
#include "nlohmann/json.hpp"
#include "server/domain/plan_rules.h"

namespace pwx::client {
namespace {

using Fields = std::vector<std::pair<std::string, std::string>>;
using pwx::v1::Plan;

constexpr char kConfidential[] =
    "CONFIDENTIAL: your authority declined this plan; this node keeps it as "
    "it was and it must not be exported or shared";

std::string Dates(const pwx::v1::PlanAction& a) {
  if (a.end_date().empty() || a.end_date() == a.date()) return a.date();
  return absl::StrCat(a.date(), "..", a.end_date());
}

std::string StateText(const Plan& p) {
  std::string text = PlanStateLabel(p.state());
  if (p.state() == pwx::v1::PLAN_STATE_PROPOSED &&
      p.resume_state() != pwx::v1::PLAN_STATE_UNSPECIFIED) {
    absl::StrAppend(&text, " (an amendment awaits answers; then ",
                    PlanStateLabel(p.resume_state()), " again)");
  }
  if (p.state() == pwx::v1::PLAN_STATE_CANCELLED &&
      !p.cancel_reason().empty()) {
    absl::StrAppend(&text, ": ", p.cancel_reason());
  }
  return text;
}

std::string Answered(const google::protobuf::Timestamp& at,
                     const std::string& by) {
  std::string text = FormatTime(at);
  if (!by.empty()) absl::StrAppend(&text, text.empty() ? "" : " ", "by ", by);
  return text;
}

std::string Number(double value) { return absl::StrCat(value); }

std::string Irregularities(
    const google::protobuf::RepeatedPtrField<pwx::v1::IrregularityCount>&
        counts) {
  std::vector<std::string> parts;
  for (const pwx::v1::IrregularityCount& c : counts) {
    parts.push_back(
        absl::StrCat(IrregularityLabel(c.category()), " ", c.count()));
  }
  return absl::StrJoin(parts, ", ");
}

std::string IndicatorText(const pwx::v1::Indicator& i) {
  std::string text =
      absl::StrCat(i.id(), ": ", i.at_most() ? "at most " : "",
                   i.at_most() ? "" : "at least ", Number(i.target()));
  if (!i.unit().empty()) absl::StrAppend(&text, " ", i.unit());
  absl::StrAppend(&text, " (", IndicatorSourceLabel(i.source()), ")");
  if (!i.description().empty()) absl::StrAppend(&text, " ", i.description());
  return text;
}

std::string EventDetails(const pwx::v1::PlanEvent& e) {
  using E = pwx::v1::PlanEvent;
  switch (e.action_case()) {
    case E::kCreate:
      return absl::StrCat(PlanKindLabel(e.create().kind()), ": ",
                          e.create().content().title());
    case E::kInvite:
      return e.invite().authority();
    case E::kDecline:
      return e.decline().reason();
    case E::kAmend: {
      const pwx::v1::AmendAction& a = e.amend();
      std::vector<std::string> what;
      if (a.replaces_content()) what.emplace_back("content");
      for (const pwx::v1::PlanAction& c : a.changed_actions()) {
        what.push_back(absl::StrCat("changed ", c.id()));
      }
      for (const std::string& id : a.removed_actions()) {
        what.push_back(absl::StrCat("removed ", id));
      }
      return absl::StrCat(absl::StrJoin(what, ", "), ": ", a.reason());
    }
    case E::kAddAction: {
      const pwx::v1::PlanAction& a = e.add_action().action();
      return absl::StrCat(ActionKindLabel(a.kind()), " ", Dates(a), " ",
                          a.place(), " by ", a.responsible());
    }
    case E::kAddFinding: {
      const pwx::v1::Finding& f = e.add_finding().finding();
      return absl::StrCat(e.add_finding().action_id(), ": ",
                          f.workers_checked(), " workers, ",
                          f.undertakings_checked(), " undertakings");
    }
    case E::kMeasure: {
      std::vector<std::string> values;
      for (const pwx::v1::IndicatorValue& v : e.measure().values()) {
        values.push_back(
            absl::StrCat(v.indicator_id(), "=", Number(v.value())));
      }
      return absl::StrJoin(values, ", ");
    }
    case E::kCancel:
      return e.cancel().reason();
    default:
      return "";
  }
}

void PrintContent(const Plan& p, std::ostream& out) {
  const pwx::v1::PlanContent& c = p.content();
  Fields fields = {
      {"id", p.id()},          {"kind", PlanKindLabel(p.kind())},
      {"title", c.title()},    {"lead", p.lead()},
      {"state", StateText(p)}, {"seq", absl::StrCat(p.seq())},
  };
  auto add = [&fields](std::string key, std::string value) {
    if (!value.empty()) fields.emplace_back(std::move(key), std::move(value));
  };
  add("objectives", absl::StrJoin(c.strategic_objectives(), "; "));
  add("operational", absl::StrJoin(c.operational_objectives(), "; "));
  add("sectors", absl::StrJoin(c.sectors(), ", "));
  std::vector<std::string> targets;
  for (const pwx::v1::TargetUndertaking& t : c.targets()) {
    std::vector<std::string> details;
    if (!t.registration_number().empty()) {
      details.push_back(absl::StrCat("reg ", t.registration_number()));
    }
    if (!t.country().empty()) details.push_back(t.country());
    targets.push_back(
        details.empty()
            ? t.name()
            : absl::StrCat(t.name(), " (", absl::StrJoin(details, ", "), ")"));
  }
  add("targets", absl::StrJoin(targets, "; "));
  add("cases", absl::StrJoin(c.case_ids(), ", "));
  add("scope", c.scope());
  add("purpose", c.purpose());
  add("legal basis", c.legal_basis());
  if (c.short_notice_allowed()) add("short notice", "allowed");
  if (c.has_ela()) {
    add("ela", absl::StrCat(c.ela().authority(), " as ",
                            c.ela().role() == pwx::v1::ELA_ROLE_COORDINATOR
                                ? "coordinator"
                                : "observer"));
  }
  add("description", c.description());
  PrintFields(fields, out);
  if (c.indicators_size() > 0) {
    out << "indicators:\n";
    for (const pwx::v1::Indicator& i : c.indicators()) {
      out << "  " << CleanText(IndicatorText(i)) << '\n';
    }
  }
}

void PrintParticipants(const Plan& p, std::ostream& out) {
  PrintSection("Participants", p.participants_size(), out);
  if (p.participants_size() == 0) return;
  std::vector<std::vector<std::string>> rows;
  for (const pwx::v1::Participant& x : p.participants()) {
    rows.push_back({x.authority(), ParticipantStatusLabel(x.status()),
                    Answered(x.answered_at(), x.answered_by()),
                    x.decline_reason()});
  }
  PrintTable({"AUTHORITY", "STATUS", "ANSWERED", "REASON"}, std::move(rows),
             out);
}

void PrintSchedule(const Plan& p, std::ostream& out) {
  PrintSection("Schedule", p.actions_size(), out);
  if (p.actions_size() == 0) return;
  std::vector<const pwx::v1::PlanAction*> actions;
  for (const pwx::v1::PlanAction& a : p.actions()) actions.push_back(&a);
  std::stable_sort(
      actions.begin(), actions.end(),
      [](const pwx::v1::PlanAction* a, const pwx::v1::PlanAction* b) {
        return a->date() < b->date();
      });
  std::vector<std::vector<std::string>> rows;
  for (const pwx::v1::PlanAction* a : actions) {
    rows.push_back({a->id(), Dates(*a), ActionKindLabel(a->kind()), a->place(),
                    a->responsible(), absl::StrJoin(a->inspectors(), ", "),
                    absl::StrCat(a->findings_size())});
  }
  PrintTable(
      {"ID", "DATE", "KIND", "PLACE", "RESPONSIBLE", "INSPECTORS", "FINDINGS"},
      std::move(rows), out);
}

void PrintReportParts(const Plan& p, std::ostream& out) {
  out << "\nReport due: "
      << (p.report().due_date().empty() ? "(no action yet)"
                                        : p.report().due_date())
      << '\n';
  PrintSection("Report parts", p.report().parts_size(), out);
  for (const pwx::v1::ReportPart& part : p.report().parts()) {
    out << "  " << part.authority() << ", "
        << Answered(part.submitted_at(), part.submitted_by()) << ": "
        << CleanText(part.text()) << '\n';
  }
  if (p.measured_size() > 0) {
    out << "\nMeasured:\n";
    for (const pwx::v1::IndicatorValue& v : p.measured()) {
      out << "  " << CleanText(v.indicator_id()) << " = " << Number(v.value())
          << '\n';
    }
  }
}

void PrintRefusals(const pwx::v1::GetPlanResponse& view, std::ostream& out) {
  if (view.refusals_size() == 0) return;
  PrintSection("Refused by the lead (nothing changed)", view.refusals_size(),
               out);
  std::vector<std::vector<std::string>> rows;
  for (const pwx::v1::PlanRefusal& r : view.refusals()) {
    rows.push_back(
        {r.submission_id(),
         absl::StatusCodeToString(static_cast<absl::StatusCode>(r.code())),
         r.message(), absl::StrCat(r.checked_at_seq())});
  }
  PrintTable({"SUBMISSION", "CODE", "MESSAGE", "AT SEQ"}, std::move(rows), out);
}

void PrintHistory(const Plan& p, std::ostream& out) {
  PrintSection("History", p.history_size(), out);
  if (p.history_size() == 0) return;
  std::vector<std::vector<std::string>> rows;
  for (const pwx::v1::PlanEvent& e : p.history()) {
    rows.push_back({absl::StrCat(e.seq()), FormatTime(e.at()), e.author(),
                    e.user(), domain::PlanActionName(e), EventDetails(e)});
  }
  PrintTable({"SEQ", "AT", "AUTHOR", "USER", "ACTION", "DETAILS"},
             std::move(rows), out);
}

}  // namespace

void PrintPlanChange(const pwx::v1::PlanChangeResponse& change,
                     OutputFormat format, std::ostream& out) {
  if (format == OutputFormat::kJson) {
    // The JSON mapping leaves out false booleans; a script reads
    // "sequenced" either way.
    nlohmann::ordered_json json = nlohmann::ordered_json::parse(ToJson(change));
    json["sequenced"] = change.sequenced();
    out << json.dump(2) << '\n';
    return;
  }
  const Plan& p = change.plan();
  const std::string action = domain::PlanActionName(change.event());
  if (change.sequenced()) {
    out << CleanText(p.id()) << ": " << action << " done (seq "
        << change.event().seq() << ")\n";
  } else {
    out << CleanText(p.id()) << ": " << action << " sent to the lead "
        << CleanText(p.lead()) << " (submission "
        << CleanText(change.event().submission_id())
        << "); your copy changes once the lead sequences it. If the lead "
           "refuses it, `pwx plan show "
        << CleanText(p.id()) << "` lists the refusal.\n";
  }
  PrintFields({{"kind", PlanKindLabel(p.kind())},
               {"title", p.content().title()},
               {"lead", p.lead()},
               {"state", StateText(p)},
               {"seq", absl::StrCat(p.seq())}},
              out);
}

void PrintPlanView(const pwx::v1::GetPlanResponse& view, OutputFormat format,
                   std::ostream& out) {
  if (format == OutputFormat::kJson) {
    out << ToJson(view);
    return;
  }
  const Plan& p = view.plan();
  if (p.confidential()) out << kConfidential << "\n\n";
  PrintContent(p, out);
  PrintParticipants(p, out);
  PrintSchedule(p, out);
  PrintReportParts(p, out);
  PrintRefusals(view, out);
  PrintHistory(p, out);
  if (p.confidential()) out << '\n' << kConfidential << '\n';
}

void PrintPlanList(const pwx::v1::ListPlansResponse& list, OutputFormat format,
                   std::ostream& out) {
  if (format == OutputFormat::kJson) {
    out << ToJson(list);
    return;
  }
  if (list.plans_size() == 0) {
    out << "no plans\n";
  } else {
    std::vector<std::vector<std::string>> rows;
    for (const Plan& p : list.plans()) {
      std::string first;
      for (const pwx::v1::PlanAction& a : p.actions()) {
        if (first.empty() || a.date() < first) first = a.date();
      }
      rows.push_back({p.id(), PlanKindLabel(p.kind()), p.lead(),
                      PlanStateLabel(p.state()), absl::StrCat(p.actions_size()),
                      first, p.content().title()});
    }
    PrintTable(
        {"ID", "KIND", "LEAD", "STATE", "ACTIONS", "FIRST ACTION", "TITLE"},
        std::move(rows), out);
  }
  if (!list.next_page_token().empty()) {
    out << "\nmore plans: add --page-token="
        << CleanText(list.next_page_token())
        << " for the next page, or --all for every page\n";
  }
}

void PrintPlanReport(const pwx::v1::PlanReportSummary& r, OutputFormat format,
                     std::ostream& out) {
  if (format == OutputFormat::kJson) {
    out << ToJson(r);
    return;
  }
  std::string due = r.due_date().empty() ? "(no action yet)" : r.due_date();
  if (r.overdue()) absl::StrAppend(&due, "  OVERDUE");
  PrintFields({{"plan", r.plan_id()},
               {"state", PlanStateLabel(r.state())},
               {"report due", due},
               {"complete", r.complete() ? "yes" : "no"}},
              out);
  out << '\n';
  std::vector<std::vector<std::string>> rows;
  auto row = [&rows](std::string who, std::string status,
                     const pwx::v1::FindingTotals& t, std::string part) {
    rows.push_back({std::move(who), std::move(status),
                    absl::StrCat(t.actions()), absl::StrCat(t.findings()),
                    absl::StrCat(t.workers_checked()),
                    absl::StrCat(t.undertakings_checked()),
                    absl::StrCat(t.irregularities_total()),
                    absl::StrCat(t.requests_opened()), std::move(part)});
  };
  for (const pwx::v1::ParticipantReport& p : r.participants()) {
    row(p.authority(), ParticipantStatusLabel(p.status()), p.totals(),
        p.part_submitted()                                 ? "submitted"
        : p.status() == pwx::v1::PARTICIPANT_STATUS_AGREED ? "missing"
                                                           : "-");
  }
  row("total", "", r.total(), "");
  PrintTable({"AUTHORITY", "STATUS", "ACTIONS", "FINDINGS", "WORKERS",
              "UNDERTAKINGS", "IRREGULARITIES", "REQUESTS", "PART"},
             std::move(rows), out);
  if (r.total().irregularities_size() > 0) {
    out << "\nIrregularities: " << Irregularities(r.total().irregularities())
        << '\n';
  }
  PrintSection("Indicators", r.indicators_size(), out);
  if (r.indicators_size() > 0) {
    std::vector<std::vector<std::string>> indicators;
    for (const pwx::v1::IndicatorResult& i : r.indicators()) {
      const pwx::v1::Indicator& ind = i.indicator();
      std::string target =
          absl::StrCat(ind.at_most() ? "<= " : ">= ", Number(ind.target()));
      if (!ind.unit().empty()) absl::StrAppend(&target, " ", ind.unit());
      indicators.push_back({ind.id(), IndicatorSourceLabel(ind.source()),
                            target, i.measured() ? Number(i.value()) : "-",
                            !i.measured() ? "-" : (i.met() ? "yes" : "no")});
    }
    PrintTable({"ID", "SOURCE", "TARGET", "VALUE", "MET"},
               std::move(indicators), out);
  }
  out << "\nParts missing: "
      << (r.parts_missing().empty() ? "none"
                                    : absl::StrJoin(r.parts_missing(), ", "))
      << '\n';
}

}  // namespace pwx::client
