// `pwx audit head|entries|export` and `pwx access-log`: the node's
// tamper-evident audit log, for auditors. The proofs are in
// cli_audit_proof.cc, peers' receipts in cli_audit_receipts.cc, offline
// verification in cli_audit_verify.cc.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "client/audit_verify.h"
#include "client/case_client.h"
#include "client/cli_internal.h"
#include "client/output.h"
#include "client/progress_bar.h"
#include "client/staged_file.h"
#include "nlohmann/json.hpp"

namespace pwx::client::internal {
namespace {

constexpr char kAuditFooter[] =
    "The audit log is an append-only Merkle tree (RFC 6962/9162): every\n"
    "change, every read of personal data and every admin action is an entry\n"
    "(who, what, which object, when, a hash of the content; never personal\n"
    "data). The node signs tree heads (size, root hash, time) with its key.\n"
    "An inclusion proof shows an entry is in the tree a signed head commits\n"
    "to; a consistency proof shows a later tree extends an earlier one, i.e.\n"
    "nothing was rewritten; `verify` checks a whole export offline.\n"
    "Auditors only (PERMISSION_DENIED otherwise); `verify` needs no node.";

// Read and write in chunks this large when exporting.
constexpr size_t kExportFlushBytes = size_t{1} << 20;
// Entries per page when --all fetches every page.
constexpr int kEntriesPageSize = 1000;

std::string EntryTime(const pwx::v1::LoggedEntry& entry) {
  return FormatTime(entry.entry().time());
}

// Puts in each entry's `entry` the decoding of its entry_bytes, so that what
// is shown is what the log hashed; DATA_LOSS when the node's decoded copy
// says something else (a field the bytes do not hold, say).
absl::Status ShowLoggedBytes(
    google::protobuf::RepeatedPtrField<pwx::v1::LoggedEntry>* entries) {
  for (pwx::v1::LoggedEntry& logged : *entries) {
    absl::StatusOr<pwx::v1::AuditEntry> decoded = DecodeLoggedEntry(logged);
    if (!decoded.ok()) return decoded.status();
    *logged.mutable_entry() = *std::move(decoded);
  }
  return absl::OkStatus();
}

void AddHead(CLI::App& audit, Command* selected) {
  CLI::App* head = audit.add_subcommand(
      "head",
      "Show the latest signed tree head (size, root hash, time) and check "
      "its signature against the certificate the node sends");
  head->footer(
      "A signed tree head is the node's signed statement that its log held\n"
      "SIZE entries with this root at this time. Keep it: any later proof or\n"
      "export must be consistent with it, so the node cannot rewrite what it\n"
      "signed without being caught.");
  head->callback([selected] {
    *selected = [](CommandEnv& env) -> absl::Status {
      absl::StatusOr<AuditClient> client = ConnectAudit(env);
      if (!client.ok()) return client.status();
      absl::StatusOr<pwx::v1::GetTreeHeadResponse> response =
          client->GetTreeHead();
      if (!response.ok()) return response.status();
      if (response->has_latest()) {
        absl::Status signature = VerifyTreeHeadSignature(
            response->latest(), response->signer_certificate_pem());
        if (!signature.ok()) return signature;
      }
      if (env.format == OutputFormat::kJson) {
        env.out << ToJson(*response);
        return absl::OkStatus();
      }
      if (!response->has_latest()) {
        env.out << "no tree head signed yet; " << response->current_size()
                << " entries committed\n";
        return absl::OkStatus();
      }
      const pwx::v1::SignedTreeHead& latest = response->latest();
      PrintFields(
          {
              {"authority", latest.authority_id()},
              {"tree size", absl::StrCat(latest.tree_size())},
              {"root hash", BytesToHex(latest.root_hash())},
              {"signed at", FormatTime(latest.timestamp())},
              {"signer", latest.signer_certificate_sha256()},
              {"signature", "verified with the signer certificate"},
              {"current size", absl::StrCat(response->current_size())},
          },
          env.out);
      return absl::OkStatus();
    };
  });
}

struct EntriesFlags {
  uint64_t from = 0;
  uint64_t to = 0;
  std::string user;
  std::string action;
  std::string object;
  bool all = false;
};

void PrintEntries(const pwx::v1::ListEntriesResponse& list, bool all,
                  CommandEnv& env) {
  if (env.format == OutputFormat::kJson) {
    env.out << ToJson(list);
    return;
  }
  if (list.entries_size() == 0) {
    env.out << "no entries\n";
  } else {
    std::vector<std::vector<std::string>> rows;
    for (const pwx::v1::LoggedEntry& e : list.entries()) {
      rows.push_back({absl::StrCat(e.index()), EntryTime(e), e.entry().user(),
                      e.entry().action(), e.entry().object_id(),
                      e.entry().content_sha256()});
    }
    PrintTable({"INDEX", "TIME", "USER", "ACTION", "OBJECT", "CONTENT SHA256"},
               std::move(rows), env.out);
  }
  if (!all && !list.done()) {
    env.out << "\nmore entries: add --from=" << list.next_index()
            << " for the next page, or --all for every page\n";
  }
}

void AddEntries(CLI::App& audit, Command* selected) {
  CLI::App* entries = audit.add_subcommand(
      "entries",
      "List log entries in [--from, --to) in index order, optionally only "
      "those of one user, action or object");
  entries->footer(
      "Each entry shown is decoded here from the bytes the log hashed; a\n"
      "node that sends a decoded copy saying anything else is refused\n"
      "(DATA_LOSS). Listing entries proves nothing more by itself: to hold\n"
      "the node to its log, check an entry with `pwx audit proof inclusion\n"
      "--index I`, or export and verify the whole log.");
  auto flags = std::make_shared<EntriesFlags>();
  entries->add_option("--from", flags->from, "First index (default 0)");
  entries->add_option("--to", flags->to,
                      "Index to stop before; 0 means the log's current size "
                      "(default 0)");
  entries->add_option("--user", flags->user,
                      "Only entries by this user (certificate CN, or node)");
  entries->add_option("--action", flags->action,
                      "Only entries with this action, e.g. case.read");
  entries->add_option("--object", flags->object,
                      "Only entries about this object, e.g. a case id");
  entries->add_flag("--all", flags->all,
                    "Fetch every page, not just the first");
  entries->callback([selected, flags] {
    *selected = [flags](CommandEnv& env) -> absl::Status {
      if (flags->to != 0 && flags->to <= flags->from) {
        return UsageError(absl::StrCat("--to (", flags->to,
                                       ") must be larger than --from (",
                                       flags->from, ")"));
      }
      pwx::v1::ListEntriesRequest request;
      request.set_from_index(flags->from);
      request.set_to_index(flags->to);
      request.set_user(flags->user);
      request.set_action(flags->action);
      request.set_object_id(flags->object);
      absl::StatusOr<AuditClient> client = ConnectAudit(env);
      if (!client.ok()) return client.status();
      absl::StatusOr<pwx::v1::ListEntriesResponse> list;
      if (flags->all) {
        request.set_page_size(kEntriesPageSize);
        list = client->ListAllEntries(request);
      } else {
        list = client->ListEntries(request);
      }
      if (!list.ok()) return list.status();
      if (absl::Status s = ShowLoggedBytes(list->mutable_entries()); !s.ok()) {
        return s;
      }
      PrintEntries(*list, flags->all, env);
      return absl::OkStatus();
    };
  });
}

// "pwx delimited" framing: the record's length as a base-128 varint.
void AppendVarint(uint64_t value, std::string* out) {
  while (value >= 0x80) {
    out->push_back(static_cast<char>((value & 0x7f) | 0x80));
    value >>= 7;
  }
  out->push_back(static_cast<char>(value));
}

struct ExportCounts {
  uint64_t records = 0;
  uint64_t entries = 0;
  uint64_t tree_heads = 0;
  uint64_t bytes = 0;
};

absl::Status Export(const std::string& path, bool force, CommandEnv& env) {
  absl::StatusOr<std::unique_ptr<StagedFile>> file =
      StagedFile::Create(path, force);
  if (!file.ok()) return file.status();
  absl::StatusOr<AuditClient> client = ConnectAudit(env);
  if (!client.ok()) return client.status();

  ProgressBar bar(env.err, env.err_is_terminal, "export");
  ExportCounts counts;
  uint64_t total = 0;
  std::string buffer;
  std::string bytes;
  absl::Status status = client->ExportLog(
      [&](const pwx::v1::LogExportRecord& record) -> absl::Status {
        if (counts.records == 0 && !record.has_header()) {
          return absl::DataLossError(
              "the node's export does not start with a header");
        }
        ++counts.records;
        if (record.has_header()) total = record.header().entry_count();
        if (record.has_tree_head()) ++counts.tree_heads;
        if (record.has_entry()) {
          ++counts.entries;
          bar.Update(counts.entries, total);
        }
        bytes.clear();
        if (!record.SerializeToString(&bytes)) {
          return absl::InternalError("cannot serialize an export record");
        }
        AppendVarint(bytes.size(), &buffer);
        buffer += bytes;
        if (buffer.size() >= kExportFlushBytes) {
          counts.bytes += buffer.size();
          absl::Status written = (*file)->Append(buffer);
          buffer.clear();
          return written;
        }
        return absl::OkStatus();
      });
  if (status.ok() && counts.records == 0) {
    status = absl::DataLossError("the node sent an empty export");
  }
  if (status.ok()) {
    counts.bytes += buffer.size();
    status = (*file)->Append(buffer);
  }
  if (status.ok()) status = (*file)->Commit();
  bar.Finish();
  if (!status.ok()) return status;

  if (env.format == OutputFormat::kJson) {
    nlohmann::json document = {{"path", path},
                               {"entries", counts.entries},
                               {"tree_heads", counts.tree_heads},
                               {"bytes", counts.bytes}};
    env.out << document.dump(2, ' ', false,
                             nlohmann::json::error_handler_t::replace)
            << '\n';
    return absl::OkStatus();
  }
  env.out << "wrote " << CleanText(path) << ": " << counts.entries
          << " entries, " << counts.tree_heads << " signed tree heads ("
          << counts.bytes << " bytes); check it with `pwx audit verify "
          << CleanText(path) << "`\n";
  return absl::OkStatus();
}

void AddExport(CLI::App& audit, Command* selected) {
  CLI::App* command = audit.add_subcommand(
      "export",
      "Download the whole log up to the latest signed tree head into FILE, "
      "with the heads and the certificates that signed them");
  command->footer(
      "FILE is a sequence of length-delimited LogExportRecord messages\n"
      "(proto/pwx/v1/audit_service.proto): a header, the signing\n"
      "certificates, then every entry in index order with each signed tree\n"
      "head right after the entry that completes it. It is written under a\n"
      "temporary name and appears only when complete. Anyone can check it\n"
      "offline with `pwx audit verify FILE`.");
  auto path = std::make_shared<std::string>();
  auto force = std::make_shared<bool>(false);
  command->add_option("FILE", *path, "Where to write the export")->required();
  command->add_flag("--force", *force, "Overwrite FILE if it exists");
  command->callback([selected, path, force] {
    *selected = [path, force](CommandEnv& env) -> absl::Status {
      if (path->empty()) return UsageError("FILE must not be empty");
      return Export(*path, *force, env);
    };
  });
}

}  // namespace

absl::StatusOr<AuditClient> ConnectAudit(CommandEnv& env) {
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = env.connect();
  if (!channel.ok()) return channel.status();
  return AuditClient(*std::move(channel), env.timeout);
}

void AddAuditCommands(CLI::App& app, Command* selected) {
  CLI::App* audit = app.add_subcommand(
      "audit",
      "Inspect and verify the node's tamper-evident audit log (auditors)");
  audit->require_subcommand(1);
  audit->footer(kAuditFooter);
  AddHead(*audit, selected);
  AddEntries(*audit, selected);
  AddAuditProofCommands(*audit, selected);
  AddAuditReceiptsCommand(*audit, selected);
  AddExport(*audit, selected);
  AddAuditVerifyCommand(*audit, selected);
}

void AddAccessLogCommand(CLI::App& app, Command* selected) {
  CLI::App* command = app.add_subcommand(
      "access-log",
      "Who read or changed a case's data, and when, from the audit log "
      "(auditors)");
  command->footer(
      "Lists the audit log entries about the case, oldest first: reads of\n"
      "its personal data (case.read, case.attachment.read, and case.list\n"
      "pages that showed it) and changes (case.create, case.update,\n"
      "case.note, case.attach). To prove an entry is in the signed log, use\n"
      "`pwx audit proof inclusion`.");
  auto case_id = std::make_shared<std::string>();
  command
      ->add_option("--case", *case_id, "The case id, e.g. FR-DGT-2026-000001")
      ->required();
  command->callback([selected, case_id] {
    *selected = [case_id](CommandEnv& env) -> absl::Status {
      if (case_id->empty()) return UsageError("--case must not be empty");
      absl::StatusOr<AuditClient> client = ConnectAudit(env);
      if (!client.ok()) return client.status();
      absl::StatusOr<pwx::v1::GetAccessLogResponse> log =
          client->GetAccessLog(*case_id);
      if (!log.ok()) return log.status();
      if (absl::Status s = ShowLoggedBytes(log->mutable_entries()); !s.ok()) {
        return s;
      }
      if (env.format == OutputFormat::kJson) {
        env.out << ToJson(*log);
        return absl::OkStatus();
      }
      if (log->entries_size() == 0) {
        env.out << "no entries for case " << CleanText(*case_id) << '\n';
        return absl::OkStatus();
      }
      std::vector<std::vector<std::string>> rows;
      for (const pwx::v1::LoggedEntry& e : log->entries()) {
        rows.push_back({absl::StrCat(e.index()), EntryTime(e), e.entry().user(),
                        e.entry().action()});
      }
      PrintTable({"INDEX", "TIME", "USER", "ACTION"}, std::move(rows), env.out);
      return absl::OkStatus();
    };
  });
}

}  // namespace pwx::client::internal
