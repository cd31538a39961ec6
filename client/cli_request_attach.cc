// `pwx request attach` and `pwx request download`: documents attached to a
// cross-border request, uploaded and downloaded like a case's
// (`pwx case attach|download`).
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "client/case_input.h"
#include "client/cli_internal.h"
#include "client/download_file.h"
#include "client/output.h"
#include "client/request_client.h"
#include "client/request_output.h"
#include "nlohmann/json.hpp"

namespace pwx::client::internal {
namespace {

constexpr char kWhoMayAttach[] =
    "The requester attaches while the request is a draft or open (not\n"
    "closed, withdrawn or rejected); a draft's attachments go with its send.\n"
    "The recipient attaches once it has accepted the request, until it is\n"
    "closed. The wrong side gets PERMISSION_DENIED, the wrong state\n"
    "FAILED_PRECONDITION. The bytes travel to the other authority's node\n"
    "in the background, after the step; its users may download them once\n"
    "they arrived and (at the recipient) once the request is accepted. A\n"
    "request split off carries the requester's documents to its recipient.";

absl::StatusOr<RequestClient> Connect(CommandEnv& env) {
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = env.connect();
  if (!channel.ok()) return channel.status();
  return RequestClient(*std::move(channel), env.timeout);
}

struct AttachFlags {
  std::string id;
  std::string file;
  std::string name;
  std::string media_type;
  std::optional<uint32_t> expected_history;
};

absl::Status RunAttach(const AttachFlags& flags, CommandEnv& env) {
  if (absl::StripAsciiWhitespace(flags.id).empty()) {
    return UsageError("ID: must not be empty");
  }
  absl::StatusOr<UploadFile> file =
      OpenUpload(flags.file, flags.name, flags.media_type);
  if (!file.ok()) return file.status();
  pwx::v1::RequestAttachmentHeader header;
  header.set_request_id(flags.id);
  header.set_file_name(file->file_name);
  header.set_media_type(file->media_type);
  header.set_size_bytes(file->size);
  if (flags.expected_history) {
    header.set_expected_history(*flags.expected_history);
  }
  absl::StatusOr<RequestClient> client = Connect(env);
  if (!client.ok()) return client.status();
  absl::StatusOr<pwx::v1::Request> request =
      client->UploadAttachment(header, file->content);
  if (!request.ok()) return request.status();
  PrintRequest(*request, env.format, env.out);
  return absl::OkStatus();
}

void AddAttach(CLI::App* requests, Command* selected) {
  CLI::App* command = requests->add_subcommand(
      "attach", "Upload a document and attach it to a request");
  command->footer(absl::StrCat(
      kWhoMayAttach,
      "\n\nPrints the request afterwards (its attachments listed). With\n"
      "--output json, the protobuf JSON of pwx.v1.Request (\"attachments\")."));
  auto flags = std::make_shared<AttachFlags>();
  command->add_option("ID", flags->id, "Request id, e.g. FR-DGT-R-2026-000001")
      ->required();
  command->add_option("FILE", flags->file, "File to upload")
      ->required()
      ->check(CLI::ExistingFile);
  command->add_option("--name", flags->name,
                      "File name to record (default: FILE's name)");
  command->add_option("--media-type", flags->media_type,
                      "Media type (default: guessed from the extension)");
  command->add_option_function<uint32_t>(
      "--expected-history",
      [flags](const uint32_t& n) { flags->expected_history = n; },
      "Attach only if the history still has this many entries");
  command->callback([selected, flags] {
    *selected = [flags](CommandEnv& env) { return RunAttach(*flags, env); };
  });
}

void PrintDownloaded(const pwx::v1::RequestAttachment& a,
                     const std::string& path, OutputFormat format,
                     std::ostream& out) {
  if (format == OutputFormat::kJson) {
    nlohmann::json document = {
        {"path", path},
        {"attachment", nlohmann::json::parse(ToJson(a), nullptr, false)},
    };
    out << document.dump(2, ' ', false,
                         nlohmann::json::error_handler_t::replace)
        << '\n';
    return;
  }
  out << "wrote " << CleanText(path) << " (" << FormatSize(a.size_bytes())
      << ", " << CleanText(a.media_type()) << ", sha256 "
      << CleanText(a.sha256()) << ", attached by " << CleanText(a.authority())
      << ")\n";
}

constexpr char kShowsAttachments[] = "pwx request show";

absl::Status RunDownload(const DownloadFlags& flags, CommandEnv& env) {
  absl::StatusOr<std::string> sha256 = DownloadSha256(flags, kShowsAttachments);
  if (!sha256.ok()) return sha256.status();
  absl::StatusOr<RequestClient> client = Connect(env);
  if (!client.ok()) return client.status();
  std::string path;
  absl::StatusOr<pwx::v1::RequestAttachment> meta =
      DownloadToFile<pwx::v1::RequestAttachment>(
          flags.output, flags.force, *sha256,
          [&](const DownloadSinkOf<pwx::v1::RequestAttachment>& sink) {
            return client->DownloadAttachment(flags.id, *sha256, sink);
          },
          &path);
  if (!meta.ok()) return meta.status();
  PrintDownloaded(*meta, path, env.format, env.out);
  return absl::OkStatus();
}

void AddDownload(CLI::App* requests, Command* selected) {
  CLI::App* command = requests->add_subcommand(
      "download", "Download a document attached to a request into a file");
  command->footer(
      "Refused (PERMISSION_DENIED) at the recipient until someone there\n"
      "accepts the request (need-to-know), and (FAILED_PRECONDITION) while\n"
      "its bytes have not arrived from the other authority yet. Every\n"
      "download is an access-log entry (request.attachment.read). Nothing\n"
      "is written unless every byte arrived and matches SHA256.\n\n"
      "With --output json, prints {\"path\": ..., \"attachment\": ...} (the\n"
      "protobuf JSON of pwx.v1.RequestAttachment).");
  std::shared_ptr<DownloadFlags> flags =
      AddDownloadArguments(command, "Request id", kShowsAttachments);
  command->callback([selected, flags] {
    *selected = [flags](CommandEnv& env) { return RunDownload(*flags, env); };
  });
}

}  // namespace

void AddRequestAttachmentCommands(CLI::App* requests, Command* selected) {
  AddAttach(requests, selected);
  AddDownload(requests, selected);
}

}  // namespace pwx::client::internal
