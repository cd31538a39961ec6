#include "server/domain/fields.h"

#include <algorithm>
#include <cstdint>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "server/domain/country.h"

namespace pwx::domain {
namespace {

bool AllDigits(absl::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// The NACE Rev. 2 section of a division (01–99), or '\0' for a division
// that is not assigned (04, 34, 40, 44, 48, 54, 57, 67, 76, 83, 89).
char SectionOfDivision(int division) {
  struct Range {
    int first;
    int last;
    char section;
  };
  static constexpr Range kRanges[] = {
      {1, 3, 'A'},   {5, 9, 'B'},   {10, 33, 'C'}, {35, 35, 'D'}, {36, 39, 'E'},
      {41, 43, 'F'}, {45, 47, 'G'}, {49, 53, 'H'}, {55, 56, 'I'}, {58, 63, 'J'},
      {64, 66, 'K'}, {68, 68, 'L'}, {69, 75, 'M'}, {77, 82, 'N'}, {84, 84, 'O'},
      {85, 85, 'P'}, {86, 88, 'Q'}, {90, 93, 'R'}, {94, 96, 'S'}, {97, 98, 'T'},
      {99, 99, 'U'}};
  for (const Range& r : kRanges) {
    if (division >= r.first && division <= r.last) return r.section;
  }
  return '\0';
}

}  // namespace

absl::Status Invalid(absl::string_view field, absl::string_view message) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", message));
}

absl::StatusOr<absl::CivilDay> ParseDate(absl::string_view field,
                                         absl::string_view text) {
  int year = 0;
  int month = 0;
  int day = 0;
  if (text.size() != 10 || text[4] != '-' || text[7] != '-' ||
      !AllDigits(text.substr(0, 4)) || !AllDigits(text.substr(5, 2)) ||
      !AllDigits(text.substr(8, 2)) ||
      !absl::SimpleAtoi(text.substr(0, 4), &year) ||
      !absl::SimpleAtoi(text.substr(5, 2), &month) ||
      !absl::SimpleAtoi(text.substr(8, 2), &day)) {
    return Invalid(field, absl::StrCat("'", text,
                                       "' is not a date of the form "
                                       "YYYY-MM-DD"));
  }
  if (year < 1900 || year > 2999) {
    return Invalid(field, absl::StrCat("year ", year, " is out of range"));
  }
  absl::CivilDay parsed(year, month, day);
  // CivilDay normalises out-of-range fields (Feb 30 -> Mar 2): catch that.
  if (parsed.month() != month || parsed.day() != day) {
    return Invalid(field, absl::StrCat("'", text, "' is not a calendar day"));
  }
  return parsed;
}

absl::StatusOr<std::string> NormalizeNace(absl::string_view field,
                                          absl::string_view code) {
  absl::string_view rest = code;
  char letter = '\0';
  if (!rest.empty() && rest[0] >= 'A' && rest[0] <= 'U') {
    letter = rest[0];
    rest.remove_prefix(1);
    if (rest.empty()) return std::string(1, letter);
  }
  auto bad = [&]() {
    return Invalid(field,
                   absl::StrCat("'", code,
                                "' is not a NACE Rev. 2 code (a section "
                                "letter, or a division like 41, 41.2, 41.20 "
                                "or F41.20)"));
  };
  if (rest.size() < 2 || !AllDigits(rest.substr(0, 2))) return bad();
  absl::string_view fraction;
  if (rest.size() > 2) {
    if (rest[2] != '.' || rest.size() < 4 || rest.size() > 5) return bad();
    fraction = rest.substr(3);
    if (!AllDigits(fraction)) return bad();
  }
  int division = 0;
  if (!absl::SimpleAtoi(rest.substr(0, 2), &division)) return bad();
  const char section = SectionOfDivision(division);
  if (section == '\0') {
    return Invalid(
        field, absl::StrFormat("NACE division %02d does not exist", division));
  }
  if (letter != '\0' && letter != section) {
    return Invalid(field,
                   absl::StrFormat("NACE division %02d belongs to section %c, "
                                   "not %c",
                                   division, section, letter));
  }
  return absl::StrCat(std::string(1, section), rest);
}

absl::Status ValidateAuthorityId(absl::string_view field,
                                 absl::string_view id) {
  auto bad = [&]() {
    return Invalid(field, absl::StrCat("'", id,
                                       "' is not an authority id of the form "
                                       "CC-NAME, e.g. FR-DGT"));
  };
  if (id.size() < 5 || id.size() > 19 || id[2] != '-') return bad();
  if (!IsExchangeCountry(id.substr(0, 2))) {
    return Invalid(field, absl::StrCat("'", id.substr(0, 2),
                                       "' is not an EU/EEA country code"));
  }
  for (char c : id.substr(3)) {
    if (!absl::ascii_isupper(static_cast<unsigned char>(c)) &&
        !absl::ascii_isdigit(static_cast<unsigned char>(c))) {
      return bad();
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateNodeAuthorityId(absl::string_view field,
                                     absl::string_view id) {
  if (!absl::StartsWith(id, "EU-")) return ValidateAuthorityId(field, id);
  const bool ok = id.size() >= 5 && id.size() <= 19 &&
                  std::all_of(id.begin() + 3, id.end(), [](char c) {
                    return absl::ascii_isupper(static_cast<unsigned char>(c)) ||
                           absl::ascii_isdigit(static_cast<unsigned char>(c));
                  });
  if (!ok) {
    return Invalid(field, absl::StrCat("'", id,
                                       "' is not an EU body's authority id "
                                       "such as EU-ELA"));
  }
  return absl::OkStatus();
}

absl::Status ValidateText(absl::string_view field, absl::string_view text,
                          size_t max_chars, bool multiline) {
  size_t chars = 0;
  for (unsigned char c : text) {
    if ((c & 0xC0) != 0x80) ++chars;  // count UTF-8 lead bytes only
    if (c < 0x20 || c == 0x7F) {
      if (!(multiline && (c == '\n' || c == '\t' || c == '\r'))) {
        return Invalid(field, "contains a control character");
      }
    }
  }
  if (chars > max_chars) {
    return Invalid(field,
                   absl::StrCat("is ", chars, " characters long; the limit is ",
                                max_chars));
  }
  return absl::OkStatus();
}

absl::Status ValidateRequiredText(absl::string_view field,
                                  absl::string_view text, size_t max_chars,
                                  bool multiline) {
  if (absl::StripAsciiWhitespace(text).empty()) {
    return Invalid(field, "is required");
  }
  return ValidateText(field, text, max_chars, multiline);
}

}  // namespace pwx::domain
