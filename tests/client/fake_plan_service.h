// A PlanService stand-in for the CLI tests: records what the CLI sent and
// answers from what the test put in.
#ifndef PWX_TESTS_CLIENT_FAKE_PLAN_SERVICE_H_
#define PWX_TESTS_CLIENT_FAKE_PLAN_SERVICE_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "grpcpp/server_context.h"
#include "pwx/v1/plan_service.grpc.pb.h"

namespace pwx::testing {

// Keeps plans in memory. CreatePlan answers with a draft kCreatedId led by
// FR-DGT holding what was sent (seq 1, sequenced); GetPlan with a known
// plan and its refusals (NOT_FOUND otherwise); ActOnPlan with the known
// plan and the step as FR-DGT's event: sequenced (seq + 1, appended to the
// history) as the lead's node, or, after AsParticipantNode(), unsequenced
// (seq 0, submission id kSubmissionId, the plan unchanged). The fake
// applies no rule: the state stays as it was. ListPlans answers with the
// page set for the request's page token (an empty page otherwise);
// GetPlanReport with the canned report. Thread-safe.
class FakePlanService final : public pwx::v1::PlanService::Service {
 public:
  // What the fake saw; tests read it after the CLI returned.
  struct Seen {
    std::vector<pwx::v1::CreatePlanRequest> creates;
    std::vector<pwx::v1::GetPlanRequest> gets;
    std::vector<pwx::v1::ActOnPlanRequest> acts;
    std::vector<pwx::v1::ListPlansRequest> lists;
    std::vector<pwx::v1::GetPlanReportRequest> reports;
  };

  static constexpr char kCreatedId[] = "FR-DGT-P-2026-000001";
  static constexpr char kSubmissionId[] = "FR-DGT-S-000004";

  // A plan known before the test's command runs, with the refusals GetPlan
  // returns beside it.
  void AddPlan(const pwx::v1::Plan& plan,
               const std::vector<pwx::v1::PlanRefusal>& refusals = {});
  // From now on ActOnPlan answers as a participant's node would.
  void AsParticipantNode();
  // ListPlans answers a request with `page_token` with `page`.
  void SetPage(const std::string& page_token,
               const pwx::v1::ListPlansResponse& page);
  void SetReport(const pwx::v1::PlanReportSummary& report);
  // Every call fails with `status` from now on (after being recorded).
  void FailWith(const grpc::Status& status);
  Seen seen() const;

  grpc::Status CreatePlan(grpc::ServerContext* context,
                          const pwx::v1::CreatePlanRequest* request,
                          pwx::v1::PlanChangeResponse* response) override;
  grpc::Status GetPlan(grpc::ServerContext* context,
                       const pwx::v1::GetPlanRequest* request,
                       pwx::v1::GetPlanResponse* response) override;
  grpc::Status ActOnPlan(grpc::ServerContext* context,
                         const pwx::v1::ActOnPlanRequest* request,
                         pwx::v1::PlanChangeResponse* response) override;
  grpc::Status ListPlans(grpc::ServerContext* context,
                         const pwx::v1::ListPlansRequest* request,
                         pwx::v1::ListPlansResponse* response) override;
  grpc::Status GetPlanReport(grpc::ServerContext* context,
                             const pwx::v1::GetPlanReportRequest* request,
                             pwx::v1::PlanReportSummary* response) override;

 private:
  mutable absl::Mutex mutex_;
  std::map<std::string, pwx::v1::GetPlanResponse> plans_
      ABSL_GUARDED_BY(mutex_);
  bool participant_node_ ABSL_GUARDED_BY(mutex_) = false;
  std::map<std::string, pwx::v1::ListPlansResponse> pages_
      ABSL_GUARDED_BY(mutex_);
  pwx::v1::PlanReportSummary report_ ABSL_GUARDED_BY(mutex_);
  std::optional<grpc::Status> failure_ ABSL_GUARDED_BY(mutex_);
  Seen seen_ ABSL_GUARDED_BY(mutex_);
};

}  // namespace pwx::testing

#endif  // PWX_TESTS_CLIENT_FAKE_PLAN_SERVICE_H_
