// `pwx admin identity export` and `pwx peer ...`: federating the node with
// peer authorities (coordinators and admins).
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "client/case_client.h"
#include "client/cli_internal.h"
#include "client/output.h"
#include "client/staged_file.h"
#include "google/protobuf/text_format.h"
#include "google/protobuf/util/time_util.h"
#include "server/domain/fields.h"

namespace pwx::client::internal {
namespace {

constexpr char kPeerFooter[] =
    "Federating two nodes: each coordinator exports their node's identity\n"
    "card (`pwx admin identity export FILE`), sends it to the other, and\n"
    "adds the card received (`pwx peer add FILE`). Peers take effect at\n"
    "once, without a restart. Only coordinators and admins may run these\n"
    "commands.";

absl::StatusOr<PeerClient> ConnectPeers(CommandEnv& env) {
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = env.connect();
  if (!channel.ok()) return channel.status();
  return PeerClient(*std::move(channel), env.timeout);
}

absl::Status CheckAuthority(const std::string& id) {
  if (absl::Status s = domain::ValidateAuthorityId("ID", id); !s.ok()) {
    return UsageError(s.message());
  }
  return absl::OkStatus();
}

std::string StateName(pwx::v1::Peer::State state) {
  switch (state) {
    case pwx::v1::Peer::ACTIVE:
      return "active";
    case pwx::v1::Peer::SUSPENDED:
      return "suspended";
    default:
      return "unknown";
  }
}

void PrintPeer(const pwx::v1::Peer& peer, CommandEnv& env) {
  if (env.format == OutputFormat::kJson) {
    env.out << ToJson(peer);
    return;
  }
  PrintFields({{"authority", peer.card().authority_id()},
               {"name", peer.card().authority_name()},
               {"endpoint", peer.card().federation_endpoint()},
               {"state", StateName(peer.state())},
               {"added", FormatTime(peer.added())},
               {"added by", peer.added_by()}},
              env.out);
}

std::string FormatLag(const google::protobuf::Duration& lag) {
  const int64_t s = lag.seconds();
  if (s == 0 && lag.nanos() == 0) return "-";
  if (s < 60) return absl::StrCat(s, "s");
  if (s < 3600) return absl::StrCat(s / 60, "m", s % 60, "s");
  return absl::StrCat(s / 3600, "h", (s % 3600) / 60, "m");
}

void AddIdentityExport(CLI::App& app, Command* selected) {
  CLI::App* admin =
      app.add_subcommand("admin", "Node administration (coordinators)");
  admin->require_subcommand(1);
  CLI::App* identity =
      admin->add_subcommand("identity", "The node's identity card");
  identity->require_subcommand(1);
  CLI::App* command = identity->add_subcommand(
      "export",
      "Write this node's identity card (authority, name, federation "
      "endpoint, CA and signing certificates) to FILE, for a peer's "
      "`pwx peer add`");
  command->footer(kPeerFooter);
  auto path = std::make_shared<std::string>();
  auto force = std::make_shared<bool>(false);
  command->add_option("FILE", *path, "Where to write the card")->required();
  command->add_flag("--force", *force, "Overwrite FILE if it exists");
  command->callback([selected, path, force] {
    *selected = [path, force](CommandEnv& env) -> absl::Status {
      absl::StatusOr<PeerClient> client = ConnectPeers(env);
      if (!client.ok()) return client.status();
      absl::StatusOr<pwx::v1::IdentityCard> card = client->ExportIdentity();
      if (!card.ok()) return card.status();
      std::string text;
      if (!google::protobuf::TextFormat::PrintToString(*card, &text)) {
        return absl::InternalError("cannot print the identity card");
      }
      absl::StatusOr<std::unique_ptr<StagedFile>> file =
          StagedFile::Create(*path, *force);
      if (!file.ok()) return file.status();
      const std::string header =
          "# pwx identity card (text-format pwx.v1.IdentityCard); give it to "
          "the peer's\n# coordinator for `pwx peer add`.\n";
      if (absl::Status s = (*file)->Append(header + text); !s.ok()) return s;
      if (absl::Status s = (*file)->Commit(); !s.ok()) return s;
      if (env.format == OutputFormat::kJson) {
        env.out << ToJson(*card);
      } else {
        env.out << "wrote the identity card of " << card->authority_id()
                << " (" << card->federation_endpoint() << ") to " << *path
                << "\n";
      }
      return absl::OkStatus();
    };
  });
}

void AddPeerAdd(CLI::App& peer, Command* selected) {
  CLI::App* command = peer.add_subcommand(
      "add", "Add a peer from the identity card FILE it exported");
  command->footer(kPeerFooter);
  auto path = std::make_shared<std::string>();
  command->add_option("FILE", *path, "The peer's identity card")->required();
  command->callback([selected, path] {
    *selected = [path](CommandEnv& env) -> absl::Status {
      std::ifstream in(*path, std::ios::binary);
      if (!in) return UsageError(absl::StrCat("FILE: cannot read ", *path));
      std::ostringstream text;
      text << in.rdbuf();
      pwx::v1::IdentityCard card;
      if (!google::protobuf::TextFormat::ParseFromString(text.str(), &card)) {
        return UsageError(absl::StrCat(
            "FILE: ", *path,
            " is not an identity card (text-format pwx.v1.IdentityCard)"));
      }
      absl::StatusOr<PeerClient> client = ConnectPeers(env);
      if (!client.ok()) return client.status();
      absl::StatusOr<pwx::v1::Peer> added = client->AddPeer(card);
      if (!added.ok()) return added.status();
      PrintPeer(*added, env);
      return absl::OkStatus();
    };
  });
}

void AddPeerList(CLI::App& peer, Command* selected) {
  CLI::App* command = peer.add_subcommand(
      "list", "List the peers with their delivery health");
  command->footer(
      "QUEUED: envelopes waiting for the peer's receipt; SENT/ACKED: the\n"
      "last sequence numbered for the peer and the last it receipted;\n"
      "RECEIVED: the last applied from it; LAG: age of the oldest waiting.");
  command->callback([selected] {
    *selected = [](CommandEnv& env) -> absl::Status {
      absl::StatusOr<PeerClient> client = ConnectPeers(env);
      if (!client.ok()) return client.status();
      absl::StatusOr<pwx::v1::ListPeersResponse> peers = client->ListPeers();
      if (!peers.ok()) return peers.status();
      if (env.format == OutputFormat::kJson) {
        env.out << ToJson(*peers);
        return absl::OkStatus();
      }
      if (peers->peers_size() == 0) {
        env.out << "no peers; add one with `pwx peer add FILE`\n";
        return absl::OkStatus();
      }
      std::vector<std::vector<std::string>> rows;
      for (const pwx::v1::PeerHealth& h : peers->peers()) {
        rows.push_back({h.peer().card().authority_id(),
                        h.peer().card().federation_endpoint(),
                        StateName(h.peer().state()), absl::StrCat(h.queued()),
                        absl::StrCat(h.last_sequence(), "/", h.acked_sequence()),
                        absl::StrCat(h.received_sequence()), FormatLag(h.lag()),
                        FormatTime(h.last_success()),
                        h.last_error().empty() ? "-" : h.last_error()});
      }
      PrintTable({"AUTHORITY", "ENDPOINT", "STATE", "QUEUED", "SENT/ACKED",
                  "RECEIVED", "LAG", "LAST SUCCESS", "LAST ERROR"},
                 std::move(rows), env.out);
      return absl::OkStatus();
    };
  });
}

void AddPeerState(CLI::App& peer, Command* selected, const char* name,
                  const char* description, bool suspend) {
  CLI::App* command = peer.add_subcommand(name, description);
  command->footer(kPeerFooter);
  auto id = std::make_shared<std::string>();
  command->add_option("ID", *id, "The peer's authority id, e.g. PL-PIP")
      ->required();
  command->callback([selected, id, suspend] {
    *selected = [id, suspend](CommandEnv& env) -> absl::Status {
      if (absl::Status s = CheckAuthority(*id); !s.ok()) return s;
      absl::StatusOr<PeerClient> client = ConnectPeers(env);
      if (!client.ok()) return client.status();
      absl::StatusOr<pwx::v1::Peer> peer =
          suspend ? client->SuspendPeer(*id) : client->ResumePeer(*id);
      if (!peer.ok()) return peer.status();
      PrintPeer(*peer, env);
      return absl::OkStatus();
    };
  });
}

void AddPeerRemove(CLI::App& peer, Command* selected) {
  CLI::App* command = peer.add_subcommand(
      "remove",
      "Forget a peer: its certificate is refused from now on and what is "
      "still queued for it is dropped");
  command->footer(kPeerFooter);
  auto id = std::make_shared<std::string>();
  command->add_option("ID", *id, "The peer's authority id")->required();
  command->callback([selected, id] {
    *selected = [id](CommandEnv& env) -> absl::Status {
      if (absl::Status s = CheckAuthority(*id); !s.ok()) return s;
      absl::StatusOr<PeerClient> client = ConnectPeers(env);
      if (!client.ok()) return client.status();
      absl::StatusOr<pwx::v1::RemovePeerResponse> removed =
          client->RemovePeer(*id);
      if (!removed.ok()) return removed.status();
      if (env.format == OutputFormat::kJson) {
        env.out << ToJson(*removed);
      } else {
        env.out << "removed peer " << *id << "; dropped " << removed->dropped()
                << " queued envelope(s)\n";
      }
      return absl::OkStatus();
    };
  });
}

}  // namespace

void AddPeerCommands(CLI::App& app, Command* selected) {
  AddIdentityExport(app, selected);
  CLI::App* peer = app.add_subcommand(
      "peer", "Federate with peer authorities (coordinators and admins)");
  peer->require_subcommand(1);
  peer->footer(kPeerFooter);
  AddPeerAdd(*peer, selected);
  AddPeerList(*peer, selected);
  AddPeerState(*peer, selected, "suspend",
               "Stop traffic with a peer both ways; what is queued waits",
               true);
  AddPeerState(*peer, selected, "resume", "Resume traffic with a peer", false);
  AddPeerRemove(*peer, selected);
}

}  // namespace pwx::client::internal
