// Revocation lists read from files and read again (CrlSet), and the
// certificate checks that use them (VerifyCertificate, VerifyHost).
#include "server/crl_set.h"

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/cert_verify.h"
#include "tests/testing/test_pki.h"

namespace pwx::server {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Optional;
using ::testing::SizeIs;

class CrlSetTest : public ::testing::Test {
 protected:
  CrlSetTest()
      : ca_(testing::TestCa::Create("PL-PIP")),
        other_ca_(testing::TestCa::Create("BE-SPF")),
        node_(ca_.IssueNode("PL-PIP")),
        revoked_(ca_.IssueNode("PL-PIP")),
        dir_(testing::MakeTempDir("crl_set")) {}

  std::unique_ptr<CrlSet> Open(const std::vector<std::string>& pems) {
    std::vector<CrlFile> files;
    for (size_t i = 0; i < pems.size(); ++i) {
      files.push_back(
          {"federation.crl_files[" + std::to_string(i) + "]",
           testing::WriteFile(dir_, std::to_string(i) + ".pem", pems[i])});
    }
    absl::StatusOr<std::unique_ptr<CrlSet>> set = CrlSet::Open(files);
    EXPECT_TRUE(set.ok()) << set.status();
    return set.ok() ? *std::move(set) : nullptr;
  }
  std::optional<std::string> RevokedBy(const CrlSet& set,
                                       const std::string& cert_pem,
                                       const testing::TestCa& ca) {
    X509Ptr cert = std::move(ParseCertificates(cert_pem).front());
    X509Ptr issuer = std::move(ParseCertificates(ca.cert_pem()).front());
    return set.RevokedBy(cert.get(), issuer.get());
  }
  X509Ptr Ca(const testing::TestCa& ca) {
    return std::move(ParseCertificates(ca.cert_pem()).front());
  }

  testing::TestCa ca_;
  testing::TestCa other_ca_;
  testing::KeyPair node_;
  testing::KeyPair revoked_;
  std::string dir_;
};

TEST_F(CrlSetTest, UnreadableOrEmptyFilesAreRefusedByName) {
  absl::StatusOr<std::unique_ptr<CrlSet>> set =
      CrlSet::Open({{"federation.crl_files[0]", dir_ + "/missing.pem"}});
  EXPECT_EQ(set.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(
      set.status().message(),
      AllOf(HasSubstr("federation.crl_files[0]"), HasSubstr("missing.pem")));
  set = CrlSet::Open(
      {{"api.crl_files[0]", testing::WriteFile(dir_, "junk.pem", "junk")}});
  EXPECT_EQ(set.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(set.status().message(),
              HasSubstr("api.crl_files[0]: " + dir_ +
                        "/junk.pem holds no PEM certificate revocation list"));
}

TEST_F(CrlSetTest, ListedCertificatesAreRevokedByTheirIssuersListsOnly) {
  std::unique_ptr<CrlSet> set = Open({ca_.Crl({revoked_.cert_pem})});
  EXPECT_THAT(RevokedBy(*set, revoked_.cert_pem, ca_),
              Optional(HasSubstr("federation.crl_files[0] (" + dir_)));
  EXPECT_EQ(RevokedBy(*set, node_.cert_pem, ca_), std::nullopt);
  // A list that names PL-PIP's CA but is signed by another key.
  testing::TestCa forger = testing::TestCa::Create("PL-PIP");
  set = Open({forger.Crl({node_.cert_pem})});
  EXPECT_EQ(RevokedBy(*set, node_.cert_pem, ca_), std::nullopt);
  X509Ptr ca = Ca(ca_);
  EXPECT_THAT(set->Issues(absl::Now(), {ca.get()}),
              ElementsAre(::testing::Field(
                  &CrlIssue::text, HasSubstr("not signed by that CA"))));
  EXPECT_THAT(set->ForHandshake(absl::Now(), {ca.get()}), IsEmpty());
}

TEST_F(CrlSetTest, AnExpiredListStillRevokesButIsLeftOutOfTheHandshake) {
  std::unique_ptr<CrlSet> set =
      Open({ca_.Crl({revoked_.cert_pem}, /*expired=*/true), other_ca_.Crl({})});
  EXPECT_NE(RevokedBy(*set, revoked_.cert_pem, ca_), std::nullopt);
  X509Ptr ca = Ca(ca_);
  X509Ptr other = Ca(other_ca_);
  // Only BE-SPF's current list is enforced at the handshake.
  std::vector<HandshakeCrl> handshake =
      set->ForHandshake(absl::Now(), {ca.get(), other.get()});
  ASSERT_THAT(handshake, SizeIs(1));
  EXPECT_EQ(handshake[0].issuer_hash,
            X509_NAME_hash_ex(X509_get_subject_name(other.get()), nullptr,
                              nullptr, nullptr));
  // Lists of CAs that are not given are not enforced either.
  EXPECT_THAT(set->ForHandshake(absl::Now(), {ca.get()}), IsEmpty());
  std::vector<CrlIssue> issues = set->Issues(absl::Now(), {ca.get()});
  ASSERT_THAT(issues, SizeIs(1));
  EXPECT_THAT(issues[0].text,
              AllOf(HasSubstr("federation.crl_files[0] (" + dir_ + "/0.pem)"),
                    HasSubstr("CN=PL-PIP test CA"), HasSubstr("expired at 20"),
                    HasSubstr("nextUpdate"), HasSubstr("stay refused")));
  EXPECT_EQ(issues[0].issuer, SubjectNameDer(ca.get()));
}

TEST_F(CrlSetTest, AReplacedFileTakesEffectOnReloadAndABrokenOneIsKept) {
  std::unique_ptr<CrlSet> set = Open({ca_.Crl({})});
  EXPECT_EQ(RevokedBy(*set, revoked_.cert_pem, ca_), std::nullopt);
  EXPECT_FALSE(set->Reload());
  const uint64_t generation = set->generation();
  testing::WriteFile(dir_, "0.pem", ca_.Crl({revoked_.cert_pem}));
  EXPECT_TRUE(set->Reload());
  EXPECT_GT(set->generation(), generation);
  EXPECT_NE(RevokedBy(*set, revoked_.cert_pem, ca_), std::nullopt);
  // Half-written or deleted: the lists read last stay in force.
  testing::WriteFile(dir_, "0.pem", "-----BEGIN X509 CRL-----\nMIIB");
  EXPECT_FALSE(set->Reload());
  EXPECT_NE(RevokedBy(*set, revoked_.cert_pem, ca_), std::nullopt);
  std::remove((dir_ + "/0.pem").c_str());
  EXPECT_FALSE(set->Reload());
  EXPECT_NE(RevokedBy(*set, revoked_.cert_pem, ca_), std::nullopt);
  std::vector<CrlIssue> issues = set->Issues(absl::Now(), {});
  ASSERT_THAT(issues, SizeIs(1));
  EXPECT_THAT(issues[0].text, AllOf(HasSubstr("cannot be read again"),
                                    HasSubstr("stay in force")));
  EXPECT_THAT(issues[0].issuer, IsEmpty());
  testing::WriteFile(dir_, "0.pem", ca_.Crl({}));
  EXPECT_TRUE(set->Reload());
  EXPECT_EQ(RevokedBy(*set, revoked_.cert_pem, ca_), std::nullopt);
  EXPECT_THAT(set->Issues(absl::Now(), {}), IsEmpty());
}

TEST_F(CrlSetTest, VerifyCertificateSaysWhichCheckFailed) {
  std::unique_ptr<CrlSet> set =
      Open({ca_.Crl({revoked_.cert_pem}, /*expired=*/true)});
  CertificateCheck check;
  check.ca_pem = ca_.cert_pem();
  check.ca_name = "the CA on PL-PIP's identity card";
  check.crls = set.get();
  auto verify = [&](const std::string& pem) {
    return VerifyCertificate(pem, "", check, "the certificate of PL-PIP");
  };
  EXPECT_TRUE(verify(node_.cert_pem).ok());
  absl::Status s = verify(revoked_.cert_pem);
  EXPECT_EQ(s.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(s.message(),
              AllOf(HasSubstr("the certificate of PL-PIP is revoked"),
                    HasSubstr("federation.crl_files[0]")));
  s = verify(ca_.IssueNodeWith("PL-PIP", "PL-PIP", /*expired=*/true).cert_pem);
  EXPECT_THAT(s.message(), HasSubstr("has expired (valid until 20"));
  s = verify(other_ca_.IssueNode("PL-PIP").cert_pem);
  EXPECT_THAT(s.message(),
              HasSubstr("is not issued by the CA on PL-PIP's identity card "
                        "(unknown CA)"));
  s = verify("");
  EXPECT_THAT(s.message(), HasSubstr("was not presented"));
  check.server = true;
  s = verify(ca_.IssueUser("alice").cert_pem);
  EXPECT_THAT(s.message(), HasSubstr("is not for use by a TLS server"));
}

TEST_F(CrlSetTest, VerifyHostMatchesDnsAndIpNames) {
  EXPECT_TRUE(VerifyHost(node_.cert_pem, "localhost", "it").ok());
  EXPECT_TRUE(VerifyHost(node_.cert_pem, "127.0.0.1", "it").ok());
  absl::Status s = VerifyHost(node_.cert_pem, "pwx.example.pl", "it");
  EXPECT_EQ(s.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(s.message(), HasSubstr("it is not for host pwx.example.pl"));
  EXPECT_FALSE(VerifyHost(node_.cert_pem, "10.0.0.1", "it").ok());
}

}  // namespace
}  // namespace pwx::server
