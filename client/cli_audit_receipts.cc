// `pwx audit receipts --peer ID`: the signed receipts a peer returned for
// this node's envelopes, each batch checked here against the peer's
// signing certificate, so the evidence does not rest on this node's word.
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "client/audit_verify.h"
#include "client/case_client.h"
#include "client/cli_internal.h"
#include "client/output.h"

namespace pwx::client::internal {
namespace {

// Batches per page when --all fetches every page.
constexpr uint32_t kReceiptsPageSize = 1000;

struct ReceiptsFlags {
  std::string peer;
  uint64_t from = 0;
  bool all = false;
};

// Every page from `request.from_sequence` on when `all`, else one.
absl::StatusOr<pwx::v1::ListReceiptsResponse> FetchReceipts(
    const AuditClient& client, pwx::v1::ListReceiptsRequest request, bool all) {
  if (!all) return client.ListReceipts(request);
  request.set_page_size(kReceiptsPageSize);
  pwx::v1::ListReceiptsResponse merged;
  while (true) {
    absl::StatusOr<pwx::v1::ListReceiptsResponse> page =
        client.ListReceipts(request);
    if (!page.ok()) return page.status();
    for (pwx::v1::DeliverResponse& batch : *page->mutable_batches()) {
      *merged.add_batches() = std::move(batch);
    }
    for (const auto& [sha256, pem] : page->certificates()) {
      (*merged.mutable_certificates())[sha256] = pem;
    }
    if (page->next_sequence() == 0) return merged;
    if (page->next_sequence() <= request.from_sequence()) {
      return absl::InternalError(absl::StrCat(
          "the node's next page starts at sequence ", page->next_sequence(),
          ", not after ", request.from_sequence()));
    }
    request.set_from_sequence(page->next_sequence());
  }
}

absl::Status ShowReceipts(const ReceiptsFlags& flags, CommandEnv& env) {
  absl::StatusOr<AuditClient> client = ConnectAudit(env);
  if (!client.ok()) return client.status();
  pwx::v1::ListReceiptsRequest request;
  request.set_peer(flags.peer);
  request.set_from_sequence(flags.from);
  absl::StatusOr<pwx::v1::ListReceiptsResponse> list =
      FetchReceipts(*client, request, flags.all);
  if (!list.ok()) return list.status();

  // Every batch is checked; the first failure decides the exit status.
  absl::Status first_failure;
  std::vector<std::vector<std::string>> rows;
  for (const pwx::v1::DeliverResponse& batch : list->batches()) {
    const absl::Status check =
        VerifyReceiptBatch(batch, flags.peer, list->certificates());
    if (!check.ok() && first_failure.ok()) {
      const uint64_t sequence =
          batch.receipts().empty() ? 0 : batch.receipts(0).sequence();
      first_failure = absl::Status(
          check.code(),
          absl::StrCat("receipts from ", flags.peer, ", batch from sequence ",
                       sequence, ": ", check.message()));
    }
    const pwx::v1::SignedTreeHead& head = batch.tree_head();
    for (const pwx::v1::Receipt& receipt : batch.receipts()) {
      std::string verdict = "verified";
      if (!check.ok()) {
        verdict = absl::IsNotFound(check) ? "UNCHECKED: certificate not held"
                                          : "FAILED";
      } else if (receipt.duplicate()) {
        verdict = "verified (redelivery)";
      }
      rows.push_back({absl::StrCat(receipt.sequence()), receipt.message_id(),
                      BytesToHex(receipt.body_sha256()),
                      absl::StrCat(receipt.audit_index()),
                      absl::StrCat(head.tree_size()),
                      FormatTime(head.timestamp()), verdict});
    }
  }
  if (env.format == OutputFormat::kJson) {
    env.out << ToJson(*list);
  } else if (rows.empty()) {
    env.out << "no receipts from " << CleanText(flags.peer)
            << (flags.from > 1 ? absl::StrCat(" from sequence ", flags.from)
                               : std::string())
            << '\n';
  } else {
    PrintTable({"SEQ", "MESSAGE ID", "ENVELOPE SHA256", "PEER ENTRY",
                "PEER HEAD", "HEAD SIGNED AT", "CHECK"},
               std::move(rows), env.out);
    if (!flags.all && list->next_sequence() != 0) {
      env.out << "\nmore receipts: add --from=" << list->next_sequence()
              << " for the next page, or --all for every page\n";
    }
  }
  return first_failure;
}

}  // namespace

void AddAuditReceiptsCommand(CLI::App& audit, Command* selected) {
  CLI::App* command = audit.add_subcommand(
      "receipts",
      "Show the signed receipts a peer returned for this node's envelopes, "
      "each batch checked against the peer's signing certificate");
  command->footer(
      "A receipt is a peer's signed statement that it received an envelope\n"
      "(SEQ, MESSAGE ID, the SHA-256 of its signed body) and recorded it as\n"
      "entry PEER ENTRY of its own audit log, within the tree head of PEER\n"
      "HEAD entries it signed at the time shown. pwx checks here that the\n"
      "head and the batch are signed by the certificate the head names (the\n"
      "peer's, kept by this node even after the peer is removed) and that\n"
      "each entry lies inside the head. Receipts are listed in sequence\n"
      "order, one page (100 batches) at a time. Exit status 0 when every\n"
      "batch shown verifies, 1 otherwise. --output json prints the batches\n"
      "as the peer signed them, with the certificates, for a third party.");
  auto flags = std::make_shared<ReceiptsFlags>();
  command
      ->add_option("--peer", flags->peer,
                   "The peer's authority id, e.g. PL-PIP")
      ->required();
  command->add_option("--from", flags->from,
                      "Start at the batch that begins at this sequence number "
                      "or later (default: the first)");
  command->add_flag("--all", flags->all,
                    "Fetch every page, not just the first");
  command->callback([selected, flags] {
    *selected = [flags](CommandEnv& env) -> absl::Status {
      if (flags->peer.empty()) return UsageError("--peer must not be empty");
      return ShowReceipts(*flags, env);
    };
  });
}

}  // namespace pwx::client::internal
