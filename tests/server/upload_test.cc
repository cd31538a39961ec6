// Attachment uploads through a whole node: spooled to <data_dir>/spool while
// they arrive, stored from there, and the spool file gone however the
// upload ends.
#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "pwx/v1/case_service.grpc.pb.h"
#include "tests/server/node_fixture.h"

namespace pwx::server {
namespace {

using ::testing::HasSubstr;

class UploadTest : public NodeTest {
 protected:
  std::string SpoolDir() const { return dir_ + "/data/spool"; }

  // The files in the spool directory.
  std::vector<std::string> SpoolFiles() const {
    std::vector<std::string> names;
    for (const auto& entry : std::filesystem::directory_iterator(SpoolDir())) {
      names.push_back(entry.path().filename().string());
    }
    return names;
  }

  // Waits (up to a minute) until the spool directory is empty: the server
  // ends a cancelled call on its own time.
  bool EventuallyNoSpoolFiles() const {
    const absl::Time deadline = absl::Now() + absl::Seconds(60);
    while (!SpoolFiles().empty()) {
      if (absl::Now() > deadline) return false;
      absl::SleepFor(absl::Milliseconds(20));
    }
    return true;
  }

  // The first attachment of `c`, downloaded; sets `file_name` from its
  // metadata.
  static std::string Download(pwx::v1::CaseService::Stub& stub, const Case& c,
                              std::string* file_name) {
    grpc::ClientContext context;
    pwx::v1::DownloadAttachmentRequest request;
    request.set_case_id(c.id());
    request.set_sha256(c.attachments(0).sha256());
    auto reader = stub.DownloadAttachment(&context, request);
    pwx::v1::DownloadAttachmentResponse part;
    std::string downloaded;
    while (reader->Read(&part)) {
      if (part.has_meta()) *file_name = part.meta().file_name();
      downloaded += part.chunk();
    }
    grpc::Status s = reader->Finish();
    EXPECT_TRUE(s.ok()) << s.error_message();
    return downloaded;
  }

  // The case as stored.
  static Case Read(pwx::v1::CaseService::Stub& stub, const std::string& id) {
    grpc::ClientContext context;
    pwx::v1::GetCaseRequest get;
    get.set_id(id);
    Case read;
    grpc::Status s = stub.GetCase(&context, get, &read);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return read;
  }
};

TEST_F(UploadTest, TheSpoolDirectoryIsPrivate) {
  struct stat st {};
  ASSERT_EQ(::stat(SpoolDir().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  EXPECT_TRUE(SpoolFiles().empty());
}

TEST_F(UploadTest, ALargeUploadRoundTripsAndLeavesNoSpoolFile) {
  node_->Shutdown(absl::Seconds(1));
  node_.reset();
  StartNode(/*max_attachment=*/8 << 20);
  auto stub = CaseStub("alice");
  Case created;
  ASSERT_TRUE(CreateCase(*stub, Draft(), &created).ok());
  // 5 MiB and a bit: many stored chunks, the last one partial.
  std::string content;
  for (uint64_t i = 0; content.size() < (5u << 20) + 12345; ++i) {
    content += std::to_string(i * 7919);
  }
  Case after;
  grpc::Status s = Upload(*stub, created.id(), content, content.size(), &after);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(after.attachments_size(), 1);
  EXPECT_EQ(after.attachments(0).size_bytes(), content.size());
  EXPECT_TRUE(SpoolFiles().empty());
  std::string file_name;
  EXPECT_EQ(Download(*stub, after, &file_name), content);
  EXPECT_EQ(file_name, "report.txt");
}

TEST_F(UploadTest, ACancelledUploadLeavesNoSpoolFileAndNothingStored) {
  auto stub = CaseStub("alice");
  Case created;
  ASSERT_TRUE(CreateCase(*stub, Draft(), &created).ok());
  {
    grpc::ClientContext context;
    Case out;
    auto writer = stub->UploadAttachment(&context, &out);
    pwx::v1::UploadAttachmentRequest header;
    header.mutable_header()->set_case_id(created.id());
    header.mutable_header()->set_file_name("report.txt");
    ASSERT_TRUE(writer->Write(header));
    pwx::v1::UploadAttachmentRequest chunk;
    chunk.set_chunk(std::string(100000, 'x'));
    ASSERT_TRUE(writer->Write(chunk));
    context.TryCancel();
    EXPECT_EQ(writer->Finish().error_code(), grpc::StatusCode::CANCELLED);
  }
  EXPECT_TRUE(EventuallyNoSpoolFiles());
  EXPECT_EQ(Read(*stub, created.id()).attachments_size(), 0);
}

TEST_F(UploadTest, OversizedOrTruncatedUploadsLeaveNothingNotEvenASpoolFile) {
  node_->Shutdown(absl::Seconds(1));
  node_.reset();
  StartNode(/*max_attachment=*/150000);
  auto stub = CaseStub("alice");
  Case created;
  ASSERT_TRUE(CreateCase(*stub, Draft(), &created).ok());
  Case out;
  grpc::Status big =
      Upload(*stub, created.id(), std::string(200000, 'x'), 0, &out);
  EXPECT_EQ(big.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED)
      << big.error_message();
  EXPECT_THAT(big.error_message(),
              HasSubstr("attachment: larger than the limit of 150000 bytes"));
  grpc::Status announced = Upload(*stub, created.id(), "", 150001, &out);
  EXPECT_EQ(announced.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(announced.error_message(),
              HasSubstr("150001 bytes exceed the limit of 150000 bytes"));
  grpc::Status truncated =
      Upload(*stub, created.id(), std::string(1000, 'x'), 2000, &out);
  EXPECT_EQ(truncated.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(truncated.error_message(), HasSubstr("header.size_bytes"));

  EXPECT_TRUE(EventuallyNoSpoolFiles());
  Case read = Read(*stub, created.id());
  EXPECT_EQ(read.version(), 1u);
  EXPECT_EQ(read.attachments_size(), 0);
}

TEST_F(UploadTest, WhatACrashLeftInTheSpoolIsRemovedAtStart) {
  node_->Shutdown(absl::Seconds(1));
  node_.reset();
  std::ofstream(SpoolDir() + "/upload-Ab12Cd") << "half an upload";
  StartNode();
  EXPECT_TRUE(SpoolFiles().empty());
}

}  // namespace
}  // namespace pwx::server
