// `pwx backup ...`: node administration commands.
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "client/case_client.h"
#include "client/cli_internal.h"
#include "client/output.h"

namespace pwx::client::internal {

void AddBackupCommands(CLI::App& app, Command* selected) {
  CLI::App* backup = app.add_subcommand("backup", "Back up the node");
  backup->require_subcommand(1);

  CLI::App* create = backup->add_subcommand(
      "create",
      "Take an online, incremental backup of the node's database into DIR "
      "on the server (admin users only)");
  auto directory = std::make_shared<std::string>();
  create->add_option("DIR", *directory, "Absolute directory on the server")
      ->required();
  create->callback([selected, directory] {
    *selected = [directory](CommandEnv& env) -> absl::Status {
      if (directory->empty() || directory->front() != '/') {
        return UsageError(
            absl::StrCat("DIR must be an absolute path on the server, got '",
                         *directory, "'"));
      }
      absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = env.connect();
      if (!channel.ok()) return channel.status();
      absl::StatusOr<pwx::v1::CreateBackupResponse> backup =
          AdminClient(*channel, env.timeout).CreateBackup(*directory);
      if (!backup.ok()) return backup.status();
      PrintBackup(*backup, env.format, env.out);
      return absl::OkStatus();
    };
  });
}

}  // namespace pwx::client::internal
