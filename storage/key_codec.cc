#include "storage/key_codec.h"

#include <cstddef>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"

namespace pwx::storage {
namespace {

// The byte that follows 0x00 in an encoded string: an escaped 0x00 inside the
// string, or the end of the string. kEnd < kEscapedZero keeps a string before
// every longer string that extends it.
constexpr char kEnd = '\x01';
constexpr char kEscapedZero = '\xff';

void AppendEscaped(std::string& out, std::string_view s) {
  for (char c : s) {
    out.push_back(c);
    if (c == '\0') out.push_back(kEscapedZero);
  }
}

void AppendBigEndian(std::string& out, uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) {
    out.push_back(static_cast<char>((v >> shift) & 0xff));
  }
}

constexpr uint64_t kSignBit = uint64_t{1} << 63;

}  // namespace

KeyBuilder& KeyBuilder::String(std::string_view s) {
  AppendEscaped(key_, s);
  key_.push_back('\0');
  key_.push_back(kEnd);
  return *this;
}

KeyBuilder& KeyBuilder::StringPrefix(std::string_view s) {
  AppendEscaped(key_, s);
  return *this;
}

KeyBuilder& KeyBuilder::Uint64(uint64_t v) {
  AppendBigEndian(key_, v);
  return *this;
}

KeyBuilder& KeyBuilder::Int64(int64_t v) {
  AppendBigEndian(key_, static_cast<uint64_t>(v) ^ kSignBit);
  return *this;
}

absl::StatusOr<std::string> KeyReader::String() {
  std::string out;
  for (size_t i = 0; i < rest_.size(); ++i) {
    if (rest_[i] != '\0') {
      out.push_back(rest_[i]);
      continue;
    }
    if (i + 1 == rest_.size()) break;
    if (rest_[i + 1] == kEnd) {
      rest_.remove_prefix(i + 2);
      return out;
    }
    if (rest_[i + 1] != kEscapedZero) {
      return absl::InvalidArgumentError(
          "key: string component has an invalid escape");
    }
    out.push_back('\0');
    ++i;
  }
  return absl::InvalidArgumentError("key: string component is not terminated");
}

absl::StatusOr<uint64_t> KeyReader::Uint64() {
  if (rest_.size() < 8) {
    return absl::InvalidArgumentError("key: integer component needs 8 bytes");
  }
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) {
    v = (v << 8) | static_cast<unsigned char>(rest_[i]);
  }
  rest_.remove_prefix(8);
  return v;
}

absl::StatusOr<int64_t> KeyReader::Int64() {
  absl::StatusOr<uint64_t> v = Uint64();
  if (!v.ok()) return v.status();
  return static_cast<int64_t>(*v ^ kSignBit);
}

std::string PrefixSuccessor(std::string_view prefix) {
  std::string out(prefix);
  while (!out.empty() && static_cast<unsigned char>(out.back()) == 0xff) {
    out.pop_back();
  }
  if (!out.empty()) out.back() = static_cast<char>(out.back() + 1);
  return out;
}

std::string EncodePageToken(std::string_view scope, std::string_view position) {
  std::string raw(scope);
  raw += KeyBuilder().String(position).key();
  return absl::WebSafeBase64Escape(raw);
}

absl::StatusOr<std::string> DecodePageToken(std::string_view scope,
                                            std::string_view token) {
  const absl::Status bad = absl::InvalidArgumentError(
      "page_token: not a token issued for this list and these filters");
  std::string raw;
  if (!absl::WebSafeBase64Unescape(
          absl::string_view(token.data(), token.size()), &raw) ||
      !std::string_view(raw).starts_with(scope)) {
    return bad;
  }
  KeyReader reader(std::string_view(raw).substr(scope.size()));
  absl::StatusOr<std::string> position = reader.String();
  if (!position.ok() || !reader.done()) return bad;
  return *std::move(position);
}

}  // namespace pwx::storage
