#include "server/domain/scoreboard.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace pwx::domain {
namespace {

using pwx::v1::GetStatsResponse;
using pwx::v1::PeerScore;
using pwx::v1::Rating;
using pwx::v1::Request;
using pwx::v1::RequestEvent;
using pwx::v1::RequestKind;
using pwx::v1::ScoreIndicator;
using ::testing::ElementsAre;

constexpr char kMe[] = "FR-DGT";
constexpr char kPl[] = "PL-PIP";
constexpr char kDe[] = "DE-FKS";

// Day 0 of every history: Monday 2 March 2026.
const absl::CivilDay kDay0(2026, 3, 2);

// Noon UTC (or `hour`) of day `day`.
absl::Time At(int day, int hour = 12) {
  return absl::FromCivil(kDay0 + day, absl::UTCTimeZone()) + absl::Hours(hour);
}

// A request's history written step by step: each step is authored by the
// side that may make it.
class History {
 public:
  History(std::string requester, std::string recipient) {
    r_.set_id(requester + "-R-2026-000001");
    r_.set_requester(std::move(requester));
    r_.set_recipient(std::move(recipient));
  }

  History& Send(int day, RequestKind kind = pwx::v1::REQUEST_KIND_INFORMATION,
                int hour = 12) {
    RequestEvent& e = Add(r_.requester(), day, hour);
    e.mutable_send()->mutable_content()->set_kind(kind);
    e.mutable_send()->set_to(r_.recipient());
    r_.mutable_content()->set_kind(kind);
    return *this;
  }
  // Receipt by the recipient, due `due_in` days later.
  History& Receive(int day, int due_in = 30) {
    Add(r_.recipient(), day).mutable_receive();
    r_.set_due_date(absl::FormatCivilTime(kDay0 + day + due_in));
    return *this;
  }
  History& Accept(int day) {
    Add(r_.recipient(), day).mutable_accept();
    return *this;
  }
  History& Answer(int day, bool partial = false) {
    Add(r_.recipient(), day).mutable_answer()->set_partial(partial);
    return *this;
  }
  History& Reject(int day) {
    Add(r_.recipient(), day).mutable_reject();
    return *this;
  }
  History& Withdraw(int day) {
    Add(r_.requester(), day).mutable_withdraw();
    return *this;
  }
  History& Close(int day, Rating::Value timeliness, Rating::Value effort) {
    Rating* rating = Add(r_.requester(), day).mutable_close()->mutable_rating();
    rating->set_timeliness(timeliness);
    rating->set_effort(effort);
    return *this;
  }
  History& Reopen(int day) {
    Add(r_.requester(), day).mutable_reopen();
    return *this;
  }
  // The last step lost to a crossing one.
  History& Superseded() {
    RequestEvent* e = r_.mutable_history(r_.history_size() - 1);
    e->set_superseded(true);
    e->set_superseded_reason("crossed");
    return *this;
  }
  // The last step was made by `author` instead.
  History& By(const std::string& author) {
    r_.mutable_history(r_.history_size() - 1)->set_author(author);
    return *this;
  }
  History& DueDate(std::string due) {
    r_.set_due_date(std::move(due));
    return *this;
  }
  History& Recipient(std::string recipient) {
    r_.set_recipient(std::move(recipient));
    return *this;
  }
  // Answered and closed with both ratings `rating`.
  History& Rated(Rating::Value rating) {
    return Send(0).Receive(0).Accept(1).Answer(5).Close(6, rating, rating);
  }

  operator Request() const { return r_; }  // NOLINT: reads as a literal

 private:
  RequestEvent& Add(const std::string& author, int day, int hour = 12) {
    RequestEvent* e = r_.add_history();
    e->set_author(author);
    e->set_author_seq(r_.history_size());
    e->set_lamport(r_.history_size());
    e->mutable_at()->set_seconds(absl::ToUnixSeconds(At(day, hour)));
    return *e;
  }

  Request r_;
};

class ScoreboardTest : public ::testing::Test {
 protected:
  // The scoreboard of March 2026 as of `now` (default: a year later, so
  // every 7-day window is over).
  GetStatsResponse Score(const std::vector<Request>& requests,
                         std::string_view peer = {}, absl::Time now = At(365)) {
    return ComputeScoreboard(kMe, requests, kMarch, peer, now);
  }
  // The one peer's score.
  PeerScore Only(const std::vector<Request>& requests,
                 absl::Time now = At(365)) {
    GetStatsResponse r = Score(requests, {}, now);
    EXPECT_EQ(r.peers_size(), 1);
    return r.peers_size() == 1 ? r.peers(0) : PeerScore();
  }
  // How the peer did on `requests` sent to it, for one indicator.
  ScoreIndicator AsRecipient(const std::vector<Request>& requests,
                             std::string_view name, absl::Time now = At(365)) {
    const PeerScore score = Only(requests, now);
    for (const ScoreIndicator& i : score.as_recipient()) {
      if (i.name() == name) return i;
    }
    ADD_FAILURE() << "no indicator " << name;
    return {};
  }

  static constexpr ScorePeriod kMarch{absl::CivilDay(2026, 3, 1),
                                      absl::CivilDay(2026, 3, 31)};
};

std::vector<std::string> Names(
    const google::protobuf::RepeatedPtrField<ScoreIndicator>& list) {
  std::vector<std::string> names;
  for (const ScoreIndicator& i : list) names.push_back(i.name());
  return names;
}

TEST_F(ScoreboardTest, NoRequestsGiveThePeriodAndNoPeers) {
  GetStatsResponse r = Score({});
  EXPECT_EQ(r.from(), "2026-03-01");
  EXPECT_EQ(r.to(), "2026-03-31");
  EXPECT_EQ(r.peers_size(), 0);
}

TEST_F(ScoreboardTest, NoDataMeansCountZeroAndNoBand) {
  PeerScore s = Only({History(kMe, kPl).Send(0)});
  EXPECT_EQ(s.peer(), kPl);
  EXPECT_EQ(s.requests_sent(), 1);
  EXPECT_EQ(s.requests_received(), 0);
  const std::vector<std::string> all = {
      "accepted_within_7_days", "average_days_to_answer",
      "answered_by_agreed_date", "negative_timeliness_ratings",
      "negative_effort_ratings"};
  EXPECT_EQ(Names(s.as_recipient()), all);
  EXPECT_EQ(Names(s.our_answers()), all);
  for (const auto* list : {&s.as_recipient(), &s.our_answers()}) {
    for (const ScoreIndicator& i : *list) {
      EXPECT_EQ(i.count(), 0) << i.name();
      EXPECT_EQ(i.value(), 0) << i.name();
      EXPECT_EQ(i.band(), "") << i.name();
    }
  }
}

TEST_F(ScoreboardTest, AcceptedWithinSevenCalendarDaysOfTheReceipt) {
  // Received on day 1; accepted on day 8 is within, day 9 is not.
  std::vector<Request> four_of_five = {
      History(kMe, kPl).Send(0).Receive(1).Accept(1),
      History(kMe, kPl).Send(0).Receive(1).Accept(4),
      History(kMe, kPl).Send(0).Receive(1).Accept(8),
      History(kMe, kPl).Send(0).Receive(1).Accept(8),
      History(kMe, kPl).Send(0).Receive(1).Accept(9)};
  ScoreIndicator i = AsRecipient(four_of_five, kAcceptedWithin7Days);
  EXPECT_EQ(i.count(), 5);
  EXPECT_DOUBLE_EQ(i.value(), 80);
  EXPECT_EQ(i.band(), "green");

  four_of_five.push_back(History(kMe, kPl).Send(0).Receive(1).Accept(20));
  i = AsRecipient(four_of_five, kAcceptedWithin7Days);
  EXPECT_EQ(i.count(), 6);
  EXPECT_NEAR(i.value(), 66.667, 0.001);
  EXPECT_EQ(i.band(), "yellow");
}

TEST_F(ScoreboardTest, CalendarDaysCountTheUtcDaysNotHours) {
  // Received at 23:00 on day 0, accepted at 01:00 on day 8: 8 calendar days,
  // though under 7 days and 3 hours.
  Request late = History(kMe, kPl).Send(0);
  RequestEvent* receive = late.add_history();
  receive->set_author(kPl);
  receive->mutable_receive();
  receive->mutable_at()->set_seconds(absl::ToUnixSeconds(At(0, 23)));
  RequestEvent* accept = late.add_history();
  accept->set_author(kPl);
  accept->mutable_accept();
  accept->mutable_at()->set_seconds(absl::ToUnixSeconds(At(8, 1)));
  ScoreIndicator i = AsRecipient({late}, kAcceptedWithin7Days);
  EXPECT_EQ(i.count(), 1);
  EXPECT_EQ(i.value(), 0);
}

TEST_F(ScoreboardTest, UnacceptedCountsOnlyOnceSevenDaysHavePassed) {
  std::vector<Request> waiting = {History(kMe, kPl).Send(0).Receive(1)};
  // Day 8 is still inside: it may be accepted today.
  EXPECT_EQ(AsRecipient(waiting, kAcceptedWithin7Days, At(8, 23)).count(), 0);
  ScoreIndicator i = AsRecipient(waiting, kAcceptedWithin7Days, At(9, 0));
  EXPECT_EQ(i.count(), 1);
  EXPECT_EQ(i.value(), 0);
  EXPECT_EQ(i.band(), "red");
  // Not yet received: nothing to accept.
  EXPECT_EQ(
      AsRecipient({History(kMe, kPl).Send(0)}, kAcceptedWithin7Days).count(),
      0);
}

TEST_F(ScoreboardTest, EndedInsideTheSevenDaysIsLeftOutLaterCounts) {
  ScoreIndicator i =
      AsRecipient({History(kMe, kPl).Send(0).Receive(1).Withdraw(8),
                   History(kMe, kPl).Send(0).Receive(1).Reject(3)},
                  kAcceptedWithin7Days);
  EXPECT_EQ(i.count(), 0);
  i = AsRecipient({History(kMe, kPl).Send(0).Receive(1).Withdraw(9),
                   History(kMe, kPl).Send(0).Receive(1).Reject(12)},
                  kAcceptedWithin7Days);
  EXPECT_EQ(i.count(), 2);
  EXPECT_EQ(i.value(), 0);
}

TEST_F(ScoreboardTest, AlertsAreLeftOutOfEveryIndicatorButCounted) {
  PeerScore s = Only({History(kMe, kPl)
                          .Send(0, pwx::v1::REQUEST_KIND_ALERT)
                          .Receive(1)
                          .Close(2, Rating::NEGATIVE, Rating::NEGATIVE)});
  EXPECT_EQ(s.requests_sent(), 1);
  for (const ScoreIndicator& i : s.as_recipient()) {
    EXPECT_EQ(i.count(), 0) << i.name();
  }
}

TEST_F(ScoreboardTest, DraftsAreLeftOut) {
  EXPECT_EQ(Score({History(kMe, kPl)}).peers_size(), 0);
}

TEST_F(ScoreboardTest, AverageDaysToTheFirstFullAnswer) {
  // A partial answer does not count; the first full one does, later ones not.
  std::vector<Request> answered = {
      History(kMe, kPl).Send(0).Receive(1).Accept(2).Answer(5, true).Answer(11),
      History(kMe, kPl).Send(0).Receive(1).Accept(2).Answer(21).Answer(30),
      History(kMe, kPl).Send(0).Receive(1).Accept(2).Answer(3, true)};
  ScoreIndicator i = AsRecipient(answered, kAverageDaysToAnswer);
  EXPECT_EQ(i.count(), 2);
  EXPECT_DOUBLE_EQ(i.value(), 15);  // (10 + 20) / 2
  EXPECT_EQ(i.band(), "green");

  i = AsRecipient({History(kMe, kPl).Send(0).Receive(1).Accept(2).Answer(17)},
                  kAverageDaysToAnswer);
  EXPECT_DOUBLE_EQ(i.value(), 16);
  EXPECT_EQ(i.band(), "yellow");
  i = AsRecipient({History(kMe, kPl).Send(0).Receive(1).Accept(2).Answer(27)},
                  kAverageDaysToAnswer);
  EXPECT_DOUBLE_EQ(i.value(), 26);
  EXPECT_EQ(i.band(), "red");
}

TEST_F(ScoreboardTest, AnsweredByTheDueDateInclusive) {
  // Received on day 1, due on day 11.
  std::vector<Request> answered = {
      History(kMe, kPl).Send(0).Receive(1, 10).Accept(2).Answer(11),
      History(kMe, kPl).Send(0).Receive(1, 10).Accept(2).Answer(12),
      // An accepted date proposal moved the due date: the request says so.
      History(kMe, kPl).Send(0).Receive(1, 10).Accept(2).Answer(20).DueDate(
          "2026-03-22"),
      History(kMe, kPl).Send(0).Receive(1).Accept(2).Answer(11, true)};
  ScoreIndicator i = AsRecipient(answered, kAnsweredByAgreedDate);
  EXPECT_EQ(i.count(), 3);
  EXPECT_NEAR(i.value(), 66.667, 0.001);
  EXPECT_EQ(i.band(), "yellow");

  // Without a due date it cannot be judged.
  i = AsRecipient(
      {History(kMe, kPl).Send(0).Receive(1).Accept(2).Answer(3).DueDate("")},
      kAnsweredByAgreedDate);
  EXPECT_EQ(i.count(), 0);
  EXPECT_EQ(i.band(), "");
}

TEST_F(ScoreboardTest, NegativeRatingsAmongTheRatedClosedRequests) {
  std::vector<Request> rated(19, History(kMe, kPl).Rated(Rating::POSITIVE));
  rated.push_back(History(kMe, kPl).Rated(Rating::NEGATIVE));
  // Unrated and not closed: left out.
  rated.push_back(History(kMe, kPl).Rated(Rating::VALUE_UNSPECIFIED));
  rated.push_back(History(kMe, kPl).Send(0).Receive(0).Accept(1).Answer(2));
  ScoreIndicator t = AsRecipient(rated, kNegativeTimelinessRatings);
  EXPECT_EQ(t.count(), 20);
  EXPECT_DOUBLE_EQ(t.value(), 5);
  EXPECT_EQ(t.band(), "yellow");

  // Timeliness and effort are counted apart.
  std::vector<Request> mixed = {
      History(kMe, kPl).Send(0).Receive(0).Accept(1).Answer(2).Close(
          3, Rating::NEGATIVE, Rating::VALUE_UNSPECIFIED),
      History(kMe, kPl).Send(0).Receive(0).Accept(1).Answer(2).Close(
          3, Rating::POSITIVE, Rating::POSITIVE)};
  t = AsRecipient(mixed, kNegativeTimelinessRatings);
  EXPECT_EQ(t.count(), 2);
  EXPECT_DOUBLE_EQ(t.value(), 50);
  EXPECT_EQ(t.band(), "red");
  ScoreIndicator e = AsRecipient(mixed, kNegativeEffortRatings);
  EXPECT_EQ(e.count(), 1);
  EXPECT_DOUBLE_EQ(e.value(), 0);
  EXPECT_EQ(e.band(), "green");
}

TEST_F(ScoreboardTest, TheLastCloseRatesAndAReopenUnrates) {
  auto closed_twice = History(kMe, kPl)
                          .Rated(Rating::NEGATIVE)
                          .Reopen(7)
                          .Answer(8)
                          .Close(9, Rating::POSITIVE, Rating::POSITIVE);
  ScoreIndicator t = AsRecipient({closed_twice}, kNegativeTimelinessRatings);
  EXPECT_EQ(t.count(), 1);
  EXPECT_EQ(t.value(), 0);
  auto reopened = History(kMe, kPl).Rated(Rating::NEGATIVE).Reopen(7);
  EXPECT_EQ(AsRecipient({reopened}, kNegativeTimelinessRatings).count(), 0);
}

TEST_F(ScoreboardTest, SupersededEventsAreIgnored) {
  // The accept lost to a crossing withdraw (day 9: after the 7 days).
  ScoreIndicator i = AsRecipient(
      {History(kMe, kPl).Send(0).Receive(1).Accept(2).Superseded().Withdraw(9)},
      kAcceptedWithin7Days);
  EXPECT_EQ(i.count(), 1);
  EXPECT_EQ(i.value(), 0);
  // A superseded withdraw ends nothing: the request is still unaccepted.
  i = AsRecipient(
      {History(kMe, kPl).Send(0).Receive(1).Withdraw(2).Superseded()},
      kAcceptedWithin7Days);
  EXPECT_EQ(i.count(), 1);
  EXPECT_EQ(i.value(), 0);
  // A superseded answer is no answer.
  i = AsRecipient(
      {History(kMe, kPl).Send(0).Receive(1).Accept(3).Answer(4).Superseded()},
      kAverageDaysToAnswer);
  EXPECT_EQ(i.count(), 0);
  // A superseded close gives no rating; a superseded send leaves a draft.
  EXPECT_EQ(
      AsRecipient({History(kMe, kPl).Rated(Rating::NEGATIVE).Superseded()},
                  kNegativeTimelinessRatings)
          .count(),
      0);
  EXPECT_EQ(Score({History(kMe, kPl).Send(0).Superseded()}).peers_size(), 0);
}

TEST_F(ScoreboardTest, PeriodIsInclusiveOnTheUtcDayOfTheSend) {
  Request first =
      History(kMe, kPl).Send(-1, pwx::v1::REQUEST_KIND_INFORMATION, 0);
  Request last =
      History(kMe, kPl).Send(29, pwx::v1::REQUEST_KIND_INFORMATION, 23);
  Request before =
      History(kMe, kPl).Send(-2, pwx::v1::REQUEST_KIND_INFORMATION, 23);
  Request after =
      History(kMe, kPl).Send(30, pwx::v1::REQUEST_KIND_INFORMATION, 0);
  // Sent in February, received in March: February's.
  Request received_in_period = History(kMe, kPl).Send(-2).Receive(3).Accept(4);
  PeerScore s = Only({first, last, before, after, received_in_period});
  EXPECT_EQ(s.requests_sent(), 2);
  EXPECT_EQ(s.as_recipient(0).count(), 0);
  EXPECT_EQ(Score({before, after}).peers_size(), 0);
}

TEST_F(ScoreboardTest, BothDirectionsPerPeer) {
  // PL-PIP answered ours late; we answered PL-PIP's in time.
  std::vector<Request> requests = {
      History(kMe, kPl).Send(0).Receive(1).Accept(10).Answer(40),
      History(kPl, kMe).Send(2).Receive(2).Accept(3).Answer(5),
      History(kPl, kMe).Send(3).Receive(3).Accept(4).Answer(9),
  };
  PeerScore s = Only(requests);
  EXPECT_EQ(s.requests_sent(), 1);
  EXPECT_EQ(s.requests_received(), 2);
  EXPECT_EQ(s.as_recipient(0).value(), 0);
  EXPECT_EQ(s.as_recipient(1).value(), 39);
  EXPECT_EQ(s.as_recipient(1).band(), "red");
  EXPECT_EQ(s.our_answers(0).count(), 2);
  EXPECT_EQ(s.our_answers(0).value(), 100);
  EXPECT_DOUBLE_EQ(s.our_answers(1).value(), 4.5);  // (3 + 6) / 2
  EXPECT_EQ(s.our_answers(1).band(), "green");
}

TEST_F(ScoreboardTest, PeersAreSortedAndFiltered) {
  std::vector<Request> requests = {History(kMe, kPl).Send(0),
                                   History(kDe, kMe).Send(1),
                                   History(kMe, kDe).Send(2)};
  GetStatsResponse all = Score(requests);
  std::vector<std::string> peers;
  for (const PeerScore& p : all.peers()) peers.push_back(p.peer());
  EXPECT_THAT(peers, ElementsAre(kDe, kPl));
  EXPECT_EQ(all.peers(0).requests_sent(), 1);
  EXPECT_EQ(all.peers(0).requests_received(), 1);

  GetStatsResponse pl = Score(requests, kPl);
  ASSERT_EQ(pl.peers_size(), 1);
  EXPECT_EQ(pl.peers(0).peer(), kPl);
  EXPECT_EQ(Score(requests, "AT-FP").peers_size(), 0);
}

TEST_F(ScoreboardTest, AForwardedRequestCountsForItsCurrentRecipient) {
  // Ours, forwarded by PL-PIP to DE-FKS: DE-FKS's receipt on day 3 is the
  // one that counts, and PL-PIP's events are not DE-FKS's.
  Request forwarded =
      History(kMe, kPl).Send(0).Receive(0).Recipient(kDe).Receive(3).Accept(9);
  PeerScore s = Only({forwarded});
  EXPECT_EQ(s.peer(), kDe);
  EXPECT_EQ(s.as_recipient(0).count(), 1);
  EXPECT_EQ(s.as_recipient(0).value(), 100);
  // An answer by the forwarder is not the recipient's.
  Request answered_by_forwarder =
      History(kMe, kDe).Send(0).Receive(1).Accept(2).Answer(3).By(kPl);
  EXPECT_EQ(AsRecipient({answered_by_forwarder}, kAverageDaysToAnswer).count(),
            0);
  // Our copy of a request we forwarded on is no longer ours to score.
  EXPECT_EQ(
      Score({History(kPl, kDe).Send(0).Receive(1).Accept(2)}).peers_size(), 0);
}

TEST(ScoreBandTest, BandBoundaries) {
  for (std::string_view share : {kAcceptedWithin7Days, kAnsweredByAgreedDate}) {
    EXPECT_EQ(ScoreBand(share, 100), "green");
    EXPECT_EQ(ScoreBand(share, 80), "green");
    EXPECT_EQ(ScoreBand(share, 79.99), "yellow");
    EXPECT_EQ(ScoreBand(share, 60), "yellow");
    EXPECT_EQ(ScoreBand(share, 59.99), "red");
    EXPECT_EQ(ScoreBand(share, 0), "red");
  }
  EXPECT_EQ(ScoreBand(kAverageDaysToAnswer, 0), "green");
  EXPECT_EQ(ScoreBand(kAverageDaysToAnswer, 15.99), "green");
  EXPECT_EQ(ScoreBand(kAverageDaysToAnswer, 16), "yellow");
  EXPECT_EQ(ScoreBand(kAverageDaysToAnswer, 25), "yellow");
  EXPECT_EQ(ScoreBand(kAverageDaysToAnswer, 25.01), "red");
  for (std::string_view negative :
       {kNegativeTimelinessRatings, kNegativeEffortRatings}) {
    EXPECT_EQ(ScoreBand(negative, 0), "green");
    EXPECT_EQ(ScoreBand(negative, 4.99), "green");
    EXPECT_EQ(ScoreBand(negative, 5), "yellow");
    EXPECT_EQ(ScoreBand(negative, 14.99), "yellow");
    EXPECT_EQ(ScoreBand(negative, 15), "red");
    EXPECT_EQ(ScoreBand(negative, 100), "red");
  }
  EXPECT_EQ(ScoreBand("answered_at_all", 100), "");
}

}  // namespace
}  // namespace pwx::domain
