// The fixture of the `pwx plan` tests: a fake PlanService and a plan to
// print.
#ifndef PWX_TESTS_CLIENT_CLI_PLAN_FIXTURE_H_
#define PWX_TESTS_CLIENT_CLI_PLAN_FIXTURE_H_

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "google/protobuf/text_format.h"
#include "tests/client/cli_fixture.h"

namespace pwx::testing {

inline constexpr char kPlanId[] = "FR-DGT-P-2026-000003";

template <typename Message>
Message PlanFromText(const std::string& text) {
  Message message;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &message))
      << text;
  return message;
}

// A joint inspection led by FR-DGT, in progress: PL-PIP agreed, RO-ITM
// declined; two actions, listed out of date order, the earlier one with a
// finding; FR-DGT's report part is in.
inline pwx::v1::Plan RunningPlan() {
  return PlanFromText<pwx::v1::Plan>(R"pb(
    id: "FR-DGT-P-2026-000003"
    kind: PLAN_KIND_JOINT_INSPECTION
    lead: "FR-DGT"
    state: PLAN_STATE_IN_PROGRESS
    content {
      title: "Construction sites Lyon"
      strategic_objectives: "Fair posting in construction"
      operational_objectives: "Check 100 workers"
      sectors: "F41.20"
      sectors: "F43.99"
      targets {
        name: "Budimex SA"
        registration_number: "PL5260001111"
        country: "PL"
      }
      case_ids: "FR-DGT-2026-000002"
      scope: "Lyon building sites"
      purpose: "Check pay and A1 forms"
      legal_basis: "Reg. (EU) 2019/1149 Art. 9"
      short_notice_allowed: true
      report_due_months: 3
      indicators {
        id: "workers"
        source: INDICATOR_SOURCE_WORKERS_CHECKED
        target: 100
      }
    }
    participants {
      authority: "PL-PIP"
      status: PARTICIPANT_STATUS_AGREED
      answered_by: "piotr"
      answered_at { seconds: 1770105600 }
      agreed_seq: 4
    }
    participants {
      authority: "RO-ITM"
      status: PARTICIPANT_STATUS_DECLINED
      decline_reason: "no inspectors free in March"
      answered_by: "ion"
    }
    actions {
      id: "A2"
      kind: PLAN_ACTION_KIND_INFORMATION_EXCHANGE
      date: "2026-03-20"
      place: "Warszawa"
      responsible: "PL-PIP"
    }
    actions {
      id: "A1"
      kind: PLAN_ACTION_KIND_INSPECTION
      date: "2026-03-10"
      end_date: "2026-03-12"
      place: "Lyon, rue Garibaldi"
      responsible: "FR-DGT"
      inspectors: "Claire Martin"
      inspectors: "Jan Kowalski"
      findings { id: "A1-F1" authority: "FR-DGT" workers_checked: 12 }
    }
    last_action_number: 2
    report {
      due_date: "2026-06-12"
      parts {
        authority: "FR-DGT"
        text: "12 workers checked"
        submitted_by: "alice"
      }
    }
    seq: 9
    history {
      seq: 1
      author: "FR-DGT"
      user: "alice"
      at { seconds: 1769904000 }
      create {
        kind: PLAN_KIND_JOINT_INSPECTION
        content { title: "Construction sites Lyon" }
      }
    }
    history {
      seq: 5
      author: "RO-ITM"
      user: "ion"
      decline { reason: "no inspectors free in March" }
    }
  )pb");
}

class CliPlanTest : public CliTest {
 protected:
  FakePlanService& plans() { return node_->plans(); }

  // Runs `args`, expecting a usage error (exit 2) that contains `message`,
  // and that nothing reached the server.
  void ExpectUsageError(const std::vector<std::string>& args,
                        const std::string& message) {
    SCOPED_TRACE(::testing::PrintToString(args));
    const CliResult result = Run(args);
    EXPECT_EQ(result.exit_code, 2) << result.out;
    EXPECT_THAT(result.err, ::testing::HasSubstr(message));
    const FakePlanService::Seen seen = plans().seen();
    EXPECT_THAT(seen.creates, ::testing::IsEmpty());
    EXPECT_THAT(seen.gets, ::testing::IsEmpty());
    EXPECT_THAT(seen.acts, ::testing::IsEmpty());
    EXPECT_THAT(seen.lists, ::testing::IsEmpty());
    EXPECT_THAT(seen.reports, ::testing::IsEmpty());
  }

  // The step of the only ActOnPlan the fake saw.
  pwx::v1::PlanEvent OnlyStep() {
    const FakePlanService::Seen seen = plans().seen();
    EXPECT_EQ(seen.acts.size(), 1u);
    if (seen.acts.empty()) return {};
    EXPECT_EQ(seen.acts[0].id(), kPlanId);
    return seen.acts[0].step();
  }
};

}  // namespace pwx::testing

#endif  // PWX_TESTS_CLIENT_CLI_PLAN_FIXTURE_H_
