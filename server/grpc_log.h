// gRPC's own log lines through spdlog, in the node's log format, with the
// TLS handshake refusals that gRPC 1.51 logs in OpenSSL's terms turned into
// one clear line each.
//
// A certificate refused inside the handshake (unknown CA, expired, revoked
// by a current list) never reaches pwx's code: gRPC logs "Certificate verify
// failed with code N" (also, spuriously, for handshakes that succeed) and
// then "Handshake failed with fatal error SSL_ERROR_SSL: ... certificate
// verify failed", on the same thread. It names neither the listener nor the
// client, so neither can the line made of it.
#ifndef PWX_SERVER_GRPC_LOG_H_
#define PWX_SERVER_GRPC_LOG_H_

#include <spdlog/common.h>

#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace pwx::server {

struct GrpcLogLine {
  spdlog::level::level_enum level;
  std::string text;
};

// What one gRPC log line (from `file`, at `severity` 0/1/2 for debug, info,
// error) becomes; nullopt to drop it. `last_verify_error` carries the
// OpenSSL error gRPC logged last on this thread, between calls. Pure.
std::optional<GrpcLogLine> TranslateGrpcLog(absl::string_view file,
                                            int severity,
                                            absl::string_view message,
                                            int* last_verify_error);

// Routes gRPC's log lines (those GRPC_VERBOSITY lets through: errors by
// default) to spdlog's default logger through TranslateGrpcLog. Process-
// wide; call once, after the logger is set up.
void RouteGrpcLogsToSpdlog();

}  // namespace pwx::server

#endif  // PWX_SERVER_GRPC_LOG_H_
