// A typed wrapper over the PlanService stub that speaks absl::Status and
// applies a per-call deadline.
#ifndef PWX_CLIENT_PLAN_CLIENT_H_
#define PWX_CLIENT_PLAN_CLIENT_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "grpcpp/channel.h"
#include "pwx/v1/plan.pb.h"
#include "pwx/v1/plan_service.grpc.pb.h"

namespace pwx::client {

// Calls PlanService on one channel. Every call gets its own deadline of
// `timeout` from its start (none when timeout is absl::InfiniteDuration()).
// Thread-safe: calls may run concurrently.
class PlanClient {
 public:
  PlanClient(std::shared_ptr<grpc::Channel> channel, absl::Duration timeout);

  absl::StatusOr<pwx::v1::PlanChangeResponse> CreatePlan(
      const pwx::v1::CreatePlanRequest& request) const;
  // The plan as this node holds it and the refusals of this node's changes.
  absl::StatusOr<pwx::v1::GetPlanResponse> GetPlan(const std::string& id) const;
  absl::StatusOr<pwx::v1::PlanChangeResponse> ActOnPlan(
      const pwx::v1::ActOnPlanRequest& request) const;
  // One page.
  absl::StatusOr<pwx::v1::ListPlansResponse> ListPlans(
      const pwx::v1::ListPlansRequest& request) const;
  // Every page from request.page_token on, merged into one response with an
  // empty next_page_token. INTERNAL if the server repeats a page token.
  absl::StatusOr<pwx::v1::ListPlansResponse> ListAllPlans(
      pwx::v1::ListPlansRequest request) const;
  absl::StatusOr<pwx::v1::PlanReportSummary> GetPlanReport(
      const std::string& id) const;

 private:
  std::unique_ptr<pwx::v1::PlanService::Stub> stub_;
  absl::Duration timeout_;
};

}  // namespace pwx::client

#endif  // PWX_CLIENT_PLAN_CLIENT_H_
