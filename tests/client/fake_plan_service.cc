#include "tests/client/fake_plan_service.h"

#include "tests/client/fake_node.h"

namespace pwx::testing {

void FakePlanService::AddPlan(
    const pwx::v1::Plan& plan,
    const std::vector<pwx::v1::PlanRefusal>& refusals) {
  absl::MutexLock lock(&mutex_);
  pwx::v1::GetPlanResponse& entry = plans_[plan.id()];
  *entry.mutable_plan() = plan;
  entry.clear_refusals();
  for (const pwx::v1::PlanRefusal& r : refusals) *entry.add_refusals() = r;
}

void FakePlanService::AsParticipantNode() {
  absl::MutexLock lock(&mutex_);
  participant_node_ = true;
}

void FakePlanService::SetPage(const std::string& page_token,
                              const pwx::v1::ListPlansResponse& page) {
  absl::MutexLock lock(&mutex_);
  pages_[page_token] = page;
}

void FakePlanService::SetReport(const pwx::v1::PlanReportSummary& report) {
  absl::MutexLock lock(&mutex_);
  report_ = report;
}

void FakePlanService::FailWith(const grpc::Status& status) {
  absl::MutexLock lock(&mutex_);
  failure_ = status;
}

FakePlanService::Seen FakePlanService::seen() const {
  absl::MutexLock lock(&mutex_);
  return seen_;
}

grpc::Status FakePlanService::CreatePlan(
    grpc::ServerContext* context, const pwx::v1::CreatePlanRequest* request,
    pwx::v1::PlanChangeResponse* response) {
  absl::MutexLock lock(&mutex_);
  seen_.creates.push_back(*request);
  if (failure_.has_value()) return *failure_;
  pwx::v1::Plan plan;
  plan.set_id(kCreatedId);
  plan.set_kind(request->create().kind());
  plan.set_lead("FR-DGT");
  plan.set_state(pwx::v1::PLAN_STATE_DRAFT);
  *plan.mutable_content() = request->create().content();
  for (const std::string& authority : request->create().participants()) {
    pwx::v1::Participant* p = plan.add_participants();
    p->set_authority(authority);
    p->set_status(pwx::v1::PARTICIPANT_STATUS_INVITED);
  }
  plan.set_seq(1);
  pwx::v1::PlanEvent* event = plan.add_history();
  event->set_seq(1);
  event->set_author("FR-DGT");
  event->set_user(CallerName(*context));
  *event->mutable_create() = request->create();
  *response->mutable_event() = *event;
  *plans_[plan.id()].mutable_plan() = plan;
  *response->mutable_plan() = std::move(plan);
  response->set_sequenced(true);
  return grpc::Status::OK;
}

grpc::Status FakePlanService::GetPlan(grpc::ServerContext* /*context*/,
                                      const pwx::v1::GetPlanRequest* request,
                                      pwx::v1::GetPlanResponse* response) {
  absl::MutexLock lock(&mutex_);
  seen_.gets.push_back(*request);
  if (failure_.has_value()) return *failure_;
  auto it = plans_.find(request->id());
  if (it == plans_.end()) {
    return grpc::Status(grpc::StatusCode::NOT_FOUND,
                        "plan " + request->id() + " not found");
  }
  *response = it->second;
  return grpc::Status::OK;
}

grpc::Status FakePlanService::ActOnPlan(
    grpc::ServerContext* context, const pwx::v1::ActOnPlanRequest* request,
    pwx::v1::PlanChangeResponse* response) {
  absl::MutexLock lock(&mutex_);
  seen_.acts.push_back(*request);
  if (failure_.has_value()) return *failure_;
  auto it = plans_.find(request->id());
  if (it == plans_.end()) {
    return grpc::Status(grpc::StatusCode::NOT_FOUND,
                        "plan " + request->id() + " not found");
  }
  pwx::v1::Plan& plan = *it->second.mutable_plan();
  pwx::v1::PlanEvent event = request->step();
  event.set_author("FR-DGT");
  event.set_user(CallerName(*context));
  if (participant_node_) {
    event.set_submission_id(kSubmissionId);
    response->set_sequenced(false);
  } else {
    plan.set_seq(plan.seq() + 1);
    event.set_seq(plan.seq());
    *plan.add_history() = event;
    response->set_sequenced(true);
  }
  *response->mutable_plan() = plan;
  *response->mutable_event() = std::move(event);
  return grpc::Status::OK;
}

grpc::Status FakePlanService::ListPlans(
    grpc::ServerContext* /*context*/, const pwx::v1::ListPlansRequest* request,
    pwx::v1::ListPlansResponse* response) {
  absl::MutexLock lock(&mutex_);
  seen_.lists.push_back(*request);
  if (failure_.has_value()) return *failure_;
  auto it = pages_.find(request->page_token());
  if (it != pages_.end()) *response = it->second;
  return grpc::Status::OK;
}

grpc::Status FakePlanService::GetPlanReport(
    grpc::ServerContext* /*context*/,
    const pwx::v1::GetPlanReportRequest* request,
    pwx::v1::PlanReportSummary* response) {
  absl::MutexLock lock(&mutex_);
  seen_.reports.push_back(*request);
  if (failure_.has_value()) return *failure_;
  *response = report_;
  response->set_plan_id(request->id());
  return grpc::Status::OK;
}

}  // namespace pwx::testing
