// CalendarService over the node's API port: any role may read the
// calendars; bad input is INVALID_ARGUMENT naming the field; the node's
// calendars follow the config's data file and overrides.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "pwx/v1/calendar_service.grpc.pb.h"
#include "server/domain/calendar.h"
#include "tests/server/node_fixture.h"

namespace pwx::server {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::SizeIs;
using ::testing::StartsWith;

class CalendarServiceTest : public NodeTest {
 protected:
  std::unique_ptr<pwx::v1::CalendarService::Stub> Stub(
      const std::string& user) {
    users_.push_back(std::make_unique<testing::KeyPair>(ca_.IssueUser(user)));
    return pwx::v1::CalendarService::NewStub(Channel(users_.back().get()));
  }

  static grpc::Status Show(pwx::v1::CalendarService::Stub& stub,
                           const std::string& country, int year,
                           pwx::v1::ShowCalendarResponse* out) {
    grpc::ClientContext context;
    pwx::v1::ShowCalendarRequest request;
    request.set_country(country);
    request.set_year(year);
    return stub.ShowCalendar(&context, request, out);
  }

  static grpc::Status Add(pwx::v1::CalendarService::Stub& stub,
                          const std::string& country, const std::string& date,
                          int n, pwx::v1::AddWorkingDaysResponse* out) {
    grpc::ClientContext context;
    pwx::v1::AddWorkingDaysRequest request;
    request.set_country(country);
    request.set_date(date);
    request.set_working_days(n);
    return stub.AddWorkingDays(&context, request, out);
  }
};

TEST_F(CalendarServiceTest, ShowsAStatesHolidaysWeekendAndVersion) {
  auto alice = Stub("alice");
  pwx::v1::ShowCalendarResponse response;
  grpc::Status s = Show(*alice, "PL-PIP", 2026, &response);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(response.country(), "PL");
  EXPECT_EQ(response.year(), 2026);
  EXPECT_THAT(response.weekend(),
              ElementsAre(pwx::v1::SATURDAY, pwx::v1::SUNDAY));
  ASSERT_THAT(response.holidays(), SizeIs(14));
  EXPECT_EQ(response.holidays(0).date(), "2026-01-01");
  EXPECT_EQ(response.holidays(0).name(), "New Year's Day");
  EXPECT_EQ(response.holidays(11).date(), "2026-12-24");
  EXPECT_EQ(response.version(), node_->calendars().version());
  EXPECT_EQ(response.version(), "2026.1");
}

TEST_F(CalendarServiceTest, AddsWorkingDaysForEveryRole) {
  ASSERT_TRUE(Grant("aude", pwx::v1::ROLE_AUDITOR).ok());
  ASSERT_TRUE(Grant("cora", pwx::v1::ROLE_COORDINATOR).ok());
  for (const char* user : {"alice", "aude", "cora"}) {
    auto stub = Stub(user);
    pwx::v1::AddWorkingDaysResponse response;
    grpc::Status s = Add(*stub, "PL", "2026-12-10", 25, &response);
    ASSERT_TRUE(s.ok()) << user << ": " << s.error_message();
    EXPECT_EQ(response.date(), "2027-01-20");
    EXPECT_EQ(response.start_date(), "2026-12-10");
    EXPECT_EQ(response.working_days(), 25);
    EXPECT_EQ(response.version(), "2026.1");
  }
}

TEST_F(CalendarServiceTest, UserWithoutARoleIsDenied) {
  auto nobody = Stub("nora");
  pwx::v1::AddWorkingDaysResponse response;
  grpc::Status s = Add(*nobody, "PL", "2026-12-10", 25, &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(CalendarServiceTest, BadInputNamesTheField) {
  auto alice = Stub("alice");
  pwx::v1::AddWorkingDaysResponse added;
  pwx::v1::ShowCalendarResponse shown;
  struct Case {
    grpc::Status status;
    std::string field;
  };
  const Case cases[] = {
      {Add(*alice, "XX", "2026-12-10", 25, &added), "country: 'XX' has no"},
      {Add(*alice, "", "2026-12-10", 25, &added), "country: is required"},
      {Add(*alice, "PL", "10.12.2026", 25, &added), "date: '10.12.2026'"},
      {Add(*alice, "PL", "2300-01-01", 25, &added), "date: 2300 is outside"},
      {Add(*alice, "PL", "2026-12-10", -1, &added), "working_days: -1"},
      {Show(*alice, "PL", 1800, &shown), "year: 1800 is outside"},
      {Show(*alice, "ZZ", 2026, &shown), "country: 'ZZ' has no"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(c.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
        << c.field;
    EXPECT_THAT(c.status.error_message(), StartsWith(c.field));
  }
  EXPECT_EQ(Add(*alice, "PL", "2199-12-30", 10, &added).error_code(),
            grpc::StatusCode::OUT_OF_RANGE);
}

TEST_F(CalendarServiceTest, ConfigOverridesChangeTheDaysAndTheVersion) {
  node_->Shutdown(absl::Seconds(5));
  node_.reset();
  pwx::v1::ServerConfig config = LoopbackConfig("FR-DGT", dir_ + "/data");
  pwx::v1::HolidayOverride* bridge = config.mutable_calendar()->add_holidays();
  bridge->set_country("PL");
  bridge->set_date("2026-12-28");
  bridge->set_name("Bridge day");
  absl::StatusOr<std::unique_ptr<Node>> node =
      StartLoopbackNode(config, ca_, node_keys_);
  ASSERT_TRUE(node.ok()) << node.status();
  node_ = *std::move(node);
  EXPECT_THAT(node_->calendars().version(), StartsWith("2026.1+local."));
  auto alice = Stub("alice");
  pwx::v1::AddWorkingDaysResponse response;
  ASSERT_TRUE(Add(*alice, "PL", "2026-12-10", 25, &response).ok());
  EXPECT_EQ(response.date(), "2027-01-21");
  EXPECT_EQ(response.version(), node_->calendars().version());
}

TEST_F(CalendarServiceTest, BadDataFileOrOverrideStopsTheNode) {
  node_->Shutdown(absl::Seconds(5));
  node_.reset();
  pwx::v1::ServerConfig config = LoopbackConfig("FR-DGT", dir_ + "/data");
  ApplyDefaults(&config);
  NodeOptions options;
  options.config = config;
  options.api_cert_pem = node_keys_.cert_pem;
  options.api_key_pem = node_keys_.key_pem;
  options.api_client_ca_pem = ca_.cert_pem();
  options.calendar_data = "version: \"x\" states { country: \"PL\" }";
  absl::StatusOr<std::unique_ptr<Node>> node = Node::Start(options);
  EXPECT_THAT(std::string(node.status().message()),
              StartsWith("calendar.data_file: states[0].weekend: is required"));

  options.calendar_data.clear();
  pwx::v1::HolidayOverride* o =
      options.config.mutable_calendar()->add_holidays();
  o->set_country("US");
  o->set_date("2026-07-04");
  o->set_name("Independence Day");
  node = Node::Start(options);
  EXPECT_THAT(std::string(node.status().message()),
              HasSubstr("calendar.holidays[0].country: 'US' has no calendar"));
}

}  // namespace
}  // namespace pwx::server
