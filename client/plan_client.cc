#include "client/plan_client.h"

#include <utility>

#include "client/unary_call.h"
#include "grpcpp/client_context.h"

namespace pwx::client {

using pwx::v1::PlanChangeResponse;

PlanClient::PlanClient(std::shared_ptr<grpc::Channel> channel,
                       absl::Duration timeout)
    : stub_(pwx::v1::PlanService::NewStub(std::move(channel))),
      timeout_(timeout) {}

absl::StatusOr<PlanChangeResponse> PlanClient::CreatePlan(
    const pwx::v1::CreatePlanRequest& request) const {
  return CallUnary<PlanChangeResponse>(
      timeout_,
      [&](grpc::ClientContext* context, PlanChangeResponse* response) {
        return stub_->CreatePlan(context, request, response);
      });
}

absl::StatusOr<pwx::v1::GetPlanResponse> PlanClient::GetPlan(
    const std::string& id) const {
  pwx::v1::GetPlanRequest request;
  request.set_id(id);
  return CallUnary<pwx::v1::GetPlanResponse>(
      timeout_,
      [&](grpc::ClientContext* context, pwx::v1::GetPlanResponse* response) {
        return stub_->GetPlan(context, request, response);
      });
}

absl::StatusOr<PlanChangeResponse> PlanClient::ActOnPlan(
    const pwx::v1::ActOnPlanRequest& request) const {
  return CallUnary<PlanChangeResponse>(
      timeout_,
      [&](grpc::ClientContext* context, PlanChangeResponse* response) {
        return stub_->ActOnPlan(context, request, response);
      });
}

absl::StatusOr<pwx::v1::ListPlansResponse> PlanClient::ListPlans(
    const pwx::v1::ListPlansRequest& request) const {
  return CallUnary<pwx::v1::ListPlansResponse>(
      timeout_,
      [&](grpc::ClientContext* context, pwx::v1::ListPlansResponse* response) {
        return stub_->ListPlans(context, request, response);
      });
}

absl::StatusOr<pwx::v1::ListPlansResponse> PlanClient::ListAllPlans(
    pwx::v1::ListPlansRequest request) const {
  return CollectPages<pwx::v1::ListPlansRequest, pwx::v1::ListPlansResponse>(
      std::move(request),
      [this](const pwx::v1::ListPlansRequest& r) { return ListPlans(r); },
      [](pwx::v1::ListPlansResponse& r) { return r.mutable_plans(); });
}

absl::StatusOr<pwx::v1::PlanReportSummary> PlanClient::GetPlanReport(
    const std::string& id) const {
  pwx::v1::GetPlanReportRequest request;
  request.set_id(id);
  return CallUnary<pwx::v1::PlanReportSummary>(
      timeout_,
      [&](grpc::ClientContext* context, pwx::v1::PlanReportSummary* response) {
        return stub_->GetPlanReport(context, request, response);
      });
}

}  // namespace pwx::client
