#include "client/cli.h"

#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <system_error>
#include <utility>

#include "CLI/CLI.hpp"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "client/case_input.h"
#include "client/cli_internal.h"
#include "client/download_file.h"
#include "client/output.h"

namespace pwx::client {
namespace internal {
namespace {

constexpr absl::string_view kUsagePayload = "type.pwx/cli.usage";

}  // namespace

absl::Status UsageError(absl::string_view message) {
  absl::Status status = absl::InvalidArgumentError(message);
  status.SetPayload(kUsagePayload, absl::Cord());
  return status;
}

absl::StatusOr<UploadFile> OpenUpload(const std::string& path,
                                      const std::string& name,
                                      const std::string& media_type) {
  UploadFile file;
  file.content.open(path, std::ios::binary);
  if (!file.content) {
    return UsageError(
        absl::StrCat("cannot read ", path, ": ", std::strerror(errno)));
  }
  std::error_code error;
  file.size = std::filesystem::file_size(path, error);
  if (error) {
    return UsageError(
        absl::StrCat("cannot read ", path, ": ", error.message()));
  }
  file.file_name =
      name.empty() ? std::filesystem::path(path).filename().string() : name;
  file.media_type =
      media_type.empty() ? GuessMediaType(file.file_name) : media_type;
  return file;
}

std::shared_ptr<DownloadFlags> AddDownloadArguments(
    CLI::App* command, const std::string& id_help,
    const std::string& shown_by) {
  auto flags = std::make_shared<DownloadFlags>();
  command->add_option("ID", flags->id, id_help)->required();
  command
      ->add_option(
          "SHA256", flags->sha256,
          absl::StrCat("The attachment's SHA-256 (shown by '", shown_by, "')"))
      ->required();
  command->add_option("-o,--out,--output-file", flags->output,
                      "File (or directory) to write; default: the "
                      "attachment's name in the current directory");
  command->add_flag("--force", flags->force, "Overwrite an existing file");
  return flags;
}

absl::StatusOr<std::string> DownloadSha256(const DownloadFlags& flags,
                                           absl::string_view shown_by) {
  std::string sha256 = absl::AsciiStrToLower(flags.sha256);
  if (!IsLowerSha256Hex(sha256)) {
    return UsageError(absl::StrCat("SHA256 must be 64 hex digits (shown by '",
                                   shown_by, "'), got '", flags.sha256, "'"));
  }
  return sha256;
}

bool IsUsageError(const absl::Status& status) {
  return status.GetPayload(kUsagePayload).has_value();
}

absl::StatusOr<std::string> ReadInputFile(absl::string_view flag,
                                          const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    return UsageError(
        absl::StrCat(flag, ": cannot read ", path, ": ", std::strerror(errno)));
  }
  // istream::read, unlike a streambuf iterator, turns a failed read (of a
  // directory, say) into badbit instead of an exception.
  std::string content;
  char buffer[64 * 1024];
  while (file) {
    file.read(buffer, sizeof(buffer));
    content.append(buffer, static_cast<size_t>(file.gcount()));
  }
  if (file.bad()) return UsageError(absl::StrCat(flag, ": cannot read ", path));
  return content;
}

}  // namespace internal

namespace {

using internal::Command;
using internal::CommandEnv;

constexpr int kDefaultTimeoutSeconds = 30;

struct GlobalFlags {
  ConnectionOptions connection;
  std::string output = "table";
  int timeout_seconds = kDefaultTimeoutSeconds;
};

GlobalFlags DefaultsFromEnvironment(const Getenv& getenv) {
  GlobalFlags flags;
  auto take = [&getenv](std::string_view name, std::string* into) {
    std::optional<std::string> value = getenv(name);
    if (value.has_value() && !value->empty()) *into = *std::move(value);
  };
  take("PWX_SERVER", &flags.connection.server);
  take("PWX_CA", &flags.connection.ca_file);
  take("PWX_CERT", &flags.connection.cert_file);
  take("PWX_KEY", &flags.connection.key_file);
  take("PWX_OUTPUT", &flags.output);
  return flags;
}

void AddGlobalOptions(CLI::App& app, GlobalFlags& flags) {
  app.add_option("--server", flags.connection.server,
                 "host:port of the node's API port (env PWX_SERVER)");
  app.add_option("--ca", flags.connection.ca_file,
                 "PEM file with the CA certificate the node's certificate "
                 "chains to (env PWX_CA)");
  app.add_option("--cert", flags.connection.cert_file,
                 "PEM file with your client certificate (env PWX_CERT)");
  app.add_option("--key", flags.connection.key_file,
                 "PEM file with your private key (env PWX_KEY)");
  app.add_option("--output", flags.output,
                 "Output format: table or json (env PWX_OUTPUT; default "
                 "table)");
  app.add_option("--timeout", flags.timeout_seconds,
                 "Seconds each call may take; 0 waits forever (default 30)")
      ->check(CLI::NonNegativeNumber);
}

std::string FailureMessage(const CLI::App* app, const CLI::Error& e) {
  std::string command = app->get_name();
  for (const CLI::App* sub = app; !sub->get_subcommands().empty();) {
    sub = sub->get_subcommands().front();
    absl::StrAppend(&command, " ", sub->get_name());
  }
  return absl::StrCat("pwx: ", e.what(), "\nRun '", command,
                      " --help' for more information.\n");
}

// Errors are one line each, so scripts can read them line by line even when
// a server puts line breaks into a message.
std::string OneLine(absl::string_view message) {
  std::string line(message);
  for (char& ch : line) {
    if (ch == '\n' || ch == '\r') ch = ' ';
  }
  return line;
}

int ReportError(const absl::Status& status, std::ostream& err) {
  if (internal::IsUsageError(status)) {
    err << "pwx: " << OneLine(status.message()) << '\n';
    return kExitUsage;
  }
  err << "pwx: " << absl::StatusCodeToString(status.code()) << ": "
      << OneLine(status.message()) << '\n';
  return kExitFailure;
}

int RunCliOrThrow(const std::vector<std::string>& args, std::ostream& out,
                  std::ostream& err, const Getenv& getenv,
                  const ChannelFactory& factory) {
  CLI::App app(
      "pwx: the command line of a pwx node, the case tracker for posted-"
      "worker cases exchanged between labour inspectorates.",
      "pwx");
  app.require_subcommand(1);
  // Global options may also come after the subcommand.
  app.fallthrough();
  app.failure_message(FailureMessage);

  GlobalFlags flags = DefaultsFromEnvironment(getenv);
  AddGlobalOptions(app, flags);
  Command command;
  internal::AddCaseCommands(app, &command);
  internal::AddBackupCommands(app, &command);
  internal::AddUserCommands(app, &command);
  internal::AddCatalogueCommands(app, &command);
  internal::AddPeerCommands(app, &command);
  internal::AddAuditCommands(app, &command);
  internal::AddAccessLogCommand(app, &command);
  internal::AddCalendarCommands(app, &command);
  internal::AddRequestCommands(app, &command);
  internal::AddPlanCommands(app, &command);

  std::vector<std::string> reversed(args.rbegin(), args.rend());
  try {
    app.parse(reversed);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e, out, err);
    return code == 0 ? kExitOk : kExitUsage;
  }

  absl::StatusOr<OutputFormat> format = ParseOutputFormat(flags.output);
  if (!format.ok()) {
    return ReportError(
        internal::UsageError(absl::StrCat("--output (or PWX_OUTPUT): ",
                                          format.status().message())),
        err);
  }
  if (!command) {
    return ReportError(internal::UsageError("no command given; see --help"),
                       err);
  }
  CommandEnv env{
      .out = out,
      .err = err,
      // Only the process's own stderr can be a terminal; tests pass streams.
      .err_is_terminal = &err == &std::cerr && ::isatty(STDERR_FILENO) == 1,
      .format = *format,
      .timeout = flags.timeout_seconds == 0
                     ? absl::InfiniteDuration()
                     : absl::Seconds(flags.timeout_seconds),
      .connect = [&factory, &flags] { return factory(flags.connection); },
  };
  absl::Status status = command(env);
  if (!status.ok()) return ReportError(status, err);
  return kExitOk;
}

}  // namespace

int RunCli(const std::vector<std::string>& args, std::ostream& out,
           std::ostream& err, const Getenv& getenv,
           const ChannelFactory& factory) {
  // Nothing may escape to main(): CLI11, nlohmann::json and the standard
  // library report some failures by throwing.
  try {
    return RunCliOrThrow(args, out, err, getenv, factory);
  } catch (const std::exception& e) {
    err << "pwx: INTERNAL: " << e.what() << '\n';
  } catch (...) {
    err << "pwx: INTERNAL: unexpected error\n";
  }
  return kExitFailure;
}

std::optional<std::string> ProcessGetenv(std::string_view name) {
  const char* value = std::getenv(std::string(name).c_str());
  if (value == nullptr) return std::nullopt;
  return std::string(value);
}

}  // namespace pwx::client
