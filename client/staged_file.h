// Files written under a temporary name and moved into place only when
// complete, and the SHA-256 that checks a download against its address.
#ifndef PWX_CLIENT_STAGED_FILE_H_
#define PWX_CLIENT_STAGED_FILE_H_

#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace pwx::client {

// A file that appears at its final path only when Commit() succeeds, so an
// interrupted or failed write leaves nothing behind. The temporary file lives
// in the same directory (so the final rename is atomic) and is removed by the
// destructor unless committed. Created with mode 0600: attachments may carry
// personal data. Not thread-safe.
class StagedFile {
 public:
  // Stages a file for `final_path`. ALREADY_EXISTS when `final_path` exists
  // and `overwrite` is false; the errno's message when the directory is not
  // writable.
  static absl::StatusOr<std::unique_ptr<StagedFile>> Create(
      const std::string& final_path, bool overwrite);

  StagedFile(const StagedFile&) = delete;
  StagedFile& operator=(const StagedFile&) = delete;
  ~StagedFile();

  absl::Status Append(std::string_view data);
  // Flushes to disk and renames onto the final path. Call at most once.
  absl::Status Commit();

  const std::string& final_path() const { return final_path_; }

 private:
  StagedFile(std::string final_path, std::string temp_path, int fd,
             bool overwrite);

  const std::string final_path_;
  const std::string temp_path_;
  int fd_;
  const bool overwrite_;
  bool committed_ = false;
};

// Incremental SHA-256. Not thread-safe.
class Sha256 {
 public:
  Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  ~Sha256();

  void Update(std::string_view data);
  // Lower-case hex digest of everything given to Update(). Call once.
  std::string HexDigest();

 private:
  struct Context;
  std::unique_ptr<Context> context_;
};

}  // namespace pwx::client

#endif  // PWX_CLIENT_STAGED_FILE_H_
