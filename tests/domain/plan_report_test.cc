// The post-inspection report: due date, findings per authority and in
// total, indicators against their targets, overdue.
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
using pwx::testing::CreateEvent;
using pwx::testing::kFr;
using pwx::testing::kPl;
using pwx::testing::kPlanId;
using pwx::testing::kRo;
using pwx::testing::ProposeEvent;
using pwx::testing::ReportPartEvent;
using pwx::testing::StartEvent;
using pwx::v1::Plan;
using pwx::v1::PlanEvent;

class PlanReportTest : public ::testing::Test {
 protected:
  void Do(const char* author, PlanEvent change) {
    absl::StatusOr<PlanEvent> e =
        Submit(plan_, author, By(author, change, ++n_));
    ASSERT_TRUE(e.ok()) << e.status();
    ASSERT_TRUE(ApplySequenced(*e, &plan_).ok());
  }

  PlanEvent Finding(const char* action, int workers, int undertakings,
                    pwx::v1::IrregularityCategory category, int count,
                    std::vector<std::string> requests) {
    PlanEvent e;
    e.mutable_add_finding()->set_action_id(action);
    pwx::v1::Finding* f = e.mutable_add_finding()->mutable_finding();
    f->set_workers_checked(workers);
    f->set_undertakings_checked(undertakings);
    auto* c = f->add_irregularities();
    c->set_category(category);
    c->set_count(count);
    for (const std::string& r : requests) f->add_request_ids(r);
    return e;
  }

  // FR-DGT leads PL-PIP and RO-ITM; A1 is FR-DGT's (10 March), A2
  // PL-PIP's (11–13 March), A3 RO-ITM's (31 August); running.
  void Running() {
    Do(kFr, CreateEvent({kPl, kRo}));
    Do(kFr, AddActionEvent(kFr, "2026-03-10"));
    PlanEvent a2 = AddActionEvent(kPl, "2026-03-11");
    a2.mutable_add_action()->mutable_action()->set_end_date("2026-03-13");
    Do(kFr, a2);
    Do(kFr, AddActionEvent(kRo, "2026-08-31"));
    Do(kFr, ProposeEvent());
    Do(kPl, AgreeEvent());
    Do(kRo, AgreeEvent());
    Do(kFr, StartEvent());
  }

  Plan plan_ = EmptyPlan(kPlanId);
  int n_ = 0;
};

TEST_F(PlanReportTest, FindingsPerAuthorityAndInTotal) {
  Running();
  const char* r1 = "FR-DGT-R-2026-000001";
  const char* r2 = "FR-DGT-R-2026-000002";
  Do(kFr, Finding("A1", 20, 2, pwx::v1::IRREGULARITY_CATEGORY_PAY, 2, {r1}));
  Do(kFr, Finding("A1", 10, 1, pwx::v1::IRREGULARITY_CATEGORY_WORKING_TIME, 1,
                  {r1, r2}));
  Do(kPl, Finding("A2", 15, 3, pwx::v1::IRREGULARITY_CATEGORY_PAY, 3,
                  {"PL-PIP-R-2026-000007"}));
  PlanEvent measure;
  auto* v = measure.mutable_measure()->add_values();
  v->set_indicator_id("coverage");
  v->set_value(85);
  Do(kFr, measure);

  const pwx::v1::PlanReportSummary r =
      SummarizeReport(plan_, absl::CivilDay(2026, 9, 1));
  EXPECT_EQ(r.plan_id(), kPlanId);
  ASSERT_EQ(r.participants_size(), 3);
  const auto& fr = r.participants(0);
  EXPECT_EQ(fr.authority(), kFr);
  EXPECT_EQ(fr.totals().actions(), 1);
  EXPECT_EQ(fr.totals().findings(), 2);
  EXPECT_EQ(fr.totals().workers_checked(), 30);
  EXPECT_EQ(fr.totals().undertakings_checked(), 3);
  EXPECT_EQ(fr.totals().irregularities_total(), 3);
  ASSERT_EQ(fr.totals().irregularities_size(), 2);  // pay, then working time
  EXPECT_EQ(fr.totals().irregularities(0).category(),
            pwx::v1::IRREGULARITY_CATEGORY_PAY);
  EXPECT_EQ(fr.totals().irregularities(1).category(),
            pwx::v1::IRREGULARITY_CATEGORY_WORKING_TIME);
  EXPECT_EQ(fr.totals().requests_opened(), 2);  // r1 counted once
  const auto& pl = r.participants(1);
  EXPECT_EQ(pl.authority(), kPl);
  EXPECT_EQ(pl.totals().workers_checked(), 15);
  const auto& ro = r.participants(2);
  EXPECT_EQ(ro.totals().actions(), 1);
  EXPECT_EQ(ro.totals().findings(), 0);

  EXPECT_EQ(r.total().actions(), 3);
  EXPECT_EQ(r.total().workers_checked(), 45);
  EXPECT_EQ(r.total().undertakings_checked(), 6);
  ASSERT_EQ(r.total().irregularities_size(), 2);
  EXPECT_EQ(r.total().irregularities(0).count(), 5);
  EXPECT_EQ(r.total().irregularities_total(), 6);
  EXPECT_EQ(r.total().requests_opened(), 3);

  // workers: 45 < 50, not met; coverage: 85 >= 80; irregularities: 6 <= 10.
  ASSERT_EQ(r.indicators_size(), 3);
  EXPECT_TRUE(r.indicators(0).measured());
  EXPECT_EQ(r.indicators(0).value(), 45);
  EXPECT_FALSE(r.indicators(0).met());
  EXPECT_EQ(r.indicators(1).value(), 85);
  EXPECT_TRUE(r.indicators(1).met());
  EXPECT_EQ(r.indicators(2).value(), 6);
  EXPECT_TRUE(r.indicators(2).met());

  EXPECT_THAT(r.parts_missing(), ::testing::ElementsAre(kFr, kPl, kRo));
  EXPECT_FALSE(r.complete());
}

TEST_F(PlanReportTest, ManualIndicatorUnmeasuredIsNotMet) {
  Running();
  const pwx::v1::PlanReportSummary r =
      SummarizeReport(plan_, absl::CivilDay(2026, 9, 1));
  EXPECT_FALSE(r.indicators(1).measured());
  EXPECT_FALSE(r.indicators(1).met());
}

TEST_F(PlanReportTest, DueSixMonthsAfterTheLastActionAndOverdue) {
  Running();
  // 31 August + 6 months: the end of February.
  EXPECT_EQ(plan_.report().due_date(), "2027-02-28");
  EXPECT_FALSE(SummarizeReport(plan_, absl::CivilDay(2027, 2, 28)).overdue());
  EXPECT_TRUE(SummarizeReport(plan_, absl::CivilDay(2027, 3, 1)).overdue());
  Do(kFr, ReportPartEvent("FR"));
  Do(kPl, ReportPartEvent("PL"));
  EXPECT_TRUE(SummarizeReport(plan_, absl::CivilDay(2027, 3, 1)).overdue());
  Do(kRo, ReportPartEvent("RO"));
  const pwx::v1::PlanReportSummary done =
      SummarizeReport(plan_, absl::CivilDay(2027, 3, 1));
  EXPECT_TRUE(done.complete());
  EXPECT_FALSE(done.overdue());
  EXPECT_TRUE(done.parts_missing().empty());
  EXPECT_TRUE(done.participants(2).part_submitted());
}

TEST_F(PlanReportTest, DueDateFollowsThePlansSetting) {
  Do(kFr, CreateEvent({kPl}));
  EXPECT_EQ(plan_.report().due_date(), "");
  PlanEvent a = AddActionEvent(kFr, "2026-11-30");
  Do(kFr, a);
  EXPECT_EQ(plan_.report().due_date(), "2027-05-30");
  PlanEvent edit;
  pwx::v1::PlanContent c = plan_.content();
  c.set_report_due_months(3);
  *edit.mutable_edit_draft()->mutable_content() = c;
  Do(kFr, edit);
  EXPECT_EQ(plan_.report().due_date(), "2027-02-28");
  // A draft owes no report yet, however late.
  EXPECT_FALSE(SummarizeReport(plan_, absl::CivilDay(2030, 1, 1)).overdue());
}

TEST_F(PlanReportTest, CancelledPlanIsNeverOverdue) {
  Running();
  PlanEvent cancel;
  cancel.mutable_cancel()->set_reason("Undertaking insolvent");
  Do(kFr, cancel);
  EXPECT_FALSE(SummarizeReport(plan_, absl::CivilDay(2030, 1, 1)).overdue());
}

}  // namespace
}  // namespace pwx::domain
