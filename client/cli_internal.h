// Shared by the files that implement the `pwx` commands; not a public API.
#ifndef PWX_CLIENT_CLI_INTERNAL_H_
#define PWX_CLIENT_CLI_INTERNAL_H_

#include <cstdint>
#include <fstream>
#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>

#include "CLI/CLI.hpp"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "client/case_client.h"
#include "client/cli.h"
#include "client/output.h"
#include "grpcpp/channel.h"

namespace pwx::client::internal {

// What a parsed command runs with.
struct CommandEnv {
  std::ostream& out;
  // Where progress bars go: the error stream.
  std::ostream& err;
  // True when `err` is a terminal, so a progress bar may redraw itself.
  bool err_is_terminal = false;
  OutputFormat format;
  // Deadline of each RPC; absl::InfiniteDuration() for none.
  absl::Duration timeout;
  // Opens the channel to the node; called at most once per command.
  std::function<absl::StatusOr<std::shared_ptr<grpc::Channel>>()> connect;
};

// A parsed command, ready to run. An error marked by UsageError() exits 2,
// any other error 1.
using Command = std::function<absl::Status(CommandEnv&)>;

// An INVALID_ARGUMENT error about the command line itself.
absl::Status UsageError(absl::string_view message);
bool IsUsageError(const absl::Status& status);

// Re-marks an INVALID_ARGUMENT about user input as a usage error.
absl::Status AsUsage(const absl::Status& status);
// A usage error "flag: why", unless `status` already names `flag`.
absl::Status FlagUsage(absl::string_view flag, const absl::Status& status);
// Usage errors naming `flag`: empty (or only white space) text, an
// authority id that is not CC-NAME, a date that is not YYYY-MM-DD.
absl::Status CheckText(absl::string_view flag, const std::string& value);
absl::Status CheckAuthority(absl::string_view flag, const std::string& value);
absl::Status CheckDate(absl::string_view flag, const std::string& value);

// The whole content of the file `path` that the option or argument `flag`
// names; a usage error naming `flag` and `path` when it cannot be opened or
// read (a directory included).
absl::StatusOr<std::string> ReadInputFile(absl::string_view flag,
                                          const std::string& path);

// A file for an attach command to upload: open, with the file name and
// media type to record (`name`, `media_type`; when empty, the file's own
// name and a guess from its extension) and its size, which the server
// holds the upload to, so that a file changing while it is read is not
// stored half-written. A usage error naming `path` when it cannot be read.
struct UploadFile {
  std::ifstream content;
  std::string file_name;
  std::string media_type;
  uint64_t size = 0;
};
absl::StatusOr<UploadFile> OpenUpload(const std::string& path,
                                      const std::string& name,
                                      const std::string& media_type);

// The arguments of a download command (`pwx case download`, `pwx request
// download`): ID, the attachment's SHA256, -o FILE and --force.
struct DownloadFlags {
  std::string id;
  std::string sha256;
  std::string output;
  bool force = false;
};
// Adds them to `command`; `shown_by` is the command that shows the
// attachments' SHA-256, e.g. "pwx case get".
std::shared_ptr<DownloadFlags> AddDownloadArguments(
    CLI::App* command, const std::string& id_help, const std::string& shown_by);
// The SHA-256 in lower case, or a usage error naming SHA256.
absl::StatusOr<std::string> DownloadSha256(const DownloadFlags& flags,
                                           absl::string_view shown_by);

// Adds `case create|get|list|update|note|attach|download` to `app`; the
// subcommand the user picks stores its command in `*selected` during
// parsing.
void AddCaseCommands(CLI::App& app, Command* selected);

// Adds `attach` and `download` under `request`; part of the request
// commands.
void AddRequestAttachmentCommands(CLI::App* requests, Command* selected);

// Adds `backup create` to `app`, like AddCaseCommands().
void AddBackupCommands(CLI::App& app, Command* selected);

// Adds `user grant|revoke|list|set-language` to `app`, like
// AddCaseCommands().
void AddUserCommands(CLI::App& app, Command* selected);

// Adds `catalogue list` to `app`, like AddCaseCommands().
void AddCatalogueCommands(CLI::App& app, Command* selected);

// Adds `audit head|entries|proof|receipts|export|verify` to `app`, like
// AddCaseCommands().
void AddAuditCommands(CLI::App& app, Command* selected);

// Adds `proof inclusion|consistency` under `audit`; part of
// AddAuditCommands().
void AddAuditProofCommands(CLI::App& audit, Command* selected);

// Adds `verify` under `audit`; part of AddAuditCommands().
void AddAuditVerifyCommand(CLI::App& audit, Command* selected);

// Adds `receipts` under `audit`; part of AddAuditCommands().
void AddAuditReceiptsCommand(CLI::App& audit, Command* selected);

// The AuditService of the node `env` connects to.
absl::StatusOr<AuditClient> ConnectAudit(CommandEnv& env);

// Adds `admin identity export` and
// `peer add|update|list|suspend|resume|remove|resend|skip` to `app`, like
// AddCaseCommands().
void AddPeerCommands(CLI::App& app, Command* selected);

// Adds the top-level `access-log` to `app`, like AddCaseCommands().
void AddAccessLogCommand(CLI::App& app, Command* selected);

// Adds `calendar show|add` to `app`, like AddCaseCommands().
void AddCalendarCommands(CLI::App& app, Command* selected);

// Adds `request create|show|send|accept|...|list|inbox|outbox|overdue` and
// the top-level `stats` to `app`, like AddCaseCommands().
void AddRequestCommands(CLI::App& app, Command* selected);

// Adds `plan create|edit|invite|propose|agree|decline|amend|action add|
// start|finding add|report [submit]|measure|close|cancel|show|list` to
// `app`, like AddCaseCommands().
void AddPlanCommands(CLI::App& app, Command* selected);

// Adds the top-level `stats` to `app`; part of AddRequestCommands().
void AddStatsCommand(CLI::App& app, Command* selected);

}  // namespace pwx::client::internal

#endif  // PWX_CLIENT_CLI_INTERNAL_H_
