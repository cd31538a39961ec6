// Printing responses for people (aligned text) or programs (one JSON
// document in the protobuf JSON mapping).
#ifndef PWX_CLIENT_OUTPUT_H_
#define PWX_CLIENT_OUTPUT_H_

#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "google/protobuf/message.h"
#include "google/protobuf/timestamp.pb.h"
#include "pwx/v1/admin_service.pb.h"
#include "pwx/v1/case.pb.h"
#include "pwx/v1/case_service.pb.h"
#include "pwx/v1/user_service.pb.h"

namespace pwx::client {

enum class OutputFormat { kTable, kJson };

// "table" or "json"; INVALID_ARGUMENT otherwise.
absl::StatusOr<OutputFormat> ParseOutputFormat(std::string_view name);

// `message` in the protobuf JSON mapping (lowerCamel names), indented,
// ending in a newline.
std::string ToJson(const google::protobuf::Message& message);

// A case: a key/value block followed by its workers, subcontracting chain,
// notes and attachments.
void PrintCase(const pwx::v1::Case& c, OutputFormat format, std::ostream& out);

// A page (or, for --all, every page merged) of cases: one aligned row per
// case; for the table, a hint with the next page token when there is one.
void PrintCaseList(const pwx::v1::ListCasesResponse& list, OutputFormat format,
                   std::ostream& out);

// The result of a download: the attachment's metadata and where it went.
void PrintDownload(const pwx::v1::AttachmentMeta& meta, const std::string& path,
                   OutputFormat format, std::ostream& out);

void PrintBackup(const pwx::v1::CreateBackupResponse& backup,
                 OutputFormat format, std::ostream& out);

// A user and their roles on one line: "alice: inspector, auditor", with
// "(bootstrap admin)" after the roles of a user named in the node's config.
void PrintUser(const pwx::v1::User& user, OutputFormat format,
               std::ostream& out);

// Every user: one aligned row each with their roles and who changed them
// last, when.
void PrintUserList(const pwx::v1::ListUsersResponse& list, OutputFormat format,
                   std::ostream& out);

// Building blocks for the printers of other commands (audit):

// `text` with control characters replaced by spaces, safe for a terminal.
std::string CleanText(std::string_view text);

// "512 B", "1.5 KiB", "16.0 MiB".
std::string FormatSize(uint64_t bytes);

// "2026-01-01 12:00:00 UTC"; "" for the zero timestamp.
std::string FormatTime(const google::protobuf::Timestamp& timestamp);

// `header` and `rows` in columns two spaces apart; cells are cleaned.
void PrintTable(std::vector<std::string> header,
                std::vector<std::vector<std::string>> rows, std::ostream& out);

// The lines PrintTable prints, without their newlines: the header first, then
// one per row, for a caller that puts lines of its own between the rows.
std::vector<std::string> FormatTable(
    std::vector<std::string> header,
    std::vector<std::vector<std::string>> rows);

// "key:  value" lines with the values aligned; values are cleaned.
void PrintFields(const std::vector<std::pair<std::string, std::string>>& pairs,
                 std::ostream& out);

// A blank line and "title (count)", or "title (0): none": the heading of
// a list in a table view.
void PrintSection(std::string_view title, int count, std::ostream& out);

}  // namespace pwx::client

#endif  // PWX_CLIENT_OUTPUT_H_
