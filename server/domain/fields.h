// Validation of the scalar field formats pwx exchanges: calendar dates,
// NACE Rev. 2 codes, authority ids and bounded text. Each check returns
// INVALID_ARGUMENT whose message starts with the field's name, so a user
// knows exactly what to fix.
#ifndef PWX_SERVER_DOMAIN_FIELDS_H_
#define PWX_SERVER_DOMAIN_FIELDS_H_

#include <cstddef>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"

namespace pwx::domain {

// The longest a short text (a title, a name) and a long text (a question,
// an answer, a finding) may be, in bytes.
inline constexpr size_t kMaxShortText = 500;
inline constexpr size_t kMaxLongText = 20000;

// INVALID_ARGUMENT "field: message", the form of every validation error
// (the API's field path first, so that a form can show it beside the field).
absl::Status Invalid(absl::string_view field, absl::string_view message);

// Parses an ISO 8601 calendar date "YYYY-MM-DD" (years 1900–2999), rejecting
// impossible days such as 2026-02-30.
absl::StatusOr<absl::CivilDay> ParseDate(absl::string_view field,
                                         absl::string_view text);

// Normalises a NACE Rev. 2 code: a section letter alone ("F"), or a division
// with optional group/class ("41", "41.2", "41.20", "F41.20"). Returns the
// code with its section letter, e.g. "41.20" -> "F41.20". The section letter,
// when given, must be the one the division belongs to.
absl::StatusOr<std::string> NormalizeNace(absl::string_view field,
                                          absl::string_view code);

// "CC-NAME": a country of the exchange, a dash and 2–16 upper-case letters
// or digits, e.g. "FR-DGT".
absl::Status ValidateAuthorityId(absl::string_view field, absl::string_view id);

// An authority that runs a node: a member state's ("FR-DGT", as
// ValidateAuthorityId) or an EU body's ("EU-" and 2–16 upper-case letters
// or digits, e.g. "EU-ELA", the European Labour Authority, which takes
// part in joint inspections). INVALID_ARGUMENT naming `field`.
absl::Status ValidateNodeAuthorityId(absl::string_view field,
                                     absl::string_view id);

// The text has at most `max_chars` Unicode code points and no control
// characters other than tab and newline (when `multiline`).
absl::Status ValidateText(absl::string_view field, absl::string_view text,
                          size_t max_chars, bool multiline = false);

// Like ValidateText, and the text must not be empty or only white space.
absl::Status ValidateRequiredText(absl::string_view field,
                                  absl::string_view text, size_t max_chars,
                                  bool multiline = false);

}  // namespace pwx::domain

#endif  // PWX_SERVER_DOMAIN_FIELDS_H_
