// `pwx audit proof inclusion|consistency`: proofs fetched from the node and
// verified locally, so the node is trusted for nothing but its signature.
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
#include "server/domain/merkle.h"

namespace pwx::client::internal {
namespace {

absl::string_view AbslView(const std::string& text) {
  return absl::string_view(text.data(), text.size());
}

// A 32-byte hash the node sent; DATA_LOSS naming `what` otherwise.
absl::StatusOr<domain::Hash> ReceivedHash(const std::string& what,
                                          const std::string& bytes) {
  absl::StatusOr<domain::Hash> hash =
      domain::HashFromBytes(AbslView(what), AbslView(bytes));
  if (!hash.ok()) {
    return absl::DataLossError(
        absl::StrCat("the node sent a ", what, " that is not 32 bytes"));
  }
  return hash;
}

absl::StatusOr<std::vector<domain::Hash>> ReceivedPath(
    const google::protobuf::RepeatedPtrField<std::string>& hashes) {
  std::vector<domain::Hash> path;
  path.reserve(static_cast<size_t>(hashes.size()));
  for (const std::string& bytes : hashes) {
    absl::StatusOr<domain::Hash> hash = ReceivedHash("proof hash", bytes);
    if (!hash.ok()) return hash.status();
    path.push_back(*hash);
  }
  return path;
}

// Compares `root` of a tree of `size` entries with the latest signed tree
// head (whose signature is checked). Returns the sentence to print, or
// DATA_LOSS when the signed head has the same size and another root.
absl::StatusOr<std::string> CompareWithSignedHead(const AuditClient& client,
                                                  uint64_t size,
                                                  const std::string& root) {
  absl::StatusOr<pwx::v1::GetTreeHeadResponse> head = client.GetTreeHead();
  if (!head.ok()) return head.status();
  if (!head->has_latest())
    return std::string("the node has signed no head yet");
  const pwx::v1::SignedTreeHead& latest = head->latest();
  absl::Status signature =
      VerifyTreeHeadSignature(latest, head->signer_certificate_pem());
  if (!signature.ok()) return signature;
  if (latest.tree_size() != size) {
    return absl::StrCat("the latest signed tree head has size ",
                        latest.tree_size(), ", not ", size,
                        "; compare the root with a signed head you hold");
  }
  if (latest.root_hash() != root) {
    return absl::DataLossError(
        absl::StrCat("the proof's root for size ", size,
                     " differs from the latest signed tree head's root ",
                     BytesToHex(latest.root_hash())));
  }
  return absl::StrCat("the root is the latest signed tree head's (",
                      latest.authority_id(), ", signed ",
                      FormatTime(latest.timestamp()), ")");
}

void PrintPath(const google::protobuf::RepeatedPtrField<std::string>& hashes,
               std::ostream& out) {
  out << "path (" << hashes.size() << " hashes):\n";
  for (const std::string& hash : hashes)
    out << "  " << BytesToHex(hash) << '\n';
}

absl::Status Inclusion(uint64_t index, uint64_t size, CommandEnv& env) {
  absl::StatusOr<AuditClient> client = ConnectAudit(env);
  if (!client.ok()) return client.status();
  absl::StatusOr<pwx::v1::InclusionProof> proof =
      client->GetInclusionProof(index, size);
  if (!proof.ok()) return proof.status();
  if (proof->index() != index || (size != 0 && proof->tree_size() != size)) {
    return absl::DataLossError(
        absl::StrCat("asked for entry ", index, " in a tree of size ", size,
                     ", the node proved entry ", proof->index(), " in size ",
                     proof->tree_size()));
  }

  // The leaf must be the hash of the entry's logged bytes, not just any
  // hash the node chose.
  pwx::v1::ListEntriesRequest request;
  request.set_from_index(index);
  request.set_to_index(index + 1);
  request.set_page_size(1);
  absl::StatusOr<pwx::v1::ListEntriesResponse> entries =
      client->ListEntries(request);
  if (!entries.ok()) return entries.status();
  if (entries->entries_size() != 1 || entries->entries(0).index() != index) {
    return absl::DataLossError(
        absl::StrCat("the node did not return entry ", index));
  }
  const domain::Hash leaf =
      domain::LeafHash(AbslView(entries->entries(0).entry_bytes()));
  if (domain::HashBytes(leaf) != AbslView(proof->leaf_hash())) {
    return absl::DataLossError(absl::StrCat(
        "the proof's leaf hash is not the hash of entry ", index, "'s bytes"));
  }

  absl::StatusOr<std::vector<domain::Hash>> path =
      ReceivedPath(proof->hashes());
  if (!path.ok()) return path.status();
  absl::StatusOr<domain::Hash> root =
      ReceivedHash("root hash", proof->root_hash());
  if (!root.ok()) return root.status();
  absl::Status verified =
      domain::VerifyInclusion(leaf, index, proof->tree_size(), *path, *root);
  if (!verified.ok()) {
    return absl::DataLossError(absl::StrCat(
        "inclusion proof of entry ", index, " in the tree of size ",
        proof->tree_size(), " does not verify: ", verified.message()));
  }
  absl::StatusOr<std::string> head =
      CompareWithSignedHead(*client, proof->tree_size(), proof->root_hash());
  if (!head.ok()) return head.status();

  if (env.format == OutputFormat::kJson) {
    env.out << ToJson(*proof);
    return absl::OkStatus();
  }
  env.out << "entry " << index << " is in the tree of " << proof->tree_size()
          << " entries\n";
  PrintFields({{"leaf hash", BytesToHex(proof->leaf_hash())},
               {"root hash", BytesToHex(proof->root_hash())}},
              env.out);
  PrintPath(proof->hashes(), env.out);
  env.out << "verified: the path leads from entry " << index
          << "'s bytes to the root\n"
          << "signed head: " << *head << '\n';
  return absl::OkStatus();
}

absl::Status Consistency(uint64_t from, uint64_t to, CommandEnv& env) {
  absl::StatusOr<AuditClient> client = ConnectAudit(env);
  if (!client.ok()) return client.status();
  absl::StatusOr<pwx::v1::ConsistencyProof> proof =
      client->GetConsistencyProof(from, to);
  if (!proof.ok()) return proof.status();
  if (proof->from_size() != from || (to != 0 && proof->to_size() != to)) {
    return absl::DataLossError(
        absl::StrCat("asked for sizes ", from, " to ", to, ", the node proved ",
                     proof->from_size(), " to ", proof->to_size()));
  }
  absl::StatusOr<std::vector<domain::Hash>> path =
      ReceivedPath(proof->hashes());
  if (!path.ok()) return path.status();
  absl::StatusOr<domain::Hash> from_root =
      ReceivedHash("old root hash", proof->from_root());
  if (!from_root.ok()) return from_root.status();
  absl::StatusOr<domain::Hash> to_root =
      ReceivedHash("new root hash", proof->to_root());
  if (!to_root.ok()) return to_root.status();
  absl::Status verified = domain::VerifyConsistency(
      proof->from_size(), proof->to_size(), *from_root, *to_root, *path);
  if (!verified.ok()) {
    return absl::DataLossError(absl::StrCat(
        "consistency proof from size ", proof->from_size(), " to ",
        proof->to_size(), " does not verify: ", verified.message()));
  }
  absl::StatusOr<std::string> head =
      CompareWithSignedHead(*client, proof->to_size(), proof->to_root());
  if (!head.ok()) return head.status();

  if (env.format == OutputFormat::kJson) {
    env.out << ToJson(*proof);
    return absl::OkStatus();
  }
  env.out << "the tree of " << proof->to_size()
          << " entries extends the tree of " << proof->from_size()
          << " entries\n";
  PrintFields({{"old root", BytesToHex(proof->from_root())},
               {"new root", BytesToHex(proof->to_root())}},
              env.out);
  PrintPath(proof->hashes(), env.out);
  env.out << "verified: the old tree is a prefix of the new one\n"
          << "signed head: " << *head << '\n'
          << "compare the old root with a signed head of size "
          << proof->from_size() << " you kept\n";
  return absl::OkStatus();
}

void AddInclusion(CLI::App& proof, Command* selected) {
  CLI::App* command = proof.add_subcommand(
      "inclusion",
      "Prove that entry --index is in the tree of --size entries, and verify "
      "the proof here");
  command->footer(
      "Fetches the entry and its audit path (RFC 9162 2.1.3), checks that the\n"
      "leaf is the hash of the entry's bytes and that the path leads to the\n"
      "root, and says whether that root is the latest signed tree head's.\n"
      "Passing proves the node committed to the entry in a signed head: it\n"
      "can no longer remove or change it unnoticed. Fails with DATA_LOSS when\n"
      "the proof does not verify.");
  auto index = std::make_shared<uint64_t>(0);
  auto size = std::make_shared<uint64_t>(0);
  command->add_option("--index", *index, "The entry's index")->required();
  command->add_option("--size", *size,
                      "Tree size to prove against; 0 means the latest "
                      "signed head's (default 0)");
  command->callback([selected, index, size] {
    *selected = [index, size](CommandEnv& env) -> absl::Status {
      if (*size != 0 && *index >= *size) {
        return UsageError(absl::StrCat("--index (", *index,
                                       ") must be smaller than --size (", *size,
                                       ")"));
      }
      return Inclusion(*index, *size, env);
    };
  });
}

void AddConsistency(CLI::App& proof, Command* selected) {
  CLI::App* command = proof.add_subcommand(
      "consistency",
      "Prove that the tree of --to entries extends the tree of --from "
      "entries, and verify the proof here");
  command->footer(
      "Fetches a consistency proof (RFC 9162 2.1.4) and checks it: the first\n"
      "--from entries are unchanged in the larger tree, so nothing the node\n"
      "logged before was rewritten or removed. It proves this for the old\n"
      "root the node states: compare that with a signed tree head of size\n"
      "--from you kept (`pwx audit head`). Fails with DATA_LOSS when the\n"
      "proof does not verify.");
  auto from = std::make_shared<uint64_t>(0);
  auto to = std::make_shared<uint64_t>(0);
  command->add_option("--from", *from, "The earlier tree size")->required();
  command->add_option("--to", *to,
                      "The later tree size; 0 means the latest signed "
                      "head's (default 0)");
  command->callback([selected, from, to] {
    *selected = [from, to](CommandEnv& env) -> absl::Status {
      if (*to != 0 && *from > *to) {
        return UsageError(absl::StrCat(
            "--from (", *from, ") must not be larger than --to (", *to, ")"));
      }
      return Consistency(*from, *to, env);
    };
  });
}

}  // namespace

void AddAuditProofCommands(CLI::App& audit, Command* selected) {
  CLI::App* proof = audit.add_subcommand(
      "proof", "Fetch an inclusion or consistency proof and verify it locally");
  proof->require_subcommand(1);
  AddInclusion(*proof, selected);
  AddConsistency(*proof, selected);
}

}  // namespace pwx::client::internal
