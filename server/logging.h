// spdlog set-up for pwx-server: human-readable text or one JSON object per
// line for log collectors.
#ifndef PWX_SERVER_LOGGING_H_
#define PWX_SERVER_LOGGING_H_

#include "absl/status/status.h"
#include "pwx/v1/config.pb.h"

namespace pwx::server {

// Installs the default logger on stderr in the configured format and level.
// Call once, before other threads log.
absl::Status SetupLogging(const pwx::v1::LogConfig& config);

}  // namespace pwx::server

#endif  // PWX_SERVER_LOGGING_H_
