#include "server/plan_service.h"

#include <memory>
#include <utility>

#include "server/rpc_util.h"

namespace pwx::server {
namespace {

absl::Status NoFederation() {
  return absl::FailedPreconditionError(
      "this node does not federate: set federation.listen in its config");
}

// Finishes a call that returns a change.
PlanChangeCallback FinishWithChange(std::shared_ptr<UnaryCall> call,
                                    pwx::v1::PlanChangeResponse* response) {
  return [call = std::move(call), response](absl::StatusOr<PlanChange> c) {
    if (c.ok()) {
      call->set_object(c->plan.id());
      *response->mutable_plan() = std::move(c->plan);
      *response->mutable_event() = std::move(c->event);
      response->set_sequenced(c->sequenced);
    }
    call->Finish(c.status());
  };
}

}  // namespace

grpc::ServerUnaryReactor* PlanServiceImpl::CreatePlan(
    grpc::CallbackServerContext* context,
    const pwx::v1::CreatePlanRequest* request,
    pwx::v1::PlanChangeResponse* response) {
  auto call =
      UnaryCall::Start(context, *authz_, Permission::kPlans, "CreatePlan");
  if (!call->allowed()) return call->reactor();
  if (plans_ == nullptr) {
    call->Finish(NoFederation());
    return call->reactor();
  }
  plans_->Create(request->create(), call->user(),
                 FinishWithChange(call, response));
  return call->reactor();
}

grpc::ServerUnaryReactor* PlanServiceImpl::GetPlan(
    grpc::CallbackServerContext* context,
    const pwx::v1::GetPlanRequest* request,
    pwx::v1::GetPlanResponse* response) {
  auto call = UnaryCall::Start(context, *authz_, Permission::kPlans, "GetPlan",
                               request->id());
  if (!call->allowed()) return call->reactor();
  if (plans_ == nullptr) {
    call->Finish(NoFederation());
    return call->reactor();
  }
  Plans* plans = plans_;
  const std::string id = request->id();
  plans_->Get(id, call->user(),
              [call, plans, id, response](absl::StatusOr<pwx::v1::Plan> p) {
                if (!p.ok()) {
                  call->Finish(p.status());
                  return;
                }
                absl::StatusOr<std::vector<pwx::v1::PlanRefusal>> refusals =
                    plans->Refusals(id);
                if (!refusals.ok()) {
                  call->Finish(refusals.status());
                  return;
                }
                *response->mutable_plan() = *std::move(p);
                for (pwx::v1::PlanRefusal& r : *refusals) {
                  *response->add_refusals() = std::move(r);
                }
                call->Finish(absl::OkStatus());
              });
  return call->reactor();
}

grpc::ServerUnaryReactor* PlanServiceImpl::ActOnPlan(
    grpc::CallbackServerContext* context,
    const pwx::v1::ActOnPlanRequest* request,
    pwx::v1::PlanChangeResponse* response) {
  // Agreeing and declining bind the authority: its coordinators only.
  const bool agreement =
      request->step().has_agree() || request->step().has_decline();
  auto call = UnaryCall::Start(
      context, *authz_,
      agreement ? Permission::kPlanAgreement : Permission::kPlans, "ActOnPlan",
      request->id());
  if (!call->allowed()) return call->reactor();
  if (plans_ == nullptr) {
    call->Finish(NoFederation());
    return call->reactor();
  }
  plans_->Act(request->id(), request->step(), call->user(), agreement,
              FinishWithChange(call, response));
  return call->reactor();
}

grpc::ServerUnaryReactor* PlanServiceImpl::ListPlans(
    grpc::CallbackServerContext* context,
    const pwx::v1::ListPlansRequest* request,
    pwx::v1::ListPlansResponse* response) {
  auto call =
      UnaryCall::Start(context, *authz_, Permission::kPlans, "ListPlans");
  if (!call->allowed()) return call->reactor();
  if (plans_ == nullptr) {
    call->Finish(NoFederation());
    return call->reactor();
  }
  PlanListQuery q;
  q.state = request->state();
  q.upcoming_from = request->upcoming_from();
  q.case_id = request->case_id();
  q.page_size = request->page_size();
  q.page_token = request->page_token();
  std::string token;
  absl::StatusOr<std::vector<pwx::v1::Plan>> plans = plans_->List(q, &token);
  if (plans.ok()) {
    for (pwx::v1::Plan& p : *plans) *response->add_plans() = std::move(p);
    response->set_next_page_token(token);
  }
  call->Finish(plans.status());
  return call->reactor();
}

grpc::ServerUnaryReactor* PlanServiceImpl::GetPlanReport(
    grpc::CallbackServerContext* context,
    const pwx::v1::GetPlanReportRequest* request,
    pwx::v1::PlanReportSummary* response) {
  auto call = UnaryCall::Start(context, *authz_, Permission::kPlans,
                               "GetPlanReport", request->id());
  if (!call->allowed()) return call->reactor();
  if (plans_ == nullptr) {
    call->Finish(NoFederation());
    return call->reactor();
  }
  call->FinishWith(response)(plans_->Report(request->id()));
  return call->reactor();
}

}  // namespace pwx::server
