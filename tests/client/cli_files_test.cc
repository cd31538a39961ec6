// `pwx case attach|download`: bytes go up and come down exactly, and a failed
// download leaves nothing behind.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "client/staged_file.h"
#include "nlohmann/json.hpp"
#include "tests/client/cli_fixture.h"
#include "tests/testing/test_pki.h"

namespace pwx::testing {
namespace {

using ::testing::Each;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Le;
using ::testing::SizeIs;

constexpr size_t kChunk = size_t{64} * 1024;

std::string RandomBytes(size_t size) {
  std::mt19937 random(size);
  std::uniform_int_distribution<int> byte(0, 255);
  std::string bytes(size, '\0');
  for (char& ch : bytes) ch = static_cast<char>(byte(random));
  return bytes;
}

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

std::vector<std::string> ListDir(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    names.push_back(entry.path().filename().string());
  }
  return names;
}

using CaseAttachTest = CliTest;

TEST_F(CaseAttachTest, StreamsTheFileExactlyAfterTheHeader) {
  // Three full chunks and a partial one, with every byte value.
  const std::string content = RandomBytes(3 * kChunk + 12345);
  const std::string file = WriteFile(node_->dir(), "report.PDF", content);

  const CliResult result = Run({"case", "attach", "FR-DGT-2026-000001", file});

  ASSERT_EQ(result.exit_code, 0) << result.err;
  const FakeCaseService::Seen seen = cases().seen();
  ASSERT_THAT(seen.upload_headers, SizeIs(1));
  EXPECT_THAT(seen.upload_headers[0], EqualsProto(R"pb(
                case_id: "FR-DGT-2026-000001"
                file_name: "report.PDF"
                media_type: "application/pdf"
                size_bytes: 208953
              )pb"));
  EXPECT_TRUE(seen.upload_content == content) << "content differs";
  EXPECT_THAT(seen.upload_chunk_sizes, SizeIs(4));
  EXPECT_THAT(seen.upload_chunk_sizes, Each(Le(kChunk)));
  EXPECT_THAT(result.out, HasSubstr("report.PDF"));
}

TEST_F(CaseAttachTest, NameAndMediaTypeFlagsOverrideTheGuess) {
  const std::string file = WriteFile(node_->dir(), "scan.bin", "abc");

  const CliResult result =
      Run({"case", "attach", "FR-DGT-2026-000001", file, "--name",
           "contract.docx", "--media-type", "application/x-custom"});

  ASSERT_EQ(result.exit_code, 0) << result.err;
  const FakeCaseService::Seen seen = cases().seen();
  ASSERT_THAT(seen.upload_headers, SizeIs(1));
  EXPECT_EQ(seen.upload_headers[0].file_name(), "contract.docx");
  EXPECT_EQ(seen.upload_headers[0].media_type(), "application/x-custom");
  EXPECT_EQ(seen.upload_headers[0].size_bytes(), 3u);
  EXPECT_EQ(seen.upload_content, "abc");
}

TEST_F(CaseAttachTest, EmptyFileSendsOnlyTheHeader) {
  const std::string file = WriteFile(node_->dir(), "empty.txt", "");

  const CliResult result = Run({"case", "attach", "FR-DGT-2026-000001", file});

  ASSERT_EQ(result.exit_code, 0) << result.err;
  const FakeCaseService::Seen seen = cases().seen();
  ASSERT_THAT(seen.upload_headers, SizeIs(1));
  EXPECT_EQ(seen.upload_headers[0].media_type(), "text/plain");
  EXPECT_THAT(seen.upload_chunk_sizes, IsEmpty());
}

TEST_F(CaseAttachTest, MissingFileIsAUsageError) {
  const CliResult result = Run(
      {"case", "attach", "FR-DGT-2026-000001", node_->dir() + "/absent.pdf"});

  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, HasSubstr("absent.pdf"));
  EXPECT_THAT(cases().seen().upload_headers, IsEmpty());
}

class CaseDownloadTest : public CliTest {
 protected:
  // Serves `content` as report.pdf of FR-DGT-2026-000001; returns its hash.
  std::string Serve(const std::string& content, size_t chunk_bytes = 7000) {
    FakeAttachment attachment;
    attachment.meta.set_sha256(Sha256Hex(content));
    attachment.meta.set_file_name("report.pdf");
    attachment.meta.set_media_type("application/pdf");
    attachment.meta.set_size_bytes(content.size());
    attachment.content = content;
    attachment.chunk_bytes = chunk_bytes;
    cases().AddAttachment(attachment);
    return attachment.meta.sha256();
  }

  std::string OutDir() {
    if (out_dir_.empty()) out_dir_ = MakeTempDir("pwx_download");
    return out_dir_;
  }

 private:
  std::string out_dir_;
};

TEST_F(CaseDownloadTest, WritesTheExactBytes) {
  const std::string content = RandomBytes(100000);
  const std::string sha = Serve(content);
  const std::string path = OutDir() + "/copy.pdf";

  const CliResult result =
      Run({"case", "download", "FR-DGT-2026-000001", sha, "-o", path});

  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_TRUE(ReadAll(path) == content) << "content differs";
  EXPECT_THAT(ListDir(OutDir()), ElementsAre("copy.pdf"));
  EXPECT_THAT(result.out, HasSubstr(path));
  const FakeCaseService::Seen seen = cases().seen();
  ASSERT_THAT(seen.downloads, SizeIs(1));
  EXPECT_EQ(seen.downloads[0].case_id(), "FR-DGT-2026-000001");
  EXPECT_EQ(seen.downloads[0].sha256(), sha);
}

TEST_F(CaseDownloadTest, DefaultsToTheAttachmentNameAndRefusesToOverwrite) {
  const std::string sha = Serve("first");

  const CliResult first =
      Run({"case", "download", "FR-DGT-2026-000001", sha, "-o", OutDir()});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(ReadAll(OutDir() + "/report.pdf"), "first");

  const std::string sha2 = Serve("second");
  const CliResult again =
      Run({"case", "download", "FR-DGT-2026-000001", sha2, "-o", OutDir()});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_THAT(again.err, HasSubstr("ALREADY_EXISTS"));
  EXPECT_THAT(again.err, HasSubstr("--force"));
  EXPECT_EQ(ReadAll(OutDir() + "/report.pdf"), "first");
  EXPECT_THAT(ListDir(OutDir()), ElementsAre("report.pdf"));

  const CliResult forced = Run({"case", "download", "FR-DGT-2026-000001", sha2,
                                "-o", OutDir(), "--force"});
  ASSERT_EQ(forced.exit_code, 0) << forced.err;
  EXPECT_EQ(ReadAll(OutDir() + "/report.pdf"), "second");
}

TEST_F(CaseDownloadTest, WithoutOutputWritesTheAttachmentNameInTheWorkingDir) {
  const std::string sha = Serve("content");
  const std::filesystem::path previous = std::filesystem::current_path();
  std::filesystem::current_path(OutDir());

  const CliResult result = Run({"case", "download", "FR-DGT-2026-000001", sha});

  std::filesystem::current_path(previous);
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(ReadAll(OutDir() + "/report.pdf"), "content");
  EXPECT_THAT(result.out, HasSubstr("wrote report.pdf"));
}

TEST_F(CaseDownloadTest, ExistingOutputFileIsRefusedBeforeCalling) {
  const std::string sha = Serve("content");
  const std::string path = WriteFile(OutDir(), "mine.pdf", "keep me");

  const CliResult result =
      Run({"case", "download", "FR-DGT-2026-000001", sha, "-o", path});

  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(ReadAll(path), "keep me");
  EXPECT_THAT(cases().seen().downloads, IsEmpty());
}

TEST_F(CaseDownloadTest, FailureMidStreamLeavesNothing) {
  FakeAttachment attachment;
  const std::string content = RandomBytes(50000);
  attachment.meta.set_sha256(Sha256Hex(content));
  attachment.meta.set_file_name("report.pdf");
  attachment.meta.set_size_bytes(content.size());
  attachment.content = content;
  attachment.chunk_bytes = 1000;
  attachment.fail_after_first_chunk =
      grpc::Status(grpc::StatusCode::UNAVAILABLE, "storage went away");
  cases().AddAttachment(attachment);

  const CliResult result = Run({"case", "download", "FR-DGT-2026-000001",
                                attachment.meta.sha256(), "-o", OutDir()});

  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.err, "pwx: UNAVAILABLE: storage went away\n");
  EXPECT_THAT(ListDir(OutDir()), IsEmpty());
}

TEST_F(CaseDownloadTest, ContentNotMatchingItsHashLeavesNothing) {
  FakeAttachment attachment;
  attachment.meta.set_sha256(Sha256Hex("what was uploaded"));
  attachment.meta.set_file_name("report.pdf");
  attachment.meta.set_size_bytes(17);
  attachment.content = "something changed";
  cases().AddAttachment(attachment);

  const CliResult result = Run({"case", "download", "FR-DGT-2026-000001",
                                attachment.meta.sha256(), "-o", OutDir()});

  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.err, HasSubstr("DATA_LOSS"));
  EXPECT_THAT(ListDir(OutDir()), IsEmpty());
}

TEST_F(CaseDownloadTest, NamesFromTheServerCannotLeaveTheDirectory) {
  FakeAttachment attachment;
  attachment.meta.set_sha256(Sha256Hex("x"));
  attachment.meta.set_file_name("../../escape.txt");
  attachment.meta.set_size_bytes(1);
  attachment.content = "x";
  cases().AddAttachment(attachment);

  const CliResult result = Run({"case", "download", "FR-DGT-2026-000001",
                                attachment.meta.sha256(), "-o", OutDir()});

  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(ListDir(OutDir()), ElementsAre("escape.txt"));
}

TEST_F(CaseDownloadTest, JsonOutputNamesThePath) {
  const std::string sha = Serve("content");
  const std::string path = OutDir() + "/copy.pdf";

  const CliResult result = Run({"--output", "json", "case", "download",
                                "FR-DGT-2026-000001", sha, "-o", path});

  ASSERT_EQ(result.exit_code, 0) << result.err;
  const nlohmann::json json = nlohmann::json::parse(result.out, nullptr, false);
  ASSERT_FALSE(json.is_discarded()) << result.out;
  EXPECT_EQ(json["path"], path);
  EXPECT_EQ(json["attachment"]["sha256"], sha);
}

TEST_F(CaseDownloadTest, MalformedHashIsAUsageError) {
  const CliResult result =
      Run({"case", "download", "FR-DGT-2026-000001", "abc123", "-o", OutDir()});

  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, HasSubstr("64 hex digits"));
  EXPECT_THAT(cases().seen().downloads, IsEmpty());
}

}  // namespace
}  // namespace pwx::testing
