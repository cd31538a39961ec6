// Order-preserving key encoding: the byte order of encoded keys is the order
// of their component tuples, so range scans follow the domain order (e.g. by
// due date, then id).
//
//   strings: 0x00 is escaped as 0x00 0xFF and the string ends with 0x00 0x01,
//            so "a" < "a\0" < "ab" holds after encoding; escaping is
//            prefix-preserving, so StringPrefix() of a prefix is a prefix of
//            the encoded string (used for prefix scans).
//   uint64:  8 bytes big-endian.
//   int64:   8 bytes big-endian with the sign bit flipped.
#ifndef PWX_STORAGE_KEY_CODEC_H_
#define PWX_STORAGE_KEY_CODEC_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace pwx::storage {

// Builds an encoded key from components. Not thread-safe.
class KeyBuilder {
 public:
  KeyBuilder& String(std::string_view s);
  // Appends the escaped bytes of `s` without the terminator: everything
  // whose next string component starts with `s` sorts right after it.
  KeyBuilder& StringPrefix(std::string_view s);
  KeyBuilder& Uint64(uint64_t v);
  KeyBuilder& Int64(int64_t v);
  const std::string& key() const { return key_; }
  // Returns the key and leaves the builder empty.
  std::string Build() { return std::move(key_); }

 private:
  std::string key_;
};

// Reads components back from an encoded key, in the order written.
// Not thread-safe. Each method returns INVALID_ARGUMENT on malformed input.
class KeyReader {
 public:
  explicit KeyReader(std::string_view key) : rest_(key) {}
  absl::StatusOr<std::string> String();
  absl::StatusOr<uint64_t> Uint64();
  absl::StatusOr<int64_t> Int64();
  bool done() const { return rest_.empty(); }

 private:
  std::string_view rest_;
};

// The smallest key greater than every key starting with `prefix`; empty when
// there is none (prefix all 0xFF).
std::string PrefixSuccessor(std::string_view prefix);

// A list's page token: `position` (where the last page stopped) bound to
// `scope` (what was scanned, with which filters), so that a token replayed
// against another list or other filters is refused instead of silently
// skipping entries. Web-safe base64.
std::string EncodePageToken(std::string_view scope, std::string_view position);
// The position of `token`; INVALID_ARGUMENT naming "page_token" for one
// not issued for `scope`.
absl::StatusOr<std::string> DecodePageToken(std::string_view scope,
                                            std::string_view token);

}  // namespace pwx::storage

#endif  // PWX_STORAGE_KEY_CODEC_H_
