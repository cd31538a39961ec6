// The node's log as an operator and a log collector read it: text a peer or
// a user sent stays on its line and cannot drive a terminal, and call lines
// carry their call, user, object, peer and status as JSON fields.
#include "server/logging.h"

#include <spdlog/sinks/ostream_sink.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/rpc_util.h"

namespace pwx::server {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// Installs a logger writing to `out` in `format`; puts the previous default
// logger back when destroyed.
class CapturedLog {
 public:
  explicit CapturedLog(const std::string& format)
      : previous_(spdlog::default_logger()) {
    pwx::v1::LogConfig config;
    config.set_format(format);
    config.set_level("info");
    EXPECT_TRUE(
        SetupLogging(config, std::make_shared<spdlog::sinks::ostream_sink_mt>(
                                 out_, /*force_flush=*/true))
            .ok());
  }
  ~CapturedLog() { spdlog::set_default_logger(previous_); }

  std::vector<std::string> Lines() const {
    return absl::StrSplit(out_.str(), '\n', absl::SkipEmpty());
  }

 private:
  std::ostringstream out_;
  std::shared_ptr<spdlog::logger> previous_;
};

TEST(LoggingTest, ControlCharactersAndBackslashesAreWrittenAsEscapes) {
  EXPECT_EQ(EscapeForLog("a\nb\rc\td"), "a\\nb\\rc\\td");
  EXPECT_EQ(EscapeForLog("\x1b[31mred"), "\\x1b[31mred");
  EXPECT_EQ(EscapeForLog(std::string("nul\0end", 7)), "nul\\x00end");
  EXPECT_EQ(EscapeForLog("del\x7f"), "del\\x7f");
  EXPECT_EQ(EscapeForLog("c:\\dir\\n"), "c:\\\\dir\\\\n");
  // C1 controls in UTF-8 (U+009B is a one-byte CSI on some terminals).
  EXPECT_EQ(EscapeForLog("\xc2\x9b"
                         "2J"),
            "\\u009b2J");
  // Letters of every language stay as written.
  EXPECT_EQ(EscapeForLog("Łódź Ñandú Ελλάδα \xc2\xa0"),
            "Łódź Ñandú Ελλάδα \xc2\xa0");
}

TEST(LoggingTest, ATextLineWithANewlineFromAUserStaysOneLine) {
  CapturedLog log("text");
  spdlog::warn("refused user {}", "eve\n2026-12-02T00:00:00Z info forged");
  const std::vector<std::string> lines = log.Lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_THAT(lines[0], HasSubstr("refused user eve\\n2026-12-02"));
  EXPECT_THAT(lines[0], HasSubstr(" warning "));
}

TEST(LoggingTest, CallLinesAreFieldsInTextAndInJson) {
  {
    CapturedLog log("text");
    CallLog call("GetCase", "anna nowak");
    call.set_object("FR-DGT-2026-000001");
    call.Finish(absl::NotFoundError("no case FR-DGT-2026-000001"));
    const std::vector<std::string> lines = log.Lines();
    ASSERT_EQ(lines.size(), 1u);
    EXPECT_THAT(lines[0], HasSubstr("call=GetCase user=\"anna nowak\" "
                                    "object=FR-DGT-2026-000001 "
                                    "status=NOT_FOUND ms="));
    EXPECT_THAT(lines[0], HasSubstr("error=\"no case FR-DGT-2026-000001\""));
  }
  CapturedLog log("json");
  CallLog call("Deliver", "");
  call.set_peer("PL-PIP");
  call.Finish(absl::OkStatus());
  const std::vector<std::string> lines = log.Lines();
  ASSERT_EQ(lines.size(), 1u);
  const nlohmann::json line = nlohmann::json::parse(lines[0]);
  EXPECT_EQ(line["call"], "Deliver");
  EXPECT_EQ(line["user"], "");
  EXPECT_EQ(line["peer"], "PL-PIP");
  EXPECT_EQ(line["status"], "OK");
  EXPECT_TRUE(line["ms"].is_number());
  EXPECT_EQ(line["level"], "info");
  EXPECT_THAT(line["msg"].get<std::string>(), HasSubstr("peer=PL-PIP"));
}

TEST(LoggingTest, AValidationErrorIsLoggedByItsFieldWithoutTheValue) {
  CapturedLog log("json");
  CallLog call("CreateCase", "anna");
  call.Finish(absl::InvalidArgumentError(
      "case.workers[0].name: 'Jan\nKowalski' is too long"));
  const nlohmann::json line = nlohmann::json::parse(log.Lines().at(0));
  EXPECT_EQ(line["error"], "case.workers[0].name");
  EXPECT_THAT(line.dump(), Not(HasSubstr("Kowalski")));
}

TEST(LoggingTest, FieldValuesWithSpacesQuotesOrEqualsAreQuoted) {
  EXPECT_EQ(FieldsText({{"a", "plain"},
                        {"b", ""},
                        {"c", "x y"},
                        {"d", "say \"hi\""},
                        {"e", "k=v"}}),
            "a=plain b= c=\"x y\" d=\"say \\\"hi\\\"\" e=\"k=v\"");
}

}  // namespace
}  // namespace pwx::server
