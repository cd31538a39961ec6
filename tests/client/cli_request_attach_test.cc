// `pwx request attach|download` and the attachments of `pwx request show`:
// bytes go up and come down exactly, the server's refusals are printed,
// and a download that does not add up writes nothing.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "client/staged_file.h"
#include "nlohmann/json.hpp"
#include "tests/client/cli_request_fixture.h"
#include "tests/testing/test_pki.h"

namespace pwx::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

std::string Sha256Hex(const std::string& content) {
  pwx::client::Sha256 hasher;
  hasher.Update(content);
  return hasher.HexDigest();
}

std::string ReadAll(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(file)),
                     std::istreambuf_iterator<char>());
}

std::string Bytes(size_t size) {
  std::string out(size, '\0');
  for (size_t i = 0; i < size; ++i) out[i] = static_cast<char>(i * 7 % 256);
  return out;
}

pwx::v1::RequestAttachment Meta(const std::string& content) {
  pwx::v1::RequestAttachment a;
  a.set_sha256(Sha256Hex(content));
  a.set_file_name("a1-forms.pdf");
  a.set_media_type("application/pdf");
  a.set_size_bytes(content.size());
  a.set_authority("PL-PIP");
  a.set_side(pwx::v1::REQUEST_SIDE_RECIPIENT);
  a.set_content_available(true);
  return a;
}

using CliRequestAttachTest = CliRequestTest;

TEST_F(CliRequestAttachTest, AttachStreamsTheFileAndPrintsTheRequest) {
  requests().AddRequest(AcceptedRequest());
  const std::string content = Bytes(200'000);
  const std::string file = WriteFile(node_->dir(), "contract.pdf", content);

  const CliResult result =
      Run({"request", "attach", kId, file, "--media-type",
           "application/x-contract", "--expected-history", "4"});

  ASSERT_EQ(result.exit_code, 0) << result.err;
  const FakeRequestService::Seen seen = requests().seen();
  ASSERT_THAT(seen.upload_headers, SizeIs(1));
  EXPECT_THAT(seen.upload_headers[0], EqualsProto(R"pb(
                request_id: "FR-DGT-R-2026-000007"
                file_name: "contract.pdf"
                media_type: "application/x-contract"
                size_bytes: 200000
                expected_history: 4
              )pb"));
  EXPECT_TRUE(seen.upload_content == content) << "content differs";
  EXPECT_THAT(result.out, HasSubstr("attachments (1)"));
  EXPECT_THAT(result.out, HasSubstr("contract.pdf"));
  EXPECT_THAT(result.out, HasSubstr("FR-DGT (requester)"));
}

TEST_F(CliRequestAttachTest, AttachGuessesTheMediaTypeAndPrintsJson) {
  requests().AddRequest(AcceptedRequest());
  const std::string file = WriteFile(node_->dir(), "payslips.PDF", "%PDF-1.7");

  const CliResult result =
      Run({"request", "attach", kId, file, "--output", "json"});

  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(requests().seen().upload_headers[0].media_type(),
            "application/pdf");
  const nlohmann::json json = nlohmann::json::parse(result.out);
  ASSERT_EQ(json["attachments"].size(), 1u);
  EXPECT_EQ(json["attachments"][0]["fileName"], "payslips.PDF");
  EXPECT_EQ(json["attachments"][0]["sizeBytes"], "8");
}

TEST_F(CliRequestAttachTest, AttachOfAMissingFileIsAUsageError) {
  const CliResult result =
      Run({"request", "attach", kId, node_->dir() + "/absent.pdf"});

  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, HasSubstr("absent.pdf"));
  EXPECT_THAT(requests().seen().upload_headers, IsEmpty());
}

TEST_F(CliRequestAttachTest, AttachRefusedByTheServerPrintsWhy) {
  requests().FailWith(
      grpc::Status(grpc::StatusCode::PERMISSION_DENIED,
                   "only the requester (FR-DGT) may attach to request "
                   "FR-DGT-R-2026-000007 while it is AWAITING_ACCEPTANCE"));
  const std::string file = WriteFile(node_->dir(), "a1.pdf", "x");

  const CliResult result = Run({"request", "attach", kId, file});

  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.err,
              HasSubstr("pwx: PERMISSION_DENIED: only the requester"));
  EXPECT_THAT(result.out, IsEmpty());
}

TEST_F(CliRequestAttachTest, DownloadWritesTheExactBytes) {
  const std::string content = Bytes(123'457);
  requests().AddContent(Meta(content), content);
  const std::string path = node_->dir() + "/copy.pdf";

  const CliResult result =
      Run({"request", "download", kId, Sha256Hex(content), "--out", path});

  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_TRUE(ReadAll(path) == content) << "content differs";
  EXPECT_THAT(result.out, HasSubstr("wrote " + path));
  EXPECT_THAT(result.out, HasSubstr("attached by PL-PIP"));
  const FakeRequestService::Seen seen = requests().seen();
  ASSERT_THAT(seen.downloads, SizeIs(1));
  EXPECT_EQ(seen.downloads[0].request_id(), kId);
  EXPECT_EQ(seen.downloads[0].sha256(), Sha256Hex(content));
}

TEST_F(CliRequestAttachTest, DownloadJsonNamesThePathAndTheAttachment) {
  const std::string content = "A1 PL-2026-7";
  requests().AddContent(Meta(content), content);
  const std::string dir = node_->dir() + "/out";
  std::filesystem::create_directory(dir);

  const CliResult result = Run({"request", "download", kId, Sha256Hex(content),
                                "-o", dir, "--output", "json"});

  ASSERT_EQ(result.exit_code, 0) << result.err;
  const nlohmann::json json = nlohmann::json::parse(result.out);
  EXPECT_EQ(json["path"], dir + "/a1-forms.pdf");
  EXPECT_EQ(json["attachment"]["authority"], "PL-PIP");
  EXPECT_EQ(ReadAll(dir + "/a1-forms.pdf"), content);
}

TEST_F(CliRequestAttachTest, DownloadThatDoesNotMatchWritesNothing) {
  const std::string content = "the real bytes";
  pwx::v1::RequestAttachment meta = Meta(content);
  requests().AddContent(meta, "other bytes!!!");
  const std::string path = node_->dir() + "/copy.pdf";

  const CliResult result =
      Run({"request", "download", kId, meta.sha256(), "--out", path});

  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.err, HasSubstr("DATA_LOSS"));
  EXPECT_FALSE(std::filesystem::exists(path));
}

TEST_F(CliRequestAttachTest, DownloadRefusalsArePrinted) {
  // A malformed hash never reaches the server.
  CliResult result = Run({"request", "download", kId, "abc", "--out", "x"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, HasSubstr("SHA256 must be 64 hex digits"));
  EXPECT_THAT(requests().seen().downloads, IsEmpty());
  // An unknown one is the server's NOT_FOUND.
  const std::string path = node_->dir() + "/copy.pdf";
  result = Run({"request", "download", kId, Sha256Hex("unknown"), "-o", path});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.err, HasSubstr("NOT_FOUND"));
  EXPECT_FALSE(std::filesystem::exists(path));
  // Before acceptance, or before the bytes arrived.
  requests().FailWith(grpc::Status(
      grpc::StatusCode::FAILED_PRECONDITION,
      "the content of attachment ... has not arrived from PL-PIP yet"));
  result = Run({"request", "download", kId, Sha256Hex("x"), "-o", path});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.err, HasSubstr("pwx: FAILED_PRECONDITION: the content"));
  EXPECT_FALSE(std::filesystem::exists(path));
}

TEST_F(CliRequestAttachTest, ShowListsTheAttachments) {
  pwx::v1::Request r = AcceptedRequest();
  *r.add_attachments() = Meta("A1");
  pwx::v1::RequestAttachment pending = Meta("payslips");
  pending.set_file_name("payslips.pdf");
  pending.set_content_available(false);
  *r.add_attachments() = pending;
  requests().AddRequest(r);

  const CliResult result = Run({"request", "show", kId});

  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr("attachments (2)"));
  EXPECT_THAT(result.out, HasSubstr(Sha256Hex("A1")));
  EXPECT_THAT(result.out, HasSubstr("a1-forms.pdf"));
  EXPECT_THAT(result.out, HasSubstr("PL-PIP (recipient)"));
  EXPECT_THAT(result.out, HasSubstr("not arrived yet"));
}

TEST_F(CliRequestAttachTest, HelpSaysWhoMayAttachAndWhatDownloadNeeds) {
  CliResult result = Run({"request", "attach", "--help"});
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_THAT(result.out, HasSubstr("--media-type"));
  EXPECT_THAT(result.out, HasSubstr("once it has accepted"));
  result = Run({"request", "download", "--help"});
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_THAT(result.out, HasSubstr("--out"));
  EXPECT_THAT(result.out, HasSubstr("request.attachment.read"));
}

}  // namespace
}  // namespace pwx::testing
