// Opening a mutually authenticated gRPC channel to a pwx node's API port.
#ifndef PWX_CLIENT_CONNECTION_H_
#define PWX_CLIENT_CONNECTION_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "grpcpp/channel.h"

namespace pwx::client {

// Where the node is and which PEM files prove who we are. Every field is
// required: pwx nodes trust a private CA and require a client certificate.
struct ConnectionOptions {
  // "host:port" of the node's API port, e.g. "pwx.dgt.example:7443".
  // Default: "" (an error; the CLI fills it from --server or PWX_SERVER).
  std::string server;
  // PEM file with the CA certificate(s) that issued the node's certificate.
  std::string ca_file;
  // PEM file with the user's certificate (chain).
  std::string cert_file;
  // PEM file with the user's private key.
  std::string key_file;
};

// Reads the PEM files and returns a channel using mutual TLS with keepalive.
// The channel connects lazily: an unreachable server shows up as UNAVAILABLE
// on the first call, not here. Returns INVALID_ARGUMENT naming the flag
// (--server, --ca, --cert, --key) when a setting is missing or a file cannot
// be read. Thread-safe.
absl::StatusOr<std::shared_ptr<grpc::Channel>> Connect(
    const ConnectionOptions& options);

}  // namespace pwx::client

#endif  // PWX_CLIENT_CONNECTION_H_
