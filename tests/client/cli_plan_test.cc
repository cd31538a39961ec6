// `pwx plan create|edit|amend|...|finding add|measure`: what the CLI sends
// to PlanService, what a change prints, and every usage error.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
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

// --- create ----------------------------------------------------------------

TEST_F(CliPlanTest, CreateSendsKindContentAndParticipants) {
  const CliResult result = Run({"plan",
                                "create",
                                "--kind",
                                "joint",
                                "--title",
                                "Construction sites Lyon",
                                "--participant",
                                "PL-PIP",
                                "--participant",
                                "RO-ITM",
                                "--objective",
                                "Fair posting",
                                "--objective",
                                "Cooperation",
                                "--operational-objective",
                                "Check 100 workers",
                                "--sector",
                                "41.20",
                                "--sector",
                                "F43",
                                "--target",
                                "name=Budimex SA;reg=PL5260001111;country=PL",
                                "--target",
                                "name=Strabag",
                                "--case",
                                "FR-DGT-2026-000002",
                                "--scope",
                                "Lyon sites",
                                "--purpose",
                                "Check pay",
                                "--legal-basis",
                                "Art. 9",
                                "--short-notice",
                                "--ela",
                                "EU-ELA:coordinator",
                                "--report-due-months",
                                "3",
                                "--indicator",
                                "id=workers;source=workers-checked;target=100",
                                "--indicator",
                                "id=irregular;source=manual;target=10;at-most;"
                                "unit=%;description=irregular postings",
                                "--description",
                                "Sites along the Rhône",
                                "--output",
                                "json"});

  ASSERT_EQ(result.exit_code, 0) << result.err;
  const FakePlanService::Seen seen = plans().seen();
  ASSERT_THAT(seen.creates, SizeIs(1));
  EXPECT_THAT(seen.creates[0], EqualsProto(R"pb(
                create {
                  kind: PLAN_KIND_JOINT_INSPECTION
                  participants: "PL-PIP"
                  participants: "RO-ITM"
                  content {
                    title: "Construction sites Lyon"
                    strategic_objectives: "Fair posting"
                    strategic_objectives: "Cooperation"
                    operational_objectives: "Check 100 workers"
                    sectors: "F41.20"
                    sectors: "F43"
                    targets {
                      name: "Budimex SA"
                      registration_number: "PL5260001111"
                      country: "PL"
                    }
                    targets { name: "Strabag" }
                    case_ids: "FR-DGT-2026-000002"
                    scope: "Lyon sites"
                    purpose: "Check pay"
                    legal_basis: "Art. 9"
                    short_notice_allowed: true
                    ela { authority: "EU-ELA" role: ELA_ROLE_COORDINATOR }
                    report_due_months: 3
                    indicators {
                      id: "workers"
                      source: INDICATOR_SOURCE_WORKERS_CHECKED
                      target: 100
                    }
                    indicators {
                      id: "irregular"
                      source: INDICATOR_SOURCE_MANUAL
                      target: 10
                      at_most: true
                      unit: "%"
                      description: "irregular postings"
                    }
                    description: "Sites along the Rhône"
                  }
                }
              )pb"));
  const nlohmann::json json = nlohmann::json::parse(result.out);
  EXPECT_EQ(json["plan"]["id"], FakePlanService::kCreatedId);
  EXPECT_EQ(json["plan"]["state"], "PLAN_STATE_DRAFT");
  EXPECT_EQ(json["sequenced"], true);
  EXPECT_EQ(json["event"]["seq"], "1");
}

TEST_F(CliPlanTest, CreateTableNamesThePlan) {
  const CliResult result = Run({"plan", "create", "--kind", "cooperation",
                                "--title", "Bilateral FR-PL"});

  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out,
              HasSubstr("FR-DGT-P-2026-000001: create done (seq 1)"));
  EXPECT_THAT(result.out, HasSubstr("kind:   cooperation"));
  EXPECT_THAT(result.out, HasSubstr("state:  draft"));
  EXPECT_EQ(plans().seen().creates[0].create().kind(),
            pwx::v1::PLAN_KIND_COOPERATION_PLAN);
}

TEST_F(CliPlanTest, CreateTakesTheContentFromAFile) {
  const std::string path = node_->dir() + "/content.json";
  std::ofstream(path) << R"({"title": "From a file", "sectors": ["F41.20"],
                             "scope": "Lyon"})";

  const CliResult result =
      Run({"plan", "create", "--kind", "concerted", "--content", path});

  ASSERT_EQ(result.exit_code, 0) << result.err;
  ASSERT_THAT(plans().seen().creates, SizeIs(1));
  EXPECT_THAT(plans().seen().creates[0].create(), EqualsProto(R"pb(
                kind: PLAN_KIND_CONCERTED_INSPECTION
                content { title: "From a file" sectors: "F41.20" scope: "Lyon" }
              )pb"));
}

TEST_F(CliPlanTest, CreateRefusesBadFlagsNamingThem) {
  const std::vector<std::string> base = {"plan", "create", "--title", "T"};
  auto with = [&base](std::vector<std::string> extra) {
    std::vector<std::string> args = base;
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  };
  ExpectUsageError(with({"--kind", "bilateral"}),
                   "--kind: unknown kind 'bilateral'; one of: joint, "
                   "concerted, cooperation");
  ExpectUsageError({"plan", "create", "--kind", "joint"},
                   "--title: required (or --content FILE)");
  ExpectUsageError({"plan", "create", "--title", "T"}, "--kind");
  ExpectUsageError(with({"--kind", "joint", "--title", " "}), "--title");
  ExpectUsageError(with({"--kind", "joint", "--target", "name=A;country=PL",
                         "--target", "name=B;country=XX"}),
                   "--target[2]: country: 'XX' is not an EU/EEA country code");
  ExpectUsageError(with({"--kind", "joint", "--target", "reg=PL1"}),
                   "--target[1]: name: required");
  ExpectUsageError(with({"--kind", "joint", "--target", "name=A;vat=1"}),
                   "--target[1]: unknown part 'vat'");
  ExpectUsageError(
      with({"--kind", "joint", "--sector", "41.20", "--sector", "1234"}),
      "--sector[2]");
  ExpectUsageError(with({"--kind", "joint", "--case", "nope"}), "--case[1]");
  ExpectUsageError(with({"--kind", "joint", "--participant", "poland"}),
                   "--participant[1]");
  ExpectUsageError(
      with({"--kind", "joint", "--objective", "a", "--objective", " "}),
      "--objective[2]: must not be empty");
  ExpectUsageError(with({"--kind", "joint", "--ela", "EU-ELA:boss"}),
                   "--ela: unknown role 'boss'; one of: coordinator, observer");
  ExpectUsageError(with({"--kind", "joint", "--ela", "ELA"}),
                   "--ela: 'ELA' is not AUTH:coordinator or AUTH:observer");
  ExpectUsageError(with({"--kind", "joint", "--report-due-months", "40"}),
                   "--report-due-months: must be 0 (the default, 6) to 36");
}

TEST_F(CliPlanTest, CreateRefusesBadIndicators) {
  auto indicator = [](const std::string& spec) {
    return std::vector<std::string>{"plan",    "create", "--kind",      "joint",
                                    "--title", "T",      "--indicator", spec};
  };
  ExpectUsageError(indicator("id=w;source=guess;target=1"),
                   "--indicator[1]: unknown source 'guess'; one of: manual, "
                   "workers-checked");
  ExpectUsageError(indicator("id=w;source=manual;target=lots"),
                   "--indicator[1]: target: 'lots' is not a number from 0");
  ExpectUsageError(indicator("id=w;source=manual;target=-1"),
                   "--indicator[1]: target");
  ExpectUsageError(indicator("source=manual;target=1"),
                   "--indicator[1]: id: required");
  ExpectUsageError(indicator("id=w;target=1"), "--indicator[1]: source");
  ExpectUsageError(indicator("id=w;source=manual"),
                   "--indicator[1]: target: required");
  ExpectUsageError(indicator("id=w;source=manual;target=1;at-most=yes"),
                   "--indicator[1]: at-most: takes no value");
  ExpectUsageError(indicator("id=w;id=v;source=manual;target=1"),
                   "--indicator[1]: id: given twice");
  ExpectUsageError({"plan", "create", "--kind", "joint", "--title", "T",
                    "--indicator", "id=w;source=manual;target=1", "--indicator",
                    "id=w;source=manual;target=2"},
                   "--indicator[2]: id: 'w' is used twice");
}

TEST_F(CliPlanTest, ContentFileIsNotCombinedWithFlags) {
  const std::string path = node_->dir() + "/content.json";
  std::ofstream(path) << R"({"title": "From a file"})";
  ExpectUsageError(
      {"plan", "create", "--kind", "joint", "--content", path, "--scope", "x"},
      "--content: not with --scope");
  ExpectUsageError(
      {"plan", "create", "--kind", "joint", "--content", path, "--title", "x"},
      "--content: not with --title");
  ExpectUsageError({"plan", "create", "--kind", "joint", "--content",
                    node_->dir() + "/missing.json"},
                   "--content: cannot read");
  const std::string bad = node_->dir() + "/bad.json";
  std::ofstream(bad) << R"({"title": "x", "colour": "red"})";
  ExpectUsageError({"plan", "create", "--kind", "joint", "--content", bad},
                   "--content: not a pwx.v1.PlanContent in JSON");
}

// --- edit and amend --------------------------------------------------------

TEST_F(CliPlanTest, EditAppliesTheFlagsOnTopOfTheDraft) {
  plans().AddPlan(RunningPlan());

  const CliResult result =
      Run({"plan", "edit", kPlanId, "--scope", "All of Lyon", "--sector",
           "43.99", "--no-short-notice"});

  ASSERT_EQ(result.exit_code, 0) << result.err;
  pwx::v1::PlanContent want = RunningPlan().content();
  want.set_scope("All of Lyon");
  want.clear_sectors();
  want.add_sectors("F43.99");
  want.set_short_notice_allowed(false);
  const pwx::v1::PlanEvent step = OnlyStep();
  ASSERT_TRUE(step.has_edit_draft());
  EXPECT_EQ(step.edit_draft().content().DebugString(), want.DebugString());
}

TEST_F(CliPlanTest, AmendWithAScopeChangesOnlyTheScope) {
  plans().AddPlan(RunningPlan());

  const CliResult result = Run({"plan", "amend", kPlanId, "--reason",
                                "site moved", "--scope", "Villeurbanne"});

  ASSERT_EQ(result.exit_code, 0) << result.err;
  pwx::v1::PlanContent want = RunningPlan().content();
  want.set_scope("Villeurbanne");
  const pwx::v1::PlanEvent step = OnlyStep();
  ASSERT_TRUE(step.has_amend());
  EXPECT_TRUE(step.amend().replaces_content());
  EXPECT_EQ(step.amend().reason(), "site moved");
  EXPECT_EQ(step.amend().content().DebugString(), want.DebugString());
  EXPECT_THAT(step.amend().removed_actions(), IsEmpty());
}

TEST_F(CliPlanTest, AmendWithAnEmptyListFlagEmptiesTheList) {
  plans().AddPlan(RunningPlan());

  ASSERT_EQ(Run({"plan", "amend", kPlanId, "--reason", "r", "--sector", "",
                 "--target", "name=Eiffage;country=FR"})
                .exit_code,
            0);

  const pwx::v1::PlanEvent step = OnlyStep();
  const pwx::v1::PlanContent& content = step.amend().content();
  EXPECT_THAT(content.sectors(), IsEmpty());
  ASSERT_THAT(content.targets(), SizeIs(1));
  EXPECT_EQ(content.targets(0).name(), "Eiffage");
  EXPECT_EQ(content.scope(), RunningPlan().content().scope());
}

TEST_F(CliPlanTest, AmendRemovesActionsWithoutTouchingTheContent) {
  plans().AddPlan(RunningPlan());

  const CliResult result =
      Run({"plan", "amend", kPlanId, "--reason", "cancelled on site",
           "--remove-action", "A1", "--remove-action", "A2"});

  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(OnlyStep(), EqualsProto(R"pb(
                amend {
                  removed_actions: "A1"
                  removed_actions: "A2"
                  reason: "cancelled on site"
                }
              )pb"));
  EXPECT_THAT(plans().seen().gets, IsEmpty());
}

TEST_F(CliPlanTest, AmendWithAContentFileReplacesTheContent) {
  plans().AddPlan(RunningPlan());
  const std::string path = node_->dir() + "/content.json";
  std::ofstream(path) << R"({"title": "New title", "scope": "Lyon"})";

  const CliResult result = Run(
      {"plan", "amend", kPlanId, "--reason", "rewritten", "--content", path});

  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(OnlyStep(), EqualsProto(R"pb(
                amend {
                  content { title: "New title" scope: "Lyon" }
                  replaces_content: true
                  reason: "rewritten"
                }
              )pb"));
  EXPECT_THAT(plans().seen().gets, IsEmpty());
}

TEST_F(CliPlanTest, EditAndAmendRefuseBadInput) {
  ExpectUsageError({"plan", "edit", kPlanId},
                   "give a content flag or --content FILE");
  ExpectUsageError({"plan", "edit", kPlanId, "--target", "country=PL"},
                   "--target[1]: name: required");
  ExpectUsageError({"plan", "amend", kPlanId, "--scope", "x"},
                   "--reason is required");
  ExpectUsageError({"plan", "amend", kPlanId, "--reason", " ", "--scope", "x"},
                   "--reason: must not be empty");
  ExpectUsageError({"plan", "amend", kPlanId, "--reason", "r"},
                   "give content flags, --content FILE or --remove-action");
  ExpectUsageError({"plan", "amend", kPlanId, "--reason", "r",
                    "--remove-action", "A1", "--remove-action", "A1"},
                   "--remove-action[2]: A1 given twice");
  ExpectUsageError(
      {"plan", "amend", "FR-DGT-2026-000003", "--reason", "r", "--scope", "x"},
      "ID: \"FR-DGT-2026-000003\" is not a plan id");
}

TEST_F(CliPlanTest, EditOfAnUnknownPlanPassesNotFoundOn) {
  const CliResult result = Run({"plan", "edit", kPlanId, "--scope", "x"});

  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.err,
            "pwx: NOT_FOUND: plan FR-DGT-P-2026-000003 not found\n");
  EXPECT_THAT(plans().seen().acts, IsEmpty());
}

// --- the other changes -----------------------------------------------------

struct VerbCase {
  std::vector<std::string> args;
  std::string step;
};

TEST_F(CliPlanTest, EachChangeSendsItsAction) {
  const VerbCase cases[] = {
      {{"invite", kPlanId, "--authority", "DE-ZOLL"},
       "invite { authority: 'DE-ZOLL' }"},
      {{"propose", kPlanId}, "propose {}"},
      {{"agree", kPlanId}, "agree {}"},
      {{"decline", kPlanId, "--reason", "no staff"},
       "decline { reason: 'no staff' }"},
      {{"start", kPlanId}, "start {}"},
      {{"close", kPlanId}, "close {}"},
      {{"cancel", kPlanId, "--reason", "site closed"},
       "cancel { reason: 'site closed' }"},
      {{"report", "submit", kPlanId, "--text", "All checked"},
       "submit_report_part { text: 'All checked' }"},
      {{"measure", kPlanId, "--value", "coverage=12.5", "--value", "sites=3"},
       "measure { values { indicator_id: 'coverage' value: 12.5 } "
       "values { indicator_id: 'sites' value: 3 } }"},
      {{"action", "add", kPlanId, "--kind", "inspection", "--date",
        "2026-03-10", "--end-date", "2026-03-12", "--place", "Lyon",
        "--responsible", "PL-PIP", "--inspector", "Claire Martin",
        "--inspector", "Jan Kowalski", "--description", "Sites 1-3"},
       "add_action { action { kind: PLAN_ACTION_KIND_INSPECTION "
       "date: '2026-03-10' end_date: '2026-03-12' place: 'Lyon' "
       "responsible: 'PL-PIP' inspectors: 'Claire Martin' "
       "inspectors: 'Jan Kowalski' description: 'Sites 1-3' } }"},
      {{"finding", "add", kPlanId, "--action", "A1", "--workers", "12",
        "--undertakings", "2", "--irregularity", "pay=3", "--irregularity",
        "letterbox-company=1", "--request", "FR-DGT-R-2026-000001", "--notes",
        "two without A1"},
       "add_finding { action_id: 'A1' finding { workers_checked: 12 "
       "undertakings_checked: 2 "
       "irregularities { category: IRREGULARITY_CATEGORY_PAY count: 3 } "
       "irregularities { category: IRREGULARITY_CATEGORY_LETTERBOX_COMPANY "
       "count: 1 } request_ids: 'FR-DGT-R-2026-000001' "
       "notes: 'two without A1' } }"},
  };
  plans().AddPlan(RunningPlan());
  size_t done = 0;
  for (const VerbCase& c : cases) {
    SCOPED_TRACE(c.step);
    std::vector<std::string> args = {"plan"};
    args.insert(args.end(), c.args.begin(), c.args.end());
    args.insert(args.end(), {"--output", "json"});

    const CliResult result = Run(args);

    ASSERT_EQ(result.exit_code, 0) << result.err;
    const FakePlanService::Seen seen = plans().seen();
    ASSERT_THAT(seen.acts, SizeIs(done + 1));
    EXPECT_EQ(seen.acts[done].id(), kPlanId);
    EXPECT_THAT(seen.acts[done].step(), EqualsProto(c.step));
    ++done;
    const nlohmann::json json = nlohmann::json::parse(result.out);
    EXPECT_EQ(json["plan"]["id"], kPlanId);
    EXPECT_EQ(json["sequenced"], true);
    EXPECT_EQ(json["event"]["seq"], std::to_string(9 + done));
  }
}

TEST_F(CliPlanTest, ChangesRefuseBadFlagsNamingThem) {
  const std::string id = kPlanId;
  const std::vector<std::string> action = {
      "plan",    "action", "add",           id,
      "--place", "Lyon",   "--responsible", "PL-PIP"};
  auto with = [](std::vector<std::string> args,
                 const std::vector<std::string>& extra) {
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  };
  ExpectUsageError(with(action, {"--kind", "raid", "--date", "2026-03-10"}),
                   "--kind: unknown kind 'raid'; one of: inspection, "
                   "information-exchange, investigation");
  ExpectUsageError(
      with(action, {"--kind", "inspection", "--date", "2026-02-30"}), "--date");
  ExpectUsageError(
      with(action, {"--kind", "inspection", "--date", "10/03/2026"}), "--date");
  ExpectUsageError(with(action, {"--kind", "inspection", "--date", "2026-03-10",
                                 "--end-date", "2026-03-09"}),
                   "--end-date: 2026-03-09 is before --date 2026-03-10");
  ExpectUsageError(
      {"plan", "action", "add", id, "--kind", "inspection", "--date",
       "2026-03-10", "--place", "Lyon", "--responsible", "pip"},
      "--responsible");
  ExpectUsageError({"plan", "action", "add", id, "--kind", "inspection",
                    "--date", "2026-03-10", "--responsible", "PL-PIP"},
                   "--place is required");

  const std::vector<std::string> finding = {
      "plan", "finding",        "add", id, "--action", "A1", "--workers",
      "3",    "--undertakings", "1"};
  ExpectUsageError(with(finding, {"--irregularity", "theft=2"}),
                   "--irregularity[1]: unknown category 'theft'; one of: "
                   "pay, working-time, social-security");
  ExpectUsageError(with(finding, {"--irregularity", "pay=0"}),
                   "--irregularity[1]: 'pay=0' is not CATEGORY=N");
  ExpectUsageError(with(finding, {"--irregularity", "pay"}),
                   "--irregularity[1]");
  ExpectUsageError(
      with(finding, {"--irregularity", "pay=1", "--irregularity", "pay=2"}),
      "--irregularity[2]: pay given twice");
  ExpectUsageError(with(finding, {"--request", "R-1"}), "--request[1]");
  ExpectUsageError({"plan", "finding", "add", id, "--action", "A1", "--workers",
                    "-1", "--undertakings", "1"},
                   "--workers: must not be negative");
  ExpectUsageError(
      {"plan", "finding", "add", id, "--action", "A1", "--workers", "1"},
      "--undertakings is required");

  ExpectUsageError({"plan", "decline", id}, "--reason is required");
  ExpectUsageError({"plan", "decline", id, "--reason", ""},
                   "--reason: must not be empty");
  ExpectUsageError({"plan", "cancel", id}, "--reason is required");
  ExpectUsageError({"plan", "invite", id, "--authority", "germany"},
                   "--authority");
  ExpectUsageError({"plan", "report", "submit", id}, "--text is required");
  ExpectUsageError({"plan", "measure", id, "--value", "coverage"},
                   "--value[1]: 'coverage' is not INDICATOR=NUMBER");
  ExpectUsageError({"plan", "measure", id, "--value", "coverage=much"},
                   "--value[1]: coverage: 'much' is not a number from 0");
  ExpectUsageError({"plan", "measure", id, "--value", "a=1", "--value", "a=2"},
                   "--value[2]: a given twice");
  ExpectUsageError({"plan", "propose", "plan-7"}, "ID:");
}

TEST_F(CliPlanTest, AChangeAtAParticipantsNodeSaysItWentToTheLead) {
  plans().AddPlan(RunningPlan());
  plans().AsParticipantNode();

  const CliResult table = Run({"plan", "agree", kPlanId});
  const CliResult json = Run({"plan", "agree", kPlanId, "--output", "json"});

  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_THAT(table.out,
              HasSubstr("FR-DGT-P-2026-000003: agree sent to the lead FR-DGT "
                        "(submission FR-DGT-S-000004); your copy changes once "
                        "the lead sequences it."));
  EXPECT_THAT(table.out, HasSubstr("seq:    9"));
  ASSERT_EQ(json.exit_code, 0) << json.err;
  const nlohmann::json parsed = nlohmann::json::parse(json.out);
  EXPECT_EQ(parsed["sequenced"], false);
  EXPECT_EQ(parsed["event"]["submissionId"], FakePlanService::kSubmissionId);
}

TEST_F(CliPlanTest, ALeadsChangeSaysItIsDone) {
  plans().AddPlan(RunningPlan());

  const CliResult result = Run({"plan", "start", kPlanId});

  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out,
              HasSubstr("FR-DGT-P-2026-000003: start done (seq 10)"));
  EXPECT_THAT(result.out, Not(HasSubstr("sent to the lead")));
}

TEST_F(CliPlanTest, ServerErrorsArePassedOn) {
  plans().AddPlan(RunningPlan());
  plans().FailWith(grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                                "plan FR-DGT-P-2026-000003 is IN_PROGRESS"));

  const CliResult result = Run({"plan", "propose", kPlanId});

  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.err,
            "pwx: FAILED_PRECONDITION: plan FR-DGT-P-2026-000003 is "
            "IN_PROGRESS\n");
  EXPECT_EQ(result.out, "");
}

TEST_F(CliPlanTest, PermissionDeniedIsPassedOn) {
  plans().FailWith(grpc::Status(grpc::StatusCode::PERMISSION_DENIED,
                                "agreeing needs a coordinator"));

  const CliResult result = Run({"plan", "agree", kPlanId});

  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.err,
            "pwx: PERMISSION_DENIED: agreeing needs a coordinator\n");
}

}  // namespace
}  // namespace pwx::testing
