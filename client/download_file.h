// Writing a downloaded attachment to a file, for `pwx case download` and
// `pwx request download`: staged, hashed on the way, and only renamed into
// place when every byte arrived and matches the SHA-256 asked for.
#ifndef PWX_CLIENT_DOWNLOAD_FILE_H_
#define PWX_CLIENT_DOWNLOAD_FILE_H_

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "client/attachment_transfer.h"
#include "client/staged_file.h"

namespace pwx::client {

// The attachment's recorded name reduced to a plain file name, so a server
// cannot make us write outside the chosen directory.
std::string SafeFileName(const std::string& recorded,
                         const std::string& sha256);

// True for 64 lower-case hex digits.
bool IsLowerSha256Hex(std::string_view text);

// Downloads the attachment `sha256` (lower-case hex) into `output`: a file,
// a directory (the attachment's name in it), or empty (its name in the
// current directory). ALREADY_EXISTS for an existing file unless `force`;
// DATA_LOSS, writing nothing, when the bytes do not add up to the size or
// the hash announced. `download` runs the call into the sink it is given.
// Sets `*path` to the file written.
template <typename Meta>
absl::StatusOr<Meta> DownloadToFile(
    const std::string& output, bool force, const std::string& sha256,
    const std::function<absl::StatusOr<Meta>(const DownloadSinkOf<Meta>&)>&
        download,
    std::string* path) {
  std::filesystem::path directory;  // empty: the current directory
  *path = output;
  std::error_code error;
  if (!path->empty() && std::filesystem::is_directory(*path, error)) {
    directory = *path;
    path->clear();
  }
  if (!path->empty() && !force && std::filesystem::exists(*path, error)) {
    return absl::AlreadyExistsError(
        absl::StrCat(*path, " exists; pass --force to overwrite it"));
  }
  std::unique_ptr<StagedFile> staged;
  Sha256 hasher;
  uint64_t received = 0;
  DownloadSinkOf<Meta> sink{
      .on_meta = [&](const Meta& meta) -> absl::Status {
        if (path->empty()) {
          *path = (directory / SafeFileName(meta.file_name(), sha256)).string();
        }
        absl::StatusOr<std::unique_ptr<StagedFile>> file =
            StagedFile::Create(*path, force);
        if (!file.ok()) return file.status();
        staged = *std::move(file);
        return absl::OkStatus();
      },
      .on_chunk = [&](std::string_view chunk) -> absl::Status {
        hasher.Update(chunk);
        received += chunk.size();
        return staged->Append(chunk);
      },
  };
  absl::StatusOr<Meta> meta = download(sink);
  if (!meta.ok()) return meta.status();
  if (received != meta->size_bytes()) {
    return absl::DataLossError(absl::StrCat(
        "received ", received, " bytes of ", meta->file_name(),
        " but the server announced ", meta->size_bytes(), "; nothing written"));
  }
  if (hasher.HexDigest() != sha256) {
    return absl::DataLossError(absl::StrCat("content of ", meta->file_name(),
                                            " does not match SHA-256 ", sha256,
                                            "; nothing written"));
  }
  if (absl::Status s = staged->Commit(); !s.ok()) return s;
  return meta;
}

}  // namespace pwx::client

#endif  // PWX_CLIENT_DOWNLOAD_FILE_H_
