#include "server/domain/calendar.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"

namespace pwx::domain {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using ::testing::SizeIs;
using ::testing::StartsWith;

absl::CivilDay Day(int y, int m, int d) { return absl::CivilDay(y, m, d); }

std::string Msg(const absl::Status& status) {
  return std::string(status.message());
}

// Every state's national holidays in 2026 and 2027, written out from the
// laws named in server/data/calendars.textproto and cross-checked against
// an independent holiday list (differences there are changes of law since:
// Denmark's Great Prayer Day, Croatia's 2020 days, Poland's 24 December,
// Slovakia's 2023 and 2025 acts, Ireland's St. Brigid's Day, Italy's
// 4 October, Lithuania's 2 November).
struct YearList {
  std::string country;
  int year;
  std::vector<std::string> days;  // MM-DD
};

const std::vector<YearList>& Expected() {
  static const auto* const kExpected = new std::vector<YearList>{
      {"AT",
       2026,
       {"01-01", "01-06", "04-06", "05-01", "05-14", "05-25", "06-04", "08-15",
        "10-26", "11-01", "12-08", "12-25", "12-26"}},
      {"AT",
       2027,
       {"01-01", "01-06", "03-29", "05-01", "05-06", "05-17", "05-27", "08-15",
        "10-26", "11-01", "12-08", "12-25", "12-26"}},
      {"BE",
       2026,
       {"01-01", "04-05", "04-06", "05-01", "05-14", "05-24", "05-25", "07-21",
        "08-15", "11-01", "11-11", "12-25"}},
      {"BE",
       2027,
       {"01-01", "03-28", "03-29", "05-01", "05-06", "05-16", "05-17", "07-21",
        "08-15", "11-01", "11-11", "12-25"}},
      {"BG",
       2026,
       {"01-01", "03-03", "04-10", "04-11", "04-12", "04-13", "05-01", "05-06",
        "05-24", "05-25", "09-06", "09-07", "09-22", "12-24", "12-25", "12-26",
        "12-28"}},
      {"BG",
       2027,
       {"01-01", "03-03", "04-30", "05-01", "05-02", "05-03", "05-04", "05-06",
        "05-24", "09-06", "09-22", "12-24", "12-25", "12-26", "12-27",
        "12-28"}},
      {"HR",
       2026,
       {"01-01", "01-06", "04-05", "04-06", "05-01", "05-30", "06-04", "06-22",
        "08-05", "08-15", "11-01", "11-18", "12-25", "12-26"}},
      {"HR",
       2027,
       {"01-01", "01-06", "03-28", "03-29", "05-01", "05-27", "05-30", "06-22",
        "08-05", "08-15", "11-01", "11-18", "12-25", "12-26"}},
      {"CY",
       2026,
       {"01-01", "01-06", "02-23", "03-25", "04-01", "04-10", "04-12", "04-13",
        "05-01", "06-01", "08-15", "10-01", "10-28", "12-25", "12-26"}},
      {"CY",
       2027,
       {"01-01", "01-06", "03-15", "03-25", "04-01", "04-30", "05-01", "05-02",
        "05-03", "06-21", "08-15", "10-01", "10-28", "12-25", "12-26"}},
      {"CZ",
       2026,
       {"01-01", "04-03", "04-06", "05-01", "05-08", "07-05", "07-06", "09-28",
        "10-28", "11-17", "12-24", "12-25", "12-26"}},
      {"CZ",
       2027,
       {"01-01", "03-26", "03-29", "05-01", "05-08", "07-05", "07-06", "09-28",
        "10-28", "11-17", "12-24", "12-25", "12-26"}},
      {"DK",
       2026,
       {"01-01", "04-02", "04-03", "04-05", "04-06", "05-14", "05-24", "05-25",
        "12-25", "12-26"}},
      {"DK",
       2027,
       {"01-01", "03-25", "03-26", "03-28", "03-29", "05-06", "05-16", "05-17",
        "12-25", "12-26"}},
      {"EE",
       2026,
       {"01-01", "02-24", "04-03", "04-05", "05-01", "05-24", "06-23", "06-24",
        "08-20", "12-24", "12-25", "12-26"}},
      {"EE",
       2027,
       {"01-01", "02-24", "03-26", "03-28", "05-01", "05-16", "06-23", "06-24",
        "08-20", "12-24", "12-25", "12-26"}},
      {"FI",
       2026,
       {"01-01", "01-06", "04-03", "04-05", "04-06", "05-01", "05-14", "05-24",
        "06-19", "06-20", "10-31", "12-06", "12-24", "12-25", "12-26"}},
      {"FI",
       2027,
       {"01-01", "01-06", "03-26", "03-28", "03-29", "05-01", "05-06", "05-16",
        "06-25", "06-26", "11-06", "12-06", "12-24", "12-25", "12-26"}},
      {"FR",
       2026,
       {"01-01", "04-06", "05-01", "05-08", "05-14", "05-25", "07-14", "08-15",
        "11-01", "11-11", "12-25"}},
      {"FR",
       2027,
       {"01-01", "03-29", "05-01", "05-06", "05-08", "05-17", "07-14", "08-15",
        "11-01", "11-11", "12-25"}},
      {"DE",
       2026,
       {"01-01", "04-03", "04-06", "05-01", "05-14", "05-25", "10-03", "12-25",
        "12-26"}},
      {"DE",
       2027,
       {"01-01", "03-26", "03-29", "05-01", "05-06", "05-17", "10-03", "12-25",
        "12-26"}},
      {"EL",
       2026,
       {"01-01", "01-06", "02-23", "03-25", "04-10", "04-12", "04-13", "05-01",
        "06-01", "08-15", "10-28", "12-25", "12-26"}},
      {"EL",
       2027,
       {"01-01", "01-06", "03-15", "03-25", "04-30", "05-01", "05-02", "05-03",
        "05-04", "06-21", "08-15", "10-28", "12-25", "12-26"}},
      {"HU",
       2026,
       {"01-01", "03-15", "04-03", "04-05", "04-06", "05-01", "05-24", "05-25",
        "08-20", "10-23", "11-01", "12-25", "12-26"}},
      {"HU",
       2027,
       {"01-01", "03-15", "03-26", "03-28", "03-29", "05-01", "05-16", "05-17",
        "08-20", "10-23", "11-01", "12-25", "12-26"}},
      {"IE",
       2026,
       {"01-01", "02-02", "03-17", "04-06", "05-04", "06-01", "08-03", "10-26",
        "12-25", "12-26"}},
      {"IE",
       2027,
       {"01-01", "02-01", "03-17", "03-29", "05-03", "06-07", "08-02", "10-25",
        "12-25", "12-26"}},
      {"IT",
       2026,
       {"01-01", "01-06", "04-05", "04-06", "04-25", "05-01", "06-02", "08-15",
        "10-04", "11-01", "12-08", "12-25", "12-26"}},
      {"IT",
       2027,
       {"01-01", "01-06", "03-28", "03-29", "04-25", "05-01", "06-02", "08-15",
        "10-04", "11-01", "12-08", "12-25", "12-26"}},
      {"LV",
       2026,
       {"01-01", "04-03", "04-05", "04-06", "05-01", "05-04", "05-24", "06-23",
        "06-24", "11-18", "12-24", "12-25", "12-26", "12-31"}},
      {"LV",
       2027,
       {"01-01", "03-26", "03-28", "03-29", "05-01", "05-04", "05-16", "06-23",
        "06-24", "11-18", "12-24", "12-25", "12-26", "12-31"}},
      {"LT",
       2026,
       {"01-01", "02-16", "03-11", "04-05", "04-06", "05-01", "05-03", "06-07",
        "06-24", "07-06", "08-15", "11-01", "11-02", "12-24", "12-25",
        "12-26"}},
      {"LT",
       2027,
       {"01-01", "02-16", "03-11", "03-28", "03-29", "05-01", "05-02", "06-06",
        "06-24", "07-06", "08-15", "11-01", "11-02", "12-24", "12-25",
        "12-26"}},
      {"LU",
       2026,
       {"01-01", "04-06", "05-01", "05-09", "05-14", "05-25", "06-23", "08-15",
        "11-01", "12-25", "12-26"}},
      {"LU",
       2027,
       {"01-01", "03-29", "05-01", "05-06", "05-09", "05-17", "06-23", "08-15",
        "11-01", "12-25", "12-26"}},
      {"MT",
       2026,
       {"01-01", "02-10", "03-19", "03-31", "04-03", "05-01", "06-07", "06-29",
        "08-15", "09-08", "09-21", "12-08", "12-13", "12-25"}},
      {"MT",
       2027,
       {"01-01", "02-10", "03-19", "03-26", "03-31", "05-01", "06-07", "06-29",
        "08-15", "09-08", "09-21", "12-08", "12-13", "12-25"}},
      {"NL",
       2026,
       {"01-01", "04-05", "04-06", "04-27", "05-05", "05-14", "05-24", "05-25",
        "12-25", "12-26"}},
      {"NL",
       2027,
       {"01-01", "03-28", "03-29", "04-27", "05-05", "05-06", "05-16", "05-17",
        "12-25", "12-26"}},
      {"PL",
       2026,
       {"01-01", "01-06", "04-05", "04-06", "05-01", "05-03", "05-24", "06-04",
        "08-15", "11-01", "11-11", "12-24", "12-25", "12-26"}},
      {"PL",
       2027,
       {"01-01", "01-06", "03-28", "03-29", "05-01", "05-03", "05-16", "05-27",
        "08-15", "11-01", "11-11", "12-24", "12-25", "12-26"}},
      {"PT",
       2026,
       {"01-01", "04-03", "04-05", "04-25", "05-01", "06-04", "06-10", "08-15",
        "10-05", "11-01", "12-01", "12-08", "12-25"}},
      {"PT",
       2027,
       {"01-01", "03-26", "03-28", "04-25", "05-01", "05-27", "06-10", "08-15",
        "10-05", "11-01", "12-01", "12-08", "12-25"}},
      {"RO",
       2026,
       {"01-01", "01-02", "01-06", "01-07", "01-24", "04-10", "04-12", "04-13",
        "05-01", "05-31", "06-01", "08-15", "11-30", "12-01", "12-25",
        "12-26"}},
      {"RO",
       2027,
       {"01-01", "01-02", "01-06", "01-07", "01-24", "04-30", "05-01", "05-02",
        "05-03", "06-01", "06-20", "06-21", "08-15", "11-30", "12-01", "12-25",
        "12-26"}},
      {"SK",
       2026,
       {"01-01", "01-06", "04-03", "04-06", "05-01", "07-05", "08-29", "11-01",
        "12-24", "12-25", "12-26"}},
      {"SK",
       2027,
       {"01-01", "01-06", "03-26", "03-29", "05-01", "05-08", "07-05", "08-29",
        "09-15", "11-01", "12-24", "12-25", "12-26"}},
      {"SI",
       2026,
       {"01-01", "01-02", "02-08", "04-05", "04-06", "04-27", "05-01", "05-02",
        "05-24", "06-25", "08-15", "10-31", "11-01", "12-25", "12-26"}},
      {"SI",
       2027,
       {"01-01", "01-02", "02-08", "03-28", "03-29", "04-27", "05-01", "05-02",
        "05-16", "06-25", "08-15", "10-31", "11-01", "12-25", "12-26"}},
      {"ES",
       2026,
       {"01-01", "01-06", "04-03", "05-01", "08-15", "10-12", "11-01", "12-06",
        "12-08", "12-25"}},
      {"ES",
       2027,
       {"01-01", "01-06", "03-26", "05-01", "08-15", "10-12", "11-01", "12-06",
        "12-08", "12-25"}},
      {"SE",
       2026,
       {"01-01", "01-06", "04-03", "04-05", "04-06", "05-01", "05-14", "05-24",
        "06-06", "06-19", "06-20", "10-31", "12-24", "12-25", "12-26",
        "12-31"}},
      {"SE",
       2027,
       {"01-01", "01-06", "03-26", "03-28", "03-29", "05-01", "05-06", "05-16",
        "06-06", "06-25", "06-26", "11-06", "12-24", "12-25", "12-26",
        "12-31"}},
  };
  return *kExpected;
}

std::set<absl::CivilDay> ExpectedDays(const std::string& country, int year) {
  std::set<absl::CivilDay> days;
  for (const YearList& list : Expected()) {
    if (list.country != country || list.year != year) continue;
    for (const std::string& md : list.days) {
      days.insert(
          Day(year, std::stoi(md.substr(0, 2)), std::stoi(md.substr(3))));
    }
  }
  return days;
}

// AddWorkingDays computed from the written-out lists alone.
absl::CivilDay ExpectedAdd(const std::string& country, absl::CivilDay from,
                           int n) {
  std::set<absl::CivilDay> off = ExpectedDays(country, 2026);
  for (absl::CivilDay d : ExpectedDays(country, 2027)) off.insert(d);
  absl::CivilDay day = from;
  while (n > 0) {
    ++day;
    const absl::Weekday w = absl::GetWeekday(day);
    if (w != absl::Weekday::saturday && w != absl::Weekday::sunday &&
        off.count(day) == 0) {
      --n;
    }
  }
  return day;
}

class CalendarTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<Calendars> shipped = Calendars::Shipped();
    ASSERT_TRUE(shipped.ok()) << shipped.status();
    calendars_ = std::make_unique<Calendars>(*std::move(shipped));
  }

  const WorkingCalendar& Of(const std::string& country) {
    const WorkingCalendar* calendar = calendars_->For(country);
    EXPECT_NE(calendar, nullptr) << country;
    return *calendar;
  }

  std::unique_ptr<Calendars> calendars_;
};

TEST_F(CalendarTest, ShipsAllTwentySevenStates) {
  EXPECT_THAT(
      calendars_->Countries(),
      ElementsAre("AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "EL", "ES",
                  "FI", "FR", "HR", "HU", "IE", "IT", "LT", "LU", "LV", "MT",
                  "NL", "PL", "PT", "RO", "SE", "SI", "SK"));
  EXPECT_EQ(calendars_->version(), "2026.1");
  EXPECT_EQ(calendars_->For("GR"), nullptr);
  EXPECT_EQ(calendars_->For("XX"), nullptr);
}

TEST_F(CalendarTest, HolidaysOf2026And2027AreTheNationalOnes) {
  ASSERT_THAT(Expected(), SizeIs(54));
  for (const YearList& list : Expected()) {
    std::set<absl::CivilDay> got;
    for (const Holiday& h : Of(list.country).Holidays(list.year)) {
      EXPECT_FALSE(h.name.empty());
      got.insert(h.day);
    }
    EXPECT_EQ(got, ExpectedDays(list.country, list.year))
        << list.country << " " << list.year;
  }
}

TEST_F(CalendarTest, WorkingDaysFollowTheListsEveryDayOfBothYears) {
  for (const std::string& country : calendars_->Countries()) {
    std::set<absl::CivilDay> off = ExpectedDays(country, 2026);
    for (absl::CivilDay d : ExpectedDays(country, 2027)) off.insert(d);
    for (absl::CivilDay d = Day(2026, 1, 1); d < Day(2028, 1, 1); ++d) {
      const absl::Weekday w = absl::GetWeekday(d);
      const bool working = w != absl::Weekday::saturday &&
                           w != absl::Weekday::sunday && off.count(d) == 0;
      ASSERT_EQ(Of(country).IsWorkingDay(d), working) << country << " " << d;
    }
  }
}

TEST_F(CalendarTest, TwentyFiveWorkingDaysOverTheYearEndInEveryState) {
  for (const std::string& country : calendars_->Countries()) {
    for (absl::CivilDay from : {Day(2026, 12, 10), Day(2026, 12, 23),
                                Day(2027, 3, 20), Day(2026, 4, 1)}) {
      EXPECT_EQ(Of(country).AddWorkingDays(from, 25),
                ExpectedAdd(country, from, 25))
          << country << " from " << from;
      EXPECT_EQ(Of(country).WorkingDaysBetween(
                    from, Of(country).AddWorkingDays(from, 25)),
                25)
          << country;
    }
  }
}

TEST_F(CalendarTest, PolandTwentyFiveDaysFromTenDecember) {
  // Skips 24-25 December, 1 January and 6 January as well as weekends.
  EXPECT_EQ(Of("PL").AddWorkingDays(Day(2026, 12, 10), 25), Day(2027, 1, 20));
  EXPECT_EQ(Of("PL-PIP").AddWorkingDays(Day(2026, 12, 10), 25),
            Day(2027, 1, 20));
}

TEST_F(CalendarTest, TwoWorkingDaysFromTheThursdayBeforeEaster) {
  const absl::CivilDay thursday = Day(2026, 4, 2);
  EXPECT_EQ(Of("DE").AddWorkingDays(thursday, 2), Day(2026, 4, 8));
  EXPECT_EQ(Of("DK").AddWorkingDays(thursday, 2), Day(2026, 4, 8));
  EXPECT_EQ(Of("FR").AddWorkingDays(thursday, 2), Day(2026, 4, 7));
  EXPECT_EQ(Of("ES").AddWorkingDays(thursday, 2), Day(2026, 4, 7));
  EXPECT_EQ(Of("PL").AddWorkingDays(thursday, 2), Day(2026, 4, 7));
  // Greece's Easter is a week later in 2026.
  EXPECT_EQ(Of("EL").AddWorkingDays(thursday, 2), Day(2026, 4, 6));
  EXPECT_EQ(Of("EL").AddWorkingDays(Day(2026, 4, 9), 2), Day(2026, 4, 15));
}

TEST_F(CalendarTest, ZeroDaysIsTheSameDayAndCountingIsSymmetric) {
  const WorkingCalendar& se = Of("SE");
  EXPECT_EQ(se.AddWorkingDays(Day(2026, 12, 26), 0), Day(2026, 12, 26));
  EXPECT_EQ(se.AddWorkingDays(Day(2026, 12, 23), 1), Day(2026, 12, 28));
  EXPECT_EQ(se.AddWorkingDays(Day(2026, 12, 23), 4), Day(2027, 1, 4));
  EXPECT_EQ(se.WorkingDaysBetween(Day(2026, 12, 23), Day(2027, 1, 4)), 4);
  EXPECT_EQ(se.WorkingDaysBetween(Day(2027, 1, 4), Day(2026, 12, 23)), -4);
  EXPECT_EQ(se.WorkingDaysBetween(Day(2026, 12, 23), Day(2026, 12, 23)), 0);
}

TEST_F(CalendarTest, BulgariaSubstitutesWeekendHolidaysButNotEaster) {
  std::vector<Holiday> holidays = Of("BG").Holidays(2027);
  std::map<absl::CivilDay, std::string> names;
  for (const Holiday& h : holidays) names[h.day] = h.name;
  // Labour Day is Holy Saturday in 2027; its substitute skips Easter Monday.
  EXPECT_EQ(names[Day(2027, 5, 1)], "Holy Saturday; Labour Day");
  EXPECT_EQ(names[Day(2027, 5, 4)], "Labour Day (substitute day)");
  EXPECT_EQ(names[Day(2027, 12, 27)], "Christmas Day (substitute day)");
  EXPECT_EQ(names[Day(2027, 12, 28)],
            "Second Day of Christmas (substitute day)");
  EXPECT_TRUE(std::is_sorted(
      holidays.begin(), holidays.end(),
      [](const Holiday& a, const Holiday& b) { return a.day < b.day; }));
}

TEST(EasterTest, WesternAndOrthodox) {
  EXPECT_EQ(WesternEaster(2026), Day(2026, 4, 5));
  EXPECT_EQ(OrthodoxEaster(2026), Day(2026, 4, 12));
  EXPECT_EQ(WesternEaster(2027), Day(2027, 3, 28));
  EXPECT_EQ(OrthodoxEaster(2027), Day(2027, 5, 2));
  EXPECT_EQ(WesternEaster(2024), Day(2024, 3, 31));
  EXPECT_EQ(OrthodoxEaster(2024), Day(2024, 5, 5));
  // Some years share the date.
  EXPECT_EQ(WesternEaster(2025), Day(2025, 4, 20));
  EXPECT_EQ(OrthodoxEaster(2025), Day(2025, 4, 20));
  EXPECT_EQ(WesternEaster(2017), OrthodoxEaster(2017));
  EXPECT_EQ(WesternEaster(1900), Day(1900, 4, 15));
  EXPECT_EQ(OrthodoxEaster(1900), Day(1900, 4, 22));
  EXPECT_EQ(WesternEaster(2038), Day(2038, 4, 25));
  EXPECT_EQ(WesternEaster(2008), Day(2008, 3, 23));
}

TEST_F(CalendarTest, OrthodoxStatesUseTheOrthodoxEaster) {
  // Easter Monday 2027: 29 March in the West, 3 May in EL, CY, BG, RO.
  for (const char* west : {"DE", "FR", "AT", "HR"}) {
    EXPECT_FALSE(Of(west).IsWorkingDay(Day(2027, 3, 29))) << west;
    EXPECT_TRUE(Of(west).IsWorkingDay(Day(2027, 5, 3))) << west;
  }
  for (const char* east : {"EL", "CY", "BG", "RO"}) {
    EXPECT_TRUE(Of(east).IsWorkingDay(Day(2027, 3, 29))) << east;
    EXPECT_FALSE(Of(east).IsWorkingDay(Day(2027, 5, 3))) << east;
  }
}

TEST_F(CalendarTest, PolandChristmasEveFrom2025) {
  EXPECT_TRUE(Of("PL").IsWorkingDay(Day(2024, 12, 24)));
  EXPECT_FALSE(Of("PL").IsWorkingDay(Day(2025, 12, 24)));
}

TEST_F(CalendarTest, YearsOutsideTheRangeAreRefused) {
  EXPECT_THAT(Msg(ValidateCalendarYear("year", 2300)),
              HasSubstr("year: 2300 is outside"));
  EXPECT_TRUE(ValidateCalendarYear("year", 2199).ok());
  EXPECT_TRUE(Of("PL").Holidays(1899).empty());
  absl::StatusOr<absl::CivilDay> past =
      Of("PL").TryAddWorkingDays(Day(2199, 12, 30), 5);
  EXPECT_EQ(past.status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(Of("PL").TryAddWorkingDays(Day(1899, 12, 30), 1).status().code(),
            absl::StatusCode::kOutOfRange);
  EXPECT_THAT(Msg(Of("PL").TryAddWorkingDays(Day(2026, 1, 1), -1).status()),
              StartsWith("working_days:"));
  EXPECT_EQ(Of("PL")
                .TryWorkingDaysBetween(Day(2026, 1, 1), Day(2200, 1, 1))
                .status()
                .code(),
            absl::StatusCode::kOutOfRange);
}

TEST(CalendarDayTest, ParsesOnlyRealDates) {
  EXPECT_EQ(*ParseCalendarDay("date", "2026-12-10"), Day(2026, 12, 10));
  for (const char* bad : {"2026-02-30", "2026-13-01", "26-12-10", "2026/12/10",
                          "2026-1-10", "", "2026-12-1x"}) {
    EXPECT_THAT(Msg(ParseCalendarDay("date", bad).status()),
                StartsWith("date: "))
        << bad;
  }
  EXPECT_THAT(Msg(ParseCalendarDay("date", "2300-01-01").status()),
              HasSubstr("outside"));
  EXPECT_EQ(FormatCalendarDay(Day(2026, 1, 2)), "2026-01-02");
}

TEST_F(CalendarTest, OverridesAddAndRemoveDaysAndChangeTheVersion) {
  pwx::v1::CalendarConfig config;
  pwx::v1::HolidayOverride* bridge = config.add_holidays();
  bridge->set_country("PL");
  bridge->set_date("2026-11-10");
  bridge->set_name("Bridge day");
  pwx::v1::HolidayOverride* kept = config.add_holidays();
  kept->set_country("PL");
  kept->set_date("2026-01-06");
  kept->set_remove(true);
  pwx::v1::HolidayOverride* saturday = config.add_holidays();
  saturday->set_country("HU");
  saturday->set_date("2026-01-10");
  saturday->set_remove(true);
  const WorkingCalendar before = Of("PL");
  ASSERT_TRUE(calendars_->ApplyOverrides(config).ok());

  EXPECT_THAT(calendars_->version(),
              MatchesRegex("2026\\.1\\+local\\.[0-9a-f]{8}"));
  EXPECT_FALSE(Of("PL").IsWorkingDay(Day(2026, 11, 10)));
  EXPECT_TRUE(Of("PL").IsWorkingDay(Day(2026, 1, 6)));
  EXPECT_TRUE(Of("HU").IsWorkingDay(Day(2026, 1, 10)));
  EXPECT_TRUE(Of("DE").IsWorkingDay(Day(2026, 11, 10)));
  // A copy taken before keeps the old rules.
  EXPECT_TRUE(before.IsWorkingDay(Day(2026, 11, 10)));
  std::map<absl::CivilDay, std::string> names;
  for (const Holiday& h : Of("PL").Holidays(2026)) names[h.day] = h.name;
  EXPECT_EQ(names[Day(2026, 11, 10)], "Bridge day");
  EXPECT_EQ(names.count(Day(2026, 1, 6)), 0u);

  // Other overrides, another version.
  const std::string first = calendars_->version();
  Calendars other = *Calendars::Shipped();
  config.mutable_holidays(0)->set_name("Another name");
  ASSERT_TRUE(other.ApplyOverrides(config).ok());
  EXPECT_NE(other.version(), first);
  EXPECT_TRUE(other.ApplyOverrides(pwx::v1::CalendarConfig()).ok());
  EXPECT_NE(other.version(), "2026.1");
}

TEST_F(CalendarTest, BadOverridesNameTheKeyAndChangeNothing) {
  struct Case {
    std::string country, date, name;
    bool remove;
    std::string error;
  };
  const std::vector<Case> cases = {
      {"XX", "2026-11-10", "x", false, "calendar.holidays[0].country: 'XX'"},
      {"US", "2026-11-10", "x", false,
       "calendar.holidays[0].country: 'US' has no calendar"},
      {"PL", "2026-11-31", "x", false, "calendar.holidays[0].date: "},
      {"PL", "1800-01-01", "x", false, "calendar.holidays[0].date: "},
      {"PL", "2026-11-10", "", false, "calendar.holidays[0].name: is required"},
  };
  for (const Case& c : cases) {
    pwx::v1::CalendarConfig config;
    pwx::v1::HolidayOverride* o = config.add_holidays();
    o->set_country(c.country);
    o->set_date(c.date);
    o->set_name(c.name);
    o->set_remove(c.remove);
    absl::Status s = calendars_->ApplyOverrides(config);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << c.error;
    EXPECT_THAT(Msg(s), StartsWith(c.error));
    EXPECT_EQ(calendars_->version(), "2026.1");
  }
  pwx::v1::CalendarConfig twice;
  for (int i = 0; i < 2; ++i) {
    pwx::v1::HolidayOverride* o = twice.add_holidays();
    o->set_country("PL");
    o->set_date("2026-11-10");
    o->set_remove(true);
  }
  EXPECT_THAT(Msg(Calendars::ValidateOverrides(twice)),
              StartsWith("calendar.holidays[1].date: 2026-11-10 in PL is "
                         "overridden already (calendar.holidays[0])"));
}

TEST(CalendarParseTest, BadDataFilesAreRefusedNamingTheField) {
  const std::string state = R"(states { country: "PL" weekend: SATURDAY )";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"(states { country: "PL" weekend: SUNDAY })", "version: is required"},
      {R"(version: "1" states { country: "GR" weekend: SUNDAY })",
       "states[0].country: use 'EL'"},
      {R"(version: "1" states { country: "PL" })",
       "states[0].weekend: is required"},
      {R"(version: "1" states { country: "PL" weekend: SUNDAY }
          states { country: "PL" weekend: SUNDAY })",
       "states[1].country: 'PL' has a calendar already (states[0])"},
      {R"(version: "1" )" + state +
           R"(holidays { name: "x" fixed { month: 5 day: 32 } } })",
       "states[0].holidays[0].fixed.day: 32 is not a day of month 5"},
      {R"(version: "1" )" + state +
           R"(holidays { name: "x" fixed { month: 2 day: 29 } } })",
       "states[0].holidays[0].fixed.day: 29 is not a day of month 2"},
      {R"(version: "1" )" + state +
           R"(holidays { name: "x" fixed { month: 13 day: 1 } } })",
       "states[0].holidays[0].fixed.month: 13 is not a month"},
      {R"(version: "1" )" + state + R"(holidays { name: "x" } })",
       "states[0].holidays[0]: 'x' has no date"},
      {R"(version: "1" )" + state +
           R"(holidays { fixed { month: 1 day: 1 } } })",
       "states[0].holidays[0].name: is required"},
      {R"(version: "1" )" + state +
           R"(holidays { name: "x" easter { days: 200 } } })",
       "states[0].holidays[0].easter.days: 200 is more than 100"},
      {R"(version: "1" )" + state +
           R"(holidays { name: "x" fixed { month: 1 day: 1 } from_year: 2020
              until_year: 2010 } })",
       "states[0].holidays[0].until_year: 2010 is before from_year 2020"},
      {R"(version: "1" )" + state +
           R"(holidays { name: "x" fixed { month: 1 day: 1 } from_year: 1800 } })",
       "states[0].holidays[0].from_year: 1800 is outside"},
      {R"(version: "1" )" + state +
           R"(holidays { name: "x" weekday_on_or_after { month: 6 day: 20 } } })",
       "states[0].holidays[0].weekday_on_or_after.weekday: is required"},
      {R"(version: "1" )" + state +
           R"(holidays { name: "x" fixed { month: 1 day: 1 }
              moves { if_weekday: SUNDAY days: 9 } } })",
       "states[0].holidays[0].moves[0].days: 9 is not within -6..6"},
      {"version: \"1\"\nstates { country: \"PL\" weekend: FUNDAY }",
       "2:40: Unknown enumeration value"},
  };
  for (const auto& [text, error] : cases) {
    absl::StatusOr<Calendars> parsed = Calendars::Parse(text);
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument)
        << error;
    EXPECT_THAT(Msg(parsed.status()), StartsWith(error));
  }
}

TEST(CalendarParseTest, MovesAndSubstitutesAndYearsApply) {
  absl::StatusOr<Calendars> parsed = Calendars::Parse(R"(
    version: "test.1"
    states {
      country: "NL" weekend: SATURDAY weekend: SUNDAY
      holidays { name: "King's Day" fixed { month: 4 day: 27 }
                 moves { if_weekday: SUNDAY days: -1 } }
      holidays { name: "Odd" fixed { month: 3 day: 2 } from_year: 2026
                 until_year: 2030 except_years: 2027 }
      holidays { name: "Sub" fixed { month: 1 day: 2 } substitute: true }
    })");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  const WorkingCalendar& nl = *parsed->For("NL");
  EXPECT_EQ(parsed->version(), "test.1");
  EXPECT_FALSE(nl.IsWorkingDay(Day(2025, 4, 26)));  // 27 April a Sunday
  EXPECT_TRUE(nl.IsWorkingDay(Day(2025, 4, 28)));
  EXPECT_FALSE(nl.IsWorkingDay(Day(2026, 3, 2)));
  EXPECT_TRUE(nl.IsWorkingDay(Day(2027, 3, 2)));
  EXPECT_TRUE(nl.IsWorkingDay(Day(2025, 3, 3)));
  // 2 January 2027 is a Saturday: Monday 4 January is the substitute.
  EXPECT_FALSE(nl.IsWorkingDay(Day(2027, 1, 4)));
  EXPECT_TRUE(nl.IsWorkingDay(Day(2026, 1, 5)));
  EXPECT_THAT(nl.Weekend(), ElementsAre(pwx::v1::SATURDAY, pwx::v1::SUNDAY));
}

}  // namespace
}  // namespace pwx::domain
