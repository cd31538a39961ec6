// pwx-server's configuration: a pwx.v1.ServerConfig in protobuf text format,
// then flags, then defaults, then validation.
#ifndef PWX_SERVER_CONFIG_H_
#define PWX_SERVER_CONFIG_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "pwx/v1/config.pb.h"

namespace pwx::server {

// Parses a text-format config. Unknown or mistyped keys give
// INVALID_ARGUMENT with "<source>:<line>:<column>: <what>", e.g.
// "pwx.textproto:3:1: Message type "pwx.v1.ServerConfig" has no field named
// "data_dri"."
absl::StatusOr<pwx::v1::ServerConfig> ParseConfig(absl::string_view text,
                                                  absl::string_view source);

// Reads and parses a config file; NOT_FOUND when it cannot be read.
absl::StatusOr<pwx::v1::ServerConfig> LoadConfigFile(const std::string& path);

// Fills every unset field with its documented default.
void ApplyDefaults(pwx::v1::ServerConfig* config);

// INVALID_ARGUMENT naming the first bad key, e.g. "api.cert_file: is
// required".
absl::Status ValidateConfig(const pwx::v1::ServerConfig& config);

// The whole contents of a file; the error names `key`, the setting that
// pointed at it.
absl::StatusOr<std::string> ReadFileForKey(absl::string_view key,
                                           const std::string& path);

}  // namespace pwx::server

#endif  // PWX_SERVER_CONFIG_H_
