// AttachmentSpool and SpoolFile over a temporary directory.
#include "server/attachment_spool.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "server/domain/digest.h"
#include "tests/testing/test_pki.h"

namespace pwx::server {
namespace {

mode_t ModeOf(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 0777;
}

class AttachmentSpoolTest : public ::testing::Test {
 protected:
  AttachmentSpoolTest() : dir_(testing::MakeTempDir("spool") + "/spool") {}

  std::string dir_;
};

TEST_F(AttachmentSpoolTest, FilesArePrivateHashedReadBackAndRemoved) {
  absl::StatusOr<std::unique_ptr<AttachmentSpool>> spool =
      AttachmentSpool::Open(dir_);
  ASSERT_TRUE(spool.ok()) << spool.status();
  EXPECT_EQ(ModeOf(dir_), 0700u);
  absl::StatusOr<std::unique_ptr<SpoolFile>> file = (*spool)->Create();
  ASSERT_TRUE(file.ok()) << file.status();
  const std::string path = (*file)->path();
  EXPECT_EQ(ModeOf(path), 0600u);
  ASSERT_TRUE((*file)->Append("hello, ").ok());
  ASSERT_TRUE((*file)->Append("world").ok());
  EXPECT_EQ((*file)->size(), 12u);
  EXPECT_EQ((*file)->Sha256Hex(), domain::Sha256Hex("hello, world"));
  EXPECT_EQ(*(*file)->Read(0, 5), "hello");
  EXPECT_EQ(*(*file)->Read(7, 100), "world");
  EXPECT_EQ(*(*file)->Read(12, 100), "");
  file->reset();
  EXPECT_FALSE(std::filesystem::exists(path));
}

TEST_F(AttachmentSpoolTest, OpenRemovesWhatAnEarlierRunLeft) {
  std::filesystem::create_directories(dir_);
  std::ofstream(dir_ + "/upload-x1y2z3") << "cut short";
  std::ofstream(dir_ + "/README") << "not a spool file";
  ASSERT_TRUE(AttachmentSpool::Open(dir_).ok());
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/upload-x1y2z3"));
  EXPECT_TRUE(std::filesystem::exists(dir_ + "/README"));
}

TEST_F(AttachmentSpoolTest, ADirectoryThatCannotBeMadeIsNamed) {
  std::ofstream(dir_) << "a file where the directory should be";
  absl::StatusOr<std::unique_ptr<AttachmentSpool>> spool =
      AttachmentSpool::Open(dir_ + "/inner");
  ASSERT_FALSE(spool.ok());
  EXPECT_TRUE(absl::IsInternal(spool.status()));
  EXPECT_NE(spool.status().message().find(dir_ + "/inner"), std::string::npos)
      << spool.status();
}

}  // namespace
}  // namespace pwx::server
