// What a requester writes, checked as strictly for a peer's copy as for a
// local draft, and request ids.
#include <algorithm>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "server/domain/fields.h"
#include "server/domain/request_fields.h"
#include "server/domain/request_rules.h"

namespace pwx::domain {
namespace {

using pwx::v1::RequestContent;
using pwx::v1::RequestKind;
using request_fields::IsPenalty;
using request_fields::ValidateDate;
using request_fields::ValidateLanguageTag;
using request_fields::ValidateOptionalDate;

#define PWX_RETURN_IF_ERROR(expr)             \
  do {                                        \
    if (absl::Status s_ = (expr); !s_.ok()) { \
      return s_;                              \
    }                                         \
  } while (false)

absl::Status ValidatePenalty(absl::string_view field, RequestKind kind,
                             const pwx::v1::PenaltyInstrument& p,
                             bool for_send) {
  struct Text {
    const char* name;
    const std::string& value;
    size_t max;
    bool required;
  };
  const bool recovery = kind == pwx::v1::REQUEST_KIND_RECOVERY_OF_PENALTY;
  const Text texts[] = {
      {"addressee_name", p.addressee_name(), kMaxShortText, true},
      {"addressee_address", p.addressee_address(), kMaxShortText, true},
      {"addressee_identification", p.addressee_identification(), kMaxShortText,
       false},
      {"summary_of_facts", p.summary_of_facts(), kMaxLongText, true},
      {"nature_of_infringement", p.nature_of_infringement(), kMaxShortText,
       true},
      {"applicable_rules", p.applicable_rules(), kMaxShortText, true},
      {"enforcement_instrument", p.enforcement_instrument(), kMaxShortText,
       true},
      {"assessing_authority", p.assessing_authority(), kMaxShortText, true},
      {"challenge_body", p.challenge_body(), kMaxShortText, true},
      {"penalty_nature", p.penalty_nature(), kMaxShortText, recovery},
      {"enforcement_dates", p.enforcement_dates(), kMaxShortText, false},
      {"service_details", p.service_details(), kMaxShortText, false},
      {"underlying_claim", p.underlying_claim(), kMaxLongText, recovery},
  };
  for (const Text& t : texts) {
    const std::string f = absl::StrCat(field, ".", t.name);
    if (for_send && t.required) {
      PWX_RETURN_IF_ERROR(ValidateRequiredText(f, t.value, t.max, true));
    } else {
      PWX_RETURN_IF_ERROR(ValidateText(f, t.value, t.max, true));
    }
  }
  const std::string date_field = absl::StrCat(field, ".enforceable_date");
  if (for_send && recovery) {
    PWX_RETURN_IF_ERROR(ValidateDate(date_field, p.enforceable_date()));
  } else {
    PWX_RETURN_IF_ERROR(ValidateOptionalDate(date_field, p.enforceable_date()));
  }
  if (p.has_amount() || (for_send && recovery)) {
    const std::string currency = p.amount().currency();
    if (currency.size() != 3 ||
        !std::all_of(currency.begin(), currency.end(), absl::ascii_isupper)) {
      return Invalid(absl::StrCat(field, ".amount.currency"),
                     "must be an ISO 4217 code such as \"EUR\"");
    }
    if (p.amount().cents() <= 0) {
      return Invalid(absl::StrCat(field, ".amount.cents"),
                     "must be more than 0");
    }
  }
  return absl::OkStatus();
}

}  // namespace

int PeriodDays(const RequestContent& content) {
  const int legal = content.urgent() ? kUrgentPeriodDays : kNormalPeriodDays;
  if (content.agreed_period_days() > 0 &&
      content.agreed_period_days() < legal) {
    return content.agreed_period_days();
  }
  return legal;
}

absl::Status ValidateContent(
    absl::string_view field, const RequestContent& c, bool for_send,
    const std::function<bool(absl::string_view)>& has_question) {
  const std::string f(field);
  if (c.kind() == pwx::v1::REQUEST_KIND_UNSPECIFIED ||
      !pwx::v1::RequestKind_IsValid(c.kind())) {
    return Invalid(f + ".kind",
                   "is required: information, notification, recovery or "
                   "alert");
  }
  if (c.urgent()) {
    PWX_RETURN_IF_ERROR(ValidateRequiredText(
        f + ".urgency_reason", c.urgency_reason(), kMaxShortText, true));
  } else if (!c.urgency_reason().empty()) {
    return Invalid(f + ".urgency_reason", "is for urgent requests only");
  }
  if (!c.case_id().empty()) {
    PWX_RETURN_IF_ERROR(ValidateText(f + ".case_id", c.case_id(), 64));
  }
  PWX_RETURN_IF_ERROR(
      ValidateText(f + ".subject", c.subject(), kMaxLongText, true));
  PWX_RETURN_IF_ERROR(ValidateLanguageTag(f + ".language", c.language()));
  if (c.agreed_period_days() < 0 ||
      c.agreed_period_days() > kNormalPeriodDays) {
    return Invalid(f + ".agreed_period_days",
                   absl::StrCat("must be 0 (the legal period) to ",
                                kNormalPeriodDays, " working days"));
  }
  if (c.questions_size() > kMaxQuestions) {
    return Invalid(f + ".questions",
                   absl::StrCat("at most ", kMaxQuestions, " questions"));
  }
  for (int i = 0; i < c.questions_size(); ++i) {
    const pwx::v1::Question& q = c.questions(i);
    const std::string qf = absl::StrCat(f, ".questions[", i, "]");
    if (q.code().empty() && q.text().empty()) {
      return Invalid(qf, "needs a catalogue code or a text");
    }
    if (!q.code().empty()) {
      PWX_RETURN_IF_ERROR(ValidateText(qf + ".code", q.code(), 32));
      if (has_question != nullptr && !has_question(q.code())) {
        return Invalid(qf + ".code",
                       absl::StrCat("\"", q.code(),
                                    "\" is not in the question catalogue "
                                    "(pwx catalogue list)"));
      }
    }
    PWX_RETURN_IF_ERROR(
        ValidateText(qf + ".text", q.text(), kMaxLongText, true));
    PWX_RETURN_IF_ERROR(ValidateLanguageTag(qf + ".language", q.language()));
  }
  const bool penalty = IsPenalty(c.kind());
  if (penalty) {
    PWX_RETURN_IF_ERROR(
        ValidatePenalty(f + ".penalty", c.kind(), c.penalty(), for_send));
  } else if (c.has_penalty()) {
    return Invalid(f + ".penalty",
                   "is for notification and recovery requests only");
  }
  if (for_send && !penalty && c.questions().empty() &&
      c.kind() != pwx::v1::REQUEST_KIND_ALERT) {
    return Invalid(f + ".questions",
                   "a request needs at least one question to be sent");
  }
  if (for_send && c.kind() == pwx::v1::REQUEST_KIND_ALERT &&
      c.questions().empty() && c.subject().empty()) {
    return Invalid(f + ".subject", "an alert needs a subject or a text");
  }
  return absl::OkStatus();
}

std::string FormatRequestId(absl::string_view authority, int year,
                            uint64_t number) {
  return absl::StrFormat("%s-R-%04d-%06d", authority, year, number);
}

absl::Status ValidateRequestId(absl::string_view field, absl::string_view id) {
  // CC-NAME-R-YYYY-NNNNNN[-Sn]...
  const size_t marker = id.find("-R-");
  if (marker == absl::string_view::npos ||
      !ValidateAuthorityId(field, id.substr(0, marker)).ok()) {
    return Invalid(field, absl::StrCat("\"", id,
                                       "\" is not a request id such as "
                                       "FR-DGT-R-2026-000001"));
  }
  absl::string_view rest = id.substr(marker + 3);
  const auto bad = [&] {
    return Invalid(field, absl::StrCat("\"", id,
                                       "\" is not a request id such as "
                                       "FR-DGT-R-2026-000001"));
  };
  if (rest.size() < 11 || rest[4] != '-') return bad();
  for (size_t i = 0; i < rest.size(); ++i) {
    if (i == 4) continue;
    const char c = rest[i];
    if (!absl::ascii_isdigit(c) && c != '-' && c != 'S') return bad();
  }
  return absl::OkStatus();
}

std::string SplitRequestId(absl::string_view parent, int n) {
  return absl::StrCat(parent, "-S", n);
}

}  // namespace pwx::domain
