#include "client/request_input.h"

#include <algorithm>
#include <cstdlib>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "client/absl_view.h"
#include "client/enum_names.h"
#include "client/input_error.h"
#include "google/protobuf/descriptor.h"
#include "server/domain/case_rules.h"
#include "server/domain/fields.h"

namespace pwx::client {
namespace {

constexpr absl::string_view kStatePrefix = "REQUEST_STATE_";
constexpr absl::string_view kGroundPrefix = "REFUSAL_GROUND_";

struct KindName {
  pwx::v1::RequestKind kind;
  std::string_view name;
};
constexpr KindName kKindNames[] = {
    {pwx::v1::REQUEST_KIND_INFORMATION, "information"},
    {pwx::v1::REQUEST_KIND_NOTIFICATION_OF_DECISION, "notification"},
    {pwx::v1::REQUEST_KIND_RECOVERY_OF_PENALTY, "recovery"},
    {pwx::v1::REQUEST_KIND_ALERT, "alert"},
};

// Re-labels a domain check's INVALID_ARGUMENT with `flag` when it did not
// already name it.
absl::Status Named(absl::string_view flag, const absl::Status& status) {
  if (status.ok()) return status;
  if (absl::StartsWith(status.message(), flag)) return status;
  return FlagError(flag, status.message());
}

bool IsPenaltyKind(pwx::v1::RequestKind kind) {
  return kind == pwx::v1::REQUEST_KIND_NOTIFICATION_OF_DECISION ||
         kind == pwx::v1::REQUEST_KIND_RECOVERY_OF_PENALTY;
}

// The first penalty flag set, as its name; nullptr for none.
const char* FirstPenaltyFlag(const RequestContentFlags& f) {
  const std::pair<bool, const char*> flags[] = {
      {f.addressee_name.has_value(), "--addressee-name"},
      {f.addressee_address.has_value(), "--addressee-address"},
      {f.addressee_id.has_value(), "--addressee-id"},
      {f.facts.has_value(), "--facts"},
      {f.infringement.has_value(), "--infringement"},
      {f.rules.has_value(), "--rules"},
      {f.instrument.has_value(), "--instrument"},
      {f.assessing_authority.has_value(), "--assessing-authority"},
      {f.challenge_body.has_value(), "--challenge-body"},
      {f.enforceable_date.has_value(), "--enforceable-date"},
      {f.penalty_nature.has_value(), "--penalty-nature"},
      {f.amount.has_value(), "--amount"},
      {f.currency.has_value(), "--currency"},
      {f.enforcement_dates.has_value(), "--enforcement-dates"},
      {f.served.has_value(), "--served"},
      {f.service_details.has_value(), "--service-details"},
      {f.in_default.has_value(), "--in-default"},
      {f.final.has_value(), "--final"},
      {f.claim.has_value(), "--claim"},
  };
  for (const auto& [set, name] : flags) {
    if (set) return name;
  }
  return nullptr;
}

absl::Status ApplyQuestions(const RequestContentFlags& flags,
                            pwx::v1::RequestContent* content) {
  if (flags.questions.empty() && flags.texts.empty()) return absl::OkStatus();
  content->clear_questions();
  for (const std::string& spec : flags.questions) {
    std::pair<std::string, std::string> parts =
        absl::StrSplit(spec, absl::MaxSplits('=', 1));
    const std::string code(absl::StripAsciiWhitespace(parts.first));
    if (code.empty() || std::any_of(code.begin(), code.end(), [](char ch) {
          return absl::ascii_isspace(static_cast<unsigned char>(ch)) ||
                 absl::ascii_iscntrl(static_cast<unsigned char>(ch));
        })) {
      return FlagError("--question",
                       absl::StrCat("'", spec,
                                    "' is not CODE or CODE=TEXT (a catalogue "
                                    "code such as EST-01, see `pwx catalogue "
                                    "list`)"));
    }
    pwx::v1::Question* question = content->add_questions();
    question->set_code(code);
    question->set_text(parts.second);
  }
  for (const std::string& text : flags.texts) {
    if (absl::StripAsciiWhitespace(text).empty()) {
      return FlagError("--text", "must not be empty");
    }
    content->add_questions()->set_text(text);
  }
  return absl::OkStatus();
}

absl::Status ApplyPenalty(const RequestContentFlags& flags,
                          pwx::v1::PenaltyInstrument* penalty) {
  auto take = [](const std::optional<std::string>& from, std::string* to) {
    if (from.has_value()) *to = *from;
  };
  take(flags.addressee_name, penalty->mutable_addressee_name());
  take(flags.addressee_address, penalty->mutable_addressee_address());
  take(flags.addressee_id, penalty->mutable_addressee_identification());
  take(flags.facts, penalty->mutable_summary_of_facts());
  take(flags.infringement, penalty->mutable_nature_of_infringement());
  take(flags.rules, penalty->mutable_applicable_rules());
  take(flags.instrument, penalty->mutable_enforcement_instrument());
  take(flags.assessing_authority, penalty->mutable_assessing_authority());
  take(flags.challenge_body, penalty->mutable_challenge_body());
  take(flags.penalty_nature, penalty->mutable_penalty_nature());
  take(flags.enforcement_dates, penalty->mutable_enforcement_dates());
  take(flags.service_details, penalty->mutable_service_details());
  take(flags.claim, penalty->mutable_underlying_claim());
  if (flags.served.has_value()) penalty->set_served(*flags.served);
  if (flags.in_default.has_value()) {
    penalty->set_given_in_default(*flags.in_default);
  }
  if (flags.final.has_value()) penalty->set_no_further_appeal(*flags.final);
  if (flags.enforceable_date.has_value()) {
    if (!flags.enforceable_date->empty()) {
      absl::Status date =
          domain::ParseDate("--enforceable-date", *flags.enforceable_date)
              .status();
      if (!date.ok()) return Named("--enforceable-date", date);
    }
    penalty->set_enforceable_date(*flags.enforceable_date);
  }
  if (flags.amount.has_value()) {
    absl::StatusOr<int64_t> cents = ParseCents(*flags.amount);
    if (!cents.ok()) return Named("--amount", cents.status());
    penalty->mutable_amount()->set_cents(*cents);
  }
  if (flags.currency.has_value()) {
    const std::string& code = *flags.currency;
    if (code.size() != 3 || !std::all_of(code.begin(), code.end(), [](char ch) {
          return absl::ascii_isupper(static_cast<unsigned char>(ch));
        })) {
      return FlagError("--currency",
                       absl::StrCat("'", code,
                                    "' is not an ISO 4217 code (three "
                                    "upper-case letters, e.g. EUR)"));
    }
    penalty->mutable_amount()->set_currency(code);
  }
  if (penalty->has_amount() && penalty->amount().currency().empty()) {
    return FlagError("--currency", "required with --amount (e.g. EUR)");
  }
  return absl::OkStatus();
}

}  // namespace

std::string RequestStateName(pwx::v1::RequestState state) {
  return SuffixName(pwx::v1::RequestState_descriptor(), state, kStatePrefix);
}

absl::StatusOr<pwx::v1::RequestState> ParseRequestState(std::string_view name) {
  absl::StatusOr<int> value = ParseSuffixName(
      pwx::v1::RequestState_descriptor(), kStatePrefix, "state", name);
  if (!value.ok()) return value.status();
  return static_cast<pwx::v1::RequestState>(*value);
}

std::string RequestKindName(pwx::v1::RequestKind kind) {
  for (const KindName& entry : kKindNames) {
    if (entry.kind == kind) return std::string(entry.name);
  }
  return "unspecified";
}

absl::StatusOr<pwx::v1::RequestKind> ParseRequestKind(std::string_view name) {
  std::vector<absl::string_view> names;
  for (const KindName& entry : kKindNames) {
    if (entry.name == name) return entry.kind;
    names.push_back(ToAbsl(entry.name));
  }
  return absl::InvalidArgumentError(
      absl::StrCat("unknown kind '", ToAbsl(name),
                   "'; one of: ", absl::StrJoin(names, ", ")));
}

std::string RefusalGroundName(pwx::v1::RefusalGround ground) {
  return SuffixName(pwx::v1::RefusalGround_descriptor(), ground, kGroundPrefix);
}

absl::StatusOr<pwx::v1::RefusalGround> ParseRefusalGround(
    std::string_view name) {
  absl::StatusOr<int> value = ParseSuffixName(
      pwx::v1::RefusalGround_descriptor(), kGroundPrefix, "ground", name);
  if (!value.ok()) return value.status();
  return static_cast<pwx::v1::RefusalGround>(*value);
}

std::string RatingName(pwx::v1::Rating::Value value) {
  return SuffixName(pwx::v1::Rating::Value_descriptor(), value, "");
}

absl::StatusOr<pwx::v1::Rating::Value> ParseRating(std::string_view name) {
  absl::StatusOr<int> value =
      ParseSuffixName(pwx::v1::Rating::Value_descriptor(), "", "rating", name);
  if (!value.ok()) return value.status();
  return static_cast<pwx::v1::Rating::Value>(*value);
}

std::string RequestSideName(pwx::v1::RequestSide side) {
  if (side == pwx::v1::REQUEST_SIDE_UNSPECIFIED) return "";
  return SuffixName(pwx::v1::RequestSide_descriptor(), side, "REQUEST_SIDE_");
}

absl::StatusOr<int64_t> ParseCents(std::string_view text) {
  // 10^15 units keep every amount, in cents, far inside int64.
  constexpr size_t kMaxUnitDigits = 15;
  const absl::string_view input = ToAbsl(text);
  auto bad = [&input](absl::string_view why) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", input, "' is not an amount: ", why));
  };
  const size_t dot = input.find('.');
  const absl::string_view units = input.substr(0, dot);
  const absl::string_view decimals = dot == absl::string_view::npos
                                         ? absl::string_view()
                                         : input.substr(dot + 1);
  auto all_digits = [](absl::string_view part) {
    return std::all_of(part.begin(), part.end(), [](char ch) {
      return absl::ascii_isdigit(static_cast<unsigned char>(ch));
    });
  };
  if (units.empty() || !all_digits(units) || !all_digits(decimals)) {
    return bad("write digits with an optional point and cents, e.g. 1250.50");
  }
  if (dot != absl::string_view::npos && decimals.empty()) {
    return bad("digits must follow the decimal point");
  }
  if (decimals.size() > 2) return bad("at most two decimals");
  if (units.size() > kMaxUnitDigits) return bad("too large");
  int64_t whole = 0;
  for (char ch : units) whole = whole * 10 + (ch - '0');
  int64_t cents = 0;
  if (!decimals.empty()) {
    cents = int64_t{decimals[0] - '0'} * 10;
    if (decimals.size() == 2) cents += decimals[1] - '0';
  }
  return whole * 100 + cents;
}

std::string FormatCents(int64_t cents) {
  const bool negative = cents < 0;
  const uint64_t magnitude = negative ? 0 - static_cast<uint64_t>(cents)
                                      : static_cast<uint64_t>(cents);
  const uint64_t fraction = magnitude % 100;
  return absl::StrCat(negative ? "-" : "", magnitude / 100,
                      fraction < 10 ? ".0" : ".", fraction);
}

bool AnyContentFlag(const RequestContentFlags& f) {
  return f.urgent.has_value() || f.urgency_reason.has_value() ||
         f.case_id.has_value() || f.subject.has_value() ||
         f.language.has_value() || f.agreed_period_days.has_value() ||
         !f.questions.empty() || !f.texts.empty() ||
         FirstPenaltyFlag(f) != nullptr;
}

absl::Status ApplyContentFlags(const RequestContentFlags& flags,
                               pwx::v1::RequestContent* content) {
  if (flags.kind.has_value()) {
    absl::StatusOr<pwx::v1::RequestKind> kind = ParseRequestKind(*flags.kind);
    if (!kind.ok()) return Named("--kind", kind.status());
    content->set_kind(*kind);
  }
  if (flags.urgent.has_value()) {
    content->set_urgent(*flags.urgent);
    if (!*flags.urgent) content->clear_urgency_reason();
  }
  if (flags.urgency_reason.has_value()) {
    content->set_urgency_reason(*flags.urgency_reason);
  }
  if (content->urgent() &&
      absl::StripAsciiWhitespace(content->urgency_reason()).empty()) {
    return FlagError("--urgency-reason",
                     "required for an urgent request (Art. 6(6) of Directive "
                     "2014/67/EU)");
  }
  if (!content->urgent() && !content->urgency_reason().empty()) {
    return FlagError("--urgency-reason",
                     "only for an urgent request (--urgent)");
  }
  if (flags.case_id.has_value()) {
    if (!flags.case_id->empty()) {
      absl::Status valid = domain::ValidateCaseId("--case", *flags.case_id);
      if (!valid.ok()) return Named("--case", valid);
    }
    content->set_case_id(*flags.case_id);
  }
  if (flags.subject.has_value()) content->set_subject(*flags.subject);
  if (flags.language.has_value()) {
    const std::string& lang = *flags.language;
    if (lang.size() != 2 || !std::all_of(lang.begin(), lang.end(), [](char ch) {
          return absl::ascii_islower(static_cast<unsigned char>(ch));
        })) {
      return FlagError("--lang",
                       absl::StrCat("'", lang,
                                    "' is not an ISO 639-1 language code (two "
                                    "lower-case letters, e.g. fr)"));
    }
    content->set_language(lang);
  }
  if (flags.agreed_period_days.has_value()) {
    if (*flags.agreed_period_days < 0) {
      return FlagError("--agreed-period",
                       "working days must not be negative (0: the legal "
                       "period)");
    }
    content->set_agreed_period_days(*flags.agreed_period_days);
  }
  if (absl::Status s = ApplyQuestions(flags, content); !s.ok()) return s;

  const char* penalty_flag = FirstPenaltyFlag(flags);
  if (penalty_flag != nullptr) {
    if (!IsPenaltyKind(content->kind())) {
      return FlagError(penalty_flag,
                       absl::StrCat("only for notification and recovery "
                                    "requests (this one is ",
                                    RequestKindName(content->kind()), ")"));
    }
    absl::Status penalty = ApplyPenalty(flags, content->mutable_penalty());
    if (!penalty.ok()) return penalty;
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<int32_t>> QuestionIndexes(
    std::string_view flag, const std::vector<int>& numbers,
    int question_count) {
  std::vector<int32_t> indexes;
  for (int number : numbers) {
    if (number < 1 || number > question_count) {
      return FlagError(ToAbsl(flag),
                       absl::StrCat("no question ", number,
                                    "; the request has ", question_count,
                                    " (numbered from 1 as "
                                    "`pwx request show` prints them)"));
    }
    if (std::find(indexes.begin(), indexes.end(), number - 1) !=
        indexes.end()) {
      return FlagError(ToAbsl(flag),
                       absl::StrCat("question ", number, " given twice"));
    }
    indexes.push_back(number - 1);
  }
  if (indexes.empty()) {
    return FlagError(ToAbsl(flag), "name at least one question to move");
  }
  return indexes;
}

absl::Status ParseRatingSpec(std::string_view flag, std::string_view spec,
                             pwx::v1::Rating* rating) {
  const absl::string_view name = ToAbsl(flag);
  for (absl::string_view part :
       absl::StrSplit(ToAbsl(spec), ',', absl::SkipWhitespace())) {
    std::pair<absl::string_view, absl::string_view> kv =
        absl::StrSplit(part, absl::MaxSplits('=', 1));
    const absl::string_view key = absl::StripAsciiWhitespace(kv.first);
    const absl::string_view value = absl::StripAsciiWhitespace(kv.second);
    if (key != "timeliness" && key != "effort") {
      return FlagError(name, absl::StrCat("unknown part '", key,
                                          "'; write timeliness=positive|"
                                          "negative,effort=positive|negative"));
    }
    absl::StatusOr<pwx::v1::Rating::Value> parsed =
        ParseRating(std::string_view(value.data(), value.size()));
    if (!parsed.ok()) {
      return FlagError(name,
                       absl::StrCat(key, ": ", parsed.status().message()));
    }
    if (key == "timeliness") {
      rating->set_timeliness(*parsed);
    } else {
      rating->set_effort(*parsed);
    }
  }
  return absl::OkStatus();
}

}  // namespace pwx::client
