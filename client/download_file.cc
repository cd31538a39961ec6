#include "client/download_file.h"

#include <algorithm>

#include "absl/strings/ascii.h"

namespace pwx::client {

std::string SafeFileName(const std::string& recorded,
                         const std::string& sha256) {
  std::string name = recorded.substr(recorded.find_last_of("/\\") + 1);
  for (char& ch : name) {
    if (static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f) ch = '_';
  }
  if (name.empty() || name == "." || name == "..") {
    name = absl::StrCat("attachment-", sha256.substr(0, 12));
  }
  return name;
}

bool IsLowerSha256Hex(std::string_view text) {
  return text.size() == 64 &&
         std::all_of(text.begin(), text.end(), [](char ch) {
           return absl::ascii_isdigit(static_cast<unsigned char>(ch)) ||
                  (ch >= 'a' && ch <= 'f');
         });
}

}  // namespace pwx::client
