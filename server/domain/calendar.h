// Working-day calendars of the states, for legal deadlines (Reg. 1182/71
// style): the day a time limit starts from is not counted, and Saturdays,
// Sundays and the state's public holidays are not working days. Holidays are
// rules (pwx.v1.CalendarData) expanded per year on first use; the calendar
// version is stored with every due date computed on it.
#ifndef PWX_SERVER_DOMAIN_CALENDAR_H_
#define PWX_SERVER_DOMAIN_CALENDAR_H_

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "pwx/v1/calendar.pb.h"
#include "pwx/v1/config.pb.h"

namespace pwx::data {
// server/data/calendars.textproto, compiled in.
std::string_view calendars();
}  // namespace pwx::data

namespace pwx::domain {

// The years calendars cover.
inline constexpr int kFirstCalendarYear = 1900;
inline constexpr int kLastCalendarYear = 2199;

struct Holiday {
  absl::CivilDay day;
  std::string name;  // in English; "A; B" when two holidays share the day
};

// OK for kFirstCalendarYear..kLastCalendarYear, otherwise INVALID_ARGUMENT
// "<field>: 2300 is outside the years calendars cover (1900-2199)".
absl::Status ValidateCalendarYear(absl::string_view field, int year);

// "2026-12-10" -> the day; INVALID_ARGUMENT naming `field` for anything else
// (a malformed date, a day that does not exist, or a year outside the range).
absl::StatusOr<absl::CivilDay> ParseCalendarDay(absl::string_view field,
                                                absl::string_view text);

// "2026-12-10".
std::string FormatCalendarDay(absl::CivilDay day);

// The Western (Gregorian computus) or Orthodox (Julian computus, as a
// Gregorian date) Easter Sunday of `year`, 1900-2199. Pure.
absl::CivilDay WesternEaster(int year);
absl::CivilDay OrthodoxEaster(int year);

// One state's calendar. Cheap to copy: copies share the rules and the
// per-year tables, which are built once, on first use of a year, and never
// change. Thread-safe.
//
// The day arguments must lie in kFirstCalendarYear..kLastCalendarYear (and
// so must the days the arithmetic reaches); outside that range the process
// aborts, since it is a programming error: check input from users with
// ValidateCalendarYear or ParseCalendarDay, or use the Try* variants.
class WorkingCalendar {
 public:
  const std::string& country() const;

  // False on the weekend days and public holidays.
  bool IsWorkingDay(absl::CivilDay day) const;

  // The day that is `n` working days after `from`, `from` itself not
  // counted (n >= 0; n == 0 returns from). A few tens of nanoseconds for
  // n = 25 once the years are built (tests/domain/calendar_benchmark.cc).
  absl::CivilDay AddWorkingDays(absl::CivilDay from, int n) const;

  // Working days in (from, to]; -(working days in (to, from]) when
  // to < from.
  int WorkingDaysBetween(absl::CivilDay from, absl::CivilDay to) const;

  // The holidays of `year` (overrides applied), sorted by day; empty
  // outside the years calendars cover.
  std::vector<Holiday> Holidays(int year) const;

  // The weekly days off.
  std::vector<pwx::v1::Weekday> Weekend() const;

  // As AddWorkingDays and WorkingDaysBetween, but INVALID_ARGUMENT for a
  // negative n ("working_days: ...") and OUT_OF_RANGE when a day lies
  // outside the years calendars cover.
  absl::StatusOr<absl::CivilDay> TryAddWorkingDays(absl::CivilDay from,
                                                   int n) const;
  absl::StatusOr<int> TryWorkingDaysBetween(absl::CivilDay from,
                                            absl::CivilDay to) const;

 private:
  friend class Calendars;
  struct Rules;
  struct Year;
  class Impl;

  explicit WorkingCalendar(std::shared_ptr<const Impl> impl)
      : impl_(std::move(impl)) {}

  std::shared_ptr<const Impl> impl_;
};

// Every state's calendar and the version of the data. Thread-compatible:
// For() and version() may be called concurrently; ApplyOverrides must not
// run concurrently with anything else (it is called once, at startup).
// The pointers For() returns stay valid while the Calendars lives and no
// ApplyOverrides runs.
class Calendars {
 public:
  // The shipped data file (server/data/calendars.textproto, embedded).
  static absl::StatusOr<Calendars> Shipped();

  // Parses a data file in the same format. INVALID_ARGUMENT naming the
  // field, e.g. "states[3].holidays[2].fixed.day: 32 is not a day of
  // month 5", or "3:7: <parser message>" for text that does not parse.
  static absl::StatusOr<Calendars> Parse(std::string_view text);

  // OK when every override is well formed: INVALID_ARGUMENT naming the key,
  // e.g. "calendar.holidays[1].date: ..." otherwise. Needs no data.
  static absl::Status ValidateOverrides(
      const pwx::v1::CalendarConfig& overrides);

  // Applies the config's overrides; the version becomes
  // "<data version>+local.<8 hex digits of their SHA-256>" (unchanged when
  // there are none). INVALID_ARGUMENT as ValidateOverrides, or for a
  // country without a calendar; nothing changes then.
  absl::Status ApplyOverrides(const pwx::v1::CalendarConfig& overrides);

  // nullptr when the country has no calendar. Accepts "PL" or an authority
  // id "PL-PIP" (the part before the first '-').
  const WorkingCalendar* For(std::string_view country_or_authority) const;

  // Every country with a calendar, sorted.
  std::vector<std::string> Countries() const;

  // Stored with every computed due date, e.g. "2026.1" or
  // "2026.1+local.3f2a09bc" after overrides.
  const std::string& version() const { return version_; }

 private:
  Calendars() = default;

  std::string data_version_;
  std::string version_;
  // The overrides applied so far, one canonical line each: what the
  // version's hash covers.
  std::string overrides_text_;
  pwx::v1::CalendarData data_;
  std::map<std::string, WorkingCalendar, std::less<>> states_;
};

}  // namespace pwx::domain

#endif  // PWX_SERVER_DOMAIN_CALENDAR_H_
