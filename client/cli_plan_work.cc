// `pwx plan action add|finding add|measure|report [submit]`: the work of
// a running plan and its report.
#include <memory>
#include <set>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "client/cli_plan_act.h"
#include "client/plan_output.h"
#include "server/domain/request_rules.h"

namespace pwx::client::internal::plan_cli {
namespace {

absl::Status FillAddAction(const ActFlags& f, Session&,
                           pwx::v1::PlanEvent* step) {
  pwx::v1::PlanAction* a = step->mutable_add_action()->mutable_action();
  absl::StatusOr<pwx::v1::PlanActionKind> kind = ParseActionKind(f.kind);
  if (!kind.ok()) return FlagUsage("--kind", kind.status());
  a->set_kind(*kind);
  if (absl::Status s = CheckDate("--date", f.date); !s.ok()) return s;
  a->set_date(f.date);
  if (!f.end_date.empty()) {
    if (absl::Status s = CheckDate("--end-date", f.end_date); !s.ok()) {
      return s;
    }
    // ISO dates compare as text.
    if (f.end_date < f.date) {
      return UsageError(absl::StrCat("--end-date: ", f.end_date,
                                     " is before --date ", f.date));
    }
    a->set_end_date(f.end_date);
  }
  if (absl::Status s = CheckText("--place", f.place); !s.ok()) return s;
  a->set_place(f.place);
  if (absl::Status s = CheckAuthority("--responsible", f.responsible);
      !s.ok()) {
    return s;
  }
  a->set_responsible(f.responsible);
  for (size_t i = 0; i < f.inspectors.size(); ++i) {
    if (absl::Status s = CheckText(absl::StrCat("--inspector[", i + 1, "]"),
                                   f.inspectors[i]);
        !s.ok()) {
      return s;
    }
    a->add_inspectors(f.inspectors[i]);
  }
  a->set_description(f.description);
  return absl::OkStatus();
}

absl::Status FillAddFinding(const ActFlags& f, Session&,
                            pwx::v1::PlanEvent* step) {
  pwx::v1::AddFindingAction* add = step->mutable_add_finding();
  if (absl::Status s = CheckText("--action", f.action); !s.ok()) return s;
  add->set_action_id(f.action);
  pwx::v1::Finding* finding = add->mutable_finding();
  for (const auto& [flag, value] :
       {std::pair{"--workers", f.workers},
        std::pair{"--undertakings", f.undertakings}}) {
    if (value.value_or(0) < 0) {
      return UsageError(absl::StrCat(flag, ": must not be negative"));
    }
  }
  finding->set_workers_checked(f.workers.value_or(0));
  finding->set_undertakings_checked(f.undertakings.value_or(0));
  std::set<int> categories;
  for (size_t i = 0; i < f.irregularities.size(); ++i) {
    const std::string flag = absl::StrCat("--irregularity[", i + 1, "]");
    absl::StatusOr<pwx::v1::IrregularityCount> count =
        ParseIrregularitySpec(flag, f.irregularities[i]);
    if (!count.ok()) return AsUsage(count.status());
    if (!categories.insert(count->category()).second) {
      return UsageError(absl::StrCat(
          flag, ": ", IrregularityLabel(count->category()), " given twice"));
    }
    *finding->add_irregularities() = *std::move(count);
  }
  for (size_t i = 0; i < f.requests.size(); ++i) {
    const std::string flag = absl::StrCat("--request[", i + 1, "]");
    if (absl::Status s = domain::ValidateRequestId(flag, f.requests[i]);
        !s.ok()) {
      return FlagUsage(flag, s);
    }
    finding->add_request_ids(f.requests[i]);
  }
  finding->set_notes(f.notes);
  return absl::OkStatus();
}

absl::Status FillMeasure(const ActFlags& f, Session&,
                         pwx::v1::PlanEvent* step) {
  std::set<std::string> ids;
  for (size_t i = 0; i < f.values.size(); ++i) {
    const std::string flag = absl::StrCat("--value[", i + 1, "]");
    absl::StatusOr<pwx::v1::IndicatorValue> value =
        ParseMeasureSpec(flag, f.values[i]);
    if (!value.ok()) return AsUsage(value.status());
    if (!ids.insert(value->indicator_id()).second) {
      return UsageError(
          absl::StrCat(flag, ": ", value->indicator_id(), " given twice"));
    }
    *step->mutable_measure()->add_values() = *std::move(value);
  }
  return absl::OkStatus();
}

void AddReport(CLI::App* plans, Command* selected) {
  CLI::App* report = plans->add_subcommand(
      "report",
      "Show a plan's report: findings per authority and in total, "
      "indicators against their targets, missing parts, OVERDUE; `report "
      "submit` submits this authority's part");
  report->footer(
      "Usage: pwx plan report ID, or pwx plan report submit ID --text TEXT.\n"
      "With --output json, `report ID` prints the pwx.v1.PlanReportSummary\n"
      "(\"planId\", \"dueDate\", \"overdue\", \"participants\", \"total\",\n"
      "\"indicators\", \"partsMissing\").");
  auto id = std::make_shared<std::string>();
  report->add_option("ID", *id, "Plan id, e.g. FR-DGT-P-2026-000001");
  CLI::App* submit = AddAct(
      report, selected, "submit",
      "Submit this authority's part of the report (each authority that "
      "agreed, the lead included); the last part makes the plan reported",
      "",
      [](CLI::App* c, ActFlags* f) {
        c->add_option("--text", f->text, "This authority's part")->required();
      },
      [](const ActFlags& f, Session&, pwx::v1::PlanEvent* step) {
        if (absl::Status s = CheckText("--text", f.text); !s.ok()) return s;
        step->mutable_submit_report_part()->set_text(f.text);
        return absl::OkStatus();
      });
  // `report submit ...` runs its own command; `report ID` this one.
  report->callback([selected, id, submit] {
    if (submit->parsed()) return;
    *selected = [id](CommandEnv& env) -> absl::Status {
      if (id->empty()) return UsageError("ID: required (pwx plan report ID)");
      if (absl::Status s = CheckId(*id); !s.ok()) return s;
      absl::StatusOr<PlanClient> client = ConnectPlans(env);
      if (!client.ok()) return client.status();
      absl::StatusOr<pwx::v1::PlanReportSummary> summary =
          client->GetPlanReport(*id);
      if (!summary.ok()) return summary.status();
      PrintPlanReport(*summary, env.format, env.out);
      return absl::OkStatus();
    };
  });
}

}  // namespace

void AddWorkCommands(CLI::App* p, Command* selected) {
  const std::string no_footer;
  AddAct(
      p, selected, "measure",
      "Record measured values of manual indicators (lead, or ELA as "
      "coordinator)",
      no_footer,
      [](CLI::App* c, ActFlags* f) {
        c->add_option("--value", f->values,
                      "INDICATOR=NUMBER, e.g. coverage=12.5; repeatable")
            ->required()
            ->allow_extra_args(false);
      },
      FillMeasure);

  CLI::App* action = p->add_subcommand("action", "The plan's actions");
  action->require_subcommand(1);
  AddAct(
      action, selected, "add",
      "Add an action (lead): an inspection, information exchange, "
      "investigation or campaign, with its date, place and responsible "
      "authority",
      "The action gets the next id (A1, A2, ...), never reused.\n\n",
      [](CLI::App* c, ActFlags* f) {
        c->add_option("--kind", f->kind,
                      "inspection, information-exchange, investigation, "
                      "prevention-campaign or communication-campaign")
            ->required();
        c->add_option("--date", f->date, "The first day, YYYY-MM-DD")
            ->required();
        c->add_option("--end-date", f->end_date,
                      "The last day, YYYY-MM-DD (default: --date)");
        c->add_option("--place", f->place, "Where")->required();
        c->add_option("--responsible", f->responsible,
                      "The authority that carries it out (the lead or a "
                      "participant), e.g. PL-PIP")
            ->required();
        c->add_option("--inspector", f->inspectors,
                      "A participating inspector's name; repeatable")
            ->allow_extra_args(false);
        c->add_option("--description", f->description, "What is done");
      },
      FillAddAction);

  CLI::App* finding = p->add_subcommand("finding", "Findings of actions");
  finding->require_subcommand(1);
  AddAct(
      finding, selected, "add",
      "Record what this authority found in an action it is responsible for "
      "(the plan in progress)",
      "Categories: pay, working-time, social-security, letterbox-company,\n"
      "bogus-self-employment, subcontracting, health-and-safety,\n"
      "trafficking.\n\n",
      [](CLI::App* c, ActFlags* f) {
        c->add_option("--action", f->action, "The action's id, e.g. A1")
            ->required();
        c->add_option_function<int>(
             "--workers", [f](const int& n) { f->workers = n; },
             "Workers checked")
            ->required();
        c->add_option_function<int>(
             "--undertakings", [f](const int& n) { f->undertakings = n; },
             "Undertakings checked")
            ->required();
        c->add_option("--irregularity", f->irregularities,
                      "Suspected irregularities: CATEGORY=N; repeatable")
            ->allow_extra_args(false);
        c->add_option("--request", f->requests,
                      "A request opened from the findings, e.g. "
                      "FR-DGT-R-2026-000001; repeatable")
            ->allow_extra_args(false);
        c->add_option("--notes", f->notes, "Notes (free text)");
      },
      FillAddFinding);
  AddReport(p, selected);
}

}  // namespace pwx::client::internal::plan_cli
