#include "client/output.h"

#include <algorithm>
#include <cstdint>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "client/absl_view.h"
#include "client/case_input.h"
#include "client/user_role.h"
#include "google/protobuf/util/json_util.h"
#include "nlohmann/json.hpp"

namespace pwx::client {
namespace {

// Server data is shown to a terminal: control characters (which could move
// the cursor or recolour the screen) become spaces.
std::string Clean(std::string_view text) {
  std::string cleaned(text);
  for (char& ch : cleaned) {
    const auto byte = static_cast<unsigned char>(ch);
    if (byte < 0x20 || byte == 0x7f) ch = ' ';
  }
  return cleaned;
}

// Width in terminal columns, counting one per UTF-8 code point.
size_t DisplayWidth(std::string_view text) {
  return static_cast<size_t>(std::count_if(
      text.begin(), text.end(),
      [](char ch) { return (static_cast<unsigned char>(ch) & 0xC0) != 0x80; }));
}

// Rows of cells printed in columns two spaces apart, each line prefixed by
// `indent`. Cells are cleaned of control characters.
class TextTable {
 public:
  explicit TextTable(std::vector<std::string> header) {
    rows_.push_back(std::move(header));
  }

  void AddRow(std::vector<std::string> row) {
    for (std::string& cell : row) cell = Clean(cell);
    rows_.push_back(std::move(row));
  }

  void Print(std::string_view indent, std::ostream& out) const {
    for (const std::string& line : Lines(indent)) out << line << '\n';
  }

  std::vector<std::string> Lines(std::string_view indent) const {
    std::vector<size_t> widths;
    for (const std::vector<std::string>& row : rows_) {
      if (widths.size() < row.size()) widths.resize(row.size(), 0);
      for (size_t i = 0; i < row.size(); ++i) {
        widths[i] = std::max(widths[i], DisplayWidth(row[i]));
      }
    }
    std::vector<std::string> lines;
    for (const std::vector<std::string>& row : rows_) {
      std::string line(indent);
      for (size_t i = 0; i < row.size(); ++i) {
        line += row[i];
        if (i + 1 < row.size()) {
          line.append(widths[i] - DisplayWidth(row[i]) + 2, ' ');
        }
      }
      lines.push_back(std::move(line));
    }
    return lines;
  }

 private:
  std::vector<std::vector<std::string>> rows_;
};

std::string FormatTimestamp(const google::protobuf::Timestamp& timestamp) {
  if (timestamp.seconds() == 0 && timestamp.nanos() == 0) return "";
  return absl::FormatTime("%Y-%m-%d %H:%M:%S UTC",
                          absl::FromUnixSeconds(timestamp.seconds()),
                          absl::UTCTimeZone());
}

// "name (reg R, CC), address", leaving out the parts that are empty.
std::string FormatParty(absl::string_view name, absl::string_view reg,
                        absl::string_view country, absl::string_view address) {
  std::vector<std::string> details;
  if (!reg.empty()) details.push_back(absl::StrCat("reg ", reg));
  if (!country.empty()) details.emplace_back(country);
  std::string text(name);
  if (!details.empty()) {
    absl::StrAppend(&text, text.empty() ? "" : " ", "(",
                    absl::StrJoin(details, ", "), ")");
  }
  if (!address.empty()) absl::StrAppend(&text, ", ", address);
  return text;
}

std::string FormatPeriod(const pwx::v1::Period& period) {
  if (period.start_date().empty() && period.end_date().empty()) return "";
  return absl::StrCat(period.start_date(), "..",
                      period.end_date().empty() ? "open" : period.end_date());
}

std::string FormatAudit(const google::protobuf::Timestamp& at,
                        absl::string_view by) {
  std::string text = FormatTimestamp(at);
  if (!by.empty()) absl::StrAppend(&text, text.empty() ? "" : " ", "by ", by);
  return text;
}

// "inspector, auditor", "none" when there are no roles, then
// " (bootstrap admin)" for a bootstrap user.
std::string FormatRoles(const pwx::v1::User& user) {
  std::vector<std::string> names;
  for (int role : user.roles()) {
    names.push_back(RoleName(static_cast<pwx::v1::Role>(role)));
  }
  std::string text = names.empty() ? "none" : absl::StrJoin(names, ", ");
  if (user.bootstrap()) absl::StrAppend(&text, " (bootstrap admin)");
  return text;
}

void PrintKeyValues(
    const std::vector<std::pair<std::string, std::string>>& pairs,
    std::ostream& out) {
  size_t width = 0;
  for (const auto& [key, value] : pairs) width = std::max(width, key.size());
  for (const auto& [key, value] : pairs) {
    out << key << ':' << std::string(width - key.size() + 2, ' ')
        << Clean(value) << '\n';
  }
}

void PrintCaseTable(const pwx::v1::Case& c, std::ostream& out) {
  const pwx::v1::PostingUndertaking& u = c.undertaking();
  const pwx::v1::ServiceRecipient& r = c.service_recipient();
  PrintKeyValues(
      {
          {"id", c.id()},
          {"version", absl::StrCat(c.version())},
          {"status", CaseStatusName(c.status())},
          {"title", c.title()},
          {"owner", c.owner_authority()},
          {"undertaking",
           FormatParty(u.name(), u.registration_number(),
                       u.country_of_establishment(), u.address())},
          {"recipient", FormatParty(r.name(), r.registration_number(),
                                    r.country(), r.address())},
          {"sector", c.sector_nace()},
          {"declaration", c.declaration_reference()},
          {"created", FormatAudit(c.created_at(), c.created_by())},
          {"updated", FormatAudit(c.updated_at(), c.updated_by())},
      },
      out);

  PrintSection("workers", c.workers_size(), out);
  if (c.workers_size() > 0) {
    TextTable workers(
        {"NAME", "BORN", "NATIONALITY", "A1", "POSTING", "WORKPLACE"});
    for (const pwx::v1::PostedWorker& w : c.workers()) {
      workers.AddRow({w.full_name(), w.date_of_birth(), w.nationality(),
                      w.a1_certificate_number(),
                      FormatPeriod(w.posting_period()), w.workplace()});
    }
    workers.Print("  ", out);
  }

  if (c.subcontracting_chain_size() > 0) {
    PrintSection("subcontracting chain", c.subcontracting_chain_size(), out);
    TextTable chain({"LEVEL", "NAME", "REGISTRATION", "COUNTRY"});
    for (const pwx::v1::Subcontractor& s : c.subcontracting_chain()) {
      chain.AddRow({absl::StrCat(s.level()), s.name(), s.registration_number(),
                    s.country()});
    }
    chain.Print("  ", out);
  }

  PrintSection("notes", c.notes_size(), out);
  for (const pwx::v1::Note& note : c.notes()) {
    out << "  " << Clean(FormatAudit(note.created_at(), note.author())) << '\n';
    out << "    " << Clean(note.text()) << '\n';
  }

  PrintSection("requests", c.request_ids_size(), out);
  for (const std::string& id : c.request_ids()) {
    out << "  " << Clean(id) << "  (pwx request show " << Clean(id) << ")\n";
  }

  PrintSection("attachments", c.attachments_size(), out);
  if (c.attachments_size() > 0) {
    TextTable attachments({"SHA256", "FILE", "TYPE", "SIZE", "UPLOADED"});
    for (const pwx::v1::AttachmentMeta& a : c.attachments()) {
      attachments.AddRow({a.sha256(), a.file_name(), a.media_type(),
                          FormatSize(a.size_bytes()),
                          FormatAudit(a.uploaded_at(), a.uploaded_by())});
    }
    attachments.Print("  ", out);
  }
}

}  // namespace

std::string FormatSize(uint64_t bytes) {
  constexpr const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  if (bytes < 1024) return absl::StrCat(bytes, " B");
  double value = static_cast<double>(bytes);
  size_t unit = 0;
  while (value >= 1024 && unit + 1 < std::size(kUnits)) {
    value /= 1024;
    ++unit;
  }
  return absl::StrFormat("%.1f %s", value, kUnits[unit]);
}

absl::StatusOr<OutputFormat> ParseOutputFormat(std::string_view name) {
  if (name == "table") return OutputFormat::kTable;
  if (name == "json") return OutputFormat::kJson;
  return absl::InvalidArgumentError(absl::StrCat(
      "unknown output format '", ToAbsl(name), "'; one of: table, json"));
}

std::string ToJson(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  std::string json;
  // Printing a valid message cannot fail; an empty object is the fallback.
  if (!google::protobuf::util::MessageToJsonString(message, &json, options)
           .ok()) {
    json = "{}";
  }
  while (!json.empty() && json.back() == '\n') json.pop_back();
  json += '\n';
  return json;
}

void PrintCase(const pwx::v1::Case& c, OutputFormat format, std::ostream& out) {
  if (format == OutputFormat::kJson) {
    out << ToJson(c);
    return;
  }
  PrintCaseTable(c, out);
}

void PrintCaseList(const pwx::v1::ListCasesResponse& list, OutputFormat format,
                   std::ostream& out) {
  if (format == OutputFormat::kJson) {
    out << ToJson(list);
    return;
  }
  if (list.cases_size() == 0) {
    out << "no cases\n";
  } else {
    TextTable table({"ID", "STATUS", "UNDERTAKING", "COUNTRY", "SECTOR",
                     "WORKERS", "UPDATED"});
    for (const pwx::v1::Case& c : list.cases()) {
      table.AddRow({c.id(), CaseStatusName(c.status()), c.undertaking().name(),
                    c.undertaking().country_of_establishment(), c.sector_nace(),
                    absl::StrCat(c.workers_size()),
                    FormatTimestamp(c.updated_at())});
    }
    table.Print("", out);
  }
  if (!list.next_page_token().empty()) {
    out << "\nmore cases: add --page-token=" << Clean(list.next_page_token())
        << " for the next page, or --all for every page\n";
  }
}

void PrintDownload(const pwx::v1::AttachmentMeta& meta, const std::string& path,
                   OutputFormat format, std::ostream& out) {
  if (format == OutputFormat::kJson) {
    nlohmann::json document = {
        {"path", path},
        {"attachment", nlohmann::json::parse(ToJson(meta), nullptr, false)},
    };
    out << document.dump(2, ' ', false,
                         nlohmann::json::error_handler_t::replace)
        << '\n';
    return;
  }
  out << "wrote " << Clean(path) << " (" << FormatSize(meta.size_bytes())
      << ", " << Clean(meta.media_type()) << ", sha256 " << Clean(meta.sha256())
      << ")\n";
}

void PrintBackup(const pwx::v1::CreateBackupResponse& backup,
                 OutputFormat format, std::ostream& out) {
  if (format == OutputFormat::kJson) {
    out << ToJson(backup);
    return;
  }
  out << "backup " << backup.backup_id() << " written to "
      << Clean(backup.directory()) << " (" << FormatSize(backup.size_bytes())
      << ")\n";
}

void PrintUser(const pwx::v1::User& user, OutputFormat format,
               std::ostream& out) {
  if (format == OutputFormat::kJson) {
    out << ToJson(user);
    return;
  }
  out << Clean(user.name()) << ": " << FormatRoles(user) << '\n';
}

void PrintUserList(const pwx::v1::ListUsersResponse& list, OutputFormat format,
                   std::ostream& out) {
  if (format == OutputFormat::kJson) {
    out << ToJson(list);
    return;
  }
  if (list.users_size() == 0) {
    out << "no users\n";
    return;
  }
  TextTable table({"NAME", "ROLES", "UPDATED BY", "UPDATED"});
  for (const pwx::v1::User& user : list.users()) {
    table.AddRow({user.name(), FormatRoles(user), user.updated_by(),
                  FormatTimestamp(user.updated_at())});
  }
  table.Print("", out);
}

std::string CleanText(std::string_view text) { return Clean(text); }

std::string FormatTime(const google::protobuf::Timestamp& timestamp) {
  return FormatTimestamp(timestamp);
}

void PrintTable(std::vector<std::string> header,
                std::vector<std::vector<std::string>> rows, std::ostream& out) {
  TextTable table(std::move(header));
  for (std::vector<std::string>& row : rows) table.AddRow(std::move(row));
  table.Print("", out);
}

std::vector<std::string> FormatTable(
    std::vector<std::string> header,
    std::vector<std::vector<std::string>> rows) {
  TextTable table(std::move(header));
  for (std::vector<std::string>& row : rows) table.AddRow(std::move(row));
  return table.Lines("");
}

void PrintFields(const std::vector<std::pair<std::string, std::string>>& pairs,
                 std::ostream& out) {
  PrintKeyValues(pairs, out);
}

void PrintSection(std::string_view title, int count, std::ostream& out) {
  out << '\n'
      << title << " (" << count << ")" << (count == 0 ? ": none" : "") << '\n';
}

}  // namespace pwx::client
