#include "server/config.h"

#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/text_format.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "server/authorizer.h"
#include "server/domain/calendar.h"
#include "server/domain/fields.h"

namespace pwx::server {
namespace {

// The key a text-format line sets ("api", "listen", ...), or empty.
std::string KeyOfLine(absl::string_view text, int line) {
  std::vector<absl::string_view> lines = absl::StrSplit(text, '\n');
  if (line < 0 || line >= static_cast<int>(lines.size())) return "";
  absl::string_view l = absl::StripLeadingAsciiWhitespace(lines[line]);
  size_t end = 0;
  while (end < l.size() && (absl::ascii_isalnum(l[end]) || l[end] == '_')) {
    ++end;
  }
  return std::string(l.substr(0, end));
}

// Keeps the first parse error with its position and the key it is about:
// protobuf's own message names unknown keys but not mistyped values.
class FirstError final : public google::protobuf::io::ErrorCollector {
 public:
  explicit FirstError(absl::string_view text) : text_(text) {}

  void AddError(int line, google::protobuf::io::ColumnNumber column,
                const std::string& message) override {
    if (!message_.empty()) return;
    message_ = absl::StrCat(line + 1, ":", column + 1, ": ");
    const std::string key = KeyOfLine(text_, line);
    if (!key.empty() && !absl::StrContains(message, key)) {
      absl::StrAppend(&message_, "key '", key, "': ");
    }
    absl::StrAppend(&message_, message);
  }
  const std::string& message() const { return message_; }

 private:
  absl::string_view text_;
  std::string message_;
};

absl::Status Invalid(absl::string_view key, absl::string_view message) {
  return absl::InvalidArgumentError(absl::StrCat(key, ": ", message));
}

}  // namespace

absl::StatusOr<pwx::v1::ServerConfig> ParseConfig(absl::string_view text,
                                                  absl::string_view source) {
  pwx::v1::ServerConfig config;
  FirstError errors(text);
  google::protobuf::TextFormat::Parser parser;
  parser.RecordErrorsTo(&errors);
  if (!parser.ParseFromString(std::string(text), &config)) {
    return absl::InvalidArgumentError(
        absl::StrCat(source, ":", errors.message()));
  }
  return config;
}

absl::StatusOr<std::string> ReadFileForKey(absl::string_view key,
                                           const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::NotFoundError(
        absl::StrCat(key, ": cannot read ", path, ": ", std::strerror(errno)));
  }
  std::ostringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

absl::StatusOr<pwx::v1::ServerConfig> LoadConfigFile(const std::string& path) {
  absl::StatusOr<std::string> text = ReadFileForKey("--config", path);
  if (!text.ok()) return text.status();
  return ParseConfig(*text, path);
}

void ApplyDefaults(pwx::v1::ServerConfig* config) {
  if (config->api().max_concurrent_streams() == 0) {
    config->mutable_api()->set_max_concurrent_streams(256);
  }
  if (config->api().listen().empty()) {
    config->mutable_api()->set_listen("127.0.0.1:7443");
  }
  if (config->attachments().max_bytes() == 0) {
    config->mutable_attachments()->set_max_bytes(uint64_t{16} << 20);
  }
  if (config->log().format().empty()) config->mutable_log()->set_format("text");
  if (config->log().level().empty()) config->mutable_log()->set_level("info");
  if (config->storage().max_group_size() == 0) {
    config->mutable_storage()->set_max_group_size(256);
  }
  if (config->storage().max_queued_bytes() == 0) {
    config->mutable_storage()->set_max_queued_bytes(uint64_t{256} << 20);
  }
  if (config->storage().block_cache_bytes() == 0) {
    config->mutable_storage()->set_block_cache_bytes(uint64_t{64} << 20);
  }
  if (config->shutdown_grace_seconds() == 0) {
    config->set_shutdown_grace_seconds(10);
  }
  pwx::v1::AuditConfig* audit = config->mutable_audit();
  if (audit->sign_every_entries() == 0) audit->set_sign_every_entries(1000);
  if (audit->sign_interval_ms() == 0) audit->set_sign_interval_ms(1000);
  if (audit->read_entry_delay_ms() == 0) audit->set_read_entry_delay_ms(1);
  // Only both: one file set without the other is an error for
  // ValidateConfig, not a silent mix of two key pairs.
  if (audit->signing_cert_file().empty() && audit->signing_key_file().empty()) {
    audit->set_signing_cert_file(config->api().cert_file());
    audit->set_signing_key_file(config->api().key_file());
  }
  pwx::v1::FederationConfig* fed = config->mutable_federation();
  if (fed->advertise().empty()) fed->set_advertise(fed->listen());
  if (fed->cert_file().empty() && fed->key_file().empty()) {
    fed->set_cert_file(config->api().cert_file());
    fed->set_key_file(config->api().key_file());
  }
  if (fed->ca_file().empty()) fed->set_ca_file(config->api().client_ca_file());
  if (fed->max_batch() == 0) fed->set_max_batch(1000);
  if (fed->retry_initial_ms() == 0) fed->set_retry_initial_ms(200);
  if (fed->retry_max_ms() == 0) fed->set_retry_max_ms(60000);
  if (fed->max_message_bytes() == 0) fed->set_max_message_bytes(4 << 20);
  if (fed->call_timeout_ms() == 0) fed->set_call_timeout_ms(10000);
  if (fed->keep_delivered_hours() == 0) fed->set_keep_delivered_hours(168);
  if (fed->max_concurrent_streams() == 0) fed->set_max_concurrent_streams(4);
  if (fed->max_queued_per_peer() == 0) fed->set_max_queued_per_peer(1'000'000);
  if (!fed->has_quota_events_per_hour()) {
    fed->set_quota_events_per_hour(1'000'000);
  }
  if (!fed->has_quota_bytes_per_hour()) {
    fed->set_quota_bytes_per_hour(uint64_t{4} << 30);
  }
}

absl::Status ValidateConfig(const pwx::v1::ServerConfig& config) {
  if (config.authority_id().empty()) {
    return Invalid("authority_id", "is required (e.g. \"FR-DGT\")");
  }
  if (absl::Status s = domain::ValidateNodeAuthorityId("authority_id",
                                                       config.authority_id());
      !s.ok()) {
    return s;
  }
  if (config.data_dir().empty()) return Invalid("data_dir", "is required");
  std::vector<absl::string_view> host_port =
      absl::StrSplit(config.api().listen(), absl::ByString(":"));
  if (host_port.size() < 2 || host_port.back().empty()) {
    return Invalid("api.listen", absl::StrCat("'", config.api().listen(),
                                              "' is not host:port"));
  }
  if (!config.web().listen().empty()) {
    std::vector<absl::string_view> web_host_port =
        absl::StrSplit(config.web().listen(), absl::ByString(":"));
    if (web_host_port.size() < 2 || web_host_port.back().empty() ||
        web_host_port.front().empty()) {
      return Invalid("web.listen", absl::StrCat("'", config.web().listen(),
                                                "' is not host:port"));
    }
  }
  if (config.api().cert_file().empty()) {
    return Invalid("api.cert_file", "is required");
  }
  if (config.api().key_file().empty()) {
    return Invalid("api.key_file", "is required");
  }
  if (config.api().client_ca_file().empty()) {
    return Invalid("api.client_ca_file", "is required");
  }
  if (config.log().format() != "text" && config.log().format() != "json") {
    return Invalid("log.format", absl::StrCat("'", config.log().format(),
                                              "' is not text or json"));
  }
  static constexpr absl::string_view kLevels[] = {"trace", "debug", "info",
                                                  "warn",  "error", "off"};
  if (std::find(std::begin(kLevels), std::end(kLevels), config.log().level()) ==
      std::end(kLevels)) {
    return Invalid("log.level",
                   absl::StrCat("'", config.log().level(),
                                "' is not trace, debug, info, warn, error or "
                                "off"));
  }
  if (config.storage().max_group_size() > 65536) {
    return Invalid("storage.max_group_size", "must be at most 65536");
  }
  if (config.attachments().max_bytes() > (uint64_t{1} << 30)) {
    return Invalid("attachments.max_bytes", "must be at most 1 GiB");
  }
  const pwx::v1::AuditConfig& audit = config.audit();
  if (audit.sign_every_entries() > 10'000'000) {
    return Invalid("audit.sign_every_entries", "must be at most 10000000");
  }
  if (audit.sign_interval_ms() < 10 || audit.sign_interval_ms() > 86'400'000) {
    return Invalid("audit.sign_interval_ms",
                   absl::StrCat(audit.sign_interval_ms(),
                                " is not between 10 and 86400000 (a day)"));
  }
  if (audit.read_entry_delay_ms() > 10'000) {
    return Invalid("audit.read_entry_delay_ms", "must be at most 10000");
  }
  const pwx::v1::FederationConfig& fed = config.federation();
  if (!fed.listen().empty() || !fed.advertise().empty()) {
    for (auto [key, value] :
         {std::pair{"federation.listen", &fed.listen()},
          std::pair{"federation.advertise", &fed.advertise()}}) {
      std::vector<absl::string_view> parts =
          absl::StrSplit(*value, absl::ByString(":"));
      if (parts.size() < 2 || parts.back().empty() || parts.front().empty()) {
        return Invalid(key, absl::StrCat("'", *value, "' is not host:port"));
      }
    }
  }
  if (fed.cert_file().empty() != fed.key_file().empty()) {
    return Invalid(fed.cert_file().empty() ? "federation.cert_file"
                                           : "federation.key_file",
                   "is required when the other of federation.cert_file and "
                   "federation.key_file is set");
  }
  if (fed.max_batch() > 10000) {
    return Invalid("federation.max_batch", "must be at most 10000");
  }
  if (fed.retry_initial_ms() > fed.retry_max_ms()) {
    return Invalid("federation.retry_initial_ms",
                   absl::StrCat(fed.retry_initial_ms(),
                                " is more than federation.retry_max_ms ",
                                fed.retry_max_ms()));
  }
  if (fed.max_message_bytes() < 65536 || fed.max_message_bytes() > (64 << 20)) {
    return Invalid("federation.max_message_bytes",
                   "must be from 65536 to 67108864");
  }
  if (fed.call_timeout_ms() < 100 || fed.call_timeout_ms() > 600000) {
    return Invalid("federation.call_timeout_ms", "must be from 100 to 600000");
  }
  if (fed.keep_delivered_hours() > 24 * 366) {
    return Invalid("federation.keep_delivered_hours",
                   "must be at most 8784 (a year)");
  }
  if (absl::StatusOr<std::map<std::string, std::set<pwx::v1::Role>>> roles =
          ConfigRoles(config);
      !roles.ok()) {
    return roles.status();
  }
  if (audit.signing_cert_file().empty() != audit.signing_key_file().empty()) {
    return Invalid(audit.signing_cert_file().empty() ? "audit.signing_cert_file"
                                                     : "audit.signing_key_file",
                   "is required when the other of audit.signing_cert_file "
                   "and audit.signing_key_file is set");
  }
  // Whether each country has a calendar is known once the data is loaded
  // (Node::Start); the overrides' shape is checked here.
  return domain::Calendars::ValidateOverrides(config.calendar());
}

}  // namespace pwx::server
