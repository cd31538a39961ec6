#include "server/domain/catalogue.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/str_replace.h"

namespace pwx::domain {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

// A small valid catalogue: one question in English and Polish, one in
// English only.
constexpr char kSmall[] = R"pb(
  version: "test.1"
  questions {
    code: "EST-01"
    topic: "establishment"
    texts { language: "en" text: "Is the undertaking registered?" }
    texts { language: "pl" text: "Czy przedsiębiorstwo jest zarejestrowane?" }
  }
  questions {
    code: "PEN-01"
    topic: "penalties"
    texts { language: "en" text: "Was the decision served?" }
  }
)pb";

QuestionCatalogue Small() {
  absl::StatusOr<QuestionCatalogue> catalogue =
      QuestionCatalogue::Parse(kSmall);
  EXPECT_TRUE(catalogue.ok()) << catalogue.status();
  return *std::move(catalogue);
}

// The message of Parse(text)'s error; "" when it parsed.
std::string ParseError(std::string_view text) {
  absl::StatusOr<QuestionCatalogue> catalogue = QuestionCatalogue::Parse(text);
  if (catalogue.ok()) return "";
  EXPECT_TRUE(absl::IsInvalidArgument(catalogue.status()))
      << catalogue.status();
  return std::string(catalogue.status().message());
}

class ShippedCatalogueTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<QuestionCatalogue> catalogue = QuestionCatalogue::Shipped();
    ASSERT_TRUE(catalogue.ok()) << catalogue.status();
    catalogue_.emplace(*std::move(catalogue));
  }

  std::optional<QuestionCatalogue> catalogue_;
};

TEST_F(ShippedCatalogueTest, HasAVersionAndBetween30And40Questions) {
  EXPECT_FALSE(catalogue_->version().empty());
  EXPECT_GE(catalogue_->size(), 30u);
  EXPECT_LE(catalogue_->size(), 40u);
}

TEST_F(ShippedCatalogueTest, EveryQuestionHasItsOwnTextInEveryLanguage) {
  for (std::string_view language : kCatalogueLanguages) {
    for (const pwx::v1::CatalogueQuestion& q : catalogue_->List(language)) {
      EXPECT_EQ(q.language(), language) << q.code() << " has no " << language;
      EXPECT_FALSE(q.text().empty()) << q.code();
    }
  }
  // A translation that is a copy of the English (or of another language)
  // would fall back silently; every text of a question differs.
  const std::vector<pwx::v1::CatalogueQuestion> english =
      catalogue_->List("en");
  for (const pwx::v1::CatalogueQuestion& q : english) {
    std::set<std::string> texts;
    for (std::string_view language : kCatalogueLanguages) {
      texts.insert(std::string(*catalogue_->Text(q.code(), language)));
    }
    EXPECT_EQ(texts.size(), std::size(kCatalogueLanguages))
        << q.code() << " has two languages with the same text";
  }
}

TEST_F(ShippedCatalogueTest, CoversTheTopicsOfTheDirective) {
  std::set<std::string> topics;
  for (const pwx::v1::CatalogueQuestion& q : catalogue_->List("en")) {
    topics.insert(q.topic());
  }
  for (const char* topic :
       {"establishment", "a1", "contract", "pay", "working-time", "declaration",
        "subcontracting", "agency-work", "self-employment", "penalties"}) {
    EXPECT_TRUE(topics.count(topic)) << topic;
  }
}

TEST_F(ShippedCatalogueTest, KeepsItsStableCodesAndDiacritics) {
  // Requests store codes: these must keep existing with their meaning.
  EXPECT_THAT(std::string(*catalogue_->Text("TIM-01", "en")),
              HasSubstr("beginning, the end and the duration of daily "
                        "working time"));
  EXPECT_THAT(std::string(*catalogue_->Text("EST-01", "pl")),
              HasSubstr("przedsiębiorstwo"));
  EXPECT_THAT(std::string(*catalogue_->Text("EST-01", "ro")),
              HasSubstr("înregistrată"));
  EXPECT_THAT(std::string(*catalogue_->Text("A1-01", "de")),
              HasSubstr("tragbares Dokument A1"));
  EXPECT_TRUE(catalogue_->Has("PEN-01"));
}

TEST(CatalogueTest, TextFallsBackToEnglish) {
  const QuestionCatalogue catalogue = Small();
  EXPECT_EQ(catalogue.Text("EST-01", "pl"),
            "Czy przedsiębiorstwo jest zarejestrowane?");
  EXPECT_EQ(catalogue.Text("EST-01", "pl-PL"),
            "Czy przedsiębiorstwo jest zarejestrowane?");
  EXPECT_EQ(catalogue.Text("PEN-01", "pl"), "Was the decision served?");
  EXPECT_EQ(catalogue.Text("EST-01", "fr"), "Is the undertaking registered?");
  // Not a catalogue language, or not a tag: English, not an error.
  EXPECT_EQ(catalogue.Text("EST-01", "nl"), "Is the undertaking registered?");
  EXPECT_EQ(catalogue.Text("EST-01", ""), "Is the undertaking registered?");
  EXPECT_EQ(catalogue.Text("XYZ-01", "en"), std::nullopt);
  EXPECT_FALSE(catalogue.Has("XYZ-01"));
}

TEST(CatalogueTest, ListKeepsTheOrderAndSaysWhichLanguageEachTextIsIn) {
  const std::vector<pwx::v1::CatalogueQuestion> list = Small().List("pl");
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].code(), "EST-01");
  EXPECT_EQ(list[0].topic(), "establishment");
  EXPECT_EQ(list[0].language(), "pl");
  EXPECT_EQ(list[1].code(), "PEN-01");
  EXPECT_EQ(list[1].language(), "en");
  EXPECT_EQ(list[1].text(), "Was the decision served?");
  EXPECT_EQ(Small().version(), "test.1");
}

TEST(CatalogueTest, BadFilesAreRefusedNamingTheField) {
  const std::string small = kSmall;
  auto with = [&small](std::string_view from, std::string_view to) {
    std::string text = absl::StrReplaceAll(
        small, {{absl::string_view(from.data(), from.size()),
                 absl::string_view(to.data(), to.size())}});
    EXPECT_NE(text, small) << "the test did not change the file";
    return text;
  };
  EXPECT_THAT(ParseError(with("PEN-01", "EST-01")),
              StartsWith("questions[1].code: 'EST-01' is already the code of "
                         "questions[0]"));
  EXPECT_THAT(ParseError(with(R"(language: "en" text: "Was)",
                              R"(language: "fr" text: "Was)")),
              StartsWith("questions[1].texts: PEN-01 has no English (en) "
                         "text"));
  EXPECT_THAT(ParseError(with(R"(language: "pl")", R"(language: "nl")")),
              StartsWith("questions[0].texts[1].language: 'nl' is not a "
                         "catalogue language"));
  EXPECT_THAT(ParseError(with(R"(language: "pl")", R"(language: "en")")),
              StartsWith("questions[0].texts[1].language: a second 'en'"));
  EXPECT_THAT(ParseError(with(R"(language: "pl")", R"(language: "pl-PL")")),
              StartsWith("questions[0].texts[1].language: 'pl-PL'"));
  EXPECT_THAT(ParseError(with("Was the decision served?", " ")),
              StartsWith("questions[1].texts[0].text: is required"));
  EXPECT_THAT(ParseError(with("EST-01", "est1")),
              StartsWith("questions[0].code: 'est1' is not a question code"));
  EXPECT_THAT(ParseError(with(R"(topic: "penalties")", R"(topic: "")")),
              StartsWith("questions[1].topic: '' is not a topic"));
  EXPECT_THAT(ParseError(with(R"(version: "test.1")", "")),
              StartsWith("version: is required"));
  EXPECT_THAT(ParseError(with("topic:", "topik:")),
              AllOf(StartsWith("not a text-format "
                               "pwx.v1.QuestionCatalogueFile: line 5:"),
                    HasSubstr("topik")));
  EXPECT_THAT(
      ParseError(with("Was the decision served?", std::string(1001, 'x'))),
      StartsWith("questions[1].texts[0].text: is 1001 characters "
                 "long; the limit is 1000"));
}

TEST(CatalogueLanguageTest, AcceptsTagsOfTheCatalogueLanguages) {
  for (std::string_view language : kCatalogueLanguages) {
    EXPECT_EQ(CatalogueLanguage(language), language);
    EXPECT_TRUE(ValidateLanguage("language", language).ok()) << language;
  }
  EXPECT_EQ(CatalogueLanguage("pl-PL"), "pl");
  EXPECT_EQ(CatalogueLanguage("PL"), "pl");
  EXPECT_EQ(CatalogueLanguage("pt-BR"), "pt");
  EXPECT_EQ(CatalogueLanguage("es-419"), "es");
  EXPECT_EQ(CatalogueLanguage("de-Latn-AT"), "de");
}

TEST(CatalogueLanguageTest,
     RefusesOtherLanguagesAndMalformedTagsNamingTheField) {
  for (std::string_view tag :
       {"", "nl", "pl_PL", "pl-", "-pl", "polish", "pl-PL-", "pl--PL",
        "pl-toolongsubtag", "pl PL", "p"}) {
    EXPECT_EQ(CatalogueLanguage(tag), std::nullopt) << tag;
    const absl::Status s = ValidateLanguage("settings.language", tag);
    EXPECT_TRUE(absl::IsInvalidArgument(s)) << tag;
    EXPECT_THAT(std::string(s.message()),
                StartsWith("settings.language: '" + std::string(tag) + "'"));
    EXPECT_THAT(std::string(s.message()),
                HasSubstr("en, fr, de, pl, ro, es, it, pt"));
  }
}

}  // namespace
}  // namespace pwx::domain
