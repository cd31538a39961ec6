// The pwx CLI as a whole: connection settings, output formats, errors and
// exit codes, help, and `case get` / `backup create`.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <sstream>
#include <string>

#include "nlohmann/json.hpp"
#include "tests/client/cli_fixture.h"
#include "tests/testing/test_pki.h"

namespace pwx::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;
using ::testing::StartsWith;

pwx::v1::Case SampleCase() {
  pwx::v1::Case c;
  c.set_id("FR-DGT-2026-000001");
  c.set_version(3);
  c.set_title("Bricklayers in Lyon");
  c.set_status(pwx::v1::CASE_STATUS_AWAITING_INFORMATION);
  c.mutable_undertaking()->set_name("Budimex SA");
  c.mutable_undertaking()->set_country_of_establishment("PL");
  c.set_sector_nace("F41.20");
  pwx::v1::PostedWorker* worker = c.add_workers();
  worker->set_full_name("Jan Kowalski");
  worker->set_nationality("PL");
  worker->mutable_posting_period()->set_start_date("2026-01-05");
  pwx::v1::AttachmentMeta* attachment = c.add_attachments();
  attachment->set_sha256(std::string(64, 'a'));
  attachment->set_file_name("a1.pdf");
  attachment->set_size_bytes(2048);
  return c;
}

TEST_F(CliTest, GetPrintsAKeyValueBlock) {
  cases().AddCase(SampleCase());

  const CliResult result = Run({"case", "get", "FR-DGT-2026-000001"});

  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out, StartsWith("id:"));
  EXPECT_THAT(result.out, HasSubstr("FR-DGT-2026-000001"));
  EXPECT_THAT(result.out, HasSubstr("awaiting-information"));
  EXPECT_THAT(result.out, HasSubstr("Budimex SA (PL)"));
  EXPECT_THAT(result.out, HasSubstr("Jan Kowalski"));
  EXPECT_THAT(result.out, HasSubstr("2026-01-05..open"));
  EXPECT_THAT(result.out, HasSubstr(std::string(64, 'a')));
  EXPECT_THAT(result.out, HasSubstr("2.0 KiB"));
  EXPECT_THAT(result.err, IsEmpty());
}

TEST_F(CliTest, JsonOutputIsOneParsableDocument) {
  cases().AddCase(SampleCase());

  const CliResult result =
      Run({"case", "get", "FR-DGT-2026-000001", "--output", "json"});

  ASSERT_EQ(result.exit_code, 0) << result.err;
  const nlohmann::json json = nlohmann::json::parse(result.out, nullptr, false);
  ASSERT_FALSE(json.is_discarded()) << result.out;
  EXPECT_EQ(json["id"], "FR-DGT-2026-000001");
  EXPECT_EQ(json["version"], "3");  // uint64 is a string in protobuf JSON
  EXPECT_EQ(json["status"], "CASE_STATUS_AWAITING_INFORMATION");
  EXPECT_EQ(json["workers"][0]["fullName"], "Jan Kowalski");
}

TEST_F(CliTest, OutputFormatComesFromTheEnvironment) {
  cases().AddCase(SampleCase());
  env_["PWX_OUTPUT"] = "json";

  const CliResult result = Run({"case", "get", "FR-DGT-2026-000001"});

  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_FALSE(nlohmann::json::parse(result.out, nullptr, false).is_discarded())
      << result.out;
}

TEST_F(CliTest, UnknownOutputFormatIsAUsageError) {
  const CliResult result =
      Run({"--output", "yaml", "case", "get", "FR-DGT-2026-000001"});

  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, HasSubstr("'yaml'"));
  EXPECT_THAT(cases().seen().gets, IsEmpty());
}

TEST_F(CliTest, ServerErrorIsOneLineWithTheCodeName) {
  const CliResult result = Run({"case", "get", "FR-DGT-2026-000009"});

  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.err, "pwx: NOT_FOUND: case FR-DGT-2026-000009 not found\n");
  EXPECT_THAT(result.out, IsEmpty());
}

TEST_F(CliTest, UnreachableServerIsUnavailable) {
  // Nothing listens on port 1; the call fails fast rather than hanging.
  const CliResult result = Run({"--server", "localhost:1", "--timeout", "10",
                                "case", "get", "FR-DGT-2026-000001"});

  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.err, StartsWith("pwx: UNAVAILABLE: "));
  EXPECT_EQ(result.err.find('\n'), result.err.size() - 1) << result.err;
}

TEST_F(CliTest, MissingCertificateFileNamesTheFlag) {
  const CliResult result =
      Run({"--cert", node_->dir() + "/nope.pem", "case", "get", "X"});

  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.err,
              HasSubstr("--cert: cannot read " + node_->dir() + "/nope.pem"));
  EXPECT_THAT(cases().seen().gets, IsEmpty());
}

TEST_F(CliTest, MissingServerNamesFlagAndVariable) {
  env_.erase("PWX_SERVER");

  const CliResult result = Run({"case", "get", "X"});

  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.err, HasSubstr("--server"));
  EXPECT_THAT(result.err, HasSubstr("PWX_SERVER"));
}

TEST_F(CliTest, MissingKeyNamesFlagAndVariable) {
  env_.erase("PWX_KEY");

  const CliResult result = Run({"case", "get", "X"});

  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.err, HasSubstr("--key is required (or set PWX_KEY)"));
}

TEST_F(CliTest, FlagsOverrideTheEnvironment) {
  cases().AddCase(SampleCase());
  const std::string server = env_["PWX_SERVER"];
  const std::string ca = env_["PWX_CA"];
  env_["PWX_SERVER"] = "localhost:1";
  env_["PWX_CA"] = "/nonexistent/ca.pem";

  const CliResult result = Run(
      {"--server", server, "--ca", ca, "case", "get", "FR-DGT-2026-000001"});

  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(cases().seen().gets, SizeIs(1));
}

TEST_F(CliTest, GlobalFlagsMayFollowTheCommand) {
  cases().AddCase(SampleCase());
  const std::string cert = env_["PWX_CERT"];
  env_.erase("PWX_CERT");

  const CliResult result =
      Run({"case", "get", "FR-DGT-2026-000001", "--cert", cert});

  ASSERT_EQ(result.exit_code, 0) << result.err;
}

TEST_F(CliTest, ClientCertificateFromAnotherCaIsRejected) {
  // The server requires and verifies client certificates: a key pair from a
  // CA it does not trust cannot call it.
  const TestCa other = TestCa::Create("other");
  const KeyPair stranger = other.IssueUser("mallory");
  env_["PWX_CERT"] = WriteFile(node_->dir(), "mallory.pem", stranger.cert_pem);
  env_["PWX_KEY"] = WriteFile(node_->dir(), "mallory.key", stranger.key_pem);

  const CliResult result = Run({"case", "get", "FR-DGT-2026-000001"});

  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.err, StartsWith("pwx: UNAVAILABLE: "));
  EXPECT_THAT(cases().seen().gets, IsEmpty());
}

TEST_F(CliTest, ChannelFactoryGetsTheConnectionSettings) {
  env_ = {{"PWX_SERVER", "node.example:7443"}, {"PWX_CA", "/env/ca.pem"}};
  std::optional<pwx::client::ConnectionOptions> seen;
  const pwx::client::ChannelFactory factory =
      [&seen](const pwx::client::ConnectionOptions& options)
      -> absl::StatusOr<std::shared_ptr<grpc::Channel>> {
    seen = options;
    return absl::UnavailableError("no network in this test");
  };
  std::ostringstream out;
  std::ostringstream err;

  const int exit_code = pwx::client::RunCli(
      {"--cert", "/flag/alice.pem", "--key", "/flag/alice.key", "case", "get",
       "X"},
      out, err,
      [this](std::string_view name) -> std::optional<std::string> {
        auto it = env_.find(std::string(name));
        if (it == env_.end()) return std::nullopt;
        return it->second;
      },
      factory);

  EXPECT_EQ(exit_code, 1);
  EXPECT_EQ(err.str(), "pwx: UNAVAILABLE: no network in this test\n");
  ASSERT_TRUE(seen.has_value());
  EXPECT_EQ(seen->server, "node.example:7443");
  EXPECT_EQ(seen->ca_file, "/env/ca.pem");
  EXPECT_EQ(seen->cert_file, "/flag/alice.pem");
  EXPECT_EQ(seen->key_file, "/flag/alice.key");
}

TEST_F(CliTest, HelpExitsZeroAndDescribesTheCommand) {
  const CliResult result = Run({"case", "update", "--help"});

  EXPECT_EQ(result.exit_code, 0);
  EXPECT_THAT(result.out, HasSubstr("--version"));
  EXPECT_THAT(result.out, HasSubstr("--undertaking-address"));
  EXPECT_THAT(result.err, IsEmpty());
}

TEST_F(CliTest, UnknownFlagIsAUsageError) {
  const CliResult result = Run({"case", "get", "X", "--colour"});

  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, StartsWith("pwx: "));
  EXPECT_THAT(result.err, HasSubstr("--colour"));
}

TEST_F(CliTest, MissingCommandIsAUsageError) {
  const CliResult result = Run({});

  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, StartsWith("pwx: "));
}

TEST_F(CliTest, BackupCreateSendsTheDirectory) {
  const CliResult result =
      Run({"backup", "create", "/var/backups/pwx", "--output", "json"});

  ASSERT_EQ(result.exit_code, 0) << result.err;
  const std::vector<pwx::v1::CreateBackupRequest> seen = node_->admin().seen();
  ASSERT_THAT(seen, SizeIs(1));
  EXPECT_EQ(seen[0].directory(), "/var/backups/pwx");
  const nlohmann::json json = nlohmann::json::parse(result.out, nullptr, false);
  ASSERT_FALSE(json.is_discarded()) << result.out;
  EXPECT_EQ(json["backupId"], 7);
}

TEST_F(CliTest, BackupDirectoryMustBeAbsolute) {
  const CliResult result = Run({"backup", "create", "backups"});

  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, HasSubstr("absolute"));
  EXPECT_THAT(node_->admin().seen(), IsEmpty());
}

}  // namespace
}  // namespace pwx::testing
