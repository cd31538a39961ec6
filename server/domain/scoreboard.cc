#include "server/domain/scoreboard.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>

namespace pwx::domain {
namespace {

using pwx::v1::Rating;
using pwx::v1::Request;
using pwx::v1::RequestEvent;

absl::CivilDay UtcDay(const RequestEvent& e) {
  const absl::Time t = absl::FromUnixSeconds(e.at().seconds()) +
                       absl::Nanoseconds(e.at().nanos());
  return absl::ToCivilDay(t, absl::UTCTimeZone());
}

int64_t DaysBetween(absl::CivilDay from, absl::CivilDay to) {
  return std::max<int64_t>(0, to - from);
}

// A mean in the making: a share in percent adds 100 or 0 per request.
struct Tally {
  double sum = 0;
  int count = 0;
  void Add(double v) {
    sum += v;
    ++count;
  }
  void AddYes(bool yes) { Add(yes ? 100 : 0); }
};

struct Indicators {
  Tally accepted_within_7_days;
  Tally days_to_answer;
  Tally answered_by_agreed_date;
  Tally negative_timeliness;
  Tally negative_effort;
};

struct PeerTally {
  Indicators as_recipient;
  Indicators our_answers;
  int requests_sent = 0;
  int requests_received = 0;
};

// The index of the first live send, or nullopt for a draft.
std::optional<int> SendIndex(const Request& r) {
  for (int i = 0; i < r.history_size(); ++i) {
    const RequestEvent& e = r.history(i);
    if (!e.superseded() && e.has_send()) return i;
  }
  return std::nullopt;
}

bool IsAlert(const Request& r) {
  pwx::v1::RequestKind kind = pwx::v1::REQUEST_KIND_UNSPECIFIED;
  for (const RequestEvent& e : r.history()) {
    if (e.superseded()) continue;
    if (e.has_send()) kind = e.send().content().kind();
    if (e.has_modify()) kind = e.modify().content().kind();
  }
  return kind == pwx::v1::REQUEST_KIND_ALERT;
}

// Indicators (1)-(3): from the current recipient's last receipt on.
void AddHandling(const Request& r, int send, absl::Time now, Indicators& out) {
  const auto& h = r.history();
  std::optional<int> receipt;
  for (int i = send + 1; i < h.size(); ++i) {
    if (!h[i].superseded() && h[i].has_receive() &&
        h[i].author() == r.recipient()) {
      receipt = i;
    }
  }
  if (!receipt) return;
  const absl::CivilDay received = UtcDay(h[*receipt]);
  const RequestEvent* accept = nullptr;
  const RequestEvent* answer = nullptr;
  const RequestEvent* ended = nullptr;  // withdrawn or rejected
  for (int i = *receipt + 1; i < h.size(); ++i) {
    const RequestEvent& e = h[i];
    if (e.superseded()) continue;
    const bool by_recipient = e.author() == r.recipient();
    if (by_recipient && e.has_accept() && accept == nullptr) accept = &e;
    if (by_recipient && e.has_answer() && !e.answer().partial() &&
        answer == nullptr) {
      answer = &e;
    }
    if ((e.has_withdraw() || (by_recipient && e.has_reject())) &&
        ended == nullptr) {
      ended = &e;
    }
  }

  if (accept != nullptr) {
    out.accepted_within_7_days.AddYes(DaysBetween(received, UtcDay(*accept)) <=
                                      7);
  } else if (ended != nullptr && DaysBetween(received, UtcDay(*ended)) <= 7) {
    // Ended inside the 7 days: never had to be accepted.
  } else if (absl::ToCivilDay(now, absl::UTCTimeZone()) - received > 7) {
    out.accepted_within_7_days.AddYes(false);
  }

  if (answer == nullptr) return;
  const absl::CivilDay answered = UtcDay(*answer);
  out.days_to_answer.Add(static_cast<double>(DaysBetween(received, answered)));
  absl::CivilDay due;
  if (absl::ParseCivilTime(r.due_date(), &due)) {
    out.answered_by_agreed_date.AddYes(answered <= due);
  }
}

// Indicators (4)-(5): the requester's last close, unless reopened since.
void AddRating(const Request& r, int send, Indicators& out) {
  const Rating* rating = nullptr;
  for (int i = send + 1; i < r.history_size(); ++i) {
    const RequestEvent& e = r.history(i);
    if (e.superseded()) continue;
    if (e.has_close() && e.author() == r.requester())
      rating = &e.close().rating();
    if (e.has_reopen()) rating = nullptr;
  }
  if (rating == nullptr) return;
  if (rating->timeliness() != Rating::VALUE_UNSPECIFIED) {
    out.negative_timeliness.AddYes(rating->timeliness() == Rating::NEGATIVE);
  }
  if (rating->effort() != Rating::VALUE_UNSPECIFIED) {
    out.negative_effort.AddYes(rating->effort() == Rating::NEGATIVE);
  }
}

void AddIndicator(
    std::string_view name, const Tally& t,
    google::protobuf::RepeatedPtrField<pwx::v1::ScoreIndicator>* out) {
  pwx::v1::ScoreIndicator* ind = out->Add();
  ind->set_name(std::string(name));
  ind->set_count(t.count);
  if (t.count == 0) return;
  ind->set_value(t.sum / t.count);
  ind->set_band(ScoreBand(name, ind->value()));
}

void AddIndicators(
    const Indicators& in,
    google::protobuf::RepeatedPtrField<pwx::v1::ScoreIndicator>* out) {
  AddIndicator(kAcceptedWithin7Days, in.accepted_within_7_days, out);
  AddIndicator(kAverageDaysToAnswer, in.days_to_answer, out);
  AddIndicator(kAnsweredByAgreedDate, in.answered_by_agreed_date, out);
  AddIndicator(kNegativeTimelinessRatings, in.negative_timeliness, out);
  AddIndicator(kNegativeEffortRatings, in.negative_effort, out);
}

}  // namespace

pwx::v1::GetStatsResponse ComputeScoreboard(
    std::string_view me, const std::vector<Request>& requests,
    ScorePeriod period, std::string_view peer_filter, absl::Time now) {
  std::map<std::string, PeerTally, std::less<>> peers;
  for (const Request& r : requests) {
    const bool sent = r.requester() == me;
    const bool received = r.recipient() == me;
    if (sent == received) continue;  // a copy forwarded on, or to itself
    const std::string& peer = sent ? r.recipient() : r.requester();
    if (peer.empty()) continue;
    if (!peer_filter.empty() && peer != peer_filter) continue;
    const std::optional<int> send = SendIndex(r);
    if (!send) continue;
    const absl::CivilDay day = UtcDay(r.history(*send));
    if (day < period.from || day > period.to) continue;

    PeerTally& tally = peers[peer];
    ++(sent ? tally.requests_sent : tally.requests_received);
    if (IsAlert(r)) continue;
    Indicators& ind = sent ? tally.as_recipient : tally.our_answers;
    AddHandling(r, *send, now, ind);
    AddRating(r, *send, ind);
  }

  pwx::v1::GetStatsResponse out;
  out.set_from(absl::FormatCivilTime(period.from));
  out.set_to(absl::FormatCivilTime(period.to));
  for (const auto& [peer, tally] : peers) {
    pwx::v1::PeerScore* score = out.add_peers();
    score->set_peer(peer);
    AddIndicators(tally.as_recipient, score->mutable_as_recipient());
    AddIndicators(tally.our_answers, score->mutable_our_answers());
    score->set_requests_sent(tally.requests_sent);
    score->set_requests_received(tally.requests_received);
  }
  return out;
}

std::string ScoreBand(std::string_view indicator, double value) {
  if (indicator == kAcceptedWithin7Days || indicator == kAnsweredByAgreedDate) {
    if (value >= 80) return "green";
    return value >= 60 ? "yellow" : "red";
  }
  if (indicator == kAverageDaysToAnswer) {
    if (value < 16) return "green";
    return value <= 25 ? "yellow" : "red";
  }
  if (indicator == kNegativeTimelinessRatings ||
      indicator == kNegativeEffortRatings) {
    if (value < 5) return "green";
    return value < 15 ? "yellow" : "red";
  }
  return "";
}

}  // namespace pwx::domain
