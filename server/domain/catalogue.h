// The question catalogue: the standard questions of cross-border requests
// (genuine establishment, A1, contracts, pay, working time, declarations,
// subcontracting, agency work, bogus self-employment, penalties), each with a
// stable code such as "EST-01" and its text in the catalogue languages. A
// request stores codes; each reader sees the texts in their own language.
// The shipped catalogue is server/data/questions.textproto, compiled in.
#ifndef PWX_SERVER_DOMAIN_CATALOGUE_H_
#define PWX_SERVER_DOMAIN_CATALOGUE_H_

#include <array>
#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "pwx/v1/catalogue.pb.h"

namespace pwx::data {
// The bytes of server/data/questions.textproto (pwx_embed_data).
std::string_view question_catalogue();
}  // namespace pwx::data

namespace pwx::domain {

// The languages every shipped question has a text in, English first.
inline constexpr std::string_view kCatalogueLanguages[] = {
    "en", "fr", "de", "pl", "ro", "es", "it", "pt"};
inline constexpr size_t kCatalogueLanguageCount =
    std::size(kCatalogueLanguages);

// The catalogue language of a language tag: "pl" for "pl", "PL", "pl-PL" or
// "pl-Latn-PL" (a primary subtag of the catalogue, then any number of
// "-"-separated subtags of 1 to 8 letters or digits). nullopt for a tag of
// another language or one that is not a tag at all ("", "pl_PL", "polish").
// The view points into kCatalogueLanguages. Pure.
std::optional<std::string_view> CatalogueLanguage(std::string_view tag);

// OK for a tag CatalogueLanguage() accepts; INVALID_ARGUMENT "field: ..."
// naming the supported languages otherwise (the empty tag included).
absl::Status ValidateLanguage(std::string_view field,
                              std::string_view language);

// An immutable catalogue. Thread-safe: const after construction; copyable
// and movable.
class QuestionCatalogue {
 public:
  // The catalogue compiled into the binary. Fails only if the shipped file
  // is broken (INVALID_ARGUMENT as Parse), which the tests rule out.
  static absl::StatusOr<QuestionCatalogue> Shipped();

  // Parses a text-format pwx.v1.QuestionCatalogueFile. INVALID_ARGUMENT
  // naming the field for: a syntax error or unknown field (with its line),
  // an empty `version`, a code that is not "LETTERS-DIGITS" ("EST-01") or
  // repeats an earlier question's, an empty or malformed topic, a language
  // that is not a catalogue language or comes twice in one question, an
  // empty or over-long text, and a question without an English text.
  // Fields are named like "questions[3].texts[1].language".
  static absl::StatusOr<QuestionCatalogue> Parse(std::string_view text);

  // The data file's version, e.g. "2026.1".
  const std::string& version() const { return version_; }
  // How many questions the catalogue holds.
  size_t size() const { return questions_.size(); }

  bool Has(std::string_view code) const;

  // The question's text in `language` ("pl"; also accepts "pl-PL"); English
  // when that language has no text or is not a catalogue language; nullopt
  // for an unknown code. The view lives as long as the catalogue.
  std::optional<std::string_view> Text(std::string_view code,
                                       std::string_view language) const;

  // Every question, in catalogue order, with its text in `language` (same
  // fallback as Text) and the language of that text.
  std::vector<pwx::v1::CatalogueQuestion> List(std::string_view language) const;

 private:
  struct Question {
    std::string code;
    std::string topic;
    // By the index of the language in kCatalogueLanguages; empty when the
    // question has no text in that language. texts[0] (English) never is.
    std::array<std::string, kCatalogueLanguageCount> texts;
  };

  QuestionCatalogue() = default;

  // The index in kCatalogueLanguages of the text to show for `language`.
  size_t TextIndex(const Question& question, std::string_view language) const;

  std::string version_;
  std::vector<Question> questions_;
  // Code -> index in questions_.
  std::map<std::string, size_t, std::less<>> by_code_;
};

}  // namespace pwx::domain

#endif  // PWX_SERVER_DOMAIN_CATALOGUE_H_
