// Field checks shared by the request rules (request_rules.cc) and the
// validation of what a requester writes (request_content.cc). Internal to
// server/domain.
#ifndef PWX_SERVER_DOMAIN_REQUEST_FIELDS_H_
#define PWX_SERVER_DOMAIN_REQUEST_FIELDS_H_

#include <cstddef>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "pwx/v1/request.pb.h"
#include "server/domain/fields.h"

namespace pwx::domain::request_fields {

using pwx::v1::RequestKind;

inline bool IsPenalty(RequestKind kind) {
  return kind == pwx::v1::REQUEST_KIND_NOTIFICATION_OF_DECISION ||
         kind == pwx::v1::REQUEST_KIND_RECOVERY_OF_PENALTY;
}

inline absl::Status ValidateOptionalDate(absl::string_view field,
                                         absl::string_view text) {
  if (text.empty()) return absl::OkStatus();
  return ParseDate(field, text).status();
}

inline absl::Status ValidateDate(absl::string_view field,
                                 absl::string_view text) {
  if (text.empty()) return Invalid(field, "is required (YYYY-MM-DD)");
  return ParseDate(field, text).status();
}

inline absl::Status ValidateLanguageTag(absl::string_view field,
                                        absl::string_view tag) {
  if (tag.empty()) return absl::OkStatus();
  if (tag.size() < 2 || tag.size() > 8) {
    return Invalid(field, "must be a language tag such as \"fr\"");
  }
  for (char c : tag) {
    if (!absl::ascii_isalpha(c) && c != '-') {
      return Invalid(field, "must be a language tag such as \"fr\"");
    }
  }
  return absl::OkStatus();
}

}  // namespace pwx::domain::request_fields

#endif  // PWX_SERVER_DOMAIN_REQUEST_FIELDS_H_
