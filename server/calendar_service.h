// CalendarService on the API port: the working-day calendars the node
// computes legal deadlines on. Calendars are public data, so every user with
// a role may read them (Permission::kAnyRole); calls are not audited, as
// they reveal nothing about cases or people (a denied call is, like every
// denial).
#ifndef PWX_SERVER_CALENDAR_SERVICE_H_
#define PWX_SERVER_CALENDAR_SERVICE_H_

#include <grpcpp/grpcpp.h>

#include "absl/status/statusor.h"
#include "pwx/v1/calendar_service.grpc.pb.h"
#include "server/authorizer.h"
#include "server/domain/calendar.h"

namespace pwx::server {

// The answers, without gRPC: INVALID_ARGUMENT naming the field ("country:",
// "year:", "date:", "working_days:") for bad input; OUT_OF_RANGE when the
// result lies past the last year calendars cover. Pure.
absl::StatusOr<pwx::v1::ShowCalendarResponse> ShowCalendar(
    const domain::Calendars& calendars,
    const pwx::v1::ShowCalendarRequest& request);
absl::StatusOr<pwx::v1::AddWorkingDaysResponse> AddWorkingDays(
    const domain::Calendars& calendars,
    const pwx::v1::AddWorkingDaysRequest& request);

// Thread-safe. `calendars` and `authz` must outlive the service.
class CalendarServiceImpl final
    : public pwx::v1::CalendarService::CallbackService {
 public:
  CalendarServiceImpl(const domain::Calendars* calendars,
                      const Authorizer* authz)
      : calendars_(calendars), authz_(authz) {}

  grpc::ServerUnaryReactor* ShowCalendar(
      grpc::CallbackServerContext* context,
      const pwx::v1::ShowCalendarRequest* request,
      pwx::v1::ShowCalendarResponse* response) override;
  grpc::ServerUnaryReactor* AddWorkingDays(
      grpc::CallbackServerContext* context,
      const pwx::v1::AddWorkingDaysRequest* request,
      pwx::v1::AddWorkingDaysResponse* response) override;

 private:
  const domain::Calendars* const calendars_;
  const Authorizer* const authz_;
};

}  // namespace pwx::server

#endif  // PWX_SERVER_CALENDAR_SERVICE_H_
