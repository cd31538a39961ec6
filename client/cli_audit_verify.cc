// `pwx audit verify FILE [--signer SHA256]... [--trust CERT]...`: checks an
// export offline, and whose key signed it.
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "client/audit_verify.h"
#include "client/cli_internal.h"
#include "client/output.h"
#include "client/progress_bar.h"
#include "nlohmann/json.hpp"

namespace pwx::client::internal {
namespace {

struct VerifyFlags {
  std::string path;
  std::vector<std::string> signers;
  std::vector<std::string> trust_files;
};

// The fingerprints the auditor trusts, from --signer and --trust; a usage
// error naming the flag for a malformed one.
absl::StatusOr<std::set<std::string>> TrustedSigners(const VerifyFlags& flags) {
  std::set<std::string> trusted;
  for (const std::string& signer : flags.signers) {
    std::optional<std::string> sha256 = NormalizeSha256Fingerprint(signer);
    if (!sha256.has_value()) {
      return UsageError(absl::StrCat(
          "--signer: '", CleanText(signer),
          "' is not a SHA-256 fingerprint (64 hex digits, colons between "
          "pairs allowed)"));
    }
    trusted.insert(*std::move(sha256));
  }
  for (const std::string& path : flags.trust_files) {
    absl::StatusOr<std::string> pem = ReadInputFile("--trust", path);
    if (!pem.ok()) return pem.status();
    absl::StatusOr<std::vector<std::string>> fingerprints =
        CertificateFingerprints(*pem);
    if (!fingerprints.ok()) {
      return UsageError(absl::StrCat("--trust: ", CleanText(path), " ",
                                     fingerprints.status().message()));
    }
    trusted.insert(fingerprints->begin(), fingerprints->end());
  }
  return trusted;
}

void PrintSigners(const AuditVerifyResult& result, std::ostream& out) {
  if (result.signers.empty()) return;
  std::vector<std::vector<std::string>> rows;
  for (const AuditSigner& signer : result.signers) {
    rows.push_back({signer.sha256, absl::StrCat(signer.tree_heads),
                    absl::StrCat(signer.first_size, "..", signer.last_size),
                    !result.signers_checked ? "not checked"
                    : signer.trusted        ? "yes"
                                            : "NO"});
  }
  PrintTable(
      {"SIGNER (SHA-256 OF ITS CERTIFICATE)", "HEADS", "SIZES", "TRUSTED"},
      std::move(rows), out);
  if (!result.signers_checked) {
    out << "not checked: the file proves that its log matches these keys, "
           "not whose keys they are;\n"
           "pass --signer SHA256 or --trust CERT to require the key the "
           "node's coordinator published\n";
  }
}

nlohmann::json SignersJson(const AuditVerifyResult& result) {
  nlohmann::json signers = nlohmann::json::array();
  for (const AuditSigner& signer : result.signers) {
    signers.push_back({{"sha256", signer.sha256},
                       {"tree_heads", signer.tree_heads},
                       {"first_size", signer.first_size},
                       {"last_size", signer.last_size},
                       {"trusted", signer.trusted}});
  }
  return signers;
}

absl::Status Verify(const VerifyFlags& flags, CommandEnv& env) {
  AuditVerifyOptions options;
  absl::StatusOr<std::set<std::string>> trusted = TrustedSigners(flags);
  if (!trusted.ok()) return trusted.status();
  options.trusted_signers = *std::move(trusted);
  ProgressBar bar(env.err, env.err_is_terminal, "verify");
  options.progress = [&bar](uint64_t done, uint64_t total) {
    bar.Update(done, total);
  };
  absl::StatusOr<AuditVerifyResult> result =
      VerifyAuditExportFile(flags.path, options);
  bar.Finish();
  if (!result.ok()) return result.status();
  if (env.format == OutputFormat::kJson) {
    nlohmann::json document = {
        {"ok", result->ok},
        {"entries", result->entries},
        {"tree_heads", result->tree_heads},
        {"authority", result->authority},
        {"root", result->root_hex},
        {"signers", SignersJson(*result)},
        {"signers_checked", result->signers_checked},
        {"error", result->error},
        {"entry_index", nullptr},
    };
    if (result->entry_index.has_value()) {
      document["entry_index"] = *result->entry_index;
    }
    env.out << document.dump(2, ' ', false,
                             nlohmann::json::error_handler_t::replace)
            << '\n';
  } else {
    if (result->ok) {
      env.out << "OK: " << result->entries << " entries, " << result->tree_heads
              << " signed tree heads verified (authority "
              << CleanText(result->authority) << ", root " << result->root_hex
              << ")\n";
    }
    PrintSigners(*result, env.out);
  }
  if (!result->ok) return absl::DataLossError(result->error);
  return absl::OkStatus();
}

}  // namespace

void AddAuditVerifyCommand(CLI::App& audit, Command* selected) {
  CLI::App* command = audit.add_subcommand(
      "verify",
      "Check an export offline: recompute the Merkle tree from the entries "
      "and verify every signed tree head, and whose key signed them; needs "
      "no node and no connection settings");
  command->footer(
      "Checks that entries are numbered 0, 1, 2, ... without gaps; that each\n"
      "entry's decoded form matches its logged bytes in every field; that\n"
      "the root computed from the entries equals each signed tree head's\n"
      "root; that every head is signed by the certificate it names, carried\n"
      "in the file, and dated no earlier than the head before it; and that\n"
      "the file is complete. The first problem is reported with the index of\n"
      "the entry at fault, or the range of entries between two heads when an\n"
      "entry was altered consistently. Exit status 0 when the export is\n"
      "intact, 1 otherwise.\n"
      "\n"
      "The file proves that the log matches the keys that signed it, not\n"
      "whose keys they are: verify prints each signer's fingerprint (the\n"
      "SHA-256 of its certificate's DER, as `pwx audit head` shows it), and\n"
      "with --signer or --trust fails unless every head is signed by a key\n"
      "you trust. After a key rotation the export holds heads of both keys:\n"
      "trust both (repeat the flag), or the older heads fail.");
  auto flags = std::make_shared<VerifyFlags>();
  command
      ->add_option("FILE", flags->path,
                   "An export written by `pwx audit export`")
      ->required();
  command->add_option(
      "--signer", flags->signers,
      "SHA-256 fingerprint of a certificate trusted to sign the node's tree "
      "heads, as the node's coordinator published it (64 hex digits; "
      "`openssl x509 -noout -fingerprint -sha256` form accepted); "
      "repeatable");
  command->add_option("--trust", flags->trust_files,
                      "PEM file of certificates trusted to sign the node's "
                      "tree heads (each certificate in it counts); "
                      "repeatable");
  command->callback([selected, flags] {
    *selected = [flags](CommandEnv& env) -> absl::Status {
      return Verify(*flags, env);
    };
  });
}

}  // namespace pwx::client::internal
