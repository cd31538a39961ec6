// spdlog set-up for pwx-server: human-readable text or one JSON object per
// line for log collectors.
//
// Whatever a line holds, the text format writes it on one line: control
// characters (newlines, escape sequences, ...) and backslashes are written
// as escapes (EscapeForLog), so that text a peer or a user sent cannot forge
// a line or drive a terminal. Lines of named fields (LogFields) are
// `key=value` pairs in the text format and fields of their object in JSON.
#ifndef PWX_SERVER_LOGGING_H_
#define PWX_SERVER_LOGGING_H_

#include <spdlog/spdlog.h>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "pwx/v1/config.pb.h"

namespace pwx::server {

// Installs the default logger on stderr in the configured format and level.
// Call once, before other threads log.
absl::Status SetupLogging(const pwx::v1::LogConfig& config);
// The same, writing to `sink` (tests).
absl::Status SetupLogging(const pwx::v1::LogConfig& config,
                          spdlog::sink_ptr sink);

// `text` with `\` written `\\`, newline, carriage return and tab as `\n`,
// `\r`, `\t`, and every other control character (C0, DEL, and the C1
// controls in UTF-8) as `\xNN` (`\u0085` for C1): one line, nothing a
// terminal acts on. Everything else, UTF-8 included, is kept.
std::string EscapeForLog(std::string_view text);

// A field of a log line. `number` marks a value JSON writes as a number.
struct LogField {
  std::string_view key;
  std::string value;
  bool number = false;
};

// Logs one line of fields. Text: `key=value ...`, a value quoted (with `"`
// and `\` escaped) when it holds a space, `"` or `=`.
// JSON: each a field of the line's object, beside time, level and msg.
void LogFields(spdlog::level::level_enum level,
               const std::vector<LogField>& fields);

// The text LogFields writes for `fields` (what the text format shows).
std::string FieldsText(const std::vector<LogField>& fields);

}  // namespace pwx::server

#endif  // PWX_SERVER_LOGGING_H_
