// `pwx case ...`: creating, reading, listing and editing posting cases.
#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "client/absl_view.h"
#include "client/case_client.h"
#include "client/case_input.h"
#include "client/cli_internal.h"
#include "client/download_file.h"
#include "client/output.h"
#include "client/staged_file.h"
#include "server/domain/case_rules.h"
#include "server/domain/fields.h"

namespace pwx::client::internal {
namespace {

constexpr char kWorkerHelp[] =
    "A posted worker, repeatable: \"name=Jan Kowalski;dob=1990-04-01;"
    "nationality=PL;a1=PL-A1-123;start=2026-01-05;end=2026-06-30;"
    "workplace=Lyon\" (replaces the case's list)";
constexpr char kSubcontractorHelp[] =
    "A link of the subcontracting chain, repeatable: "
    "\"name=..;reg=..;country=..;level=1\" (replaces the chain)";

absl::StatusOr<CaseClient> ConnectCases(CommandEnv& env) {
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = env.connect();
  if (!channel.ok()) return channel.status();
  return CaseClient(*std::move(channel), env.timeout);
}

// Prints the case an RPC returned, or passes its error on.
absl::Status PrintResult(const absl::StatusOr<pwx::v1::Case>& c,
                         CommandEnv& env) {
  if (!c.ok()) return c.status();
  PrintCase(*c, env.format, env.out);
  return absl::OkStatus();
}

// Binds --title, --undertaking-*, --recipient-*, --sector,
// --declaration-ref, --status, --worker and --subcontractor to `flags`.
void AddCaseFieldOptions(CLI::App* command, CaseFieldFlags* flags) {
  auto text = [command](const std::string& name, std::optional<std::string>* to,
                        const std::string& help) {
    command->add_option_function<std::string>(
        name, [to](const std::string& value) { *to = value; }, help);
  };
  text("--title", &flags->title, "Short title of the case");
  text("--undertaking-name", &flags->undertaking_name,
       "Name of the posting undertaking (the employer)");
  text("--undertaking-reg", &flags->undertaking_reg,
       "Its registration or VAT number");
  text("--undertaking-country", &flags->undertaking_country,
       "Its country of establishment (ISO 3166 alpha-2, EL for Greece)");
  text("--undertaking-address", &flags->undertaking_address, "Its address");
  text("--recipient-name", &flags->recipient_name,
       "Name of the service recipient in the host state");
  text("--recipient-reg", &flags->recipient_reg,
       "Its registration or VAT number");
  text("--recipient-country", &flags->recipient_country,
       "Its country (ISO 3166 alpha-2)");
  text("--recipient-address", &flags->recipient_address, "Its address");
  text("--sector", &flags->sector, "NACE Rev. 2 code, e.g. F41.20");
  text("--declaration-ref", &flags->declaration_ref,
       "Reference of the posting declaration in the host state");
  text("--status", &flags->status,
       "open, under-investigation, awaiting-information or closed");
  command->add_option("--worker", flags->workers, kWorkerHelp)
      ->allow_extra_args(false);
  command
      ->add_option("--subcontractor", flags->subcontractors, kSubcontractorHelp)
      ->allow_extra_args(false);
}

// --- case create -----------------------------------------------------------

struct CreateFlags {
  CaseFieldFlags fields;
  std::string file;
};

absl::Status RunCreate(const CreateFlags& flags, CommandEnv& env) {
  pwx::v1::Case c;
  if (!flags.file.empty()) {
    absl::StatusOr<std::string> json = ReadInputFile("--file", flags.file);
    if (!json.ok()) return json.status();
    absl::StatusOr<CaseJson> parsed =
        ParseCaseJson(*json, absl::StrCat("--file ", flags.file));
    if (!parsed.ok()) return AsUsage(parsed.status());
    c = std::move(parsed->value);
  }
  absl::StatusOr<std::vector<std::string>> paths =
      ApplyCaseFlags(flags.fields, &c);
  if (!paths.ok()) return AsUsage(paths.status());
  if (flags.file.empty() && paths->empty()) {
    return UsageError(
        "nothing to create: give --title and the other field flags, or "
        "--file");
  }
  absl::StatusOr<CaseClient> client = ConnectCases(env);
  if (!client.ok()) return client.status();
  return PrintResult(client->CreateCase(c), env);
}

void AddCreate(CLI::App* cases, Command* selected) {
  CLI::App* command = cases->add_subcommand(
      "create",
      "Create a case from flags, or from --file (the JSON form of a "
      "pwx.v1.Case) with flags overriding its fields");
  auto flags = std::make_shared<CreateFlags>();
  AddCaseFieldOptions(command, &flags->fields);
  command
      ->add_option("--file", flags->file,
                   "JSON file with a pwx.v1.Case (protobuf JSON mapping)")
      ->check(CLI::ExistingFile);
  command->callback([selected, flags] {
    *selected = [flags](CommandEnv& env) { return RunCreate(*flags, env); };
  });
}

// --- case get --------------------------------------------------------------

void AddGet(CLI::App* cases, Command* selected) {
  CLI::App* command = cases->add_subcommand("get", "Show a case");
  auto id = std::make_shared<std::string>();
  command->add_option("ID", *id, "Case id, e.g. FR-DGT-2026-000001")
      ->required();
  command->callback([selected, id] {
    *selected = [id](CommandEnv& env) -> absl::Status {
      absl::StatusOr<CaseClient> client = ConnectCases(env);
      if (!client.ok()) return client.status();
      return PrintResult(client->GetCase(*id), env);
    };
  });
}

// --- case list -------------------------------------------------------------

struct ListFlags {
  std::string status;
  std::string country;
  std::string sector;
  std::string text;
  int page_size = 0;
  std::string page_token;
  bool all = false;
};

absl::Status RunList(const ListFlags& flags, CommandEnv& env) {
  pwx::v1::ListCasesRequest request;
  if (!flags.status.empty()) {
    absl::StatusOr<pwx::v1::CaseStatus> status = ParseCaseStatus(flags.status);
    if (!status.ok()) {
      return UsageError(absl::StrCat("--status: ", status.status().message()));
    }
    request.set_status(*status);
  }
  request.set_country_of_establishment(flags.country);
  request.set_sector_nace(flags.sector);
  request.set_text(flags.text);
  request.set_page_size(flags.page_size);
  request.set_page_token(flags.page_token);
  absl::StatusOr<CaseClient> client = ConnectCases(env);
  if (!client.ok()) return client.status();
  absl::StatusOr<pwx::v1::ListCasesResponse> list =
      flags.all ? client->ListAllCases(request) : client->ListCases(request);
  if (!list.ok()) return list.status();
  PrintCaseList(*list, env.format, env.out);
  return absl::OkStatus();
}

void AddList(CLI::App* cases, Command* selected) {
  CLI::App* command =
      cases->add_subcommand("list", "List cases, one page at a time");
  auto flags = std::make_shared<ListFlags>();
  command->add_option("--status", flags->status,
                      "Only cases in this state: open, under-investigation, "
                      "awaiting-information or closed");
  command->add_option("--country", flags->country,
                      "Only undertakings established in this country");
  command->add_option("--sector", flags->sector,
                      "NACE prefix: F for all construction, F41 for "
                      "division 41");
  command->add_option("--text", flags->text,
                      "Case-insensitive text in the undertaking's name or "
                      "registration number");
  command
      ->add_option("--page-size", flags->page_size,
                   "Cases per page (server default 50, at most 500)")
      ->check(CLI::Range(1, 500));
  command->add_option("--page-token", flags->page_token,
                      "Continue from this token (printed after a page)");
  command->add_flag("--all", flags->all,
                    "Follow page tokens and print every matching case");
  command->callback([selected, flags] {
    *selected = [flags](CommandEnv& env) { return RunList(*flags, env); };
  });
}

// --- case update -----------------------------------------------------------

struct UpdateFlags {
  std::string id;
  uint64_t version = 0;
  CLI::Option* version_option = nullptr;
  CaseFieldFlags fields;
  std::string file;
};

// Copies the message field `path` of `from` into `to`.
void CopyField(const std::string& path, const pwx::v1::Case& from,
               pwx::v1::Case* to) {
  if (path == "undertaking") {
    *to->mutable_undertaking() = from.undertaking();
  } else if (path == "service_recipient") {
    *to->mutable_service_recipient() = from.service_recipient();
  }
}

absl::Status RunUpdate(const UpdateFlags& flags, CommandEnv& env) {
  if (flags.version_option->count() == 0) {
    return UsageError(
        "--version is required: pass the version you read (shown by 'pwx "
        "case get')");
  }
  // Flags are checked before anything else so that a typo never reaches
  // the server.
  pwx::v1::Case scratch;
  absl::StatusOr<std::vector<std::string>> flag_paths =
      ApplyCaseFlags(flags.fields, &scratch);
  if (!flag_paths.ok()) return AsUsage(flag_paths.status());

  pwx::v1::Case edited;
  absl::flat_hash_set<std::string> paths(flag_paths->begin(),
                                         flag_paths->end());
  absl::flat_hash_set<std::string> file_fields;
  if (!flags.file.empty()) {
    const std::string source = absl::StrCat("--file ", flags.file);
    absl::StatusOr<std::string> json = ReadInputFile("--file", flags.file);
    if (!json.ok()) return json.status();
    absl::StatusOr<CaseJson> parsed = ParseCaseJson(*json, source);
    if (!parsed.ok()) return AsUsage(parsed.status());
    for (const std::string& field : parsed->fields) {
      if (std::find(std::begin(kEditableCaseFields),
                    std::end(kEditableCaseFields),
                    field) == std::end(kEditableCaseFields)) {
        return UsageError(
            absl::StrCat(source, ": field '", field, "' cannot be updated"));
      }
    }
    file_fields.insert(parsed->fields.begin(), parsed->fields.end());
    paths.insert(parsed->fields.begin(), parsed->fields.end());
    edited = std::move(parsed->value);
  }
  std::vector<std::string> ordered_paths;
  for (std::string_view path : kEditableCaseFields) {
    if (paths.contains(ToAbsl(path))) ordered_paths.emplace_back(path);
  }
  if (ordered_paths.empty()) {
    return UsageError(
        "nothing to update: give at least one field flag or --file");
  }

  absl::StatusOr<CaseClient> client = ConnectCases(env);
  if (!client.ok()) return client.status();
  // A mask path replaces a whole sub-message, so sub-fields the user did not
  // name keep their current values. The server still checks the version.
  std::vector<std::string> partial;
  for (const std::string& path : PartiallySetMessageFields(flags.fields)) {
    if (!file_fields.contains(path)) partial.push_back(path);
  }
  if (!partial.empty()) {
    absl::StatusOr<pwx::v1::Case> current = client->GetCase(flags.id);
    if (!current.ok()) return current.status();
    for (const std::string& path : partial) CopyField(path, *current, &edited);
  }
  absl::StatusOr<std::vector<std::string>> applied =
      ApplyCaseFlags(flags.fields, &edited);
  if (!applied.ok()) return AsUsage(applied.status());

  absl::StatusOr<pwx::v1::UpdateCaseRequest> request =
      BuildUpdateRequest(flags.id, flags.version, edited, ordered_paths);
  if (!request.ok()) return AsUsage(request.status());
  return PrintResult(client->UpdateCase(*request), env);
}

void AddUpdate(CLI::App* cases, Command* selected) {
  CLI::App* command = cases->add_subcommand(
      "update",
      "Change the fields given by flags (or present in --file) of a case, "
      "if it is still at --version");
  auto flags = std::make_shared<UpdateFlags>();
  command->add_option("ID", flags->id, "Case id")->required();
  flags->version_option = command->add_option(
      "--version", flags->version,
      "The case version you read (required; the update fails if someone "
      "changed the case since)");
  AddCaseFieldOptions(command, &flags->fields);
  command
      ->add_option("--file", flags->file,
                   "JSON file with the fields to replace (protobuf JSON "
                   "mapping of pwx.v1.Case); its top-level fields form "
                   "the update mask")
      ->check(CLI::ExistingFile);
  command->callback([selected, flags] {
    *selected = [flags](CommandEnv& env) { return RunUpdate(*flags, env); };
  });
}

// --- case note -------------------------------------------------------------

void AddNote(CLI::App* cases, Command* selected) {
  CLI::App* command = cases->add_subcommand("note", "Add a note to a case");
  auto id = std::make_shared<std::string>();
  auto text = std::make_shared<std::string>();
  command->add_option("ID", *id, "Case id")->required();
  command->add_option("TEXT", *text, "The note (quote it)")->required();
  command->callback([selected, id, text] {
    *selected = [id, text](CommandEnv& env) -> absl::Status {
      if (absl::StripAsciiWhitespace(*text).empty()) {
        return UsageError("TEXT is empty");
      }
      absl::StatusOr<CaseClient> client = ConnectCases(env);
      if (!client.ok()) return client.status();
      return PrintResult(client->AddNote(*id, *text), env);
    };
  });
}

// --- case attach -----------------------------------------------------------

struct AttachFlags {
  std::string id;
  std::string file;
  std::string name;
  std::string media_type;
};

absl::Status RunAttach(const AttachFlags& flags, CommandEnv& env) {
  absl::StatusOr<UploadFile> file =
      OpenUpload(flags.file, flags.name, flags.media_type);
  if (!file.ok()) return file.status();
  pwx::v1::AttachmentHeader header;
  header.set_case_id(flags.id);
  header.set_file_name(file->file_name);
  header.set_media_type(file->media_type);
  header.set_size_bytes(file->size);
  absl::StatusOr<CaseClient> client = ConnectCases(env);
  if (!client.ok()) return client.status();
  return PrintResult(client->UploadAttachment(header, file->content), env);
}

void AddAttach(CLI::App* cases, Command* selected) {
  CLI::App* command =
      cases->add_subcommand("attach", "Upload a file and attach it to a case");
  auto flags = std::make_shared<AttachFlags>();
  command->add_option("ID", flags->id, "Case id")->required();
  command->add_option("FILE", flags->file, "File to upload")
      ->required()
      ->check(CLI::ExistingFile);
  command->add_option("--name", flags->name,
                      "File name to record (default: FILE's name)");
  command->add_option("--media-type", flags->media_type,
                      "Media type (default: guessed from the extension)");
  command->callback([selected, flags] {
    *selected = [flags](CommandEnv& env) { return RunAttach(*flags, env); };
  });
}

// --- case download ---------------------------------------------------------

constexpr char kShowsAttachments[] = "pwx case get";

absl::Status RunDownload(const DownloadFlags& flags, CommandEnv& env) {
  absl::StatusOr<std::string> sha256 = DownloadSha256(flags, kShowsAttachments);
  if (!sha256.ok()) return sha256.status();
  absl::StatusOr<CaseClient> client = ConnectCases(env);
  if (!client.ok()) return client.status();
  std::string path;
  absl::StatusOr<pwx::v1::AttachmentMeta> meta =
      DownloadToFile<pwx::v1::AttachmentMeta>(
          flags.output, flags.force, *sha256,
          [&](const DownloadSink& sink) {
            return client->DownloadAttachment(flags.id, *sha256, sink);
          },
          &path);
  if (!meta.ok()) return meta.status();
  PrintDownload(*meta, path, env.format, env.out);
  return absl::OkStatus();
}

void AddDownload(CLI::App* cases, Command* selected) {
  CLI::App* command = cases->add_subcommand(
      "download", "Download an attachment of a case into a file");
  std::shared_ptr<DownloadFlags> flags =
      AddDownloadArguments(command, "Case id", kShowsAttachments);
  command->callback([selected, flags] {
    *selected = [flags](CommandEnv& env) { return RunDownload(*flags, env); };
  });
}

// --- case share ------------------------------------------------------------

void AddShare(CLI::App* cases, Command* selected) {
  CLI::App* command = cases->add_subcommand(
      "share",
      "Send a read-only copy of a case of this node to a peer authority");
  command->footer(
      "The copy is queued durably with its audit entry and delivered in\n"
      "order whenever the peer is reachable; `pwx peer list` shows the\n"
      "progress. Share again to send a later version. Only the node that\n"
      "owns a case shares it.");
  auto id = std::make_shared<std::string>();
  auto with = std::make_shared<std::string>();
  command->add_option("ID", *id, "Case id, e.g. FR-DGT-2026-000001")
      ->required();
  command
      ->add_option("--with", *with,
                   "The peer's authority id, e.g. PL-PIP (see `pwx peer list`)")
      ->required();
  command->callback([selected, id, with] {
    *selected = [id, with](CommandEnv& env) -> absl::Status {
      if (absl::Status s = domain::ValidateCaseId("ID", *id); !s.ok()) {
        return UsageError(s.message());
      }
      if (absl::Status s = domain::ValidateAuthorityId("--with", *with);
          !s.ok()) {
        return UsageError(s.message());
      }
      absl::StatusOr<CaseClient> client = ConnectCases(env);
      if (!client.ok()) return client.status();
      absl::StatusOr<pwx::v1::ShareCaseResponse> shared =
          client->ShareCase(*id, *with);
      if (!shared.ok()) return shared.status();
      if (env.format == OutputFormat::kJson) {
        env.out << ToJson(*shared);
      } else {
        env.out << "case " << CleanText(*id) << " (version "
                << shared->version() << ") queued for " << CleanText(*with)
                << "\n";
      }
      return absl::OkStatus();
    };
  });
}

}  // namespace

void AddCaseCommands(CLI::App& app, Command* selected) {
  CLI::App* cases = app.add_subcommand("case", "Work with posting cases");
  cases->require_subcommand(1);
  AddCreate(cases, selected);
  AddGet(cases, selected);
  AddList(cases, selected);
  AddUpdate(cases, selected);
  AddNote(cases, selected);
  AddAttach(cases, selected);
  AddDownload(cases, selected);
  AddShare(cases, selected);
}

}  // namespace pwx::client::internal
