#include "client/staged_file.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"

namespace pwx::client {
namespace {

absl::Status ErrnoError(absl::string_view what, const std::string& path) {
  const int error = errno;
  std::string message =
      absl::StrCat(what, " ", path, ": ", std::strerror(error));
  if (error == ENOENT) return absl::NotFoundError(message);
  if (error == EACCES || error == EPERM) {
    return absl::PermissionDeniedError(message);
  }
  return absl::InternalError(message);
}

bool PathExists(const std::string& path) {
  struct stat info;
  return ::lstat(path.c_str(), &info) == 0;
}

}  // namespace

absl::StatusOr<std::unique_ptr<StagedFile>> StagedFile::Create(
    const std::string& final_path, bool overwrite) {
  if (!overwrite && PathExists(final_path)) {
    return absl::AlreadyExistsError(
        absl::StrCat(final_path, " exists; pass --force to overwrite it"));
  }
  const std::filesystem::path target(final_path);
  std::filesystem::path dir = target.parent_path();
  if (dir.empty()) dir = ".";
  const std::string pattern =
      (dir / absl::StrCat(".", target.filename().string(), ".pwx-XXXXXX"))
          .string();
  std::vector<char> temp(pattern.begin(), pattern.end());
  temp.push_back('\0');
  const int fd = ::mkstemp(temp.data());
  if (fd < 0) return ErrnoError("cannot create a file in", dir.string());
  return std::unique_ptr<StagedFile>(
      new StagedFile(final_path, std::string(temp.data()), fd, overwrite));
}

StagedFile::StagedFile(std::string final_path, std::string temp_path, int fd,
                       bool overwrite)
    : final_path_(std::move(final_path)),
      temp_path_(std::move(temp_path)),
      fd_(fd),
      overwrite_(overwrite) {}

StagedFile::~StagedFile() {
  if (fd_ >= 0) ::close(fd_);
  if (!committed_) ::unlink(temp_path_.c_str());
}

absl::Status StagedFile::Append(std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd_, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoError("cannot write", temp_path_);
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return absl::OkStatus();
}

absl::Status StagedFile::Commit() {
  if (::fsync(fd_) != 0) return ErrnoError("cannot flush", temp_path_);
  const int fd = fd_;
  fd_ = -1;
  if (::close(fd) != 0) return ErrnoError("cannot close", temp_path_);
  // Checked again: the file may have appeared while we were downloading.
  if (!overwrite_ && PathExists(final_path_)) {
    return absl::AlreadyExistsError(
        absl::StrCat(final_path_, " exists; pass --force to overwrite it"));
  }
  if (::rename(temp_path_.c_str(), final_path_.c_str()) != 0) {
    return ErrnoError("cannot rename onto", final_path_);
  }
  committed_ = true;
  return absl::OkStatus();
}

struct Sha256::Context {
  EVP_MD_CTX* md = nullptr;
};

Sha256::Sha256() : context_(std::make_unique<Context>()) {
  context_->md = EVP_MD_CTX_new();
  if (context_->md != nullptr) {
    EVP_DigestInit_ex(context_->md, EVP_sha256(), nullptr);
  }
}

Sha256::~Sha256() { EVP_MD_CTX_free(context_->md); }

void Sha256::Update(std::string_view data) {
  if (context_->md != nullptr) {
    EVP_DigestUpdate(context_->md, data.data(), data.size());
  }
}

std::string Sha256::HexDigest() {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  // A digest that cannot be computed (allocation failure) is empty, which
  // never matches an attachment's address.
  if (context_->md == nullptr ||
      EVP_DigestFinal_ex(context_->md, digest, &length) != 1) {
    return "";
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(size_t{length} * 2);
  for (unsigned int i = 0; i < length; ++i) {
    hex.push_back(kHex[digest[i] >> 4]);
    hex.push_back(kHex[digest[i] & 0x0f]);
  }
  return hex;
}

}  // namespace pwx::client
