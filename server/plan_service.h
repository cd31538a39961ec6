// PlanService on the API port: joint inspection plans for inspectors and
// coordinators; agreeing to and declining a plan for coordinators only.
#ifndef PWX_SERVER_PLAN_SERVICE_H_
#define PWX_SERVER_PLAN_SERVICE_H_

#include <grpcpp/grpcpp.h>

#include "pwx/v1/plan_service.grpc.pb.h"
#include "server/authorizer.h"
#include "server/plans.h"

namespace pwx::server {

// Thread-safe. `plans` is null on a node without a federation listener:
// every call is then FAILED_PRECONDITION.
class PlanServiceImpl final : public pwx::v1::PlanService::CallbackService {
 public:
  PlanServiceImpl(Authorizer* authz, Plans* plans)
      : authz_(authz), plans_(plans) {}

  grpc::ServerUnaryReactor* CreatePlan(
      grpc::CallbackServerContext* context,
      const pwx::v1::CreatePlanRequest* request,
      pwx::v1::PlanChangeResponse* response) override;
  grpc::ServerUnaryReactor* GetPlan(
      grpc::CallbackServerContext* context,
      const pwx::v1::GetPlanRequest* request,
      pwx::v1::GetPlanResponse* response) override;
  grpc::ServerUnaryReactor* ActOnPlan(
      grpc::CallbackServerContext* context,
      const pwx::v1::ActOnPlanRequest* request,
      pwx::v1::PlanChangeResponse* response) override;
  grpc::ServerUnaryReactor* ListPlans(
      grpc::CallbackServerContext* context,
      const pwx::v1::ListPlansRequest* request,
      pwx::v1::ListPlansResponse* response) override;
  grpc::ServerUnaryReactor* GetPlanReport(
      grpc::CallbackServerContext* context,
      const pwx::v1::GetPlanReportRequest* request,
      pwx::v1::PlanReportSummary* response) override;

 private:
  Authorizer* const authz_;
  Plans* const plans_;
};

}  // namespace pwx::server

#endif  // PWX_SERVER_PLAN_SERVICE_H_
