#include "server/attachment_spool.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace pwx::server {
namespace {

// Spool files are named <kPrefix>XXXXXX; only such files are cleared at
// start.
constexpr char kPrefix[] = "upload-";

absl::Status FileError(absl::string_view what, const std::string& path) {
  return absl::InternalError(absl::StrCat("attachment: cannot ", what, " ",
                                          path, ": ", std::strerror(errno)));
}

}  // namespace

SpoolFile::~SpoolFile() {
  ::close(fd_);
  ::unlink(path_.c_str());
}

absl::Status SpoolFile::Append(absl::string_view bytes) {
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd_, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return FileError("write the spool file", path_);
    done += static_cast<size_t>(n);
  }
  hasher_.Update(bytes);
  size_ += bytes.size();
  return absl::OkStatus();
}

absl::StatusOr<std::string> SpoolFile::Read(uint64_t offset,
                                            size_t max_bytes) const {
  if (offset >= size_) return std::string();
  std::string out(std::min<uint64_t>(max_bytes, size_ - offset), '\0');
  size_t done = 0;
  while (done < out.size()) {
    const ssize_t n = ::pread(fd_, out.data() + done, out.size() - done,
                              static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return FileError("read the spool file", path_);
    if (n == 0) {
      return absl::InternalError(absl::StrCat("attachment: the spool file ",
                                              path_, " ended early at byte ",
                                              offset + done, " of ", size_));
    }
    done += static_cast<size_t>(n);
  }
  return out;
}

absl::StatusOr<std::unique_ptr<AttachmentSpool>> AttachmentSpool::Open(
    std::string dir) {
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return FileError("create the spool directory", dir);
  }
  if (::chmod(dir.c_str(), 0700) != 0) {
    return FileError("chmod the spool directory", dir);
  }
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return FileError("list the spool directory", dir);
  std::vector<std::string> leftovers;
  while (dirent* e = ::readdir(d)) {
    if (absl::StartsWith(e->d_name, kPrefix)) leftovers.push_back(e->d_name);
  }
  ::closedir(d);
  for (const std::string& name : leftovers) {
    const std::string path = absl::StrCat(dir, "/", name);
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
      return FileError("remove the leftover spool file", path);
    }
  }
  return std::unique_ptr<AttachmentSpool>(new AttachmentSpool(std::move(dir)));
}

absl::StatusOr<std::unique_ptr<SpoolFile>> AttachmentSpool::Create() const {
  std::string path = absl::StrCat(dir_, "/", kPrefix, "XXXXXX");
  // mkstemp creates the file with mode 0600.
  const int fd = ::mkostemp(path.data(), O_CLOEXEC);
  if (fd < 0) return FileError("create a spool file in", dir_);
  return std::unique_ptr<SpoolFile>(new SpoolFile(std::move(path), fd));
}

}  // namespace pwx::server
