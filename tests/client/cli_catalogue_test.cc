// `pwx catalogue list` and `pwx user set-language`: what the CLI sends and
// what it prints.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "nlohmann/json.hpp"
#include "tests/client/cli_fixture.h"

namespace pwx::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

pwx::v1::CatalogueQuestion Question(const std::string& code,
                                    const std::string& topic,
                                    const std::string& text,
                                    const std::string& language) {
  pwx::v1::CatalogueQuestion q;
  q.set_code(code);
  q.set_topic(topic);
  q.set_text(text);
  q.set_language(language);
  return q;
}

class CliCatalogueTest : public CliTest {
 protected:
  FakeCatalogueService& catalogue() { return node_->catalogue(); }
  FakeUserService& users() { return node_->users(); }
};

TEST_F(CliCatalogueTest, ListPrintsCodeTopicAndTextInTheAskedLanguage) {
  catalogue().SetQuestions(
      {Question("EST-01", "establishment",
                "Czy przedsiębiorstwo jest zarejestrowane?", "pl"),
       Question("PEN-01", "penalties", "Was the decision served?", "en")});

  const CliResult result = Run({"catalogue", "list", "--lang", "pl-PL"});

  ASSERT_EQ(result.exit_code, 0) << result.err;
  ASSERT_THAT(catalogue().seen(), SizeIs(1));
  EXPECT_EQ(catalogue().seen()[0].language(), "pl-PL");
  // A text in English for want of a Polish one is marked so.
  EXPECT_EQ(result.out,
            "CODE    TOPIC          TEXT\n"
            "EST-01  establishment  Czy przedsiębiorstwo jest "
            "zarejestrowane?\n"
            "PEN-01  penalties      Was the decision served? [en]\n");
  EXPECT_THAT(result.err, IsEmpty());
}

TEST_F(CliCatalogueTest, WithoutLangTheNodeChoosesAndNothingIsMarked) {
  catalogue().SetPreference("de");
  catalogue().SetQuestions(
      {Question("EST-06", "establishment",
                "Wo wurden die entsandten Arbeitnehmer eingestellt?", "de")});

  const CliResult result = Run({"catalogue", "list"});

  ASSERT_EQ(result.exit_code, 0) << result.err;
  ASSERT_THAT(catalogue().seen(), SizeIs(1));
  EXPECT_EQ(catalogue().seen()[0].language(), "");
  EXPECT_EQ(result.out,
            "CODE    TOPIC          TEXT\n"
            "EST-06  establishment  Wo wurden die entsandten Arbeitnehmer "
            "eingestellt?\n");
}

TEST_F(CliCatalogueTest, ListJsonIsTheResponseInTheProtoMapping) {
  catalogue().SetQuestions({Question(
      "A1-01", "a1", "Has a portable document A1 been issued?", "en")});

  const CliResult result =
      Run({"catalogue", "list", "--lang", "en", "--output", "json"});

  ASSERT_EQ(result.exit_code, 0) << result.err;
  const nlohmann::json json = nlohmann::json::parse(result.out, nullptr, false);
  ASSERT_FALSE(json.is_discarded()) << result.out;
  EXPECT_EQ(json["version"], "test.1");
  EXPECT_EQ(json["language"], "en");
  ASSERT_EQ(json["questions"].size(), 1);
  EXPECT_EQ(json["questions"][0]["code"], "A1-01");
  EXPECT_EQ(json["questions"][0]["topic"], "a1");
  EXPECT_EQ(json["questions"][0]["text"],
            "Has a portable document A1 been issued?");
  EXPECT_EQ(json["questions"][0]["language"], "en");
}

TEST_F(CliCatalogueTest, AnUnsupportedLangIsAUsageErrorAndNothingIsSent) {
  const CliResult result = Run({"catalogue", "list", "--lang", "nl"});

  EXPECT_EQ(result.exit_code, 2);
  EXPECT_EQ(result.err,
            "pwx: --lang: 'nl' is not a language of the question catalogue "
            "(en, fr, de, pl, ro, es, it, pt; a region may follow, as in "
            "pl-PL)\n");
  EXPECT_THAT(catalogue().seen(), IsEmpty());
}

TEST_F(CliCatalogueTest, AServerRefusalIsOneLineAndExitsOne) {
  catalogue().FailWith(grpc::Status(grpc::StatusCode::PERMISSION_DENIED,
                                    "user 'alice' (roles: none) may not "
                                    "call ListQuestions"));

  const CliResult result = Run({"catalogue", "list"});

  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.err,
            "pwx: PERMISSION_DENIED: user 'alice' (roles: none) may not call "
            "ListQuestions\n");
  EXPECT_THAT(result.out, IsEmpty());
}

TEST_F(CliCatalogueTest, HelpNamesTheLanguagesAndTheDefault) {
  const CliResult result = Run({"catalogue", "list", "--help"});

  EXPECT_EQ(result.exit_code, 0);
  EXPECT_THAT(result.out, HasSubstr("--lang"));
  EXPECT_THAT(result.out, HasSubstr("en, fr, de, pl, ro, es,"));
  EXPECT_THAT(result.out, HasSubstr("pwx user set-language"));
  EXPECT_THAT(result.err, IsEmpty());
}

TEST_F(CliCatalogueTest, SetLanguageSendsTheTagAndPrintsIt) {
  const CliResult result = Run({"user", "set-language", "pl-PL"});

  ASSERT_EQ(result.exit_code, 0) << result.err;
  const FakeUserService::Seen seen = users().seen();
  ASSERT_THAT(seen.languages, SizeIs(1));
  EXPECT_THAT(seen.languages[0], EqualsProto("language: 'pl-PL'"));
  EXPECT_EQ(result.out, "alice: language pl-PL\n");
}

TEST_F(CliCatalogueTest, SetLanguageClearAndJson) {
  const CliResult cleared = Run({"user", "set-language", "--clear"});
  ASSERT_EQ(cleared.exit_code, 0) << cleared.err;
  EXPECT_EQ(cleared.out, "alice: no language set (English)\n");

  const CliResult json =
      Run({"user", "set-language", "ro", "--output", "json"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  const nlohmann::json user = nlohmann::json::parse(json.out, nullptr, false);
  ASSERT_FALSE(user.is_discarded()) << json.out;
  EXPECT_EQ(user["name"], "alice");
  EXPECT_EQ(user["language"], "ro");

  const FakeUserService::Seen seen = users().seen();
  ASSERT_THAT(seen.languages, SizeIs(2));
  EXPECT_EQ(seen.languages[0].language(), "");
  EXPECT_EQ(seen.languages[1].language(), "ro");
}

TEST_F(CliCatalogueTest, SetLanguageRefusesBadTagsAndAmbiguousCalls) {
  const CliResult bad = Run({"user", "set-language", "pl_PL"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_THAT(bad.err, HasSubstr("pwx: LANG: 'pl_PL' is not a language"));

  const CliResult none = Run({"user", "set-language"});
  EXPECT_EQ(none.exit_code, 2);
  EXPECT_EQ(none.err, "pwx: give either LANG or --clear\n");

  const CliResult both = Run({"user", "set-language", "fr", "--clear"});
  EXPECT_EQ(both.exit_code, 2);
  EXPECT_EQ(both.err, "pwx: give either LANG or --clear\n");

  EXPECT_THAT(users().seen().languages, IsEmpty());
}

}  // namespace
}  // namespace pwx::testing
