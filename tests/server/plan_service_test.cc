// PlanService over gRPC between two federated nodes on loopback: a plan
// created, proposed and listed at the lead reaches the participant; bad
// input is refused naming the field; agreeing needs a coordinator; the
// plans of a case are listed page by page.
#include <grpcpp/grpcpp.h>

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "pwx/v1/plan_service.grpc.pb.h"
#include "tests/domain/plan_samples.h"
#include "tests/server/federation_fixture.h"

namespace pwx::server {
namespace {

using pwx::v1::PlanService;
namespace samples = ::pwx::testing;

class PlanServiceTest : public FederationTest {
 protected:
  grpc::Status Act(TestNode& node, const std::string& id,
                   pwx::v1::PlanEvent step, pwx::v1::PlanChangeResponse* out) {
    pwx::v1::ActOnPlanRequest request;
    request.set_id(id);
    *request.mutable_step() = std::move(step);
    return PlanService::NewStub(node.Api())
        ->ActOnPlan(Context().get(), request, out);
  }
  grpc::Status Get(TestNode& node, const std::string& id,
                   pwx::v1::GetPlanResponse* out) {
    pwx::v1::GetPlanRequest request;
    request.set_id(id);
    return PlanService::NewStub(node.Api())
        ->GetPlan(Context().get(), request, out);
  }
};

TEST_F(PlanServiceTest, APlanProposedAtTheLeadReachesTheParticipant) {
  auto fr = PlanService::NewStub(fr_.Api());
  pwx::v1::CreatePlanRequest create;
  *create.mutable_create() = samples::CreateEvent({"PL-PIP"}).create();
  create.mutable_create()->mutable_content()->clear_ela();
  // An authority that is not a peer cannot be invited.
  pwx::v1::CreatePlanRequest stranger = create;
  stranger.mutable_create()->add_participants("RO-ITM");
  pwx::v1::PlanChangeResponse made;
  grpc::Status s = fr->CreatePlan(Context().get(), stranger, &made);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_TRUE(absl::StrContains(s.error_message(), "create.participants[1]"))
      << s.error_message();
  ASSERT_TRUE(fr->CreatePlan(Context().get(), create, &made).ok());
  const std::string id = made.plan().id();
  EXPECT_TRUE(absl::StartsWith(id, "FR-DGT-P-")) << id;
  EXPECT_TRUE(made.sequenced());
  EXPECT_EQ(made.plan().state(), pwx::v1::PLAN_STATE_DRAFT);
  pwx::v1::PlanChangeResponse changed;
  pwx::v1::PlanEvent bad = samples::AddActionEvent("PL-PIP", "2026-02-30");
  s = Act(fr_, id, bad, &changed);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_TRUE(absl::StrContains(s.error_message(), "add_action.action.date"))
      << s.error_message();
  ASSERT_TRUE(
      Act(fr_, id, samples::AddActionEvent("PL-PIP", "2026-03-03"), &changed)
          .ok());
  ASSERT_TRUE(Act(fr_, id, samples::ProposeEvent(), &changed).ok());
  EXPECT_EQ(changed.plan().state(), pwx::v1::PLAN_STATE_PROPOSED);

  pwx::v1::ListPlansRequest by_state;
  by_state.set_state(pwx::v1::PLAN_STATE_PROPOSED);
  pwx::v1::ListPlansResponse listed;
  ASSERT_TRUE(fr->ListPlans(Context().get(), by_state, &listed).ok());
  ASSERT_EQ(listed.plans_size(), 1);
  EXPECT_EQ(listed.plans(0).history_size(), 0);  // lists carry no history
  EXPECT_TRUE(listed.plans(0).actions(0).inspectors().empty());
  pwx::v1::ListPlansRequest upcoming;
  upcoming.set_upcoming_from("2026-03-04");
  ASSERT_TRUE(fr->ListPlans(Context().get(), upcoming, &listed).ok());
  EXPECT_EQ(listed.plans_size(), 0);
  upcoming.set_upcoming_from("2026-13-01");
  EXPECT_EQ(fr->ListPlans(Context().get(), upcoming, &listed).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);

  // PL-PIP's node holds it once the federation delivered it.
  pwx::v1::GetPlanResponse at_pl;
  ASSERT_TRUE(Eventually([&] { return Get(pl_, id, &at_pl).ok(); }));
  EXPECT_EQ(at_pl.plan().state(), pwx::v1::PLAN_STATE_PROPOSED);
  EXPECT_EQ(at_pl.plan().actions(0).inspectors(0), "Marie Dupont");
  // alice is an inspector there: agreeing is for coordinators.
  s = Act(pl_, id, samples::AgreeEvent(), &changed);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_TRUE(absl::StrContains(s.error_message(), "coordinator"))
      << s.error_message();

  pwx::v1::GetPlanReportRequest report;
  report.set_id(id);
  pwx::v1::PlanReportSummary summary;
  ASSERT_TRUE(PlanService::NewStub(pl_.Api())
                  ->GetPlanReport(Context().get(), report, &summary)
                  .ok());
  EXPECT_EQ(summary.plan_id(), id);
  EXPECT_FALSE(summary.complete());
}

TEST_F(PlanServiceTest, ListsThePlansOfACasePageByPage) {
  auto fr = PlanService::NewStub(fr_.Api());
  std::vector<std::string> of_42;
  for (int n = 0; n < 5; ++n) {
    pwx::v1::CreatePlanRequest create;
    *create.mutable_create() = samples::CreateEvent({"PL-PIP"}).create();
    create.mutable_create()->mutable_content()->clear_ela();
    // Plans 0, 2 and 4 name case 42 (the sample's) and case 7; the others
    // case 43 only.
    pwx::v1::PlanContent* content = create.mutable_create()->mutable_content();
    if (n % 2 == 0) {
      content->add_case_ids("PL-PIP-2026-000007");
    } else {
      content->set_case_ids(0, "FR-DGT-2026-000043");
    }
    pwx::v1::PlanChangeResponse made;
    ASSERT_TRUE(fr->CreatePlan(Context().get(), create, &made).ok());
    if (n % 2 == 0) of_42.push_back(made.plan().id());
  }
  pwx::v1::ListPlansRequest by_case;
  by_case.set_case_id("FR-DGT-2026-000042");
  by_case.set_page_size(2);
  std::vector<std::string> listed;
  pwx::v1::ListPlansResponse page;
  ASSERT_TRUE(fr->ListPlans(Context().get(), by_case, &page).ok());
  ASSERT_EQ(page.plans_size(), 2);
  ASSERT_FALSE(page.next_page_token().empty());
  for (const pwx::v1::Plan& p : page.plans()) {
    listed.push_back(p.id());
    EXPECT_EQ(p.history_size(), 0);  // as every list: no history
  }
  // A token of this case's list is no token for another case's.
  pwx::v1::ListPlansRequest other = by_case;
  other.set_case_id("FR-DGT-2026-000043");
  other.set_page_token(page.next_page_token());
  pwx::v1::ListPlansResponse refused;
  grpc::Status s = fr->ListPlans(Context().get(), other, &refused);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_TRUE(absl::StrContains(s.error_message(), "page_token"))
      << s.error_message();
  by_case.set_page_token(page.next_page_token());
  ASSERT_TRUE(fr->ListPlans(Context().get(), by_case, &page).ok());
  ASSERT_EQ(page.plans_size(), 1);
  EXPECT_TRUE(page.next_page_token().empty());
  listed.push_back(page.plans(0).id());
  EXPECT_EQ(listed, of_42);
  pwx::v1::ListPlansRequest seven;
  seven.set_case_id("PL-PIP-2026-000007");
  ASSERT_TRUE(fr->ListPlans(Context().get(), seven, &page).ok());
  EXPECT_EQ(page.plans_size(), 3);
  seven.set_case_id("FR-DGT-2026-000099");
  ASSERT_TRUE(fr->ListPlans(Context().get(), seven, &page).ok());
  EXPECT_EQ(page.plans_size(), 0);

  // A malformed case id, or a case with a state, is refused naming case_id.
  for (const auto& [case_id, state] :
       std::vector<std::pair<std::string, pwx::v1::PlanState>>{
           {"case 42", pwx::v1::PLAN_STATE_UNSPECIFIED},
           {"FR-DGT-2026-42", pwx::v1::PLAN_STATE_UNSPECIFIED},
           {"FR-DGT-2026-000042", pwx::v1::PLAN_STATE_DRAFT}}) {
    pwx::v1::ListPlansRequest bad;
    bad.set_case_id(case_id);
    bad.set_state(state);
    s = fr->ListPlans(Context().get(), bad, &refused);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << case_id;
    EXPECT_TRUE(absl::StrContains(s.error_message(), "case_id"))
        << s.error_message();
  }
}

}  // namespace
}  // namespace pwx::server
