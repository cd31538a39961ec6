#include "client/connection.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string_view>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/channel_arguments.h"

namespace pwx::client {
namespace {

// A ping every five minutes keeps NAT and load-balancer state alive during
// long calls (backups, large downloads) without tripping a default gRPC
// server's ping-abuse limit (one ping per five minutes without data).
constexpr int kKeepaliveTimeMs = 5 * 60 * 1000;
constexpr int kKeepaliveTimeoutMs = 20 * 1000;
// A full page of 500 cases can exceed gRPC's 4 MiB default.
constexpr int kMaxReceiveMessageBytes = 64 * 1024 * 1024;

absl::StatusOr<std::string> ReadPemFile(absl::string_view flag,
                                        absl::string_view env,
                                        const std::string& path) {
  if (path.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(flag, " is required (or set ", env, ")"));
  }
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    return absl::InvalidArgumentError(
        absl::StrCat(flag, ": cannot read ", path, ": ", std::strerror(errno)));
  }
  std::string content((std::istreambuf_iterator<char>(file)),
                      std::istreambuf_iterator<char>());
  if (file.bad()) {
    return absl::InvalidArgumentError(
        absl::StrCat(flag, ": cannot read ", path));
  }
  if (content.find("-----BEGIN ") == std::string::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat(flag, ": ", path, " is not a PEM file"));
  }
  return content;
}

}  // namespace

absl::StatusOr<std::shared_ptr<grpc::Channel>> Connect(
    const ConnectionOptions& options) {
  if (options.server.empty()) {
    return absl::InvalidArgumentError(
        "--server is required (or set PWX_SERVER), e.g. "
        "--server=pwx.example.org:7443");
  }
  absl::StatusOr<std::string> ca =
      ReadPemFile("--ca", "PWX_CA", options.ca_file);
  if (!ca.ok()) return ca.status();
  absl::StatusOr<std::string> cert =
      ReadPemFile("--cert", "PWX_CERT", options.cert_file);
  if (!cert.ok()) return cert.status();
  absl::StatusOr<std::string> key =
      ReadPemFile("--key", "PWX_KEY", options.key_file);
  if (!key.ok()) return key.status();

  grpc::SslCredentialsOptions ssl;
  ssl.pem_root_certs = *std::move(ca);
  ssl.pem_cert_chain = *std::move(cert);
  ssl.pem_private_key = *std::move(key);
  std::shared_ptr<grpc::ChannelCredentials> credentials =
      grpc::SslCredentials(ssl);
  if (credentials == nullptr) {
    return absl::InternalError("cannot create TLS credentials");
  }

  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, kKeepaliveTimeMs);
  args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, kKeepaliveTimeoutMs);
  args.SetInt(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 0);
  args.SetMaxReceiveMessageSize(kMaxReceiveMessageBytes);
  std::shared_ptr<grpc::Channel> channel =
      grpc::CreateCustomChannel(options.server, credentials, args);
  if (channel == nullptr) {
    return absl::InternalError(
        absl::StrCat("cannot create a channel to ", options.server));
  }
  return channel;
}

}  // namespace pwx::client
