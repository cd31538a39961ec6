#include "server/domain/catalogue.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/text_format.h"
#include "server/domain/fields.h"

namespace pwx::domain {
namespace {

// Long enough for a question with its sub-questions; a request's free text
// is the place for more.
constexpr size_t kMaxTextChars = 1000;
constexpr size_t kMaxVersionChars = 32;
constexpr size_t kMaxTopicChars = 32;

// This abseil's string_view is its own type, not std::string_view.
absl::string_view Absl(std::string_view s) { return {s.data(), s.size()}; }

absl::Status InvalidEntry(std::string_view field, std::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat(Absl(field), ": ", Absl(why)));
}

std::string LanguageList() {
  std::string list;
  for (std::string_view language : kCatalogueLanguages) {
    absl::StrAppend(&list, list.empty() ? "" : ", ", Absl(language));
  }
  return list;
}

// "EST-01": 1 to 8 upper-case letters or digits starting with a letter, a
// dash, 2 or 3 digits.
bool IsCode(std::string_view code) {
  const size_t dash = code.find('-');
  if (dash == std::string_view::npos || dash == 0 || dash > 8) return false;
  if (!absl::ascii_isupper(code[0])) return false;
  for (char c : code.substr(0, dash)) {
    if (!absl::ascii_isupper(c) && !absl::ascii_isdigit(c)) return false;
  }
  const std::string_view number = code.substr(dash + 1);
  if (number.size() < 2 || number.size() > 3) return false;
  for (char c : number) {
    if (!absl::ascii_isdigit(c)) return false;
  }
  return true;
}

// "establishment", "working-time": lower-case letters, digits and dashes.
bool IsTopic(std::string_view topic) {
  if (topic.empty() || topic.size() > kMaxTopicChars) return false;
  if (!absl::ascii_islower(topic[0])) return false;
  for (char c : topic) {
    if (!absl::ascii_islower(c) && !absl::ascii_isdigit(c) && c != '-') {
      return false;
    }
  }
  return true;
}

// Collects the text-format parser's errors, which it would otherwise log.
class ParseErrors final : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int line, google::protobuf::io::ColumnNumber column,
                const std::string& message) override {
    if (first_.empty()) {
      first_ = absl::StrCat("line ", line + 1, ":", column + 1, ": ", message);
    }
  }
  const std::string& first() const { return first_; }

 private:
  std::string first_;
};

}  // namespace

std::optional<std::string_view> CatalogueLanguage(std::string_view tag) {
  std::vector<absl::string_view> subtags = absl::StrSplit(Absl(tag), '-');
  for (size_t i = 1; i < subtags.size(); ++i) {
    const absl::string_view subtag = subtags[i];
    if (subtag.empty() || subtag.size() > 8) return std::nullopt;
    for (char c : subtag) {
      if (!absl::ascii_isalnum(c)) return std::nullopt;
    }
  }
  const std::string primary = absl::AsciiStrToLower(subtags[0]);
  for (std::string_view language : kCatalogueLanguages) {
    if (primary == language) return language;
  }
  return std::nullopt;
}

absl::Status ValidateLanguage(std::string_view field,
                              std::string_view language) {
  if (CatalogueLanguage(language).has_value()) return absl::OkStatus();
  return InvalidEntry(
      field,
      absl::StrCat("'", Absl(language),
                   "' is not a language of the question "
                   "catalogue (",
                   LanguageList(), "; a region may follow, as in pl-PL)"));
}

absl::StatusOr<QuestionCatalogue> QuestionCatalogue::Shipped() {
  absl::StatusOr<QuestionCatalogue> catalogue =
      Parse(pwx::data::question_catalogue());
  if (!catalogue.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "server/data/questions.textproto: ", catalogue.status().message()));
  }
  return catalogue;
}

absl::StatusOr<QuestionCatalogue> QuestionCatalogue::Parse(
    std::string_view text) {
  pwx::v1::QuestionCatalogueFile file;
  ParseErrors errors;
  google::protobuf::TextFormat::Parser parser;
  parser.RecordErrorsTo(&errors);
  if (!parser.ParseFromString(std::string(text), &file)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "not a text-format pwx.v1.QuestionCatalogueFile: ", errors.first()));
  }
  QuestionCatalogue catalogue;
  if (absl::Status s =
          ValidateRequiredText("version", file.version(), kMaxVersionChars);
      !s.ok()) {
    return s;
  }
  catalogue.version_ = file.version();
  for (int i = 0; i < file.questions_size(); ++i) {
    const pwx::v1::CatalogueEntry& entry = file.questions(i);
    const std::string at = absl::StrCat("questions[", i, "]");
    if (!IsCode(entry.code())) {
      return InvalidEntry(at + ".code",
                          absl::StrCat("'", entry.code(),
                                       "' is not a question code (upper-case "
                                       "letters, a dash and 2 or 3 digits: "
                                       "EST-01)"));
    }
    if (auto it = catalogue.by_code_.find(entry.code());
        it != catalogue.by_code_.end()) {
      return InvalidEntry(
          at + ".code",
          absl::StrCat("'", entry.code(), "' is already the code of ",
                       "questions[", it->second, "]"));
    }
    if (!IsTopic(entry.topic())) {
      return InvalidEntry(at + ".topic",
                          absl::StrCat("'", entry.topic(),
                                       "' is not a topic (lower-case letters, "
                                       "digits and dashes, at most ",
                                       kMaxTopicChars, ")"));
    }
    Question question;
    question.code = entry.code();
    question.topic = entry.topic();
    for (int j = 0; j < entry.texts_size(); ++j) {
      const pwx::v1::QuestionTranslation& translation = entry.texts(j);
      const std::string text_at = absl::StrCat(at, ".texts[", j, "]");
      size_t index = kCatalogueLanguageCount;
      for (size_t k = 0; k < kCatalogueLanguageCount; ++k) {
        if (translation.language() == kCatalogueLanguages[k]) index = k;
      }
      if (index == kCatalogueLanguageCount) {
        return InvalidEntry(text_at + ".language",
                            absl::StrCat("'", translation.language(),
                                         "' is not a catalogue language (",
                                         LanguageList(), ")"));
      }
      if (!question.texts[index].empty()) {
        return InvalidEntry(text_at + ".language",
                            absl::StrCat("a second '", translation.language(),
                                         "' text for ", entry.code()));
      }
      if (absl::Status s = ValidateRequiredText(
              text_at + ".text", translation.text(), kMaxTextChars);
          !s.ok()) {
        return s;
      }
      question.texts[index] = translation.text();
    }
    if (question.texts[0].empty()) {
      return InvalidEntry(at + ".texts",
                          absl::StrCat(entry.code(),
                                       " has no English (en) text, which every "
                                       "question needs"));
    }
    catalogue.by_code_.emplace(question.code, catalogue.questions_.size());
    catalogue.questions_.push_back(std::move(question));
  }
  return catalogue;
}

bool QuestionCatalogue::Has(std::string_view code) const {
  return by_code_.find(code) != by_code_.end();
}

size_t QuestionCatalogue::TextIndex(const Question& question,
                                    std::string_view language) const {
  std::optional<std::string_view> wanted = CatalogueLanguage(language);
  if (!wanted.has_value()) return 0;
  for (size_t k = 0; k < kCatalogueLanguageCount; ++k) {
    if (kCatalogueLanguages[k] == *wanted) {
      return question.texts[k].empty() ? 0 : k;
    }
  }
  return 0;
}

std::optional<std::string_view> QuestionCatalogue::Text(
    std::string_view code, std::string_view language) const {
  auto it = by_code_.find(code);
  if (it == by_code_.end()) return std::nullopt;
  const Question& question = questions_[it->second];
  return question.texts[TextIndex(question, language)];
}

std::vector<pwx::v1::CatalogueQuestion> QuestionCatalogue::List(
    std::string_view language) const {
  std::vector<pwx::v1::CatalogueQuestion> list;
  list.reserve(questions_.size());
  for (const Question& question : questions_) {
    const size_t index = TextIndex(question, language);
    pwx::v1::CatalogueQuestion& item = list.emplace_back();
    item.set_code(question.code);
    item.set_topic(question.topic);
    item.set_text(question.texts[index]);
    item.set_language(std::string(kCatalogueLanguages[index]));
  }
  return list;
}

}  // namespace pwx::domain
