// Attachment uploads held in private files while they arrive, so that the
// memory an upload takes does not grow with its size: the service appends
// each chunk to a SpoolFile (hashing it on the way) and the case manager
// stores the finished file chunk by chunk.
#ifndef PWX_SERVER_ATTACHMENT_SPOOL_H_
#define PWX_SERVER_ATTACHMENT_SPOOL_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "server/domain/digest.h"

namespace pwx::server {

// One upload's bytes in a file (mode 0600) of the spool directory, removed
// when the SpoolFile is destroyed. Not thread-safe: one upload uses it at a
// time.
class SpoolFile {
 public:
  SpoolFile(const SpoolFile&) = delete;
  SpoolFile& operator=(const SpoolFile&) = delete;
  // Closes and removes the file.
  ~SpoolFile();

  // Appends `bytes` to the file. INTERNAL naming the file when it cannot be
  // written (e.g. the disk is full).
  absl::Status Append(absl::string_view bytes);

  // The number of bytes appended.
  uint64_t size() const { return size_; }

  // Lower-case hex SHA-256 of the bytes appended.
  std::string Sha256Hex() const { return hasher_.Hex(); }

  // Bytes [offset, offset + max_bytes) of the file, fewer at its end.
  // INTERNAL naming the file when it cannot be read.
  absl::StatusOr<std::string> Read(uint64_t offset, size_t max_bytes) const;

  const std::string& path() const { return path_; }

 private:
  friend class AttachmentSpool;
  SpoolFile(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}

  const std::string path_;
  const int fd_;
  uint64_t size_ = 0;
  domain::Sha256Hasher hasher_;
};

// The spool directory, <data_dir>/spool. Thread-safe.
class AttachmentSpool {
 public:
  // Creates `dir` (mode 0700) if needed and removes the files an earlier
  // run left in it (uploads cut short by a crash). INTERNAL naming the
  // directory when it cannot be created or cleared.
  static absl::StatusOr<std::unique_ptr<AttachmentSpool>> Open(std::string dir);

  AttachmentSpool(const AttachmentSpool&) = delete;
  AttachmentSpool& operator=(const AttachmentSpool&) = delete;

  // A new, empty file for one upload. INTERNAL naming the directory when it
  // cannot be created.
  absl::StatusOr<std::unique_ptr<SpoolFile>> Create() const;

  const std::string& dir() const { return dir_; }

 private:
  explicit AttachmentSpool(std::string dir) : dir_(std::move(dir)) {}

  const std::string dir_;
};

}  // namespace pwx::server

#endif  // PWX_SERVER_ATTACHMENT_SPOOL_H_
