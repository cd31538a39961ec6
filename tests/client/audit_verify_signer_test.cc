// VerifyAuditExport() and whose key signed the heads: trusted signers, key
// rotation, the fingerprints reported, and heads' times.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cctype>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/time/time.h"
#include "client/audit_verify.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "server/domain/merkle.h"
#include "server/domain/signing.h"
#include "tests/client/audit_export_builder.h"
#include "tests/testing/test_pki.h"

namespace pwx::testing {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::Field;
using ::testing::HasSubstr;

constexpr uint64_t kEntries = 1000;
constexpr uint64_t kHeadEvery = 100;

client::AuditVerifyResult Verify(
    const std::vector<pwx::v1::LogExportRecord>& records,
    std::set<std::string> trusted = {}) {
  const std::string bytes = SerializeExport(records);
  google::protobuf::io::ArrayInputStream input(bytes.data(),
                                               static_cast<int>(bytes.size()));
  client::AuditVerifyOptions options;
  options.trusted_signers = std::move(trusted);
  return client::VerifyAuditExport(input, options);
}

// Where the head of `size` is in an export of AuditExportBuilder::Build(
// kEntries, kHeadEvery): after the header, the certificate, the entries and
// the heads before it.
size_t HeadPosition(uint64_t size) {
  return 2 + size + (size - 1) / kHeadEvery;
}

domain::Hash RootOf(const pwx::v1::SignedTreeHead& head) {
  return *domain::HashFromBytes("root", head.root_hash());
}

class AuditVerifySignerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    node_ = new AuditExportBuilder("FR-DGT");
    rotated_ = new AuditExportBuilder("FR-DGT");
    stranger_ = new AuditExportBuilder("FR-DGT");
  }
  static void TearDownTestSuite() {
    delete node_;
    delete rotated_;
    delete stranger_;
  }

  // The node's export, every head signed by its one key.
  static std::vector<pwx::v1::LogExportRecord> Export() {
    return node_->Build(kEntries, kHeadEvery);
  }

  // The node's export after a key rotation at size 500: the heads of sizes
  // 600 and more are signed by the rotated key, whose certificate the
  // export carries too.
  static std::vector<pwx::v1::LogExportRecord> RotatedExport() {
    std::vector<pwx::v1::LogExportRecord> records = Export();
    for (uint64_t size = 600; size <= kEntries; size += kHeadEvery) {
      pwx::v1::SignedTreeHead* head =
          records[HeadPosition(size)].mutable_tree_head();
      *head = rotated_->SignHead(size, RootOf(*head));
    }
    pwx::v1::LogExportRecord certificate;
    certificate.mutable_certificate()->set_sha256(rotated_->cert_sha256());
    certificate.mutable_certificate()->set_pem(rotated_->cert_pem());
    records.insert(records.begin() + 2, std::move(certificate));
    return records;
  }

  static AuditExportBuilder* node_;
  static AuditExportBuilder* rotated_;
  static AuditExportBuilder* stranger_;
};

AuditExportBuilder* AuditVerifySignerTest::node_ = nullptr;
AuditExportBuilder* AuditVerifySignerTest::rotated_ = nullptr;
AuditExportBuilder* AuditVerifySignerTest::stranger_ = nullptr;

TEST_F(AuditVerifySignerTest, TheTrustedSignerPasses) {
  const client::AuditVerifyResult result =
      Verify(Export(), {node_->cert_sha256()});

  EXPECT_TRUE(result.ok) << result.error;
  EXPECT_TRUE(result.signers_checked);
  ASSERT_EQ(result.signers.size(), 1u);
  EXPECT_EQ(result.signers[0].sha256, node_->cert_sha256());
  EXPECT_EQ(result.signers[0].tree_heads, 10u);
  EXPECT_EQ(result.signers[0].first_size, 100u);
  EXPECT_EQ(result.signers[0].last_size, 1000u);
  EXPECT_TRUE(result.signers[0].trusted);
}

TEST_F(AuditVerifySignerTest, WithoutTrustTheSignerIsReportedNotChecked) {
  const client::AuditVerifyResult result = Verify(Export());

  EXPECT_TRUE(result.ok) << result.error;
  EXPECT_FALSE(result.signers_checked);
  ASSERT_EQ(result.signers.size(), 1u);
  EXPECT_EQ(result.signers[0].sha256, node_->cert_sha256());
  EXPECT_FALSE(result.signers[0].trusted);
}

TEST_F(AuditVerifySignerTest, AnotherKeysExportFailsNamingItsSigner) {
  // A perfectly consistent export, signed by a key that is not the node's:
  // what a forger who rewrote the whole log would produce.
  const client::AuditVerifyResult result =
      Verify(stranger_->Build(kEntries, kHeadEvery), {node_->cert_sha256()});

  EXPECT_FALSE(result.ok);
  EXPECT_THAT(result.error,
              HasSubstr("tree head for size 100 is signed by certificate " +
                        stranger_->cert_sha256() +
                        ", which is not a trusted signer (trusted: " +
                        node_->cert_sha256() + ")"));
  ASSERT_EQ(result.signers.size(), 1u);
  EXPECT_EQ(result.signers[0].sha256, stranger_->cert_sha256());
  EXPECT_FALSE(result.signers[0].trusted);
  EXPECT_EQ(result.tree_heads, 0u);
}

TEST_F(AuditVerifySignerTest, OneHeadByAnUntrustedKeyFails) {
  // The stranger's key signs one head in the middle, with its certificate
  // in the file: each signature verifies, but not every head is the node's.
  std::vector<pwx::v1::LogExportRecord> records = Export();
  pwx::v1::SignedTreeHead* head =
      records[HeadPosition(700)].mutable_tree_head();
  *head = stranger_->SignHead(700, RootOf(*head));
  pwx::v1::LogExportRecord certificate;
  certificate.mutable_certificate()->set_sha256(stranger_->cert_sha256());
  certificate.mutable_certificate()->set_pem(stranger_->cert_pem());
  records.insert(records.begin() + 2, std::move(certificate));

  EXPECT_TRUE(Verify(records).ok) << "without --signer, any carried key";
  const client::AuditVerifyResult result =
      Verify(records, {node_->cert_sha256()});

  EXPECT_FALSE(result.ok);
  EXPECT_THAT(result.error,
              HasSubstr("tree head for size 700 is signed by certificate " +
                        stranger_->cert_sha256()));
  EXPECT_EQ(result.tree_heads, 6u);
}

TEST_F(AuditVerifySignerTest, AfterARotationBothKeysMustBeTrusted) {
  const std::vector<pwx::v1::LogExportRecord> records = RotatedExport();

  const client::AuditVerifyResult both =
      Verify(records, {node_->cert_sha256(), rotated_->cert_sha256()});
  EXPECT_TRUE(both.ok) << both.error;
  EXPECT_THAT(
      both.signers,
      ElementsAre(
          AllOf(Field(&client::AuditSigner::sha256, node_->cert_sha256()),
                Field(&client::AuditSigner::first_size, 100u),
                Field(&client::AuditSigner::last_size, 500u),
                Field(&client::AuditSigner::trusted, true)),
          AllOf(Field(&client::AuditSigner::sha256, rotated_->cert_sha256()),
                Field(&client::AuditSigner::first_size, 600u),
                Field(&client::AuditSigner::last_size, 1000u),
                Field(&client::AuditSigner::trusted, true))));

  const client::AuditVerifyResult old_only =
      Verify(records, {node_->cert_sha256()});
  EXPECT_FALSE(old_only.ok);
  EXPECT_THAT(old_only.error, HasSubstr("tree head for size 600 is signed by "
                                        "certificate " +
                                        rotated_->cert_sha256()));

  const client::AuditVerifyResult new_only =
      Verify(records, {rotated_->cert_sha256()});
  EXPECT_FALSE(new_only.ok);
  EXPECT_THAT(new_only.error, HasSubstr("tree head for size 100 is signed by "
                                        "certificate " +
                                        node_->cert_sha256()));
  EXPECT_THAT(new_only.error, HasSubstr("before a rotation, trust it too"));
}

TEST_F(AuditVerifySignerTest, AnExportWithoutHeadsProvesNoSigner) {
  const std::vector<pwx::v1::LogExportRecord> empty = node_->Build(0, 1);
  EXPECT_TRUE(Verify(empty).ok);
  const client::AuditVerifyResult result =
      Verify(empty, {node_->cert_sha256()});
  EXPECT_FALSE(result.ok);
  EXPECT_THAT(result.error, HasSubstr("holds no signed tree head"));
}

TEST_F(AuditVerifySignerTest, AHeadDatedBeforeThePreviousOneFails) {
  std::vector<pwx::v1::LogExportRecord> records = Export();
  const absl::Time previous = absl::FromUnixSeconds(
      records[HeadPosition(200)].tree_head().timestamp().seconds());
  pwx::v1::SignedTreeHead* head =
      records[HeadPosition(300)].mutable_tree_head();
  // Validly signed by the node's own key: its clock was stepped back.
  *head =
      node_->SignHead(300, RootOf(*head), nullptr, previous - absl::Seconds(1));

  const client::AuditVerifyResult result = Verify(records);

  EXPECT_FALSE(result.ok);
  EXPECT_THAT(result.error,
              HasSubstr("tree head for size 300 is dated 2026-01-01 00:03:20"));
  EXPECT_THAT(result.error, HasSubstr("before the head for size 200 "
                                      "(2026-01-01 00:03:21.000000500 UTC)"));
  EXPECT_EQ(result.tree_heads, 2u);
}

TEST_F(AuditVerifySignerTest, AHeadDatedLikeThePreviousOnePasses) {
  // What the node signs while its clock is behind: the latest time again.
  std::vector<pwx::v1::LogExportRecord> records = Export();
  const pwx::v1::SignedTreeHead& previous =
      records[HeadPosition(200)].tree_head();
  const absl::Time same =
      absl::FromUnixSeconds(previous.timestamp().seconds()) +
      absl::Nanoseconds(previous.timestamp().nanos());
  pwx::v1::SignedTreeHead* head =
      records[HeadPosition(300)].mutable_tree_head();
  *head = node_->SignHead(300, RootOf(*head), nullptr, same);

  const client::AuditVerifyResult result = Verify(records);
  EXPECT_TRUE(result.ok) << result.error;
}

TEST(FingerprintTest, HexInEitherCaseWithOrWithoutColons) {
  const std::string hex(
      "d031effc92dce95906e8816f5d820b4ae9cb235238ce38e2636d275b9b624e4f");
  EXPECT_EQ(client::NormalizeSha256Fingerprint(hex), hex);
  std::string upper_colons;
  for (size_t i = 0; i < hex.size(); i += 2) {
    if (i > 0) upper_colons += ':';
    upper_colons += static_cast<char>(std::toupper(hex[i]));
    upper_colons += static_cast<char>(std::toupper(hex[i + 1]));
  }
  EXPECT_EQ(client::NormalizeSha256Fingerprint(upper_colons), hex);

  EXPECT_EQ(client::NormalizeSha256Fingerprint(hex.substr(1)), std::nullopt);
  EXPECT_EQ(client::NormalizeSha256Fingerprint(hex + "0"), std::nullopt);
  EXPECT_EQ(client::NormalizeSha256Fingerprint("g" + hex.substr(1)),
            std::nullopt);
  std::string misplaced = upper_colons;
  std::swap(misplaced[2], misplaced[3]);
  EXPECT_EQ(client::NormalizeSha256Fingerprint(misplaced), std::nullopt);
  EXPECT_EQ(client::NormalizeSha256Fingerprint(""), std::nullopt);
}

TEST(FingerprintTest, EveryCertificateInAPemFileCounts) {
  const TestCa ca = TestCa::Create("fingerprints");
  const KeyPair a = ca.IssueNode("FR-DGT");
  const KeyPair b = ca.IssueNode("FR-DGT");

  absl::StatusOr<std::vector<std::string>> fingerprints =
      client::CertificateFingerprints(a.cert_pem + b.cert_pem);

  ASSERT_TRUE(fingerprints.ok()) << fingerprints.status();
  EXPECT_THAT(*fingerprints,
              ElementsAre(*domain::CertificateSha256(a.cert_pem),
                          *domain::CertificateSha256(b.cert_pem)));
  EXPECT_FALSE(client::CertificateFingerprints(a.key_pem).ok());
  EXPECT_FALSE(client::CertificateFingerprints(
                   "-----BEGIN CERTIFICATE-----\nnot base64\n"
                   "-----END CERTIFICATE-----\n")
                   .ok());
}

}  // namespace
}  // namespace pwx::testing
