#include "server/calendar_service.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "server/rpc_util.h"

namespace pwx::server {
namespace {

absl::StatusOr<const domain::WorkingCalendar*> CalendarOf(
    const domain::Calendars& calendars, const std::string& country) {
  if (country.empty()) {
    return absl::InvalidArgumentError(
        "country: is required (e.g. \"PL\" or \"PL-PIP\")");
  }
  const domain::WorkingCalendar* calendar = calendars.For(country);
  if (calendar == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(
        "country: '", country,
        "' has no calendar (the 27 EU states, e.g. \"PL\"; \"EL\" for "
        "Greece)"));
  }
  return calendar;
}

}  // namespace

absl::StatusOr<pwx::v1::ShowCalendarResponse> ShowCalendar(
    const domain::Calendars& calendars,
    const pwx::v1::ShowCalendarRequest& request) {
  absl::StatusOr<const domain::WorkingCalendar*> calendar =
      CalendarOf(calendars, request.country());
  if (!calendar.ok()) return calendar.status();
  if (absl::Status s = domain::ValidateCalendarYear("year", request.year());
      !s.ok()) {
    return s;
  }
  pwx::v1::ShowCalendarResponse response;
  response.set_country((*calendar)->country());
  response.set_year(request.year());
  for (pwx::v1::Weekday day : (*calendar)->Weekend()) response.add_weekend(day);
  for (const domain::Holiday& h : (*calendar)->Holidays(request.year())) {
    pwx::v1::CalendarHoliday* holiday = response.add_holidays();
    holiday->set_date(domain::FormatCalendarDay(h.day));
    holiday->set_name(h.name);
  }
  response.set_version(calendars.version());
  return response;
}

absl::StatusOr<pwx::v1::AddWorkingDaysResponse> AddWorkingDays(
    const domain::Calendars& calendars,
    const pwx::v1::AddWorkingDaysRequest& request) {
  absl::StatusOr<const domain::WorkingCalendar*> calendar =
      CalendarOf(calendars, request.country());
  if (!calendar.ok()) return calendar.status();
  absl::StatusOr<absl::CivilDay> from =
      domain::ParseCalendarDay("date", request.date());
  if (!from.ok()) return from.status();
  absl::StatusOr<absl::CivilDay> due =
      (*calendar)->TryAddWorkingDays(*from, request.working_days());
  if (!due.ok()) return due.status();
  pwx::v1::AddWorkingDaysResponse response;
  response.set_country((*calendar)->country());
  response.set_start_date(domain::FormatCalendarDay(*from));
  response.set_working_days(request.working_days());
  response.set_date(domain::FormatCalendarDay(*due));
  response.set_version(calendars.version());
  return response;
}

grpc::ServerUnaryReactor* CalendarServiceImpl::ShowCalendar(
    grpc::CallbackServerContext* context,
    const pwx::v1::ShowCalendarRequest* request,
    pwx::v1::ShowCalendarResponse* response) {
  auto call = UnaryCall::Start(context, *authz_, Permission::kAnyRole,
                               "ShowCalendar", request->country());
  if (!call->allowed()) return call->reactor();
  call->FinishWith(response)(server::ShowCalendar(*calendars_, *request));
  return call->reactor();
}

grpc::ServerUnaryReactor* CalendarServiceImpl::AddWorkingDays(
    grpc::CallbackServerContext* context,
    const pwx::v1::AddWorkingDaysRequest* request,
    pwx::v1::AddWorkingDaysResponse* response) {
  auto call = UnaryCall::Start(context, *authz_, Permission::kAnyRole,
                               "AddWorkingDays", request->country());
  if (!call->allowed()) return call->reactor();
  call->FinishWith(response)(server::AddWorkingDays(*calendars_, *request));
  return call->reactor();
}

}  // namespace pwx::server
