// `pwx calendar show|add`: the working-day calendars the node computes legal
// deadlines on.
#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/civil_time.h"
#include "client/case_client.h"
#include "client/cli_internal.h"
#include "client/output.h"
#include "grpcpp/client_context.h"
#include "pwx/v1/calendar_service.grpc.pb.h"

namespace pwx::client::internal {
namespace {

constexpr char kCalendarFooter[] =
    "Working days are the days that are neither weekend days nor public\n"
    "holidays of the state. Calendars cover the 27 EU states (EL for Greece)\n"
    "and the years 1900-2199; COUNTRY may also be an authority id such as\n"
    "PL-PIP. The version printed is the one stored with every due date the\n"
    "node computes. Any user with a role may run these commands.";

// Calls the node's CalendarService under the command's timeout.
class CalendarClient {
 public:
  CalendarClient(std::shared_ptr<grpc::Channel> channel, absl::Duration timeout)
      : stub_(pwx::v1::CalendarService::NewStub(std::move(channel))),
        timeout_(timeout) {}

  absl::StatusOr<pwx::v1::ShowCalendarResponse> Show(
      const pwx::v1::ShowCalendarRequest& request) const {
    grpc::ClientContext context;
    SetDeadline(&context);
    pwx::v1::ShowCalendarResponse response;
    absl::Status status =
        FromGrpcStatus(stub_->ShowCalendar(&context, request, &response));
    if (!status.ok()) return status;
    return response;
  }

  absl::StatusOr<pwx::v1::AddWorkingDaysResponse> Add(
      const pwx::v1::AddWorkingDaysRequest& request) const {
    grpc::ClientContext context;
    SetDeadline(&context);
    pwx::v1::AddWorkingDaysResponse response;
    absl::Status status =
        FromGrpcStatus(stub_->AddWorkingDays(&context, request, &response));
    if (!status.ok()) return status;
    return response;
  }

 private:
  void SetDeadline(grpc::ClientContext* context) const {
    if (timeout_ == absl::InfiniteDuration()) return;
    context->set_deadline(std::chrono::system_clock::now() +
                          absl::ToChronoMilliseconds(timeout_));
  }

  std::unique_ptr<pwx::v1::CalendarService::Stub> stub_;
  absl::Duration timeout_;
};

absl::StatusOr<CalendarClient> ConnectCalendars(CommandEnv& env) {
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = env.connect();
  if (!channel.ok()) return channel.status();
  return CalendarClient(*std::move(channel), env.timeout);
}

// "Mon" for "2026-01-05"; "" when the text is not a date.
std::string WeekdayOf(const std::string& date) {
  absl::CivilDay day;
  if (!absl::ParseCivilTime(date, &day)) return "";
  static constexpr const char* kNames[] = {"Mon", "Tue", "Wed", "Thu",
                                           "Fri", "Sat", "Sun"};
  return kNames[static_cast<int>(absl::GetWeekday(day))];
}

std::string WeekdayName(int weekday) {
  static constexpr const char* kNames[] = {"",          "Monday",   "Tuesday",
                                           "Wednesday", "Thursday", "Friday",
                                           "Saturday",  "Sunday"};
  return weekday >= 1 && weekday <= 7 ? kNames[weekday] : "";
}

void PrintCalendar(const pwx::v1::ShowCalendarResponse& calendar,
                   OutputFormat format, std::ostream& out) {
  if (format == OutputFormat::kJson) {
    out << ToJson(calendar);
    return;
  }
  std::vector<std::vector<std::string>> rows;
  for (const pwx::v1::CalendarHoliday& h : calendar.holidays()) {
    rows.push_back({h.date(), WeekdayOf(h.date()), h.name()});
  }
  PrintTable({"DATE", "WEEKDAY", "NAME"}, std::move(rows), out);
  std::vector<std::string> weekend;
  for (int day : calendar.weekend()) weekend.push_back(WeekdayName(day));
  out << "\n";
  PrintFields({{"country", calendar.country()},
               {"year", absl::StrCat(calendar.year())},
               {"weekend", absl::StrJoin(weekend, ", ")},
               {"version", calendar.version()}},
              out);
}

void PrintDueDate(const pwx::v1::AddWorkingDaysResponse& due,
                  OutputFormat format, std::ostream& out) {
  if (format == OutputFormat::kJson) {
    out << ToJson(due);
    return;
  }
  out << due.date() << " (" << WeekdayOf(due.date())
      << "): " << due.working_days() << " working days after "
      << due.start_date() << " in " << CleanText(due.country()) << ", calendar "
      << CleanText(due.version()) << "\n";
}

void AddShow(CLI::App& calendar, Command* selected) {
  CLI::App* show = calendar.add_subcommand(
      "show",
      "Print the public holidays of state COUNTRY in a year, with the weekend "
      "and the calendar version");
  show->footer(kCalendarFooter);
  auto country = std::make_shared<std::string>();
  auto year = std::make_shared<int>(0);
  show->add_option("COUNTRY", *country, "The state, e.g. PL (EL for Greece)")
      ->required();
  show->add_option("--year", *year, "The year, 1900-2199")->required();
  show->callback([selected, country, year] {
    *selected = [country, year](CommandEnv& env) -> absl::Status {
      absl::StatusOr<CalendarClient> client = ConnectCalendars(env);
      if (!client.ok()) return client.status();
      pwx::v1::ShowCalendarRequest request;
      request.set_country(*country);
      request.set_year(*year);
      absl::StatusOr<pwx::v1::ShowCalendarResponse> shown =
          client->Show(request);
      if (!shown.ok()) return shown.status();
      PrintCalendar(*shown, env.format, env.out);
      return absl::OkStatus();
    };
  });
}

void AddAdd(CLI::App& calendar, Command* selected) {
  CLI::App* add = calendar.add_subcommand(
      "add",
      "Print the day that is N working days after DATE in state COUNTRY, DATE "
      "itself not counted (e.g. 25 working days from the day of receipt)");
  add->footer(kCalendarFooter);
  auto country = std::make_shared<std::string>();
  auto date = std::make_shared<std::string>();
  auto n = std::make_shared<int>(0);
  add->add_option("COUNTRY", *country, "The state, e.g. PL (EL for Greece)")
      ->required();
  add->add_option("DATE", *date, "The start day, YYYY-MM-DD; not counted")
      ->required();
  add->add_option("N", *n, "Working days to add, 0 to 10000")->required();
  add->callback([selected, country, date, n] {
    *selected = [country, date, n](CommandEnv& env) -> absl::Status {
      if (*n < 0) {
        return UsageError(
            absl::StrCat("N: ", *n, " is negative (0 to 10000 working days)"));
      }
      absl::StatusOr<CalendarClient> client = ConnectCalendars(env);
      if (!client.ok()) return client.status();
      pwx::v1::AddWorkingDaysRequest request;
      request.set_country(*country);
      request.set_date(*date);
      request.set_working_days(*n);
      absl::StatusOr<pwx::v1::AddWorkingDaysResponse> due =
          client->Add(request);
      if (!due.ok()) return due.status();
      PrintDueDate(*due, env.format, env.out);
      return absl::OkStatus();
    };
  });
}

}  // namespace

void AddCalendarCommands(CLI::App& app, Command* selected) {
  CLI::App* calendar = app.add_subcommand(
      "calendar",
      "Working-day calendars of the states, on which legal deadlines are "
      "computed");
  calendar->require_subcommand(1);
  calendar->footer(kCalendarFooter);
  AddShow(*calendar, selected);
  AddAdd(*calendar, selected);
}

}  // namespace pwx::client::internal
