// A fixture that runs the pwx CLI in-process against a FakeNode.
#ifndef PWX_TESTS_CLIENT_CLI_FIXTURE_H_
#define PWX_TESTS_CLIENT_CLI_FIXTURE_H_

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "client/cli.h"
#include "google/protobuf/message.h"
#include "google/protobuf/text_format.h"
#include "google/protobuf/util/message_differencer.h"
#include "tests/client/fake_node.h"

namespace pwx::testing {

struct CliResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Matches a protobuf message equal to the text-format `expected`.
MATCHER_P(EqualsProto, expected, "") {
  std::unique_ptr<google::protobuf::Message> want(arg.New());
  if (!google::protobuf::TextFormat::ParseFromString(expected, want.get())) {
    *result_listener << "cannot parse the expected text proto";
    return false;
  }
  std::string diff;
  google::protobuf::util::MessageDifferencer differencer;
  differencer.ReportDifferencesToString(&diff);
  if (differencer.Compare(*want, arg)) return true;
  *result_listener << "differences:\n" << diff;
  return false;
}

// Starts a fresh FakeNode per test; the environment points the CLI at it
// (PWX_SERVER, PWX_CA, PWX_CERT, PWX_KEY), so tests name only the command.
class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    node_ = FakeNode::Start();
    env_ = {
        {"PWX_SERVER", node_->address()},
        {"PWX_CA", node_->ca_file()},
        {"PWX_CERT", node_->cert_file()},
        {"PWX_KEY", node_->key_file()},
    };
  }

  CliResult Run(const std::vector<std::string>& args) {
    std::ostringstream out;
    std::ostringstream err;
    const pwx::client::Getenv getenv =
        [this](std::string_view name) -> std::optional<std::string> {
      auto it = env_.find(std::string(name));
      if (it == env_.end()) return std::nullopt;
      return it->second;
    };
    CliResult result;
    result.exit_code = pwx::client::RunCli(args, out, err, getenv);
    result.out = out.str();
    result.err = err.str();
    return result;
  }

  FakeCaseService& cases() { return node_->cases(); }

  std::unique_ptr<FakeNode> node_;
  std::map<std::string, std::string> env_;
};

}  // namespace pwx::testing

#endif  // PWX_TESTS_CLIENT_CLI_FIXTURE_H_
