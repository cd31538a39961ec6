// `pwx plan show|list|report` and every plan command's help: what the CLI
// asks PlanService for and what it prints.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "nlohmann/json.hpp"
#include "tests/client/cli_plan_fixture.h"

namespace pwx::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::SizeIs;

// --- show ------------------------------------------------------------------

pwx::v1::PlanRefusal Refusal() {
  return PlanFromText<pwx::v1::PlanRefusal>(R"pb(
    plan_id: "FR-DGT-P-2026-000003"
    submission_id: "PL-PIP-S-000002"
    code: 9
    message: "finding of A1: FR-DGT is responsible"
    checked_at_seq: 8
  )pb");
}

TEST_F(CliPlanTest, ShowPrintsHeaderParticipantsScheduleAndHistory) {
  plans().AddPlan(RunningPlan(), {Refusal()});

  const CliResult result = Run({"plan", "show", kPlanId});

  ASSERT_EQ(result.exit_code, 0) << result.err;
  const std::string& out = result.out;
  EXPECT_THAT(out, HasSubstr("id:            FR-DGT-P-2026-000003\n"
                             "kind:          joint\n"
                             "title:         Construction sites Lyon\n"
                             "lead:          FR-DGT\n"
                             "state:         in-progress\n"
                             "seq:           9\n"));
  EXPECT_THAT(out, HasSubstr("targets:       Budimex SA (reg PL5260001111, "
                             "PL)\n"));
  EXPECT_THAT(out, HasSubstr("sectors:       F41.20, F43.99\n"));
  EXPECT_THAT(out, HasSubstr("short notice:  allowed\n"));
  EXPECT_THAT(out, HasSubstr("workers: at least 100 (workers-checked)"));
  EXPECT_THAT(out, HasSubstr("Participants (2)\n"
                             "AUTHORITY  STATUS    ANSWERED                    "
                             "      REASON\n"
                             "PL-PIP     agreed    2026-02-03 08:00:00 UTC by "
                             "piotr  \n"
                             "RO-ITM     declined  by ion                      "
                             "      no inspectors free in March\n"));
  // By date: A1 (10 March) before A2 (20 March).
  EXPECT_THAT(out,
              HasSubstr("Schedule (2)\n"
                        "ID  DATE                    KIND                  "
                        "PLACE                RESPONSIBLE  INSPECTORS       "
                        "            FINDINGS\n"
                        "A1  2026-03-10..2026-03-12  inspection            "
                        "Lyon, rue Garibaldi  FR-DGT       Claire Martin, Jan "
                        "Kowalski  1\n"
                        "A2  2026-03-20              information-exchange  "
                        "Warszawa             PL-PIP                        "
                        "            0\n"));
  EXPECT_THAT(out, HasSubstr("Report due: 2026-06-12\n"));
  EXPECT_THAT(out, HasSubstr("Report parts (1)\n  FR-DGT, by alice: 12 "
                             "workers checked\n"));
  EXPECT_THAT(out, HasSubstr("Refused by the lead (nothing changed) (1)"));
  EXPECT_THAT(out, HasSubstr("PL-PIP-S-000002  FAILED_PRECONDITION  finding "
                             "of A1: FR-DGT is responsible  8"));
  EXPECT_THAT(out, HasSubstr("History (2)"));
  EXPECT_THAT(out, HasSubstr("decline  no inspectors free in March"));
  EXPECT_THAT(out, HasSubstr("create   joint: Construction sites Lyon"));
  EXPECT_THAT(out, Not(HasSubstr("CONFIDENTIAL")));
  EXPECT_THAT(plans().seen().gets, SizeIs(1));
}

TEST_F(CliPlanTest, ShowOfAConfidentialPlanSaysSo) {
  pwx::v1::Plan plan = RunningPlan();
  plan.set_confidential(true);
  plans().AddPlan(plan);

  const CliResult result = Run({"plan", "show", kPlanId});

  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(
      result.out.rfind("CONFIDENTIAL: your authority declined this plan", 0),
      0u)
      << result.out;
}

TEST_F(CliPlanTest, ShowOfAReopenedPlanSaysWhereItReturns) {
  pwx::v1::Plan plan = RunningPlan();
  plan.set_state(pwx::v1::PLAN_STATE_PROPOSED);
  plan.set_resume_state(pwx::v1::PLAN_STATE_IN_PROGRESS);
  plans().AddPlan(plan);

  const CliResult result = Run({"plan", "show", kPlanId});

  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out,
              HasSubstr("state:         proposed (an amendment awaits answers; "
                        "then in-progress again)"));
}

TEST_F(CliPlanTest, ShowJsonIsTheGetPlanResponse) {
  pwx::v1::Plan plan = RunningPlan();
  plan.set_confidential(true);
  plans().AddPlan(plan, {Refusal()});

  const CliResult result = Run({"plan", "show", kPlanId, "--output", "json"});

  ASSERT_EQ(result.exit_code, 0) << result.err;
  const nlohmann::json json = nlohmann::json::parse(result.out);
  EXPECT_EQ(json["plan"]["id"], kPlanId);
  EXPECT_EQ(json["plan"]["state"], "PLAN_STATE_IN_PROGRESS");
  EXPECT_EQ(json["plan"]["confidential"], true);
  EXPECT_EQ(json["plan"]["actions"][1]["findings"][0]["workersChecked"], 12);
  EXPECT_EQ(json["refusals"][0]["submissionId"], "PL-PIP-S-000002");
}

TEST_F(CliPlanTest, ShowErrors) {
  ExpectUsageError({"plan", "show", "FR-DGT-R-2026-000003"}, "ID:");
  ExpectUsageError({"plan", "show"}, "ID is required");

  const CliResult missing = Run({"plan", "show", kPlanId});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_EQ(missing.err,
            "pwx: NOT_FOUND: plan FR-DGT-P-2026-000003 not found\n");
}

// --- list ------------------------------------------------------------------

pwx::v1::ListPlansResponse OnePage() {
  pwx::v1::ListPlansResponse page;
  pwx::v1::Plan* p = page.add_plans();
  *p = RunningPlan();
  p->clear_history();
  pwx::v1::Plan* draft = page.add_plans();
  draft->set_id("FR-DGT-P-2026-000004");
  draft->set_kind(pwx::v1::PLAN_KIND_COOPERATION_PLAN);
  draft->set_lead("FR-DGT");
  draft->set_state(pwx::v1::PLAN_STATE_DRAFT);
  draft->mutable_content()->set_title("Bilateral FR-PL");
  return page;
}

TEST_F(CliPlanTest, ListSendsTheFiltersAndPrintsATable) {
  plans().SetPage("", OnePage());

  const CliResult result =
      Run({"plan", "list", "--state", "in-progress", "--page-size", "10"});

  ASSERT_EQ(result.exit_code, 0) << result.err;
  ASSERT_THAT(plans().seen().lists, SizeIs(1));
  EXPECT_THAT(plans().seen().lists[0],
              EqualsProto("state: PLAN_STATE_IN_PROGRESS page_size: 10"));
  EXPECT_THAT(result.out,
              HasSubstr("ID                    KIND         LEAD    STATE      "
                        "  ACTIONS  FIRST ACTION  TITLE\n"
                        "FR-DGT-P-2026-000003  joint        FR-DGT  "
                        "in-progress  2        2026-03-10    Construction "
                        "sites Lyon\n"
                        "FR-DGT-P-2026-000004  cooperation  FR-DGT  draft      "
                        "  0                      Bilateral FR-PL\n"));
}

TEST_F(CliPlanTest, ListUpcomingSendsTheDay) {
  ASSERT_EQ(Run({"plan", "list", "--upcoming-from", "2026-03-01"}).exit_code,
            0);

  ASSERT_THAT(plans().seen().lists, SizeIs(1));
  EXPECT_THAT(plans().seen().lists[0],
              EqualsProto("upcoming_from: '2026-03-01'"));
}

TEST_F(CliPlanTest, ListByCaseSendsTheCaseAndPrintsItsPlans) {
  plans().SetPage("", OnePage());

  const CliResult result =
      Run({"plan", "list", "--case", "FR-DGT-2026-000002"});

  ASSERT_EQ(result.exit_code, 0) << result.err;
  ASSERT_THAT(plans().seen().lists, SizeIs(1));
  EXPECT_THAT(plans().seen().lists[0],
              EqualsProto("case_id: 'FR-DGT-2026-000002'"));
  EXPECT_THAT(result.out, HasSubstr("FR-DGT-P-2026-000003"));
  const CliResult help = Run({"plan", "list", "--help"});
  EXPECT_THAT(help.out, HasSubstr("--case"));
  EXPECT_THAT(help.out, HasSubstr("names this case"));
}

TEST_F(CliPlanTest, ListFollowsPagesWithAll) {
  pwx::v1::ListPlansResponse first = OnePage();
  first.set_next_page_token("t2");
  pwx::v1::ListPlansResponse second;
  *second.add_plans() = OnePage().plans(1);
  second.mutable_plans(0)->set_id("FR-DGT-P-2026-000009");
  plans().SetPage("", first);
  plans().SetPage("t2", second);

  const CliResult page = Run({"plan", "list"});
  ASSERT_EQ(page.exit_code, 0) << page.err;
  EXPECT_THAT(page.out, HasSubstr("--page-token=t2"));

  const CliResult next = Run({"plan", "list", "--page-token", "t2"});
  ASSERT_EQ(next.exit_code, 0) << next.err;
  EXPECT_THAT(next.out, HasSubstr("FR-DGT-P-2026-000009"));

  const CliResult all = Run({"plan", "list", "--all", "--output", "json"});
  ASSERT_EQ(all.exit_code, 0) << all.err;
  const nlohmann::json json = nlohmann::json::parse(all.out);
  ASSERT_EQ(json["plans"].size(), 3u);
  EXPECT_EQ(json["plans"][0]["id"], kPlanId);
  EXPECT_EQ(json["plans"][0]["state"], "PLAN_STATE_IN_PROGRESS");
  EXPECT_EQ(json["plans"][2]["id"], "FR-DGT-P-2026-000009");
  EXPECT_FALSE(json.contains("nextPageToken"));
  EXPECT_THAT(plans().seen().lists, SizeIs(4));
}

TEST_F(CliPlanTest, ListFiltersAreChecked) {
  ExpectUsageError({"plan", "list", "--state", "open"},
                   "--state: unknown state 'open'; one of: draft, proposed, "
                   "agreed, in-progress, reported, closed, cancelled");
  ExpectUsageError({"plan", "list", "--upcoming-from", "March"},
                   "--upcoming-from");
  ExpectUsageError(
      {"plan", "list", "--state", "draft", "--upcoming-from", "2026-03-01"},
      "--upcoming-from: not with --state");
  ExpectUsageError({"plan", "list", "--page-size", "101"}, "--page-size");
  ExpectUsageError({"plan", "list", "--case", "case 42"},
                   "--case: 'case 42' is not a case id such as "
                   "FR-DGT-2026-000042");
  ExpectUsageError(
      {"plan", "list", "--case", "FR-DGT-2026-000002", "--state", "draft"},
      "--case: not with --state or --upcoming-from");
}

TEST_F(CliPlanTest, EmptyListSaysSo) {
  const CliResult result = Run({"plan", "list"});

  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, "no plans\n");
}

// --- report ----------------------------------------------------------------

pwx::v1::PlanReportSummary Summary() {
  return PlanFromText<pwx::v1::PlanReportSummary>(R"pb(
    state: PLAN_STATE_IN_PROGRESS
    due_date: "2026-06-12"
    overdue: true
    participants {
      authority: "FR-DGT"
      status: PARTICIPANT_STATUS_AGREED
      totals {
        actions: 1
        findings: 1
        workers_checked: 12
        undertakings_checked: 2
        irregularities_total: 4
        requests_opened: 1
      }
      part_submitted: true
    }
    participants {
      authority: "PL-PIP"
      status: PARTICIPANT_STATUS_AGREED
      totals { actions: 1 }
    }
    participants { authority: "RO-ITM" status: PARTICIPANT_STATUS_DECLINED }
    total {
      actions: 2
      findings: 1
      workers_checked: 12
      undertakings_checked: 2
      irregularities { category: IRREGULARITY_CATEGORY_PAY count: 3 }
      irregularities { category: IRREGULARITY_CATEGORY_WORKING_TIME count: 1 }
      irregularities_total: 4
      requests_opened: 1
    }
    indicators {
      indicator {
        id: "workers"
        source: INDICATOR_SOURCE_WORKERS_CHECKED
        target: 100
      }
      measured: true
      value: 12
    }
    indicators {
      indicator {
        id: "irregular"
        source: INDICATOR_SOURCE_MANUAL
        target: 10
        at_most: true
        unit: "%"
      }
    }
    parts_missing: "PL-PIP"
  )pb");
}

TEST_F(CliPlanTest, ReportPrintsTotalsIndicatorsAndOverdue) {
  plans().SetReport(Summary());

  const CliResult result = Run({"plan", "report", kPlanId});

  ASSERT_EQ(result.exit_code, 0) << result.err;
  ASSERT_THAT(plans().seen().reports, SizeIs(1));
  EXPECT_EQ(plans().seen().reports[0].id(), kPlanId);
  const std::string& out = result.out;
  EXPECT_THAT(out, HasSubstr("report due:  2026-06-12  OVERDUE\n"
                             "complete:    no\n"));
  EXPECT_THAT(out,
              HasSubstr("AUTHORITY  STATUS    ACTIONS  FINDINGS  WORKERS  "
                        "UNDERTAKINGS  IRREGULARITIES  REQUESTS  PART\n"
                        "FR-DGT     agreed    1        1         12       2  "
                        "           4               1         submitted\n"
                        "PL-PIP     agreed    1        0         0        0  "
                        "           0               0         missing\n"
                        "RO-ITM     declined  0        0         0        0  "
                        "           0               0         -\n"
                        "total                2        1         12       2  "
                        "           4               1"));
  EXPECT_THAT(out, HasSubstr("Irregularities: pay 3, working-time 1\n"));
  EXPECT_THAT(out,
              HasSubstr("Indicators (2)\n"
                        "ID         SOURCE           TARGET   VALUE  MET\n"
                        "workers    workers-checked  >= 100   12     no\n"
                        "irregular  manual           <= 10 %  -      -\n"));
  EXPECT_THAT(out, HasSubstr("Parts missing: PL-PIP\n"));
}

TEST_F(CliPlanTest, ReportNotOverdueIsNotFlagged) {
  pwx::v1::PlanReportSummary summary = Summary();
  summary.set_overdue(false);
  plans().SetReport(summary);

  const CliResult result = Run({"plan", "report", kPlanId});

  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr("report due:  2026-06-12\n"));
  EXPECT_THAT(result.out, Not(HasSubstr("OVERDUE")));
}

TEST_F(CliPlanTest, ReportJsonIsTheSummary) {
  plans().SetReport(Summary());

  const CliResult result = Run({"plan", "report", kPlanId, "--output", "json"});

  ASSERT_EQ(result.exit_code, 0) << result.err;
  const nlohmann::json json = nlohmann::json::parse(result.out);
  EXPECT_EQ(json["planId"], kPlanId);
  EXPECT_EQ(json["overdue"], true);
  EXPECT_EQ(json["partsMissing"][0], "PL-PIP");
  EXPECT_EQ(json["total"]["workersChecked"], 12);
}

TEST_F(CliPlanTest, ReportErrors) {
  ExpectUsageError({"plan", "report"}, "ID: required");
  ExpectUsageError({"plan", "report", "12"}, "ID:");

  plans().FailWith(grpc::Status(grpc::StatusCode::NOT_FOUND, "plan not found"));
  const CliResult result = Run({"plan", "report", kPlanId});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.err, "pwx: NOT_FOUND: plan not found\n");
}

// --- help ------------------------------------------------------------------

TEST_F(CliPlanTest, EveryCommandHasHelpMentioningJson) {
  const std::vector<std::vector<std::string>> commands = {
      {"create"},  {"edit"},           {"invite"}, {"propose"},
      {"agree"},   {"decline"},        {"amend"},  {"action", "add"},
      {"start"},   {"finding", "add"}, {"report"}, {"report", "submit"},
      {"measure"}, {"close"},          {"cancel"}, {"show"},
      {"list"}};
  for (const std::vector<std::string>& command : commands) {
    SCOPED_TRACE(::testing::PrintToString(command));
    std::vector<std::string> args = {"plan"};
    args.insert(args.end(), command.begin(), command.end());
    args.push_back("--help");
    const CliResult result = Run(args);
    EXPECT_EQ(result.exit_code, 0);
    EXPECT_THAT(result.out, HasSubstr("--output json"));
  }
  const CliResult group = Run({"plan", "--help"});
  EXPECT_EQ(group.exit_code, 0);
  for (const std::string verb :
       {"create", "edit", "invite", "propose", "agree", "decline", "amend",
        "action", "start", "finding", "report", "measure", "close", "cancel",
        "show", "list"}) {
    EXPECT_THAT(group.out, HasSubstr(verb));
  }
  const CliResult amend = Run({"plan", "amend", "--help"});
  EXPECT_THAT(amend.out, HasSubstr("replaces that whole list"));
}

}  // namespace
}  // namespace pwx::testing
