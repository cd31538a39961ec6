// The `pwx` command line, as a function that tests run in-process.
#ifndef PWX_CLIENT_CLI_H_
#define PWX_CLIENT_CLI_H_

#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "client/connection.h"
#include "grpcpp/channel.h"

namespace pwx::client {

// Looks up an environment variable; std::nullopt when unset.
using Getenv = std::function<std::optional<std::string>(std::string_view)>;

// Opens the channel a command talks to. Default: Connect().
using ChannelFactory =
    std::function<absl::StatusOr<std::shared_ptr<grpc::Channel>>(
        const ConnectionOptions&)>;

// Exit codes of RunCli.
inline constexpr int kExitOk = 0;
// The command ran and failed: an RPC error, an unreadable certificate, ...
inline constexpr int kExitFailure = 1;
// The command line itself is wrong: unknown flag, bad value, missing
// argument.
inline constexpr int kExitUsage = 2;

// Runs the command line `args` (without the program name) and returns its
// exit code. Results go to `out`; errors go to `err` as one line, e.g.
// "pwx: NOT_FOUND: case FR-DGT-2026-000009 not found". Flags left out take
// their defaults from `getenv` (PWX_SERVER, PWX_CA, PWX_CERT, PWX_KEY,
// PWX_OUTPUT). Never throws. Thread-compatible: concurrent calls share
// nothing but `factory`.
int RunCli(const std::vector<std::string>& args, std::ostream& out,
           std::ostream& err, const Getenv& getenv,
           const ChannelFactory& factory = Connect);

// Getenv over the process environment.
std::optional<std::string> ProcessGetenv(std::string_view name);

}  // namespace pwx::client

#endif  // PWX_CLIENT_CLI_H_
