#include "server/logging.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "server/grpc_log.h"

namespace pwx::server {
namespace {

// The fields of the line being logged on this thread (the loggers are
// synchronous: a line is formatted on the thread that logs it).
thread_local const std::vector<LogField>* current_fields = nullptr;

bool NeedsQuotes(std::string_view value) {
  return value.find_first_of(" \"=") != std::string_view::npos;
}

// The pattern formatter, given the payload escaped.
class TextFormatter final : public spdlog::formatter {
 public:
  TextFormatter()
      : pattern_(std::make_unique<spdlog::pattern_formatter>(
            "%Y-%m-%dT%H:%M:%S.%fZ %^%l%$ %v",
            spdlog::pattern_time_type::utc)) {}

  void format(const spdlog::details::log_msg& msg,
              spdlog::memory_buf_t& dest) override {
    const std::string escaped =
        EscapeForLog(std::string_view(msg.payload.data(), msg.payload.size()));
    spdlog::details::log_msg copy = msg;
    copy.payload = spdlog::string_view_t(escaped.data(), escaped.size());
    pattern_->format(copy, dest);
  }
  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<TextFormatter>();
  }

 private:
  std::unique_ptr<spdlog::formatter> pattern_;
};

// {"time":"2026-11-23T18:00:00.123456Z","level":"info","msg":"...",
//  "call":"GetCase",...}
class JsonFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg,
              spdlog::memory_buf_t& dest) override {
    nlohmann::json line;
    line["time"] =
        absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ", absl::FromChrono(msg.time),
                         absl::UTCTimeZone());
    line["level"] =
        std::string(spdlog::level::to_string_view(msg.level).data(),
                    spdlog::level::to_string_view(msg.level).size());
    line["msg"] = std::string(msg.payload.data(), msg.payload.size());
    if (current_fields != nullptr) {
      for (const LogField& field : *current_fields) {
        const std::string key(field.key);
        if (key == "time" || key == "level" || key == "msg") continue;
        double number = 0;
        if (field.number && absl::SimpleAtod(field.value, &number)) {
          line[key] = number;
        } else {
          line[key] = field.value;
        }
      }
    }
    const std::string text =
        line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) +
        "\n";
    dest.append(text.data(), text.data() + text.size());
  }
  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<JsonFormatter>();
  }
};

}  // namespace

std::string EscapeForLog(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20 || c == 0x7f) {
      absl::StrAppendFormat(&out, "\\x%02x", c);
    } else if (c == 0xc2 && i + 1 < text.size() &&
               static_cast<unsigned char>(text[i + 1]) >= 0x80 &&
               static_cast<unsigned char>(text[i + 1]) <= 0x9f) {
      // U+0080..U+009F: C1 controls (CSI among them).
      absl::StrAppendFormat(&out, "\\u%04x",
                            static_cast<unsigned char>(text[i + 1]));
      ++i;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

std::string FieldsText(const std::vector<LogField>& fields) {
  std::string out;
  for (const LogField& field : fields) {
    if (!out.empty()) out += ' ';
    out += field.key;
    out += '=';
    if (!NeedsQuotes(field.value)) {
      out += field.value;
      continue;
    }
    out += '"';
    for (char c : field.value) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  return out;
}

void LogFields(spdlog::level::level_enum level,
               const std::vector<LogField>& fields) {
  std::shared_ptr<spdlog::logger> logger = spdlog::default_logger();
  if (!logger->should_log(level)) return;
  const std::string text = FieldsText(fields);
  current_fields = &fields;
  logger->log(level, "{}", text);
  current_fields = nullptr;
}

absl::Status SetupLogging(const pwx::v1::LogConfig& config) {
  return SetupLogging(config,
                      std::make_shared<spdlog::sinks::stderr_sink_mt>());
}

absl::Status SetupLogging(const pwx::v1::LogConfig& config,
                          spdlog::sink_ptr sink) {
  auto logger = std::make_shared<spdlog::logger>("pwx", std::move(sink));
  if (config.format() == "json") {
    logger->set_formatter(std::make_unique<JsonFormatter>());
  } else {
    logger->set_formatter(std::make_unique<TextFormatter>());
  }
  const spdlog::level::level_enum level =
      spdlog::level::from_str(config.level());
  if (level == spdlog::level::off && config.level() != "off") {
    return absl::InvalidArgumentError(
        absl::StrCat("log.level: '", config.level(), "' is not a level"));
  }
  logger->set_level(level);
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(std::move(logger));
  RouteGrpcLogsToSpdlog();
  return absl::OkStatus();
}

}  // namespace pwx::server
