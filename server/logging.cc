#include "server/logging.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "server/grpc_log.h"

namespace pwx::server {
namespace {

// {"time":"2026-11-23T18:00:00.123456Z","level":"info","msg":"..."}
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

absl::Status SetupLogging(const pwx::v1::LogConfig& config) {
  auto logger = std::make_shared<spdlog::logger>(
      "pwx", std::make_shared<spdlog::sinks::stderr_sink_mt>());
  if (config.format() == "json") {
    logger->set_formatter(std::make_unique<JsonFormatter>());
  } else {
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%fZ %^%l%$ %v",
                        spdlog::pattern_time_type::utc);
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
