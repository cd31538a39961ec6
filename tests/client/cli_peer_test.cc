// `pwx case share`, `pwx admin identity export` and `pwx peer ...`: the
// checks the CLI makes before it calls the node (usage errors exit 2 and send
// nothing), and what the peer commands send to PeerService and print. The
// calls against real nodes run in tests/e2e/federation_e2e.sh.
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/client/cli_fixture.h"

namespace pwx::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;
using ::testing::StartsWith;

constexpr char kCardText[] = R"pb(
  authority_id: "PL-PIP"
  authority_name: "Państwowa Inspekcja Pracy"
  federation_endpoint: "pwx.pip.example.pl:7444"
  ca_certificate_pem: "-----BEGIN CERTIFICATE-----\nnew CA\n"
  signing_certificate_pem: "-----BEGIN CERTIFICATE-----\nnew signer\n"
)pb";

class CliPeerTest : public CliTest {
 protected:
  FakePeerService& peers() { return node_->peers(); }

  // A card file as `pwx admin identity export` writes it.
  std::string WriteCard() {
    const std::string path = node_->dir() + "/PL-PIP.card";
    std::ofstream(path) << "# pwx identity card (text-format "
                           "pwx.v1.IdentityCard)\n"
                        << kCardText;
    return path;
  }

  // PL-PIP as the node knew it before the new card: suspended, older
  // endpoint, added by bob.
  void KnowPlPip() {
    pwx::v1::Peer peer;
    peer.mutable_card()->set_authority_id("PL-PIP");
    peer.mutable_card()->set_federation_endpoint("old.pip.example.pl:7444");
    peer.set_state(pwx::v1::Peer::SUSPENDED);
    peer.mutable_added()->set_seconds(FakePeerService::kAddedSeconds);
    peer.set_added_by("bob");
    peers().AddKnownPeer(peer);
  }
};

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

TEST_F(CliPeerTest, PeerAddSendsTheCardFromTheFileAndPrintsThePeer) {
  const CliResult result = Run({"peer", "add", WriteCard()});

  ASSERT_EQ(result.exit_code, 0) << result.err;
  const FakePeerService::Seen seen = peers().seen();
  ASSERT_THAT(seen.adds, SizeIs(1));
  EXPECT_THAT(seen.adds[0].card(), EqualsProto(kCardText));
  EXPECT_EQ(result.out,
            "authority:  PL-PIP\n"
            "name:       Państwowa Inspekcja Pracy\n"
            "endpoint:   pwx.pip.example.pl:7444\n"
            "state:      active\n"
            "added:      2026-01-01 00:00:00 UTC\n"
            "added by:   alice\n");
}

TEST_F(CliPeerTest, PeerUpdateSendsTheCardFromTheFileAndPrintsThePeer) {
  KnowPlPip();

  const CliResult result = Run({"peer", "update", WriteCard()});

  ASSERT_EQ(result.exit_code, 0) << result.err;
  const FakePeerService::Seen seen = peers().seen();
  ASSERT_THAT(seen.updates, SizeIs(1));
  EXPECT_THAT(seen.updates[0].card(), EqualsProto(kCardText));
  EXPECT_THAT(seen.adds, IsEmpty());
  EXPECT_EQ(result.out,
            "authority:   PL-PIP\n"
            "name:        Państwowa Inspekcja Pracy\n"
            "endpoint:    pwx.pip.example.pl:7444\n"
            "state:       suspended\n"
            "added:       2026-01-01 00:00:00 UTC\n"
            "added by:    bob\n"
            "updated:     2026-01-02 00:00:00 UTC\n"
            "updated by:  alice\n");
  EXPECT_THAT(result.err, IsEmpty());
}

TEST_F(CliPeerTest, PeerUpdatePrintsJson) {
  KnowPlPip();

  const CliResult result =
      Run({"peer", "update", WriteCard(), "--output", "json"});

  ASSERT_EQ(result.exit_code, 0) << result.err;
  const nlohmann::json json = nlohmann::json::parse(result.out, nullptr, false);
  ASSERT_FALSE(json.is_discarded()) << result.out;
  EXPECT_EQ(json["card"]["federationEndpoint"], "pwx.pip.example.pl:7444");
  EXPECT_EQ(json["updatedBy"], "alice");
  EXPECT_EQ(json["updated"], "2026-01-02T00:00:00Z");
}

TEST_F(CliPeerTest, PeerUpdateOfAnUnknownPeerFailsWithTheServersError) {
  const CliResult result = Run({"peer", "update", WriteCard()});

  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.err, "pwx: NOT_FOUND: peer PL-PIP not found\n");
  EXPECT_THAT(result.out, IsEmpty());
}

TEST_F(CliPeerTest, PeerAddAndUpdateReadACardFileOrSayWhy) {
  const std::string missing = node_->dir() + "/missing.card";
  const std::string bad = node_->dir() + "/bad.card";
  std::ofstream(bad) << "authority_id: \"PL-PIP\"\nno_such_field: 1\n";
  const std::string empty = node_->dir() + "/empty.card";
  std::ofstream(empty) << "# nothing here\n";
  const std::string directory = node_->dir() + "/a.card";
  std::filesystem::create_directory(directory);

  for (const char* command : {"add", "update"}) {
    CliResult result = Run({"peer", command, missing});
    EXPECT_EQ(result.exit_code, 2) << command;
    EXPECT_THAT(result.err, HasSubstr("FILE: cannot read " + missing))
        << command;

    result = Run({"peer", command, directory});
    EXPECT_EQ(result.exit_code, 2) << command;
    EXPECT_THAT(result.err, HasSubstr("FILE: cannot read " + directory))
        << command;

    result = Run({"peer", command, bad});
    EXPECT_EQ(result.exit_code, 2) << command;
    EXPECT_THAT(result.err, HasSubstr(bad + " is not an identity card"))
        << command;
    EXPECT_THAT(result.err, HasSubstr("line 2"));
    EXPECT_THAT(result.err, HasSubstr("no_such_field"));

    result = Run({"peer", command, empty});
    EXPECT_EQ(result.exit_code, 2) << command;
    EXPECT_THAT(result.err, HasSubstr("names no authority_id")) << command;
  }
  EXPECT_THAT(peers().seen().adds, IsEmpty());
  EXPECT_THAT(peers().seen().updates, IsEmpty());
}

TEST_F(CliPeerTest, PeerResendSendsTheSequenceAndPrintsTheCount) {
  pwx::v1::LinkRepairResponse response;
  response.set_envelopes(3);
  response.set_next_sequence(5);
  peers().SetRepairResponse(response);

  const CliResult result = Run({"peer", "resend", "PL-PIP", "--from", "5"});

  ASSERT_EQ(result.exit_code, 0) << result.err;
  const FakePeerService::Seen seen = peers().seen();
  ASSERT_THAT(seen.resends, SizeIs(1));
  EXPECT_THAT(seen.resends[0],
              EqualsProto("authority_id: 'PL-PIP' sequence: 5"));
  EXPECT_THAT(seen.skips, IsEmpty());
  EXPECT_EQ(result.out, "PL-PIP: 3 envelopes will be sent again from 5\n");
  EXPECT_THAT(result.err, IsEmpty());
}

TEST_F(CliPeerTest, PeerSkipSendsTheSequenceAndPrintsTheCount) {
  pwx::v1::LinkRepairResponse response;
  response.set_envelopes(2);
  response.set_next_sequence(12);
  peers().SetRepairResponse(response);

  const CliResult result = Run({"peer", "skip", "PL-PIP", "--to", "12"});

  ASSERT_EQ(result.exit_code, 0) << result.err;
  const FakePeerService::Seen seen = peers().seen();
  ASSERT_THAT(seen.skips, SizeIs(1));
  EXPECT_THAT(seen.skips[0],
              EqualsProto("authority_id: 'PL-PIP' sequence: 12"));
  EXPECT_THAT(seen.resends, IsEmpty());
  EXPECT_EQ(result.out, "PL-PIP: 2 envelopes renumbered; next envelope 12\n");
}

TEST_F(CliPeerTest, PeerSkipWithNothingQueuedSaysWhereTheLinkContinues) {
  pwx::v1::LinkRepairResponse response;
  response.set_envelopes(1);
  peers().SetRepairResponse(response);

  const CliResult result = Run({"peer", "skip", "PL-PIP", "--to", "40"});

  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out,
            "PL-PIP: 1 envelope renumbered; none queued; the next envelope "
            "will be numbered 40 or later\n");
}

TEST_F(CliPeerTest, PeerResendAndSkipPrintJson) {
  pwx::v1::LinkRepairResponse response;
  response.set_envelopes(3);
  response.set_next_sequence(5);
  peers().SetRepairResponse(response);

  for (const auto& [command, option] :
       std::vector<std::pair<std::string, std::string>>{{"resend", "--from"},
                                                        {"skip", "--to"}}) {
    const CliResult result =
        Run({"peer", command, "PL-PIP", option, "5", "--output", "json"});

    ASSERT_EQ(result.exit_code, 0) << command << ": " << result.err;
    const nlohmann::json json =
        nlohmann::json::parse(result.out, nullptr, false);
    ASSERT_FALSE(json.is_discarded()) << result.out;
    // The protobuf JSON mapping writes 64-bit integers as strings.
    EXPECT_EQ(json["envelopes"], "3") << command;
    EXPECT_EQ(json["nextSequence"], "5") << command;
  }
}

TEST_F(CliPeerTest, PeerResendAndSkipNeedASequenceOfOneOrMore) {
  for (const auto& [command, option] :
       std::vector<std::pair<std::string, std::string>>{{"resend", "--from"},
                                                        {"skip", "--to"}}) {
    for (const std::vector<std::string>& args :
         std::vector<std::vector<std::string>>{
             {"peer", command, "PL-PIP"},
             {"peer", command, "PL-PIP", option, "0"},
             {"peer", command, "PL-PIP", option, "many"},
             {"peer", command, "PL-PIP", option, "-3"},
             {"peer", command, "PL-PIP", option, "5.5"},
         }) {
      const CliResult result = Run(args);
      EXPECT_EQ(result.exit_code, 2) << absl::StrJoin(args, " ");
      EXPECT_THAT(result.err, HasSubstr(option)) << absl::StrJoin(args, " ");
      EXPECT_THAT(result.out, IsEmpty()) << absl::StrJoin(args, " ");
    }
  }
  const CliResult result = Run({"peer", "resend", "PL-PIP", "--from", "0"});
  EXPECT_EQ(result.err,
            "pwx: --from: '0' is not a sequence number (1 or more; `pwx peer "
            "list` shows where the link stands)\n");
  EXPECT_THAT(peers().seen().resends, IsEmpty());
  EXPECT_THAT(peers().seen().skips, IsEmpty());
}

TEST_F(CliPeerTest, PeerResendPrintsTheServersRefusalAndExitsOne) {
  peers().FailWith(grpc::Status(
      grpc::StatusCode::FAILED_PRECONDITION,
      "envelopes to PL-PIP before 40 are no longer kept; run `pwx peer skip "
      "PL-PIP --to 40`"));

  const CliResult result = Run({"peer", "resend", "PL-PIP", "--from", "5"});

  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.err,
            "pwx: FAILED_PRECONDITION: envelopes to PL-PIP before 40 are no "
            "longer kept; run `pwx peer skip PL-PIP --to 40`\n");
  EXPECT_THAT(result.out, IsEmpty());
  EXPECT_THAT(peers().seen().resends, SizeIs(1));
}

// PL-PIP refused a delivery and has a delivery in flight; DE-ZOLL is well.
pwx::v1::ListPeersResponse TwoPeers() {
  pwx::v1::ListPeersResponse list;
  pwx::v1::PeerHealth* pip = list.add_peers();
  pip->mutable_peer()->mutable_card()->set_authority_id("PL-PIP");
  pip->mutable_peer()->mutable_card()->set_federation_endpoint("pip:7444");
  pip->mutable_peer()->set_state(pwx::v1::Peer::ACTIVE);
  pip->set_queued(4);
  pip->set_last_sequence(44);
  pip->set_acked_sequence(40);
  pip->mutable_in_flight()->set_seconds(42);
  pip->set_problem(
      "PL-PIP expects envelope 5, already receipted\n(restored from a "
      "backup?): run `pwx peer resend PL-PIP --from 5`");
  pip->set_peer_expects(5);
  pwx::v1::PeerHealth* zoll = list.add_peers();
  zoll->mutable_peer()->mutable_card()->set_authority_id("DE-ZOLL");
  zoll->mutable_peer()->mutable_card()->set_federation_endpoint("zoll:7444");
  zoll->mutable_peer()->set_state(pwx::v1::Peer::ACTIVE);
  return list;
}

TEST_F(CliPeerTest, PeerListShowsTheProblemAndTheInFlightTimeUnderThePeer) {
  peers().SetPeers(TwoPeers());

  const CliResult result = Run({"peer", "list"});

  ASSERT_EQ(result.exit_code, 0) << result.err;
  const std::vector<std::string> lines =
      absl::StrSplit(result.out, '\n', absl::SkipEmpty());
  ASSERT_THAT(lines, SizeIs(5)) << result.out;
  EXPECT_THAT(lines[0], StartsWith("AUTHORITY"));
  EXPECT_THAT(lines[1], StartsWith("PL-PIP "));
  EXPECT_THAT(lines[1], HasSubstr(" 44/40 "));
  EXPECT_EQ(lines[2], "  in flight 42s (waiting for the peer's answer)");
  // The server's line break is not passed to the terminal.
  EXPECT_EQ(lines[3],
            "  problem: PL-PIP expects envelope 5, already receipted "
            "(restored from a backup?): run `pwx peer resend PL-PIP --from "
            "5`");
  EXPECT_THAT(lines[4], StartsWith("DE-ZOLL "));
}

TEST_F(CliPeerTest, PeerListShowsTrustWarningsUnderThePeerAndAfterTheTable) {
  pwx::v1::ListPeersResponse list = TwoPeers();
  list.mutable_peers(0)->clear_problem();
  list.mutable_peers(0)->clear_in_flight();
  list.mutable_peers(0)->add_warnings(
      "federation.crl_files[0] (/etc/pwx/crl/PL-PIP.pem): the list of CA "
      "'CN=PL-PIP CA' expired at 2026-11-21T08:43:36Z (its nextUpdate)");
  list.add_warnings(
      "api.crl_files[0] (/etc/pwx/crl/users.pem): cannot be "
      "read again\n(No such file or directory)");
  peers().SetPeers(list);

  const CliResult result = Run({"peer", "list"});

  ASSERT_EQ(result.exit_code, 0) << result.err;
  const std::vector<std::string> lines =
      absl::StrSplit(result.out, '\n', absl::SkipEmpty());
  ASSERT_THAT(lines, SizeIs(5)) << result.out;
  EXPECT_THAT(lines[1], StartsWith("PL-PIP "));
  EXPECT_EQ(lines[2],
            "  warning: federation.crl_files[0] (/etc/pwx/crl/PL-PIP.pem): the "
            "list of CA 'CN=PL-PIP CA' expired at 2026-11-21T08:43:36Z (its "
            "nextUpdate)");
  EXPECT_THAT(lines[3], StartsWith("DE-ZOLL "));
  EXPECT_EQ(lines[4],
            "warning: api.crl_files[0] (/etc/pwx/crl/users.pem): cannot be "
            "read again (No such file or directory)");
}

TEST_F(CliPeerTest, PeerListInFlightTimeReadsInMinutesPastOne) {
  pwx::v1::ListPeersResponse list = TwoPeers();
  list.mutable_peers(0)->clear_problem();
  list.mutable_peers(0)->mutable_in_flight()->set_seconds(125);
  peers().SetPeers(list);

  const CliResult result = Run({"peer", "list"});

  ASSERT_EQ(result.exit_code, 0) << result.err;
  const std::vector<std::string> lines =
      absl::StrSplit(result.out, '\n', absl::SkipEmpty());
  ASSERT_THAT(lines, SizeIs(4)) << result.out;
  EXPECT_EQ(lines[2], "  in flight 2m5s (waiting for the peer's answer)");
  EXPECT_THAT(lines[3], StartsWith("DE-ZOLL "));
}

TEST_F(CliPeerTest, PeerListJsonHasTheNewHealthFields) {
  peers().SetPeers(TwoPeers());

  const CliResult result = Run({"peer", "list", "--output", "json"});

  ASSERT_EQ(result.exit_code, 0) << result.err;
  const nlohmann::json json = nlohmann::json::parse(result.out, nullptr, false);
  ASSERT_FALSE(json.is_discarded()) << result.out;
  ASSERT_EQ(json["peers"].size(), 2);
  const nlohmann::json& pip = json["peers"][0];
  EXPECT_EQ(pip["inFlight"], "42s");
  EXPECT_EQ(pip["peerExpects"], "5");
  EXPECT_THAT(pip["problem"].get<std::string>(),
              HasSubstr("pwx peer resend PL-PIP --from 5"));
  EXPECT_FALSE(json["peers"][1].contains("problem"));
  EXPECT_FALSE(json["peers"][1].contains("inFlight"));
}

TEST_F(CliPeerTest, PeerCommandsCheckTheAuthorityId) {
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{
           {"peer", "suspend", "pl"},
           {"peer", "resume", "pl"},
           {"peer", "remove", "pl"},
           {"peer", "resend", "pl", "--from", "5"},
           {"peer", "skip", "pl", "--to", "5"},
       }) {
    const std::string command = absl::StrJoin(args, " ");
    CliResult result = Run(args);
    EXPECT_EQ(result.exit_code, 2) << command;
    EXPECT_THAT(result.err, HasSubstr("ID")) << command;
  }
}

TEST_F(CliPeerTest, HelpExplainsHowNodesFederate) {
  CliResult result = Run({"peer", "--help"});
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_THAT(result.out, HasSubstr("pwx admin identity export FILE"));
  EXPECT_THAT(result.out, HasSubstr("pwx peer update FILE"));
  result = Run({"case", "share", "--help"});
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_THAT(result.out, HasSubstr("pwx peer list"));
  result = Run({"peer", "resend", "--help"});
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_THAT(result.out, HasSubstr("`pwx peer skip` is the way on"));
}

}  // namespace
}  // namespace pwx::testing
