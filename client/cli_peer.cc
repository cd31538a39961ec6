// `pwx admin identity export` and `pwx peer ...`: federating the node with
// peer authorities (coordinators and admins).
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "client/case_client.h"
#include "client/cli_internal.h"
#include "client/output.h"
#include "client/staged_file.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/text_format.h"
#include "google/protobuf/util/time_util.h"
#include "server/domain/fields.h"

namespace pwx::client::internal {
namespace {

constexpr char kPeerFooter[] =
    "Federating two nodes: each coordinator exports their node's identity\n"
    "card (`pwx admin identity export FILE`), sends it to the other, and\n"
    "adds the card received (`pwx peer add FILE`); a peer's new card\n"
    "(another CA, signing certificate or endpoint) replaces its old one\n"
    "with `pwx peer update FILE`. Peers take effect at once, without a\n"
    "restart. Only coordinators and admins may run these commands.";

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
  std::vector<std::pair<std::string, std::string>> fields = {
      {"authority", peer.card().authority_id()},
      {"name", peer.card().authority_name()},
      {"endpoint", peer.card().federation_endpoint()},
      {"state", StateName(peer.state())},
      {"added", FormatTime(peer.added())},
      {"added by", peer.added_by()}};
  if (peer.has_updated()) {
    fields.emplace_back("updated", FormatTime(peer.updated()));
    fields.emplace_back("updated by", peer.updated_by());
  }
  PrintFields(fields, env.out);
}

// Collects the text-format parser's errors, which it would otherwise log to
// the process's stderr, for the usage error.
class CardErrors final : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int line, google::protobuf::io::ColumnNumber column,
                const std::string& message) override {
    errors_.push_back(
        absl::StrCat("line ", line + 1, ":", column + 1, ": ", message));
  }

  std::string ToString() const { return absl::StrJoin(errors_, "; "); }

 private:
  std::vector<std::string> errors_;
};

// The text-format IdentityCard in `path` (what `pwx admin identity export`
// writes), for `pwx peer add` and `pwx peer update`. A usage error naming
// FILE when it cannot be read, is not such a card, or names no authority.
absl::StatusOr<pwx::v1::IdentityCard> ReadIdentityCard(
    const std::string& path) {
  absl::StatusOr<std::string> text = ReadInputFile("FILE", path);
  if (!text.ok()) return text.status();
  CardErrors errors;
  google::protobuf::TextFormat::Parser parser;
  parser.RecordErrorsTo(&errors);
  pwx::v1::IdentityCard card;
  if (!parser.ParseFromString(*text, &card)) {
    return UsageError(absl::StrCat(
        "FILE: ", path,
        " is not an identity card (text-format pwx.v1.IdentityCard): ",
        errors.ToString()));
  }
  if (card.authority_id().empty()) {
    return UsageError(absl::StrCat(
        "FILE: ", path, " is not an identity card: it names no authority_id"));
  }
  return card;
}

// "42s", "5m3s", "2h10m".
std::string FormatDuration(const google::protobuf::Duration& duration) {
  const int64_t s = duration.seconds();
  if (s < 60) return absl::StrCat(s, "s");
  if (s < 3600) return absl::StrCat(s / 60, "m", s % 60, "s");
  return absl::StrCat(s / 3600, "h", (s % 3600) / 60, "m");
}

std::string FormatLag(const google::protobuf::Duration& lag) {
  if (lag.seconds() == 0 && lag.nanos() == 0) return "-";
  return FormatDuration(lag);
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
        env.out << "wrote the identity card of " << card->authority_id() << " ("
                << card->federation_endpoint() << ") to " << *path << "\n";
      }
      return absl::OkStatus();
    };
  });
}

void AddPeerCard(CLI::App& peer, Command* selected, const char* name,
                 const char* description, bool update) {
  CLI::App* command = peer.add_subcommand(name, description);
  command->footer(kPeerFooter);
  auto path = std::make_shared<std::string>();
  command
      ->add_option("FILE", *path,
                   "The peer's identity card (text-format, as `pwx admin "
                   "identity export` writes it)")
      ->required();
  command->callback([selected, path, update] {
    *selected = [path, update](CommandEnv& env) -> absl::Status {
      absl::StatusOr<pwx::v1::IdentityCard> card = ReadIdentityCard(*path);
      if (!card.ok()) return card.status();
      absl::StatusOr<PeerClient> client = ConnectPeers(env);
      if (!client.ok()) return client.status();
      absl::StatusOr<pwx::v1::Peer> peer =
          update ? client->UpdatePeer(*card) : client->AddPeer(*card);
      if (!peer.ok()) return peer.status();
      PrintPeer(*peer, env);
      return absl::OkStatus();
    };
  });
}

void AddPeerList(CLI::App& peer, Command* selected) {
  CLI::App* command =
      peer.add_subcommand("list", "List the peers with their delivery health");
  command->footer(
      "QUEUED: envelopes waiting for the peer's receipt; SENT/ACKED: the\n"
      "last sequence numbered for the peer and the last it receipted;\n"
      "RECEIVED: the last applied from it; LAG: age of the oldest waiting.\n"
      "Under a peer: \"in flight\", how long the current delivery has\n"
      "waited for the peer's answer, \"problem\", why the link cannot\n"
      "continue by itself and the command that repairs it (`pwx peer\n"
      "resend` or `pwx peer skip`), and \"warning\", what to fix about how\n"
      "the node checks its certificates (e.g. an expired revocation list).");
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
      // Nothing stops the links, but a coordinator should see it.
      auto warnings = [&env](const auto& list, absl::string_view indent) {
        for (const std::string& warning : list) {
          env.out << indent << "warning: " << CleanText(warning) << '\n';
        }
      };
      if (peers->peers_size() == 0) {
        env.out << "no peers; add one with `pwx peer add FILE`\n";
        warnings(peers->warnings(), "");
        return absl::OkStatus();
      }
      std::vector<std::vector<std::string>> rows;
      for (const pwx::v1::PeerHealth& h : peers->peers()) {
        rows.push_back(
            {h.peer().card().authority_id(),
             h.peer().card().federation_endpoint(), StateName(h.peer().state()),
             absl::StrCat(h.queued()),
             absl::StrCat(h.last_sequence(), "/", h.acked_sequence()),
             absl::StrCat(h.received_sequence()), FormatLag(h.lag()),
             FormatTime(h.last_success()),
             h.last_error().empty() ? "-" : h.last_error()});
      }
      const std::vector<std::string> lines =
          FormatTable({"AUTHORITY", "ENDPOINT", "STATE", "QUEUED", "SENT/ACKED",
                       "RECEIVED", "LAG", "LAST SUCCESS", "LAST ERROR"},
                      std::move(rows));
      env.out << lines[0] << '\n';
      for (int i = 0; i < peers->peers_size(); ++i) {
        const pwx::v1::PeerHealth& h = peers->peers(i);
        env.out << lines[i + 1] << '\n';
        if (h.has_in_flight()) {
          env.out << "  in flight " << FormatDuration(h.in_flight())
                  << " (waiting for the peer's answer)\n";
        }
        // Nothing repairs this by itself: it gets its own line, not a cell.
        if (!h.problem().empty()) {
          env.out << "  problem: " << CleanText(h.problem()) << '\n';
        }
        warnings(h.warnings(), "  ");
      }
      warnings(peers->warnings(), "");
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

// `pwx peer resend` (skip false) or `pwx peer skip` (skip true).
struct RepairCommand {
  const char* name;
  const char* description;
  const char* footer;
  // "--from" or "--to", and its help.
  const char* option;
  const char* option_help;
  bool skip;
};

// "1 envelope", "3 envelopes".
std::string Envelopes(uint64_t count) {
  return absl::StrCat(count, count == 1 ? " envelope" : " envelopes");
}

void PrintRepair(const RepairCommand& repair, const std::string& id,
                 uint64_t sequence, const pwx::v1::LinkRepairResponse& response,
                 CommandEnv& env) {
  if (env.format == OutputFormat::kJson) {
    env.out << ToJson(response);
    return;
  }
  if (!repair.skip) {
    env.out << id << ": " << Envelopes(response.envelopes())
            << " will be sent again from "
            << (response.next_sequence() != 0 ? response.next_sequence()
                                              : sequence)
            << "\n";
    return;
  }
  env.out << id << ": " << Envelopes(response.envelopes()) << " renumbered; ";
  if (response.next_sequence() != 0) {
    env.out << "next envelope " << response.next_sequence() << "\n";
  } else {
    env.out << "none queued; the next envelope will be numbered " << sequence
            << " or later\n";
  }
}

// The value of `option` as a sequence number; a usage error naming `option`
// unless it is a whole number of 1 or more. Parsed here rather than by CLI11,
// which would take "-3" for 2^64 - 3.
absl::StatusOr<uint64_t> ParseSequence(absl::string_view option,
                                       const std::string& value) {
  uint64_t sequence = 0;
  if (!absl::SimpleAtoi(value, &sequence) || sequence == 0) {
    return UsageError(absl::StrCat(
        option, ": '", value,
        "' is not a sequence number (1 or more; `pwx peer list` shows where "
        "the link stands)"));
  }
  return sequence;
}

void AddPeerRepair(CLI::App& peer, Command* selected,
                   const RepairCommand& repair) {
  CLI::App* command = peer.add_subcommand(repair.name, repair.description);
  command->footer(repair.footer);
  auto id = std::make_shared<std::string>();
  auto value = std::make_shared<std::string>();
  command->add_option("ID", *id, "The peer's authority id, e.g. PL-PIP")
      ->required();
  command->add_option(repair.option, *value, repair.option_help)
      ->required()
      ->type_name("N");
  command->callback([selected, id, value, repair] {
    *selected = [id, value, repair](CommandEnv& env) -> absl::Status {
      if (absl::Status s = CheckAuthority(*id); !s.ok()) return s;
      absl::StatusOr<uint64_t> sequence = ParseSequence(repair.option, *value);
      if (!sequence.ok()) return sequence.status();
      absl::StatusOr<PeerClient> client = ConnectPeers(env);
      if (!client.ok()) return client.status();
      absl::StatusOr<pwx::v1::LinkRepairResponse> repaired =
          repair.skip ? client->SkipToPeer(*id, *sequence)
                      : client->ResendToPeer(*id, *sequence);
      if (!repaired.ok()) return repaired.status();
      PrintRepair(repair, *id, *sequence, *repaired, env);
      return absl::OkStatus();
    };
  });
}

constexpr RepairCommand kResend = {
    .name = "resend",
    .description =
        "Send a peer that lost envelopes (restored from a backup) the "
        "envelopes from --from on again",
    .footer =
        "For a peer that lost envelopes it had receipted, e.g. restored from\n"
        "a backup: `pwx peer list` shows the problem and the sequence the\n"
        "peer expects, which is what --from takes. This node sends them again\n"
        "if it still keeps them (federation.keep_delivered_hours); otherwise\n"
        "the call fails with FAILED_PRECONDITION naming the first sequence\n"
        "kept, and `pwx peer skip` is the way on.",
    .option = "--from",
    .option_help = "The first sequence number to send again",
    .skip = false,
};

constexpr RepairCommand kSkip = {
    .name = "skip",
    .description =
        "Continue the link to a peer at --to, declaring the envelopes in "
        "between withdrawn",
    .footer =
        "The next envelope to the peer is numbered --to or later and declares\n"
        "every envelope between the peer's last receipt and it withdrawn; the\n"
        "peer applies it after those it has and records the gap. For a peer\n"
        "that lost envelopes this node no longer keeps, or for this node\n"
        "restored from a backup (the peer has applied envelopes this node no\n"
        "longer knows of). Audited here (peer.skip) and by the peer\n"
        "(envelope.gap).",
    .option = "--to",
    .option_help = "The sequence number the link continues at",
    .skip = true,
};

}  // namespace

void AddPeerCommands(CLI::App& app, Command* selected) {
  AddIdentityExport(app, selected);
  CLI::App* peer = app.add_subcommand(
      "peer", "Federate with peer authorities (coordinators and admins)");
  peer->require_subcommand(1);
  peer->footer(kPeerFooter);
  AddPeerCard(*peer, selected, "add",
              "Add a peer from the identity card FILE it exported", false);
  AddPeerCard(*peer, selected, "update",
              "Replace a known peer's identity card with FILE (a new CA, "
              "signing certificate or endpoint), keeping its state, queue and "
              "link",
              true);
  AddPeerList(*peer, selected);
  AddPeerState(*peer, selected, "suspend",
               "Stop traffic with a peer both ways; what is queued waits",
               true);
  AddPeerState(*peer, selected, "resume", "Resume traffic with a peer", false);
  AddPeerRemove(*peer, selected);
  AddPeerRepair(*peer, selected, kResend);
  AddPeerRepair(*peer, selected, kSkip);
}

}  // namespace pwx::client::internal
