// A CalendarService stand-in for the CLI tests: records what the CLI sent
// and answers with what the test put in.
#ifndef PWX_TESTS_CLIENT_FAKE_CALENDAR_SERVICE_H_
#define PWX_TESTS_CLIENT_FAKE_CALENDAR_SERVICE_H_

#include <optional>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "grpcpp/server_context.h"
#include "pwx/v1/calendar_service.grpc.pb.h"

namespace pwx::testing {

// ShowCalendar and AddWorkingDays answer with the canned responses, or with
// the failure set by FailWith. Thread-safe.
class FakeCalendarService final : public pwx::v1::CalendarService::Service {
 public:
  struct Seen {
    std::vector<pwx::v1::ShowCalendarRequest> shows;
    std::vector<pwx::v1::AddWorkingDaysRequest> adds;
  };

  void SetShow(const pwx::v1::ShowCalendarResponse& response);
  void SetAdd(const pwx::v1::AddWorkingDaysResponse& response);
  // Every call fails with `status` from now on.
  void FailWith(const grpc::Status& status);
  Seen seen() const;

  grpc::Status ShowCalendar(grpc::ServerContext* context,
                            const pwx::v1::ShowCalendarRequest* request,
                            pwx::v1::ShowCalendarResponse* response) override;
  grpc::Status AddWorkingDays(
      grpc::ServerContext* context,
      const pwx::v1::AddWorkingDaysRequest* request,
      pwx::v1::AddWorkingDaysResponse* response) override;

 private:
  mutable absl::Mutex mutex_;
  pwx::v1::ShowCalendarResponse show_ ABSL_GUARDED_BY(mutex_);
  pwx::v1::AddWorkingDaysResponse add_ ABSL_GUARDED_BY(mutex_);
  std::optional<grpc::Status> failure_ ABSL_GUARDED_BY(mutex_);
  Seen seen_ ABSL_GUARDED_BY(mutex_);
};

}  // namespace pwx::testing

#endif  // PWX_TESTS_CLIENT_FAKE_CALENDAR_SERVICE_H_
