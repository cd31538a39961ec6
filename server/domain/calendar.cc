#include "server/domain/calendar.h"

#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/text_format.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <bitset>
#include <cstdint>
#include <set>
#include <utility>

#include "absl/base/internal/raw_logging.h"
#include "absl/base/thread_annotations.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "server/domain/country.h"
#include "server/domain/digest.h"
#include "server/domain/fields.h"

namespace pwx::domain {
namespace {

using pwx::v1::HolidayRule;

constexpr int kYears = kLastCalendarYear - kFirstCalendarYear + 1;
// Working days one call may add: about 40 years, far beyond any deadline.
constexpr int kMaxWorkingDays = 10000;
// How far from Easter a rule may reach (Corpus Christi is +60).
constexpr int kMaxEasterOffset = 100;

const absl::CivilDay kEpoch(kFirstCalendarYear, 1, 1);

bool InRange(int year) {
  return year >= kFirstCalendarYear && year <= kLastCalendarYear;
}

// 1 (Monday) to 7 (Sunday), as pwx.v1.Weekday.
int WeekdayNumber(absl::CivilDay day) {
  switch (absl::GetWeekday(day)) {
    case absl::Weekday::monday:
      return 1;
    case absl::Weekday::tuesday:
      return 2;
    case absl::Weekday::wednesday:
      return 3;
    case absl::Weekday::thursday:
      return 4;
    case absl::Weekday::friday:
      return 5;
    case absl::Weekday::saturday:
      return 6;
    case absl::Weekday::sunday:
      return 7;
  }
  return 0;
}

int DaysInMonthEveryYear(int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30,
                                  31, 31, 30, 31, 30, 31};
  return kDays[month - 1];
}

absl::Status ValidateWeekday(absl::string_view field, int weekday) {
  if (weekday >= pwx::v1::MONDAY && weekday <= pwx::v1::SUNDAY) {
    return absl::OkStatus();
  }
  return Invalid(field, "is required (MONDAY to SUNDAY)");
}

absl::Status ValidateMonthDay(absl::string_view field, int month, int day) {
  if (month < 1 || month > 12) {
    return Invalid(absl::StrCat(field, ".month"),
                   absl::StrCat(month, " is not a month (1-12)"));
  }
  if (day < 1 || day > DaysInMonthEveryYear(month)) {
    return Invalid(
        absl::StrCat(field, ".day"),
        absl::StrCat(day, " is not a day of month ", month, " in every year"));
  }
  return absl::OkStatus();
}

absl::Status ValidateRule(const std::string& key, const HolidayRule& rule) {
  if (rule.name().empty()) return Invalid(key + ".name", "is required");
  switch (rule.date_case()) {
    case HolidayRule::kFixed:
      if (absl::Status s = ValidateMonthDay(
              key + ".fixed", rule.fixed().month(), rule.fixed().day());
          !s.ok()) {
        return s;
      }
      break;
    case HolidayRule::kEaster:
      if (std::abs(rule.easter().days()) > kMaxEasterOffset) {
        return Invalid(key + ".easter.days",
                       absl::StrCat(rule.easter().days(), " is more than ",
                                    kMaxEasterOffset, " days from Easter"));
      }
      break;
    case HolidayRule::kWeekdayOnOrAfter: {
      const pwx::v1::WeekdayOnOrAfter& w = rule.weekday_on_or_after();
      if (absl::Status s = ValidateWeekday(key + ".weekday_on_or_after.weekday",
                                           w.weekday());
          !s.ok()) {
        return s;
      }
      if (absl::Status s = ValidateMonthDay(key + ".weekday_on_or_after",
                                            w.month(), w.day());
          !s.ok()) {
        return s;
      }
      break;
    }
    case HolidayRule::DATE_NOT_SET:
      return Invalid(key, absl::StrCat("'", rule.name(),
                                       "' has no date (set fixed, easter or "
                                       "weekday_on_or_after)"));
  }
  for (const auto& [field, year] :
       {std::pair{".from_year", rule.from_year()},
        std::pair{".until_year", rule.until_year()}}) {
    if (year != 0) {
      if (absl::Status s = ValidateCalendarYear(key + field, year); !s.ok()) {
        return s;
      }
    }
  }
  if (rule.from_year() != 0 && rule.until_year() != 0 &&
      rule.until_year() < rule.from_year()) {
    return Invalid(key + ".until_year",
                   absl::StrCat(rule.until_year(), " is before from_year ",
                                rule.from_year()));
  }
  for (int j = 0; j < rule.except_years_size(); ++j) {
    if (absl::Status s = ValidateCalendarYear(
            absl::StrCat(key, ".except_years[", j, "]"), rule.except_years(j));
        !s.ok()) {
      return s;
    }
  }
  for (int j = 0; j < rule.moves_size(); ++j) {
    const std::string move = absl::StrCat(key, ".moves[", j, "]");
    if (absl::Status s =
            ValidateWeekday(move + ".if_weekday", rule.moves(j).if_weekday());
        !s.ok()) {
      return s;
    }
    if (rule.moves(j).days() < -6 || rule.moves(j).days() > 6) {
      return Invalid(move + ".days", absl::StrCat(rule.moves(j).days(),
                                                  " is not within -6..6"));
    }
  }
  return absl::OkStatus();
}

// Keeps the first parse error with its position.
class FirstError final : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int line, google::protobuf::io::ColumnNumber column,
                const std::string& message) override {
    if (message_.empty()) {
      message_ = absl::StrCat(line + 1, ":", column + 1, ": ", message);
    }
  }
  const std::string& message() const { return message_; }

 private:
  std::string message_;
};

std::string CountryOf(std::string_view country_or_authority) {
  return std::string(
      country_or_authority.substr(0, country_or_authority.find('-')));
}

}  // namespace

absl::Status ValidateCalendarYear(absl::string_view field, int year) {
  if (InRange(year)) return absl::OkStatus();
  return Invalid(field,
                 absl::StrCat(year, " is outside the years calendars cover (",
                              kFirstCalendarYear, "-", kLastCalendarYear, ")"));
}

absl::StatusOr<absl::CivilDay> ParseCalendarDay(absl::string_view field,
                                                absl::string_view text) {
  int year = 0;
  int month = 0;
  int day = 0;
  const bool shaped = text.size() == 10 && text[4] == '-' && text[7] == '-' &&
                      absl::SimpleAtoi(text.substr(0, 4), &year) &&
                      absl::SimpleAtoi(text.substr(5, 2), &month) &&
                      absl::SimpleAtoi(text.substr(8, 2), &day) &&
                      std::all_of(text.begin(), text.end(), [](char c) {
                        return c == '-' || (c >= '0' && c <= '9');
                      });
  const absl::CivilDay parsed(year, month, day);
  if (!shaped || parsed.year() != year || parsed.month() != month ||
      parsed.day() != day) {
    return Invalid(field, absl::StrCat("'", text,
                                       "' is not a date (YYYY-MM-DD, e.g. "
                                       "2026-12-10)"));
  }
  if (absl::Status s = ValidateCalendarYear(field, year); !s.ok()) return s;
  return parsed;
}

std::string FormatCalendarDay(absl::CivilDay day) {
  return absl::StrFormat("%04d-%02d-%02d", day.year(), day.month(), day.day());
}

// The anonymous Gregorian algorithm (Meeus/Jones/Butcher).
absl::CivilDay WesternEaster(int year) {
  const int a = year % 19;
  const int b = year / 100;
  const int c = year % 100;
  const int d = b / 4;
  const int e = b % 4;
  const int f = (b + 8) / 25;
  const int g = (b - f + 1) / 3;
  const int h = (19 * a + b - d - g + 15) % 30;
  const int i = c / 4;
  const int k = c % 4;
  const int l = (32 + 2 * e + 2 * i - h - k) % 7;
  const int m = (a + 11 * h + 22 * l) / 451;
  const int month = (h + l - 7 * m + 114) / 31;
  const int day = (h + l - 7 * m + 114) % 31 + 1;
  return absl::CivilDay(year, month, day);
}

// Meeus's Julian algorithm, then the Julian-to-Gregorian difference, which
// is 13 days from 1900 to 2099 and 14 from March 2100 (Easter is never
// before March).
absl::CivilDay OrthodoxEaster(int year) {
  const int a = year % 4;
  const int b = year % 7;
  const int c = year % 19;
  const int d = (19 * c + 15) % 30;
  const int e = (2 * a + 4 * b - d + 34) % 7;
  const int month = (d + e + 114) / 31;
  const int day = (d + e + 114) % 31 + 1;
  const int julian_offset = year / 100 - year / 400 - 2;
  return absl::CivilDay(year, month, day) + julian_offset;
}

// ---------------------------------------------------------------------------
// WorkingCalendar

struct WorkingCalendar::Rules {
  struct Override {
    bool remove = false;
    std::string name;
  };
  std::string country;
  std::vector<pwx::v1::Weekday> weekend;
  uint8_t weekend_mask = 0;  // bit w-1 for weekday w
  std::vector<HolidayRule> holidays;
  std::map<absl::CivilDay, Override> overrides;

  bool IsWeekend(absl::CivilDay day) const {
    return (weekend_mask >> (WeekdayNumber(day) - 1)) & 1;
  }
};

// One year, expanded: bit i of `off` is day i of the year (0 = 1 January).
struct WorkingCalendar::Year {
  int64_t first = 0;  // days from kEpoch to 1 January
  int length = 0;
  std::bitset<366> off;
  std::vector<Holiday> holidays;
};

class WorkingCalendar::Impl {
 public:
  explicit Impl(Rules rules) : rules_(std::move(rules)) {}

  const Rules& rules() const { return rules_; }

  // The table of `year`, built on first use; nullptr outside the range.
  const Year* Find(int year) const {
    if (!InRange(year)) return nullptr;
    std::atomic<const Year*>& slot = years_[year - kFirstCalendarYear];
    if (const Year* built = slot.load(std::memory_order_acquire)) return built;
    absl::MutexLock lock(&mu_);
    if (const Year* built = slot.load(std::memory_order_relaxed)) return built;
    owned_.push_back(std::make_unique<Year>(Build(year)));
    slot.store(owned_.back().get(), std::memory_order_release);
    return owned_.back().get();
  }

  const Year& Get(int year) const {
    const Year* table = Find(year);
    ABSL_RAW_CHECK(table != nullptr,
                   "calendar day outside 1900-2199; validate user input with "
                   "ValidateCalendarYear or use the Try* functions");
    return *table;
  }

 private:
  struct Raw {
    absl::CivilDay day;
    const std::string* name;
    bool substitute;
  };

  void Expand(int year, std::vector<Raw>* out) const {
    for (const HolidayRule& rule : rules_.holidays) {
      if ((rule.from_year() != 0 && year < rule.from_year()) ||
          (rule.until_year() != 0 && year > rule.until_year()) ||
          std::find(rule.except_years().begin(), rule.except_years().end(),
                    year) != rule.except_years().end()) {
        continue;
      }
      absl::CivilDay day;
      switch (rule.date_case()) {
        case HolidayRule::kFixed:
          day = absl::CivilDay(year, rule.fixed().month(), rule.fixed().day());
          break;
        case HolidayRule::kEaster:
          day = (rule.easter().orthodox() ? OrthodoxEaster(year)
                                          : WesternEaster(year)) +
                rule.easter().days();
          break;
        case HolidayRule::kWeekdayOnOrAfter: {
          const pwx::v1::WeekdayOnOrAfter& w = rule.weekday_on_or_after();
          day = absl::CivilDay(year, w.month(), w.day());
          while (WeekdayNumber(day) != w.weekday()) ++day;
          break;
        }
        case HolidayRule::DATE_NOT_SET:
          continue;
      }
      for (const pwx::v1::Move& move : rule.moves()) {
        if (WeekdayNumber(day) == move.if_weekday()) {
          day += move.days();
          break;
        }
      }
      out->push_back({day, &rule.name(), rule.substitute()});
    }
  }

  Year Build(int year) const {
    // The neighbouring years too: a rule may move a day across the new
    // year, and a substitute for a late-December holiday falls in January.
    std::vector<Raw> raws;
    for (int y = year - 1; y <= year + 1; ++y) Expand(y, &raws);
    std::stable_sort(raws.begin(), raws.end(),
                     [](const Raw& a, const Raw& b) { return a.day < b.day; });
    std::map<absl::CivilDay, std::string> names;
    for (const Raw& raw : raws) {
      std::string& name = names[raw.day];
      if (name.empty()) {
        name = *raw.name;
      } else if (name != *raw.name) {
        absl::StrAppend(&name, "; ", *raw.name);
      }
    }
    for (const Raw& raw : raws) {
      if (!raw.substitute || !rules_.IsWeekend(raw.day)) continue;
      absl::CivilDay day = raw.day + 1;
      while (rules_.IsWeekend(day) || names.count(day) != 0) ++day;
      names[day] = absl::StrCat(*raw.name, " (substitute day)");
    }

    Year table;
    const absl::CivilDay first(year, 1, 1);
    const absl::CivilDay next(year + 1, 1, 1);
    table.first = first - kEpoch;
    table.length = static_cast<int>(next - first);
    for (auto it = rules_.overrides.lower_bound(first);
         it != rules_.overrides.end() && it->first < next; ++it) {
      if (it->second.remove) {
        names.erase(it->first);
      } else {
        names[it->first] = it->second.name;
      }
    }
    for (absl::CivilDay day = first; day < next; ++day) {
      const int i = static_cast<int>(day - first);
      table.off[i] = rules_.IsWeekend(day) || names.count(day) != 0;
      auto o = rules_.overrides.find(day);
      if (o != rules_.overrides.end() && o->second.remove) table.off[i] = false;
    }
    for (auto it = names.lower_bound(first);
         it != names.end() && it->first < next; ++it) {
      table.holidays.push_back({it->first, it->second});
    }
    return table;
  }

  const Rules rules_;
  mutable std::array<std::atomic<const Year*>, kYears> years_{};
  mutable absl::Mutex mu_;
  mutable std::vector<std::unique_ptr<Year>> owned_ ABSL_GUARDED_BY(mu_);
};

const std::string& WorkingCalendar::country() const {
  return impl_->rules().country;
}

std::vector<pwx::v1::Weekday> WorkingCalendar::Weekend() const {
  return impl_->rules().weekend;
}

bool WorkingCalendar::IsWorkingDay(absl::CivilDay day) const {
  const Year& year = impl_->Get(static_cast<int>(day.year()));
  return !year.off[static_cast<size_t>((day - kEpoch) - year.first)];
}

absl::CivilDay WorkingCalendar::AddWorkingDays(absl::CivilDay from,
                                               int n) const {
  absl::StatusOr<absl::CivilDay> day = TryAddWorkingDays(from, n);
  ABSL_RAW_CHECK(day.ok(), "AddWorkingDays outside 1900-2199 or with n < 0");
  return *day;
}

absl::StatusOr<absl::CivilDay> WorkingCalendar::TryAddWorkingDays(
    absl::CivilDay from, int n) const {
  if (n < 0 || n > kMaxWorkingDays) {
    return Invalid("working_days",
                   absl::StrCat(n, " is not within 0..", kMaxWorkingDays));
  }
  int year_number = static_cast<int>(from.year());
  const Year* year = impl_->Find(year_number);
  if (year == nullptr) {
    return absl::OutOfRangeError(absl::StrCat(
        FormatCalendarDay(from), " is outside the years calendars cover (",
        kFirstCalendarYear, "-", kLastCalendarYear, ")"));
  }
  int i = static_cast<int>((from - kEpoch) - year->first);
  while (n > 0) {
    if (++i == year->length) {
      year = impl_->Find(++year_number);
      if (year == nullptr) {
        return absl::OutOfRangeError(
            absl::StrCat("the result is after ", kLastCalendarYear,
                         ", the last year calendars cover"));
      }
      i = 0;
    }
    if (!year->off[static_cast<size_t>(i)]) --n;
  }
  return kEpoch + (year->first + i);
}

int WorkingCalendar::WorkingDaysBetween(absl::CivilDay from,
                                        absl::CivilDay to) const {
  absl::StatusOr<int> days = TryWorkingDaysBetween(from, to);
  ABSL_RAW_CHECK(days.ok(), "WorkingDaysBetween outside 1900-2199");
  return *days;
}

absl::StatusOr<int> WorkingCalendar::TryWorkingDaysBetween(
    absl::CivilDay from, absl::CivilDay to) const {
  if (to < from) {
    absl::StatusOr<int> back = TryWorkingDaysBetween(to, from);
    if (!back.ok()) return back.status();
    return -*back;
  }
  for (absl::CivilDay day : {from, to}) {
    if (!InRange(static_cast<int>(day.year()))) {
      return absl::OutOfRangeError(absl::StrCat(
          FormatCalendarDay(day), " is outside the years calendars cover (",
          kFirstCalendarYear, "-", kLastCalendarYear, ")"));
    }
  }
  int count = 0;
  for (int y = static_cast<int>(from.year()); y <= to.year(); ++y) {
    const Year& year = impl_->Get(y);
    const int64_t begin =
        y == from.year() ? (from - kEpoch) - year.first + 1 : 0;
    const int64_t end =
        y == to.year() ? (to - kEpoch) - year.first + 1 : int64_t{year.length};
    for (int64_t i = begin; i < end; ++i) {
      count += year.off[static_cast<size_t>(i)] ? 0 : 1;
    }
  }
  return count;
}

std::vector<Holiday> WorkingCalendar::Holidays(int year) const {
  const Year* table = impl_->Find(year);
  if (table == nullptr) return {};
  return table->holidays;
}

// ---------------------------------------------------------------------------
// Calendars

absl::StatusOr<Calendars> Calendars::Shipped() {
  return Parse(pwx::data::calendars());
}

absl::StatusOr<Calendars> Calendars::Parse(std::string_view text) {
  Calendars calendars;
  FirstError errors;
  google::protobuf::TextFormat::Parser parser;
  parser.RecordErrorsTo(&errors);
  if (!parser.ParseFromString(std::string(text), &calendars.data_)) {
    return absl::InvalidArgumentError(errors.message());
  }
  const pwx::v1::CalendarData& data = calendars.data_;
  if (data.version().empty()) return Invalid("version", "is required");
  std::map<std::string, int> seen;
  for (int i = 0; i < data.states_size(); ++i) {
    const pwx::v1::StateCalendar& state = data.states(i);
    const std::string key = absl::StrCat("states[", i, "]");
    if (absl::Status s = ValidateCountry(key + ".country", state.country());
        !s.ok()) {
      return s;
    }
    if (auto [it, added] = seen.emplace(state.country(), i); !added) {
      return Invalid(
          key + ".country",
          absl::StrCat("'", state.country(),
                       "' has a calendar already (states[", it->second, "])"));
    }
    if (state.weekend_size() == 0) {
      return Invalid(key + ".weekend", "is required (e.g. SATURDAY, SUNDAY)");
    }
    WorkingCalendar::Rules rules;
    rules.country = state.country();
    for (int j = 0; j < state.weekend_size(); ++j) {
      if (absl::Status s = ValidateWeekday(
              absl::StrCat(key, ".weekend[", j, "]"), state.weekend(j));
          !s.ok()) {
        return s;
      }
      rules.weekend.push_back(state.weekend(j));
      rules.weekend_mask |= uint8_t{1} << (state.weekend(j) - 1);
    }
    for (int j = 0; j < state.holidays_size(); ++j) {
      if (absl::Status s = ValidateRule(absl::StrCat(key, ".holidays[", j, "]"),
                                        state.holidays(j));
          !s.ok()) {
        return s;
      }
      rules.holidays.push_back(state.holidays(j));
    }
    calendars.states_.emplace(
        state.country(),
        WorkingCalendar(std::make_shared<WorkingCalendar::Impl>(rules)));
  }
  calendars.data_version_ = data.version();
  calendars.version_ = data.version();
  return calendars;
}

absl::Status Calendars::ValidateOverrides(
    const pwx::v1::CalendarConfig& overrides) {
  std::map<std::pair<std::string, absl::CivilDay>, int> seen;
  for (int i = 0; i < overrides.holidays_size(); ++i) {
    const pwx::v1::HolidayOverride& o = overrides.holidays(i);
    const std::string key = absl::StrCat("calendar.holidays[", i, "]");
    if (absl::Status s = ValidateCountry(key + ".country", o.country());
        !s.ok()) {
      return s;
    }
    absl::StatusOr<absl::CivilDay> day =
        ParseCalendarDay(key + ".date", o.date());
    if (!day.ok()) return day.status();
    if (!o.remove() && o.name().empty()) {
      return Invalid(key + ".name",
                     "is required for a holiday the override adds (or set "
                     "remove: true)");
    }
    if (auto [it, added] = seen.emplace(std::pair{o.country(), *day}, i);
        !added) {
      return Invalid(key + ".date",
                     absl::StrCat(o.date(), " in ", o.country(),
                                  " is overridden already (calendar.holidays[",
                                  it->second, "])"));
    }
  }
  return absl::OkStatus();
}

absl::Status Calendars::ApplyOverrides(
    const pwx::v1::CalendarConfig& overrides) {
  if (absl::Status s = ValidateOverrides(overrides); !s.ok()) return s;
  if (overrides.holidays_size() == 0) return absl::OkStatus();
  std::map<std::string,
           std::map<absl::CivilDay, WorkingCalendar::Rules::Override>>
      by_country;
  std::string canonical;
  for (int i = 0; i < overrides.holidays_size(); ++i) {
    const pwx::v1::HolidayOverride& o = overrides.holidays(i);
    auto state = states_.find(o.country());
    if (state == states_.end()) {
      return Invalid(absl::StrCat("calendar.holidays[", i, "].country"),
                     absl::StrCat("'", o.country(), "' has no calendar"));
    }
    const absl::CivilDay day = *ParseCalendarDay("date", o.date());
    by_country[o.country()][day] = {o.remove(), o.name()};
    absl::StrAppend(&canonical, o.country(), "|", o.date(), "|",
                    o.remove() ? "remove" : "add", "|", o.name(), "\n");
  }
  for (auto& [country, days] : by_country) {
    WorkingCalendar& calendar = states_.find(country)->second;
    WorkingCalendar::Rules rules = calendar.impl_->rules();
    for (auto& [day, change] : days) rules.overrides[day] = change;
    calendar = WorkingCalendar(
        std::make_shared<WorkingCalendar::Impl>(std::move(rules)));
  }
  // Overrides accumulate: the hash covers every set applied so far.
  overrides_text_ += canonical;
  version_ = absl::StrCat(data_version_, "+local.",
                          Sha256Hex(overrides_text_).substr(0, 8));
  return absl::OkStatus();
}

const WorkingCalendar* Calendars::For(
    std::string_view country_or_authority) const {
  auto it = states_.find(CountryOf(country_or_authority));
  return it == states_.end() ? nullptr : &it->second;
}

std::vector<std::string> Calendars::Countries() const {
  std::vector<std::string> countries;
  for (const auto& [country, calendar] : states_) countries.push_back(country);
  return countries;
}

}  // namespace pwx::domain
