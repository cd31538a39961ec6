// PlanService over gRPC between two federated nodes on loopback: a plan
// created, proposed and listed at the lead reaches the participant; bad
// input is refused naming the field; agreeing needs a coordinator.
#include <grpcpp/grpcpp.h>

#include <string>

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

}  // namespace
}  // namespace pwx::server
