// `pwx case share`, `pwx admin identity export` and `pwx peer ...`: the
// checks the CLI makes before it calls the node (usage errors exit 2 and send
// nothing). The calls themselves run against real nodes in
// tests/e2e/federation_e2e.sh.
#include <fstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/client/cli_fixture.h"

namespace pwx::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;

class CliPeerTest : public CliTest {};

TEST_F(CliPeerTest, ShareChecksTheCaseIdAndThePeerFirst) {
  CliResult result =
      Run({"case", "share", "FR-DGT-2026-000001", "--with", "pl-pip"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, HasSubstr("--with"));
  result = Run({"case", "share", "not-a-case", "--with", "PL-PIP"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, HasSubstr("ID"));
  result = Run({"case", "share", "FR-DGT-2026-000001"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, HasSubstr("--with"));
  EXPECT_THAT(node_->cases().seen().gets, IsEmpty());
}

TEST_F(CliPeerTest, PeerAddReadsACardFileOrSaysWhy) {
  CliResult result = Run({"peer", "add", node_->dir() + "/missing.card"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, HasSubstr("cannot read"));
  const std::string bad = node_->dir() + "/bad.card";
  std::ofstream(bad) << "authority_id: \"PL-PIP\"\nno_such_field: 1\n";
  result = Run({"peer", "add", bad});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, HasSubstr("is not an identity card"));
}

TEST_F(CliPeerTest, PeerCommandsCheckTheAuthorityId) {
  for (const char* command : {"suspend", "resume", "remove"}) {
    CliResult result = Run({"peer", command, "pl"});
    EXPECT_EQ(result.exit_code, 2) << command;
    EXPECT_THAT(result.err, HasSubstr("ID")) << command;
  }
}

TEST_F(CliPeerTest, HelpExplainsHowNodesFederate) {
  CliResult result = Run({"peer", "--help"});
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_THAT(result.out, HasSubstr("pwx admin identity export FILE"));
  result = Run({"case", "share", "--help"});
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_THAT(result.out, HasSubstr("pwx peer list"));
}

}  // namespace
}  // namespace pwx::testing
