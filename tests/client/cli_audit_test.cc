// `pwx audit ...` and `pwx access-log` against a FakeAuditService serving a
// log built in the test.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cctype>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "client/audit_verify.h"
#include "nlohmann/json.hpp"
#include "tests/client/audit_export_builder.h"
#include "tests/client/cli_fixture.h"
#include "tests/testing/test_pki.h"

namespace pwx::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::SizeIs;
using ::testing::StartsWith;

constexpr uint64_t kEntries = 300;

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

class CliAuditTest : public CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    records_ = builder().Build(kEntries, 100);
    audit().SetExport(records_);
  }

  static const AuditExportBuilder& builder() {
    static const AuditExportBuilder* const builder = new AuditExportBuilder();
    return *builder;
  }

  FakeAuditService& audit() { return node_->audit(); }

  std::string LatestRootHex() const {
    return client::BytesToHex(records_.back().tree_head().root_hash());
  }

  std::vector<pwx::v1::LogExportRecord> records_;
};

TEST_F(CliAuditTest, HeadPrintsTheVerifiedSignedHead) {
  const CliResult result = Run({"audit", "head"});

  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr("authority:     FR-DGT\n"));
  EXPECT_THAT(result.out, HasSubstr("tree size:     300\n"));
  EXPECT_THAT(result.out, HasSubstr("root hash:     " + LatestRootHex()));
  EXPECT_THAT(result.out,
              HasSubstr("signature:     verified with the signer certificate"));
  EXPECT_THAT(result.err, IsEmpty());
}

TEST_F(CliAuditTest, HeadJsonIsTheResponse) {
  const CliResult result = Run({"--output", "json", "audit", "head"});

  ASSERT_EQ(result.exit_code, 0) << result.err;
  const nlohmann::json json = nlohmann::json::parse(result.out);
  EXPECT_EQ(json["latest"]["treeSize"], "300");
  EXPECT_EQ(json["currentSize"], "300");
}

TEST_F(CliAuditTest, HeadWithABadSignatureFails) {
  records_.back().mutable_tree_head()->mutable_signature()->back() ^= 0x01;
  audit().SetExport(records_);

  const CliResult result = Run({"audit", "head"});

  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.err, StartsWith("pwx: DATA_LOSS: tree head for size 300"));
}

TEST_F(CliAuditTest, EntriesPrintsOnePageWithAHint) {
  const CliResult result = Run({"audit", "entries", "--from", "10"});

  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out, StartsWith("INDEX  TIME"));
  EXPECT_THAT(result.out, HasSubstr("\n10     2026-01-01 00:00:10 UTC  bob"));
  EXPECT_THAT(result.out, HasSubstr("add --from=110 for the next page"));
  ASSERT_THAT(audit().seen().lists, SizeIs(1));
  EXPECT_THAT(audit().seen().lists[0], EqualsProto("from_index: 10"));
}

TEST_F(CliAuditTest, EntriesAllWithFiltersFetchesEveryPage) {
  const CliResult result =
      Run({"--output", "json", "audit", "entries", "--all", "--user", "alice",
           "--action", "case.read", "--to", "250"});

  ASSERT_EQ(result.exit_code, 0) << result.err;
  const nlohmann::json json = nlohmann::json::parse(result.out);
  // alice is index % 3 == 0, case.read index % 4 == 0: every 12th below 250.
  EXPECT_EQ(json["entries"].size(), 21u);
  EXPECT_EQ(json["done"], true);
  ASSERT_THAT(audit().seen().lists, SizeIs(1));
  EXPECT_THAT(audit().seen().lists[0],
              EqualsProto("to_index: 250 user: 'alice' action: 'case.read' "
                          "page_size: 1000"));
}

TEST_F(CliAuditTest, EntriesShowOnlyWhatTheLoggedBytesSay) {
  // The node adds a case to what entry 11 (a list page) showed.
  records_[2 + 11].mutable_entry()->mutable_entry()->add_object_ids(
      "FR-DGT-2026-999999");
  audit().SetExport(records_);

  const CliResult list =
      Run({"--output", "json", "audit", "entries", "--from", "10"});
  EXPECT_EQ(list.exit_code, 1);
  EXPECT_EQ(list.out, "");
  EXPECT_THAT(list.err,
              StartsWith("pwx: DATA_LOSS: entry 11: the decoded entry the "
                         "node sent differs from the logged entry bytes"));

  // ...and blames someone else for entry 157, which its bytes say bob wrote.
  records_ = builder().Build(kEntries, 100);
  records_[2 + 157 + 1].mutable_entry()->mutable_entry()->set_user("mallory");
  audit().SetExport(records_);
  const CliResult access = Run({"access-log", "--case", "FR-DGT-2026-100007"});
  EXPECT_EQ(access.exit_code, 1);
  EXPECT_THAT(access.err, StartsWith("pwx: DATA_LOSS: entry 157: the decoded"));
}

TEST_F(CliAuditTest, InclusionProofIsVerifiedAgainstTheSignedHead) {
  const CliResult result = Run({"audit", "proof", "inclusion", "--index", "7"});

  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out, StartsWith("entry 7 is in the tree of 300 entries"));
  EXPECT_THAT(result.out, HasSubstr("root hash:  " + LatestRootHex()));
  EXPECT_THAT(result.out, HasSubstr("verified: the path leads from entry 7"));
  EXPECT_THAT(result.out,
              HasSubstr("the root is the latest signed tree head's (FR-DGT"));
}

TEST_F(CliAuditTest, InclusionProofAtAnOlderSizeSaysSo) {
  const CliResult result = Run({"--output", "json", "audit", "proof",
                                "inclusion", "--index", "7", "--size", "50"});

  ASSERT_EQ(result.exit_code, 0) << result.err;
  const nlohmann::json json = nlohmann::json::parse(result.out);
  EXPECT_EQ(json["treeSize"], "50");
  EXPECT_EQ(json["index"], "7");
}

TEST_F(CliAuditTest, WrongInclusionProofFailsWithDataLoss) {
  audit().CorruptProofs();

  const CliResult result = Run({"audit", "proof", "inclusion", "--index", "7"});

  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.err,
              StartsWith("pwx: DATA_LOSS: inclusion proof of entry 7 in the "
                         "tree of size 300 does not verify"));
  EXPECT_THAT(result.out, IsEmpty());
}

TEST_F(CliAuditTest, ConsistencyProofIsVerified) {
  const CliResult result =
      Run({"audit", "proof", "consistency", "--from", "100"});

  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out,
              StartsWith("the tree of 300 entries extends the tree of 100"));
  EXPECT_THAT(result.out, HasSubstr("verified: the old tree is a prefix"));
  EXPECT_THAT(result.out, HasSubstr("latest signed tree head's"));

  audit().CorruptProofs();
  const CliResult bad = Run({"audit", "proof", "consistency", "--from", "100"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_THAT(bad.err, StartsWith("pwx: DATA_LOSS: consistency proof"));
}

TEST_F(CliAuditTest, ExportWritesExactlyTheStreamedRecords) {
  const std::string path = node_->dir() + "/log.pwxa";

  const CliResult result = Run({"audit", "export", path});

  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(ReadAll(path), SerializeExport(records_));
  EXPECT_THAT(result.out,
              StartsWith("wrote " + path + ": 300 entries, 3 signed tree"));
  EXPECT_THAT(result.err, IsEmpty());

  const CliResult again = Run({"audit", "export", path});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_THAT(again.err, HasSubstr("exists; pass --force"));
  EXPECT_EQ(Run({"audit", "export", "--force", path}).exit_code, 0);
}

TEST_F(CliAuditTest, VerifyNeedsNoConnectionSettings) {
  const std::string path =
      WriteFile(node_->dir(), "log.pwxa", SerializeExport(records_));
  env_.clear();

  const CliResult result = Run({"audit", "verify", path});

  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out,
            "OK: 300 entries, 3 signed tree heads verified "
            "(authority FR-DGT, root " +
                LatestRootHex() +
                ")\n"
                "SIGNER (SHA-256 OF ITS CERTIFICATE)                        "
                "       HEADS  SIZES     TRUSTED\n" +
                builder().cert_sha256() +
                "  3      100..300  not checked\n"
                "not checked: the file proves that its log matches these "
                "keys, not whose keys they are;\n"
                "pass --signer SHA256 or --trust CERT to require the key the "
                "node's coordinator published\n");
  EXPECT_THAT(result.err, IsEmpty());
}

// The same fingerprint as `openssl x509 -noout -fingerprint -sha256` prints
// it: upper case, colons between pairs.
std::string OpensslStyle(const std::string& hex) {
  std::string out;
  for (size_t i = 0; i < hex.size(); i += 2) {
    if (i > 0) out += ':';
    out += static_cast<char>(std::toupper(hex[i]));
    out += static_cast<char>(std::toupper(hex[i + 1]));
  }
  return out;
}

TEST_F(CliAuditTest, VerifyWithTheNodesSignerPasses) {
  const std::string path =
      WriteFile(node_->dir(), "log.pwxa", SerializeExport(records_));
  const std::string cert =
      WriteFile(node_->dir(), "node.pem", builder().cert_pem());
  env_.clear();

  for (const std::vector<std::string>& flags :
       std::vector<std::vector<std::string>>{
           {"--signer", builder().cert_sha256()},
           {"--signer", OpensslStyle(builder().cert_sha256())},
           {"--trust", cert},
           {"--signer", std::string(64, 'a'), "--trust", cert}}) {
    std::vector<std::string> args = {"audit", "verify", path};
    args.insert(args.end(), flags.begin(), flags.end());
    const CliResult result = Run(args);

    ASSERT_EQ(result.exit_code, 0) << flags[1] << ": " << result.err;
    EXPECT_THAT(result.out, StartsWith("OK: 300 entries"));
    EXPECT_THAT(result.out, HasSubstr("\n" + builder().cert_sha256() +
                                      "  3      100..300  yes\n"));
    EXPECT_THAT(result.out, Not(HasSubstr("not checked")));
  }
}

TEST_F(CliAuditTest, VerifyWithAnotherSignerFailsAndShowsTheRealOne) {
  const std::string path =
      WriteFile(node_->dir(), "log.pwxa", SerializeExport(records_));
  const AuditExportBuilder other("FR-DGT");
  const std::string other_cert =
      WriteFile(node_->dir(), "other.pem", other.cert_pem());
  env_.clear();

  const CliResult by_hash =
      Run({"audit", "verify", path, "--signer", other.cert_sha256()});
  EXPECT_EQ(by_hash.exit_code, 1);
  EXPECT_EQ(
      by_hash.err,
      "pwx: DATA_LOSS: tree head for size 100 is signed by certificate " +
          builder().cert_sha256() +
          ", which is not a trusted signer (trusted: " + other.cert_sha256() +
          "); if it is the node's, e.g. its key before a rotation, "
          "trust it too\n");
  EXPECT_THAT(by_hash.out, Not(HasSubstr("OK")));
  EXPECT_THAT(by_hash.out, HasSubstr("\n" + builder().cert_sha256() +
                                     "  1      100..100  NO\n"));

  const CliResult by_cert =
      Run({"audit", "verify", path, "--trust", other_cert});
  EXPECT_EQ(by_cert.exit_code, 1);
  EXPECT_THAT(by_cert.err, HasSubstr("which is not a trusted signer"));

  const CliResult json = Run({"--output", "json", "audit", "verify", path,
                              "--signer", other.cert_sha256()});
  EXPECT_EQ(json.exit_code, 1);
  const nlohmann::json document = nlohmann::json::parse(json.out);
  EXPECT_EQ(document["ok"], false);
  EXPECT_EQ(document["signers_checked"], true);
  ASSERT_EQ(document["signers"].size(), 1u);
  EXPECT_EQ(document["signers"][0]["sha256"], builder().cert_sha256());
  EXPECT_EQ(document["signers"][0]["trusted"], false);
}

TEST_F(CliAuditTest, VerifyTrustFlagsAreChecked) {
  const std::string path =
      WriteFile(node_->dir(), "log.pwxa", SerializeExport(records_));
  const std::string not_a_cert =
      WriteFile(node_->dir(), "key.pem", "-----BEGIN PRIVATE KEY-----\n");
  env_.clear();

  const CliResult short_hash =
      Run({"audit", "verify", path, "--signer", "d031effc"});
  EXPECT_EQ(short_hash.exit_code, 2);
  EXPECT_THAT(short_hash.err,
              HasSubstr("--signer: 'd031effc' is not a SHA-256 fingerprint"));
  const CliResult no_cert =
      Run({"audit", "verify", path, "--trust", not_a_cert});
  EXPECT_EQ(no_cert.exit_code, 2);
  EXPECT_THAT(no_cert.err, HasSubstr("holds no PEM certificate"));
  EXPECT_EQ(
      Run({"audit", "verify", path, "--trust", node_->dir() + "/missing.pem"})
          .exit_code,
      2);
}

TEST_F(CliAuditTest, VerifyReportsTheTamperedEntry) {
  records_[2 + 5].mutable_entry()->mutable_entry()->set_user("mallory");
  const std::string path =
      WriteFile(node_->dir(), "log.pwxa", SerializeExport(records_));
  env_.clear();

  const CliResult result = Run({"audit", "verify", path});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.err,
            "pwx: DATA_LOSS: entry 5: the decoded entry differs from the "
            "logged entry bytes\n");

  const CliResult json = Run({"--output", "json", "audit", "verify", path});
  EXPECT_EQ(json.exit_code, 1);
  const nlohmann::json document = nlohmann::json::parse(json.out);
  EXPECT_EQ(document["ok"], false);
  EXPECT_EQ(document["entries"], 5);
  EXPECT_EQ(document["entry_index"], 5);
  EXPECT_THAT(document["error"].get<std::string>(), HasSubstr("entry 5"));
}

TEST_F(CliAuditTest, VerifyJsonOnAGoodFile) {
  const std::string path =
      WriteFile(node_->dir(), "log.pwxa", SerializeExport(records_));

  const CliResult result = Run({"--output", "json", "audit", "verify", path});

  ASSERT_EQ(result.exit_code, 0) << result.err;
  const nlohmann::json document = nlohmann::json::parse(result.out);
  EXPECT_EQ(document["ok"], true);
  EXPECT_EQ(document["entries"], kEntries);
  EXPECT_EQ(document["tree_heads"], 3);
  EXPECT_TRUE(document["entry_index"].is_null());
  EXPECT_EQ(document["signers_checked"], false);
  ASSERT_EQ(document["signers"].size(), 1u);
  EXPECT_EQ(document["signers"][0]["sha256"], builder().cert_sha256());
  EXPECT_EQ(document["signers"][0]["tree_heads"], 3);
}

TEST_F(CliAuditTest, AccessLogListsTheCasesEntries) {
  const CliResult result = Run({"access-log", "--case", "FR-DGT-2026-100007"});

  ASSERT_EQ(result.exit_code, 0) << result.err;
  // Entries 57, 157 and 257 name the case; the fake serves pages of two.
  EXPECT_EQ(result.out,
            "INDEX  TIME                     USER   ACTION\n"
            "57     2026-01-01 00:00:57 UTC  alice  case.update\n"
            "157    2026-01-01 00:02:37 UTC  bob    case.update\n"
            "257    2026-01-01 00:04:17 UTC  node   case.update\n");
  ASSERT_THAT(audit().seen().access_logs, SizeIs(2));
  EXPECT_THAT(audit().seen().access_logs[0],
              EqualsProto("case_id: 'FR-DGT-2026-100007'"));
  EXPECT_THAT(audit().seen().access_logs[1],
              EqualsProto("case_id: 'FR-DGT-2026-100007' page_token: '2'"));

  const CliResult json =
      Run({"--output", "json", "access-log", "--case", "FR-DGT-2026-100007"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  EXPECT_FALSE(nlohmann::json::parse(json.out)["entries"].empty());
}

TEST_F(CliAuditTest, HelpExplainsWhatEachCommandProves) {
  const CliResult audit_help = Run({"audit", "--help"});
  EXPECT_EQ(audit_help.exit_code, 0);
  EXPECT_THAT(audit_help.out,
              HasSubstr("consistency proof shows a later tree"));
  const CliResult verify_help = Run({"audit", "verify", "--help"});
  EXPECT_THAT(verify_help.out, HasSubstr("needs no node"));
  const CliResult inclusion_help =
      Run({"audit", "proof", "inclusion", "--help"});
  EXPECT_THAT(inclusion_help.out, HasSubstr("committed to the entry"));
}

TEST_F(CliAuditTest, ProofArgumentsAreChecked) {
  EXPECT_EQ(Run({"audit", "proof", "inclusion"}).exit_code, 2);
  EXPECT_EQ(Run({"audit", "proof", "inclusion", "--index", "9", "--size", "9"})
                .exit_code,
            2);
  EXPECT_EQ(Run({"audit", "proof", "consistency", "--from", "9", "--to", "3"})
                .exit_code,
            2);
}

// Receipts PL-PIP signed for FR-DGT's envelopes 1-6 in three batches.
class CliReceiptsTest : public CliAuditTest {
 protected:
  void SetUp() override {
    CliAuditTest::SetUp();
    batches_ = {peer().ReceiptBatch("FR-DGT", 1, 3, 10),
                peer().ReceiptBatch("FR-DGT", 4, 1, 12),
                peer().ReceiptBatch("FR-DGT", 5, 2, 20)};
    Serve();
  }

  static const AuditExportBuilder& peer() {
    static const AuditExportBuilder* const peer =
        new AuditExportBuilder("PL-PIP");
    return *peer;
  }

  void Serve(bool with_certificate = true) {
    std::map<std::string, std::string> certificates;
    if (with_certificate)
      certificates[peer().cert_sha256()] = peer().cert_pem();
    audit().SetReceipts("PL-PIP", batches_, std::move(certificates));
  }

  std::vector<pwx::v1::DeliverResponse> batches_;
};

TEST_F(CliReceiptsTest, ShowsOnePageOfVerifiedReceiptsWithAHint) {
  const CliResult result = Run({"audit", "receipts", "--peer", "PL-PIP"});

  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out, StartsWith("SEQ  MESSAGE ID       ENVELOPE SHA256"));
  EXPECT_THAT(result.out, HasSubstr("\n1    FR-DGT/PL-PIP/1  "));
  EXPECT_THAT(result.out, HasSubstr("\n4    FR-DGT/PL-PIP/4  "));
  EXPECT_THAT(result.out, Not(HasSubstr("FR-DGT/PL-PIP/5")));
  // Receipt 3 is entry 9 of PL-PIP's log, inside its head of 10 entries.
  EXPECT_THAT(result.out, ::testing::ContainsRegex(
                              "\n3 +FR-DGT/PL-PIP/3 +[0-9a-f]{64} +9 +10 +"
                              "[-0-9: ]+UTC +verified\n"));
  EXPECT_THAT(result.out, HasSubstr("add --from=5 for the next page"));
  ASSERT_THAT(audit().seen().receipts, SizeIs(1));
  EXPECT_THAT(audit().seen().receipts[0], EqualsProto("peer: 'PL-PIP'"));
}

TEST_F(CliReceiptsTest, AllFollowsThePagesAndJsonKeepsTheEvidence) {
  const CliResult result = Run(
      {"--output", "json", "audit", "receipts", "--peer", "PL-PIP", "--all"});

  ASSERT_EQ(result.exit_code, 0) << result.err;
  const nlohmann::json json = nlohmann::json::parse(result.out);
  ASSERT_EQ(json["batches"].size(), 3u);
  EXPECT_EQ(json["batches"][2]["receipts"][1]["messageId"], "FR-DGT/PL-PIP/6");
  EXPECT_FALSE(json["batches"][2]["signature"].get<std::string>().empty());
  EXPECT_EQ(json["certificates"][peer().cert_sha256()], peer().cert_pem());
  ASSERT_THAT(audit().seen().receipts, SizeIs(2));
  EXPECT_THAT(audit().seen().receipts[1],
              EqualsProto("peer: 'PL-PIP' from_sequence: 5 page_size: 1000"));
}

TEST_F(CliReceiptsTest, FromStartsAtALaterBatch) {
  const CliResult result =
      Run({"audit", "receipts", "--peer", "PL-PIP", "--from", "5"});

  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out, Not(HasSubstr("FR-DGT/PL-PIP/4")));
  EXPECT_THAT(result.out, HasSubstr("FR-DGT/PL-PIP/6"));
  EXPECT_THAT(result.out, Not(HasSubstr("more receipts")));
}

TEST_F(CliReceiptsTest, AnAlteredReceiptFailsNamingItsBatch) {
  // The node claims PL-PIP logged envelope 4 elsewhere than it signed.
  batches_[1].mutable_receipts(0)->set_audit_index(3);
  Serve();

  const CliResult result = Run({"audit", "receipts", "--peer", "PL-PIP"});

  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.out, HasSubstr("FR-DGT/PL-PIP/1"));
  EXPECT_THAT(result.out,
              ::testing::ContainsRegex("FR-DGT/PL-PIP/4 .* FAILED"));
  EXPECT_THAT(result.err,
              StartsWith("pwx: DATA_LOSS: receipts from PL-PIP, batch from "
                         "sequence 4: the batch's signature does not verify"));
}

TEST_F(CliReceiptsTest, AHeadSignedByAnotherKeyFails) {
  const std::unique_ptr<domain::Signer> other = OtherSigner();
  *batches_[0].mutable_tree_head() =
      peer().SignHead(10, domain::LeafHash("root 10"), other.get());
  Serve();

  const CliResult result = Run({"audit", "receipts", "--peer", "PL-PIP"});

  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.err,
              HasSubstr("batch from sequence 1: tree head for size 10: "
                        "signature does not verify"));
}

TEST_F(CliReceiptsTest, WithoutTheCertificateNothingIsVerified) {
  Serve(/*with_certificate=*/false);

  const CliResult result = Run({"audit", "receipts", "--peer", "PL-PIP"});

  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.out, HasSubstr("UNCHECKED: certificate not held"));
  EXPECT_THAT(result.out, Not(HasSubstr("verified")));
  EXPECT_THAT(result.err, HasSubstr("is not held"));
}

TEST_F(CliReceiptsTest, AnUnknownPeerIsNotFound) {
  const CliResult result = Run({"audit", "receipts", "--peer", "DE-ZOLL"});

  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.err, StartsWith("pwx: NOT_FOUND: peer: DE-ZOLL"));
}

TEST_F(CliReceiptsTest, NoReceiptsYetSaysSo) {
  batches_.clear();
  Serve();

  const CliResult result = Run({"audit", "receipts", "--peer", "PL-PIP"});

  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, "no receipts from PL-PIP\n");
}

TEST_F(CliReceiptsTest, ThePeerIsRequired) {
  EXPECT_EQ(Run({"audit", "receipts"}).exit_code, 2);
  const CliResult empty = Run({"audit", "receipts", "--peer", ""});
  EXPECT_EQ(empty.exit_code, 2);
  EXPECT_THAT(empty.err, HasSubstr("--peer must not be empty"));
  EXPECT_THAT(audit().seen().receipts, IsEmpty());
}

}  // namespace
}  // namespace pwx::testing
