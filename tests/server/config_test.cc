#include "server/config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace pwx::server {
namespace {

using ::testing::HasSubstr;

constexpr char kGood[] = R"pb(
  # FR node
  authority_id: "FR-DGT"
  data_dir: "/var/lib/pwx"
  api {
    listen: "0.0.0.0:7443"
    cert_file: "node.pem"
    key_file: "node.key"
    client_ca_file: "ca.pem"
  }
  admin_users: "alice"
)pb";

TEST(ConfigTest, ParsesAndFillsDefaults) {
  absl::StatusOr<pwx::v1::ServerConfig> c = ParseConfig(kGood, "fr.textproto");
  ASSERT_TRUE(c.ok()) << c.status();
  ApplyDefaults(&*c);
  EXPECT_TRUE(ValidateConfig(*c).ok());
  EXPECT_EQ(c->api().listen(), "0.0.0.0:7443");
  EXPECT_EQ(c->attachments().max_bytes(), 16u << 20);
  EXPECT_EQ(c->log().format(), "text");
  EXPECT_EQ(c->shutdown_grace_seconds(), 10u);
  EXPECT_EQ(c->audit().sign_every_entries(), 1000u);
  EXPECT_EQ(c->audit().sign_interval_ms(), 1000u);
  EXPECT_EQ(c->audit().signing_cert_file(), "node.pem");
  EXPECT_EQ(c->audit().signing_key_file(), "node.key");
}

TEST(ConfigTest, AuditSettingsAreValidatedByName) {
  pwx::v1::ServerConfig c = *ParseConfig(kGood, "x");
  c.mutable_audit()->set_signing_cert_file("signer.pem");
  ApplyDefaults(&c);
  EXPECT_THAT(ValidateConfig(c).message(), HasSubstr("audit.signing_key_file"));
  c = *ParseConfig(kGood, "x");
  c.mutable_audit()->set_sign_interval_ms(5);
  ApplyDefaults(&c);
  EXPECT_THAT(ValidateConfig(c).message(), HasSubstr("audit.sign_interval_ms"));
  c = *ParseConfig(kGood, "x");
  c.mutable_audit()->set_sign_every_entries(20000000);
  ApplyDefaults(&c);
  EXPECT_THAT(ValidateConfig(c).message(),
              HasSubstr("audit.sign_every_entries"));
}

TEST(ConfigTest, BootstrapRolesAreParsedAndValidatedByName) {
  const std::string text =
      std::string(kGood) +
      "bootstrap_roles { user: \"alice\" role: \"inspector\" }\n"
      "bootstrap_roles { user: \"aude\" role: \"overseer\" }\n";
  absl::StatusOr<pwx::v1::ServerConfig> c = ParseConfig(text, "x");
  ASSERT_TRUE(c.ok()) << c.status();
  ASSERT_EQ(c->bootstrap_roles_size(), 2);
  EXPECT_EQ(c->bootstrap_roles(0).user(), "alice");
  ApplyDefaults(&*c);
  EXPECT_THAT(ValidateConfig(*c).message(),
              HasSubstr("bootstrap_roles[1].role: 'overseer' is not a role"));
  c->mutable_bootstrap_roles(1)->set_role("auditor");
  EXPECT_TRUE(ValidateConfig(*c).ok());
}

TEST(ConfigTest, UnknownKeyIsNamedWithPosition) {
  absl::StatusOr<pwx::v1::ServerConfig> c = ParseConfig(
      "authority_id: \"FR-DGT\"\ndata_dri: \"/x\"\n", "fr.textproto");
  EXPECT_TRUE(absl::IsInvalidArgument(c.status()));
  EXPECT_THAT(c.status().message(), HasSubstr("fr.textproto:2:"));
  EXPECT_THAT(c.status().message(), HasSubstr("data_dri"));
}

TEST(ConfigTest, MistypedValueIsNamed) {
  absl::StatusOr<pwx::v1::ServerConfig> c =
      ParseConfig("shutdown_grace_seconds: \"ten\"\n", "fr.textproto");
  EXPECT_TRUE(absl::IsInvalidArgument(c.status()));
  EXPECT_THAT(c.status().message(), HasSubstr("shutdown_grace_seconds"));
}

TEST(ConfigTest, ValidationNamesTheKey) {
  pwx::v1::ServerConfig c = *ParseConfig(kGood, "x");
  ApplyDefaults(&c);
  c.mutable_api()->clear_cert_file();
  EXPECT_THAT(ValidateConfig(c).message(), HasSubstr("api.cert_file"));
  c = *ParseConfig(kGood, "x");
  ApplyDefaults(&c);
  c.set_authority_id("FR_DGT");
  EXPECT_THAT(ValidateConfig(c).message(), HasSubstr("authority_id"));
  // The European Labour Authority runs a node of its own.
  c.set_authority_id("EU-ELA");
  EXPECT_TRUE(ValidateConfig(c).ok()) << ValidateConfig(c);
  c = *ParseConfig(kGood, "x");
  ApplyDefaults(&c);
  c.mutable_log()->set_format("xml");
  EXPECT_THAT(ValidateConfig(c).message(), HasSubstr("log.format"));
  c = *ParseConfig(kGood, "x");
  ApplyDefaults(&c);
  c.mutable_api()->set_listen("7443");
  EXPECT_THAT(ValidateConfig(c).message(), HasSubstr("api.listen"));
  // The web page is off unless web.listen names an address.
  c = *ParseConfig(kGood, "x");
  ApplyDefaults(&c);
  EXPECT_TRUE(c.web().listen().empty());
  c.mutable_web()->set_listen("localhost:7445");
  EXPECT_TRUE(ValidateConfig(c).ok()) << ValidateConfig(c);
  c.mutable_web()->set_listen("7445");
  EXPECT_THAT(ValidateConfig(c).message(), HasSubstr("web.listen"));
}

TEST(ConfigTest, FederationDefaultsAndValidationNameTheKey) {
  pwx::v1::ServerConfig c = *ParseConfig(kGood, "x");
  c.mutable_federation()->set_listen("0.0.0.0:7444");
  ApplyDefaults(&c);
  ASSERT_TRUE(ValidateConfig(c).ok()) << ValidateConfig(c);
  EXPECT_EQ(c.federation().advertise(), "0.0.0.0:7444");
  EXPECT_EQ(c.federation().cert_file(), c.api().cert_file());
  EXPECT_EQ(c.federation().ca_file(), c.api().client_ca_file());
  EXPECT_EQ(c.federation().max_batch(), 1000u);
  EXPECT_EQ(c.federation().max_message_bytes(), 4u << 20);
  EXPECT_EQ(c.federation().call_timeout_ms(), 10000u);
  EXPECT_EQ(c.federation().keep_delivered_hours(), 168u);
  EXPECT_EQ(c.federation().quota_events_per_hour(), 1'000'000u);
  EXPECT_EQ(c.federation().max_concurrent_streams(), 4u);
  EXPECT_EQ(c.federation().max_queued_per_peer(), 1'000'000u);
  EXPECT_EQ(c.api().max_concurrent_streams(), 256u);
  EXPECT_EQ(c.storage().max_queued_bytes(), uint64_t{256} << 20);
  EXPECT_EQ(c.federation().quota_bytes_per_hour(), uint64_t{4} << 30);
  // 0, set on purpose, means unlimited and stays.
  pwx::v1::ServerConfig unlimited = *ParseConfig(kGood, "x");
  unlimited.mutable_federation()->set_listen("0.0.0.0:7444");
  unlimited.mutable_federation()->set_quota_events_per_hour(0);
  ApplyDefaults(&unlimited);
  EXPECT_EQ(unlimited.federation().quota_events_per_hour(), 0u);
  const std::vector<
      std::pair<std::function<void(pwx::v1::FederationConfig*)>, std::string>>
      bad = {
          {[](auto* f) { f->set_listen("7444"); }, "federation.listen"},
          {[](auto* f) { f->set_advertise(":7444"); }, "federation.advertise"},
          {[](auto* f) { f->clear_key_file(); }, "federation.key_file"},
          {[](auto* f) { f->set_max_batch(10001); }, "federation.max_batch"},
          {[](auto* f) { f->set_retry_initial_ms(70000); },
           "federation.retry_initial_ms"},
          {[](auto* f) { f->set_max_message_bytes(1000); },
           "federation.max_message_bytes"},
          {[](auto* f) { f->set_call_timeout_ms(50); },
           "federation.call_timeout_ms"},
          {[](auto* f) { f->set_keep_delivered_hours(10000); },
           "federation.keep_delivered_hours"},
      };
  for (const auto& [change, key] : bad) {
    pwx::v1::ServerConfig copy = c;
    change(copy.mutable_federation());
    EXPECT_THAT(ValidateConfig(copy).message(), HasSubstr(key)) << key;
  }
}

TEST(ConfigTest, CalendarOverridesAreValidatedByName) {
  const std::string text =
      std::string(kGood) +
      "calendar { holidays { country: \"PL\" date: \"2026-11-10\" "
      "name: \"Bridge day\" }\n"
      "holidays { country: \"PL\" date: \"2026-11-31\" remove: true } }\n";
  absl::StatusOr<pwx::v1::ServerConfig> c = ParseConfig(text, "x");
  ASSERT_TRUE(c.ok()) << c.status();
  ApplyDefaults(&*c);
  EXPECT_THAT(ValidateConfig(*c).message(),
              HasSubstr("calendar.holidays[1].date: '2026-11-31' is not a "
                        "date"));
  c->mutable_calendar()->mutable_holidays(1)->set_date("2026-11-30");
  EXPECT_TRUE(ValidateConfig(*c).ok()) << ValidateConfig(*c);
  c->mutable_calendar()->mutable_holidays(0)->clear_name();
  EXPECT_THAT(ValidateConfig(*c).message(),
              HasSubstr("calendar.holidays[0].name: is required"));
  c->mutable_calendar()->mutable_holidays(0)->set_country("GR");
  EXPECT_THAT(ValidateConfig(*c).message(),
              HasSubstr("calendar.holidays[0].country: use 'EL'"));
}

// The commented example in deploy/ is a config the server accepts.
TEST(ConfigTest, ExampleConfigIsValid) {
  const char* source = std::getenv("PWX_SOURCE_DIR");
  if (source == nullptr) GTEST_SKIP() << "PWX_SOURCE_DIR is not set";
  absl::StatusOr<pwx::v1::ServerConfig> c = LoadConfigFile(
      std::string(source) + "/deploy/pwx-server.example.textproto");
  ASSERT_TRUE(c.ok()) << c.status();
  ApplyDefaults(&*c);
  EXPECT_TRUE(ValidateConfig(*c).ok()) << ValidateConfig(*c);
  EXPECT_EQ(c->federation().advertise(), "pwx.travail.example.fr:7444");
}

TEST(ConfigTest, MissingFileNamesFlag) {
  absl::StatusOr<pwx::v1::ServerConfig> c =
      LoadConfigFile("/nonexistent/pwx.textproto");
  EXPECT_TRUE(absl::IsNotFound(c.status()));
  EXPECT_THAT(c.status().message(), HasSubstr("--config"));
}

}  // namespace
}  // namespace pwx::server
