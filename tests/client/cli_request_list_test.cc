// `pwx request list|inbox|outbox|overdue`, `pwx stats` and every request
// command's help: what the CLI sends to RequestService and what it prints.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "nlohmann/json.hpp"
#include "tests/client/cli_request_fixture.h"

namespace pwx::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::SizeIs;

// --- list, inbox, outbox, overdue ------------------------------------------

pwx::v1::ListRequestsResponse OnePage() {
  pwx::v1::ListRequestsResponse page;
  pwx::v1::Request* r = page.add_requests();
  *r = AcceptedRequest();
  r->clear_history();
  pwx::v1::Request* late = page.add_requests();
  *late = AcceptedRequest();
  late->clear_history();
  late->set_id("PL-PIP-R-2026-000003");
  late->set_requester("PL-PIP");
  late->set_recipient("FR-DGT");
  late->set_my_side(pwx::v1::REQUEST_SIDE_RECIPIENT);
  late->mutable_content()->set_kind(pwx::v1::REQUEST_KIND_RECOVERY_OF_PENALTY);
  late->mutable_content()->set_urgent(true);
  late->set_overdue(true);
  late->set_working_days_left(-2);
  return page;
}

TEST_F(CliRequestTest, InboxSendsTheFiltersAndPrintsATable) {
  requests().SetPage("", OnePage());

  const CliResult result =
      Run({"request", "inbox", "--state", "awaiting-acceptance", "--kind",
           "recovery", "--urgent", "--peer", "PL-PIP", "--due-within", "5",
           "--page-size", "10"});

  ASSERT_EQ(result.exit_code, 0) << result.err;
  const FakeRequestService::Seen seen = requests().seen();
  ASSERT_THAT(seen.lists, SizeIs(1));
  EXPECT_THAT(seen.lists[0], EqualsProto(R"pb(
                box: REQUEST_BOX_INBOX
                state: REQUEST_STATE_AWAITING_ACCEPTANCE
                kind: REQUEST_KIND_RECOVERY_OF_PENALTY
                urgent_only: true
                peer: "PL-PIP"
                due_within_days: 5
                page_size: 10
              )pb"));
  EXPECT_THAT(result.out,
              HasSubstr("ID                    KIND              PEER    "
                        "STATE     DUE         DAYS LEFT     NEXT\n"
                        "FR-DGT-R-2026-000007  information       PL-PIP  "
                        "accepted  2026-03-10  12            PL-PIP\n"
                        "PL-PIP-R-2026-000003  recovery, urgent  PL-PIP  "
                        "accepted  2026-03-10  OVERDUE by 2  you\n"));
}

TEST_F(CliRequestTest, BoxesAndOverdueSetTheirFilter) {
  ASSERT_EQ(Run({"request", "list"}).exit_code, 0);
  ASSERT_EQ(Run({"request", "outbox"}).exit_code, 0);
  ASSERT_EQ(Run({"request", "overdue", "--peer", "PL-PIP"}).exit_code, 0);

  const FakeRequestService::Seen seen = requests().seen();
  ASSERT_THAT(seen.lists, SizeIs(3));
  EXPECT_THAT(seen.lists[0], EqualsProto(""));
  EXPECT_THAT(seen.lists[1], EqualsProto("box: REQUEST_BOX_OUTBOX"));
  EXPECT_THAT(seen.lists[2], EqualsProto("overdue: true peer: 'PL-PIP'"));
}

TEST_F(CliRequestTest, ListFollowsPagesWithAll) {
  pwx::v1::ListRequestsResponse first = OnePage();
  first.set_next_page_token("t2");
  pwx::v1::ListRequestsResponse second;
  *second.add_requests() = OnePage().requests(0);
  second.mutable_requests(0)->set_id("FR-DGT-R-2026-000009");
  requests().SetPage("", first);
  requests().SetPage("t2", second);

  const CliResult page = Run({"request", "list"});
  ASSERT_EQ(page.exit_code, 0) << page.err;
  EXPECT_THAT(page.out, HasSubstr("--page-token=t2"));

  const CliResult all = Run({"request", "list", "--all", "--output", "json"});
  ASSERT_EQ(all.exit_code, 0) << all.err;
  const nlohmann::json json = nlohmann::json::parse(all.out);
  ASSERT_EQ(json["requests"].size(), 3u);
  EXPECT_EQ(json["requests"][2]["id"], "FR-DGT-R-2026-000009");
  EXPECT_FALSE(json.contains("nextPageToken"));
}

TEST_F(CliRequestTest, ListFiltersAreCheckedAndListTheValidValues) {
  ExpectUsageError({"request", "list", "--state", "open"},
                   "--state: unknown state 'open'; one of: draft, sent, "
                   "awaiting-acceptance, accepted, answered, closed, "
                   "withdrawn, rejected, suspended, acknowledged, forwarded");
  ExpectUsageError({"request", "inbox", "--kind", "fine"},
                   "--kind: unknown kind 'fine'; one of: information");
  ExpectUsageError({"request", "outbox", "--peer", "poland"}, "--peer");
  ExpectUsageError({"request", "list", "--due-within", "0"}, "--due-within");
  ExpectUsageError({"request", "list", "--page-size", "501"}, "--page-size");
  ExpectUsageError({"request", "overdue", "--state", "accepted"}, "--state");
}

TEST_F(CliRequestTest, EmptyListSaysSo) {
  const CliResult result = Run({"request", "list"});

  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, "no requests\n");
}

// --- stats -----------------------------------------------------------------

pwx::v1::GetStatsResponse Scoreboard() {
  return FromText<pwx::v1::GetStatsResponse>(R"pb(
    from: "2026-01-01"
    to: "2026-06-30"
    peers {
      peer: "PL-PIP"
      requests_sent: 12
      requests_received: 8
      as_recipient {
        name: "accepted_within_7_days"
        value: 83.3
        count: 12
        band: "green"
      }
      as_recipient {
        name: "average_days_to_answer"
        value: 17.5
        count: 10
        band: "yellow"
      }
      as_recipient { name: "negative_effort_ratings" count: 0 }
      our_answers {
        name: "answered_by_agreed_date"
        value: 50
        count: 8
        band: "red"
      }
    }
  )pb");
}

TEST_F(CliRequestTest, StatsSendsThePeriodAndPrintsEachPeer) {
  requests().SetStats(Scoreboard());

  const CliResult result = Run({"stats", "--peer", "PL-PIP", "--from",
                                "2026-01-01", "--to", "2026-06-30"});

  ASSERT_EQ(result.exit_code, 0) << result.err;
  const FakeRequestService::Seen seen = requests().seen();
  ASSERT_THAT(seen.stats, SizeIs(1));
  EXPECT_THAT(seen.stats[0], EqualsProto("peer: 'PL-PIP' from: '2026-01-01' "
                                         "to: '2026-06-30'"));
  const std::string& out = result.out;
  EXPECT_THAT(out, HasSubstr("PL-PIP: 12 sent to it, 8 received from it"));
  EXPECT_THAT(out, HasSubstr("how PL-PIP answered our requests:"));
  EXPECT_THAT(out, HasSubstr("how we answered PL-PIP's requests:"));
  EXPECT_THAT(out,
              HasSubstr("INDICATOR                VALUE      COUNT  BAND"));
  EXPECT_THAT(out,
              HasSubstr("accepted within 7 days   83.3 %     12     green"));
  EXPECT_THAT(out,
              HasSubstr("average days to answer   17.5 days  10     yellow"));
  EXPECT_THAT(out, HasSubstr("negative effort ratings  -          0      -"));
  EXPECT_THAT(out, HasSubstr("answered by agreed date  50.0 %  8      red"));
}

TEST_F(CliRequestTest, StatsJsonIsTheResponse) {
  requests().SetStats(Scoreboard());

  const CliResult result = Run({"stats", "--output", "json"});

  ASSERT_EQ(result.exit_code, 0) << result.err;
  const nlohmann::json json = nlohmann::json::parse(result.out);
  EXPECT_EQ(json["peers"][0]["peer"], "PL-PIP");
  EXPECT_EQ(json["peers"][0]["asRecipient"][0]["band"], "green");
  EXPECT_EQ(json["peers"][0]["requestsSent"], 12);
  EXPECT_THAT(requests().seen().stats[0], EqualsProto(""));
}

TEST_F(CliRequestTest, StatsChecksItsFlags) {
  ExpectUsageError({"stats", "--from", "2026-1-1"}, "--from");
  ExpectUsageError({"stats", "--to", "tomorrow"}, "--to");
  ExpectUsageError({"stats", "--from", "2026-06-01", "--to", "2026-01-01"},
                   "--to: 2026-01-01 is before --from 2026-06-01");
  ExpectUsageError({"stats", "--peer", "x"}, "--peer");
}

// --- help ------------------------------------------------------------------

TEST_F(CliRequestTest, EveryCommandHasHelpMentioningJson) {
  for (const std::string verb :
       {"create",      "show",      "send",    "accept",      "clarify",
        "reply",       "answer",    "forward", "split",       "reject",
        "withdraw",    "close",     "reopen",  "delay",       "propose-date",
        "accept-date", "challenge", "resume",  "acknowledge", "modify",
        "list",        "inbox",     "outbox",  "overdue"}) {
    SCOPED_TRACE(verb);
    const CliResult result = Run({"request", verb, "--help"});
    EXPECT_EQ(result.exit_code, 0);
    EXPECT_THAT(result.out, HasSubstr("--output json"));
  }
  const CliResult stats = Run({"stats", "--help"});
  EXPECT_EQ(stats.exit_code, 0);
  EXPECT_THAT(stats.out, HasSubstr("--output json"));
  const CliResult group = Run({"request", "--help"});
  EXPECT_EQ(group.exit_code, 0);
  EXPECT_THAT(group.out, HasSubstr("propose-date"));
}

}  // namespace
}  // namespace pwx::testing
