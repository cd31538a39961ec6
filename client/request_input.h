// What `pwx request` and `pwx stats` read from the command line: the names
// of states, kinds, refusal grounds and ratings, exact amounts of money and
// the content flags of `create` and `modify`, checked before anything goes
// to the server. Plain functions, no I/O.
#ifndef PWX_CLIENT_REQUEST_INPUT_H_
#define PWX_CLIENT_REQUEST_INPUT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "pwx/v1/request.pb.h"

namespace pwx::client {

// "awaiting-acceptance" for REQUEST_STATE_AWAITING_ACCEPTANCE: the enum
// name's suffix, lower case, dashes for underscores. "unspecified" for 0.
std::string RequestStateName(pwx::v1::RequestState state);
// The inverse of RequestStateName() for the real states; INVALID_ARGUMENT
// listing them otherwise.
absl::StatusOr<pwx::v1::RequestState> ParseRequestState(std::string_view name);

// "information", "notification", "recovery" or "alert".
std::string RequestKindName(pwx::v1::RequestKind kind);
absl::StatusOr<pwx::v1::RequestKind> ParseRequestKind(std::string_view name);

// "incomplete", "mismatch", "disproportionate-cost", "below-threshold",
// "fundamental-rights".
std::string RefusalGroundName(pwx::v1::RefusalGround ground);
absl::StatusOr<pwx::v1::RefusalGround> ParseRefusalGround(
    std::string_view name);

// "positive" or "negative".
std::string RatingName(pwx::v1::Rating::Value value);
absl::StatusOr<pwx::v1::Rating::Value> ParseRating(std::string_view name);

// "requester", "recipient"; "" for unspecified.
std::string RequestSideName(pwx::v1::RequestSide side);

// An amount of money in cents, exactly, without floating point: "1250",
// "1250.5" and "1250.50" are 125000, 125050 and 125050. Digits with at most
// two decimals, not negative, below 10^15 units; INVALID_ARGUMENT otherwise.
absl::StatusOr<int64_t> ParseCents(std::string_view text);

// "1250.50": the inverse of ParseCents (negative amounts keep their sign).
std::string FormatCents(int64_t cents);

// The content flags of `pwx request create` and `modify`; unset ones leave
// the content as it is.
struct RequestContentFlags {
  // information, notification, recovery or alert (create only).
  std::optional<std::string> kind;
  std::optional<bool> urgent;
  std::optional<std::string> urgency_reason;
  std::optional<std::string> case_id;
  std::optional<std::string> subject;
  std::optional<std::string> language;
  std::optional<int> agreed_period_days;
  // "CODE" or "CODE=TEXT", each one question; then each text one free-text
  // question. Either replaces the request's questions.
  std::vector<std::string> questions;
  std::vector<std::string> texts;

  // The Art. 16 instrument (notification and recovery only).
  std::optional<std::string> addressee_name;
  std::optional<std::string> addressee_address;
  std::optional<std::string> addressee_id;
  std::optional<std::string> facts;
  std::optional<std::string> infringement;
  std::optional<std::string> rules;
  std::optional<std::string> instrument;
  std::optional<std::string> assessing_authority;
  std::optional<std::string> challenge_body;
  std::optional<std::string> enforceable_date;
  std::optional<std::string> penalty_nature;
  std::optional<std::string> amount;
  std::optional<std::string> currency;
  std::optional<std::string> enforcement_dates;
  std::optional<bool> served;
  std::optional<std::string> service_details;
  std::optional<bool> in_default;
  std::optional<bool> final;
  std::optional<std::string> claim;
};

// True when any flag but `kind` is set.
bool AnyContentFlag(const RequestContentFlags& flags);

// Applies the set flags to `content` and checks the result: a known kind, an
// urgency reason for an urgent request, penalty fields only on notification
// and recovery requests, an amount with its currency, dates as YYYY-MM-DD.
// INVALID_ARGUMENT "--flag: why" naming the flag to fix; `content` is then
// partly changed.
absl::Status ApplyContentFlags(const RequestContentFlags& flags,
                               pwx::v1::RequestContent* content);

// Question numbers as `pwx request show` prints them (1-based) into the
// 0-based indexes of SplitAction; INVALID_ARGUMENT naming `flag` for a
// number below 1 or above `question_count`, or a repeated one.
absl::StatusOr<std::vector<int32_t>> QuestionIndexes(
    std::string_view flag, const std::vector<int>& numbers, int question_count);

// "timeliness=negative,effort=positive" (either part may be left out) into
// `rating`; INVALID_ARGUMENT naming `flag` otherwise.
absl::Status ParseRatingSpec(std::string_view flag, std::string_view spec,
                             pwx::v1::Rating* rating);

}  // namespace pwx::client

#endif  // PWX_CLIENT_REQUEST_INPUT_H_
