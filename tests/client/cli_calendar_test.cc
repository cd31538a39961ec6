// `pwx calendar show|add`: what the CLI sends to CalendarService and what it
// prints.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "nlohmann/json.hpp"
#include "tests/client/cli_fixture.h"

namespace pwx::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

class CliCalendarTest : public CliTest {
 protected:
  FakeCalendarService& calendars() { return node_->calendars(); }

  void SetUp() override {
    CliTest::SetUp();
    pwx::v1::ShowCalendarResponse show;
    show.set_country("PL");
    show.set_year(2026);
    show.add_weekend(pwx::v1::SATURDAY);
    show.add_weekend(pwx::v1::SUNDAY);
    pwx::v1::CalendarHoliday* h = show.add_holidays();
    h->set_date("2026-01-01");
    h->set_name("New Year's Day");
    h = show.add_holidays();
    h->set_date("2026-12-24");
    h->set_name("Christmas Eve");
    show.set_version("2026.1");
    calendars().SetShow(show);
    pwx::v1::AddWorkingDaysResponse add;
    add.set_country("PL");
    add.set_start_date("2026-12-10");
    add.set_working_days(25);
    add.set_date("2027-01-20");
    add.set_version("2026.1");
    calendars().SetAdd(add);
  }
};

TEST_F(CliCalendarTest, ShowSendsCountryAndYearAndPrintsATable) {
  const CliResult result = Run({"calendar", "show", "PL", "--year", "2026"});

  ASSERT_EQ(result.exit_code, 0) << result.err;
  ASSERT_THAT(calendars().seen().shows, SizeIs(1));
  EXPECT_THAT(calendars().seen().shows[0],
              EqualsProto("country: 'PL' year: 2026"));
  EXPECT_EQ(result.out,
            "DATE        WEEKDAY  NAME\n"
            "2026-01-01  Thu      New Year's Day\n"
            "2026-12-24  Thu      Christmas Eve\n"
            "\n"
            "country:  PL\n"
            "year:     2026\n"
            "weekend:  Saturday, Sunday\n"
            "version:  2026.1\n");
  EXPECT_THAT(result.err, IsEmpty());
}

TEST_F(CliCalendarTest, ShowJsonIsTheResponseInTheProtoMapping) {
  const CliResult result =
      Run({"calendar", "show", "PL", "--year", "2026", "--output", "json"});

  ASSERT_EQ(result.exit_code, 0) << result.err;
  const nlohmann::json json = nlohmann::json::parse(result.out);
  EXPECT_EQ(json["version"], "2026.1");
  EXPECT_EQ(json["holidays"][1]["date"], "2026-12-24");
  EXPECT_EQ(json["weekend"][0], "SATURDAY");
}

TEST_F(CliCalendarTest, AddSendsTheRequestAndPrintsTheDate) {
  const CliResult result = Run({"calendar", "add", "PL", "2026-12-10", "25"});

  ASSERT_EQ(result.exit_code, 0) << result.err;
  ASSERT_THAT(calendars().seen().adds, SizeIs(1));
  EXPECT_THAT(calendars().seen().adds[0],
              EqualsProto("country: 'PL' date: '2026-12-10' working_days: 25"));
  EXPECT_EQ(result.out,
            "2027-01-20 (Wed): 25 working days after 2026-12-10 in PL, "
            "calendar 2026.1\n");
}

TEST_F(CliCalendarTest, AddJsonHasTheDateAndVersion) {
  const CliResult result =
      Run({"calendar", "add", "PL", "2026-12-10", "25", "--output", "json"});

  ASSERT_EQ(result.exit_code, 0) << result.err;
  const nlohmann::json json = nlohmann::json::parse(result.out);
  EXPECT_EQ(json["date"], "2027-01-20");
  EXPECT_EQ(json["startDate"], "2026-12-10");
  EXPECT_EQ(json["workingDays"], 25);
  EXPECT_EQ(json["version"], "2026.1");
}

TEST_F(CliCalendarTest, ServerRefusalsArePrintedWithTheField) {
  calendars().FailWith(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                                    "country: 'XX' has no calendar"));

  const CliResult result = Run({"calendar", "add", "XX", "2026-12-10", "25"});

  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.err,
            "pwx: INVALID_ARGUMENT: country: 'XX' has no calendar\n");
  EXPECT_THAT(result.out, IsEmpty());
}

TEST_F(CliCalendarTest, BadArgumentsAreUsageErrors) {
  CliResult result = Run({"calendar", "add", "PL", "2026-12-10", "-3"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, HasSubstr("N: -3 is negative"));

  result = Run({"calendar", "add", "PL", "2026-12-10", "many"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, HasSubstr("N"));

  result = Run({"calendar", "show", "PL"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, HasSubstr("--year"));

  result = Run({"calendar", "show", "PL", "--year", "twenty"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_TRUE(calendars().seen().shows.empty());
  EXPECT_TRUE(calendars().seen().adds.empty());
}

TEST_F(CliCalendarTest, HelpDescribesBothCommands) {
  CliResult result = Run({"calendar", "--help"});
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_THAT(result.out, HasSubstr("show"));
  EXPECT_THAT(result.out, HasSubstr("add"));
  result = Run({"calendar", "add", "--help"});
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_THAT(result.out, HasSubstr("not counted"));
}

}  // namespace
}  // namespace pwx::testing
