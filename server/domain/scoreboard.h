// The Single Market Scoreboard's indicators for cross-border requests, per
// peer and period, computed from the requests' histories each time they are
// asked for: there are no counters kept beside the histories that could
// drift from them. Plain C++, pure, no clock of its own (callers pass `now`).
//
// What is read from a request, and nothing else:
// - its parties (`requester`, `recipient`: the authority that must answer
//   now, after any forward) and its `due_date` (which already reflects an
//   accepted date proposal);
// - its history, oldest first in the agreed order; events marked
//   `superseded` are skipped everywhere. The kind is the last send's or
//   modify's; the sending day is the UTC day of the send event's `at`.
//   Receipt, acceptance and answer are the recipient's own events
//   (author == recipient) after the send; the rating is the requester's last
//   close, unless a reopen follows it.
// Days are calendar days between the UTC days of two events' `at` (received
// on the 1st and accepted on the 8th: 7 days); a negative difference, from
// clocks that disagree, counts as 0.
//
// Indicators (ScoreIndicator.name), each with the number of requests it is
// computed from; alerts are left out of all five (they are acknowledged, not
// accepted nor answered) but counted in requests_sent / requests_received:
// 1. "accepted_within_7_days": percent of received requests accepted at most
//    7 days after the receipt. One not accepted counts as not within once more
//    than 7 days have passed (by `now`); it is left out while still inside the
//    7 days, and left out when it was withdrawn or rejected inside them.
// 2. "average_days_to_answer": mean days from receipt to the first full
//    (non-partial) answer, over the answered requests.
// 3. "answered_by_agreed_date": percent of the answered requests whose full
//    answer came on or before `due_date` (a request without a valid due date
//    is left out).
// 4. "negative_timeliness_ratings" / 5. "negative_effort_ratings": percent of
//    NEGATIVE values among the closed requests whose close rated timeliness
//    (resp. effort); an unrated value is left out.
//
// Bands (ScoreBand), on the exact value, so 79.99 is yellow and 80 green:
// (1), (3): green >= 80, yellow >= 60 and < 80, red < 60.
// (2): green < 16, yellow >= 16 and <= 25, red > 25.
// (4), (5): green < 5, yellow >= 5 and < 15, red >= 15.
#ifndef PWX_SERVER_DOMAIN_SCOREBOARD_H_
#define PWX_SERVER_DOMAIN_SCOREBOARD_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "pwx/v1/request.pb.h"
#include "pwx/v1/request_service.pb.h"

namespace pwx::domain {

// Requests sent in [from, to], both days included, by the UTC day of their
// send event.
struct ScorePeriod {
  absl::CivilDay from;
  absl::CivilDay to;
};

// The indicator names, in the order every PeerScore lists them.
inline constexpr std::string_view kAcceptedWithin7Days =
    "accepted_within_7_days";
inline constexpr std::string_view kAverageDaysToAnswer =
    "average_days_to_answer";
inline constexpr std::string_view kAnsweredByAgreedDate =
    "answered_by_agreed_date";
inline constexpr std::string_view kNegativeTimelinessRatings =
    "negative_timeliness_ratings";
inline constexpr std::string_view kNegativeEffortRatings =
    "negative_effort_ratings";

// The scoreboard of `me` (this node's authority) over `requests`, requests
// between `me` and its peers in any order, each with its history. Requests
// never sent (drafts), sent outside `period`, or of which `me` is neither
// requester nor recipient (a copy it forwarded on) are ignored.
//
// Returns `from`/`to` as "YYYY-MM-DD" and one PeerScore per peer with at
// least one request in the period, sorted by peer id; a non-empty
// `peer_filter` keeps only that peer. `as_recipient` holds the five
// indicators over the requests `me` sent the peer (how the peer did),
// `our_answers` over those the peer sent `me`; an indicator without data has
// count 0, value 0 and no band. `now` decides whether an unaccepted request's
// 7 days are over; it has no default so that no caller forgets it. The
// result holds ids and numbers only, no personal data.
pwx::v1::GetStatsResponse ComputeScoreboard(
    std::string_view me, const std::vector<pwx::v1::Request>& requests,
    ScorePeriod period, std::string_view peer_filter, absl::Time now);

// The band of `value` for the indicator named `indicator`: "green",
// "yellow" or "red" as above; "" for an unknown name. An indicator with
// count 0 has no band: ComputeScoreboard does not call this for it.
std::string ScoreBand(std::string_view indicator, double value);

}  // namespace pwx::domain

#endif  // PWX_SERVER_DOMAIN_SCOREBOARD_H_
