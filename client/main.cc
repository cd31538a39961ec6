// pwx: the command line of a pwx node. See client/cli.h.
#include <grpc/support/log.h>

#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "client/cli.h"

namespace {

void DiscardGrpcLog(gpr_log_func_args* /*args*/) {}

}  // namespace

int main(int argc, char** argv) {
  // gRPC core logs TLS handshake and connection failures to stderr by itself;
  // the CLI reports each failure once, as the call's status. Setting
  // GRPC_VERBOSITY brings gRPC's own logging back for debugging.
  if (std::getenv("GRPC_VERBOSITY") == nullptr) {
    gpr_set_log_function(DiscardGrpcLog);
  }
  const std::vector<std::string> args(argv + 1, argv + argc);
  return pwx::client::RunCli(args, std::cout, std::cerr,
                             pwx::client::ProcessGetenv);
}
