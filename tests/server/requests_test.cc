// Cross-border requests between in-memory nodes: each kind to closure,
// forward and split to a third node, the refusals a user can hit, and a
// randomized test of both sides acting at once with delays, redeliveries
// and restarts, ending with the same request on both nodes.
#include "server/requests.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <iostream>
#include <map>
#include <memory>
#include <random>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "server/domain/digest.h"
#include "server/domain/request_rules.h"
#include "tests/server/requests_fixture.h"

namespace pwx::server {
namespace {

using ::pwx::server::fed_testing::Await;
using ::pwx::server::fed_testing::Eventually;
using ::pwx::server::fed_testing::Information;
using ::pwx::server::fed_testing::MemoryNode;
using ::pwx::server::fed_testing::RequestsTest;
using ::pwx::server::fed_testing::Step;
using ::pwx::v1::Request;
using ::pwx::v1::RequestEvent;
using ::testing::HasSubstr;

TEST_F(RequestsTest, InformationRequestRunsToClosureWithTheSameHistory) {
  const std::string id = SentDraft(fr_, "PL-PIP");
  ASSERT_FALSE(id.empty());
  EXPECT_THAT(id, ::testing::StartsWith("FR-DGT-R-"));
  ASSERT_TRUE(Reaches(fr_, id, pwx::v1::REQUEST_STATE_AWAITING_ACCEPTANCE));

  // Need-to-know: before acceptance PL sees who asks what, not about whom.
  absl::StatusOr<Request> seen = Get(pl_, id);
  ASSERT_TRUE(seen.ok()) << seen.status();
  EXPECT_TRUE(seen->personal_data_hidden());
  EXPECT_EQ(seen->content().subject(), "");
  EXPECT_EQ(seen->content().questions(0).code(), "EST-01");
  EXPECT_EQ(seen->content().questions(2).text(), "");
  EXPECT_EQ(seen->requester(), "FR-DGT");
  EXPECT_EQ(seen->my_side(), pwx::v1::REQUEST_SIDE_RECIPIENT);
  EXPECT_FALSE(seen->due_date().empty());
  EXPECT_EQ(seen->calendar_version(), "weekdays-only");
  EXPECT_EQ(pl_.Count("request.read"), 0) << "nothing personal was read";

  ASSERT_TRUE(Act(pl_, id, Step("accept")).ok());
  seen = Get(pl_, id);
  ASSERT_TRUE(seen.ok());
  EXPECT_FALSE(seen->personal_data_hidden());
  EXPECT_EQ(seen->content().subject(), "Bau GmbH; worker Jan Kowalski");
  EXPECT_EQ(pl_.Count("request.read"), 1);

  ASSERT_TRUE(Reaches(fr_, id, pwx::v1::REQUEST_STATE_ACCEPTED));
  ASSERT_TRUE(Act(pl_, id, Step("answer")).ok());
  ASSERT_TRUE(Reaches(fr_, id, pwx::v1::REQUEST_STATE_ANSWERED));
  absl::StatusOr<Request> closed = Act(fr_, id, Step("close"));
  ASSERT_TRUE(closed.ok()) << closed.status();
  EXPECT_TRUE(closed->has_closed_at());
  ASSERT_TRUE(Converged(fr_, pl_, id));
  absl::StatusOr<Request> at_pl = Get(pl_, id);
  ASSERT_TRUE(at_pl.ok());
  EXPECT_EQ(at_pl->state(), pwx::v1::REQUEST_STATE_CLOSED);
  std::vector<std::string> actions;
  for (const RequestEvent& e : at_pl->history()) {
    actions.push_back(domain::ActionName(e));
  }
  EXPECT_THAT(actions, ::testing::ElementsAre("send", "receive", "accept",
                                              "answer", "close"));
  // Every transition, sent or received, is in each node's log.
  EXPECT_EQ(fr_.Count("request.send"), 1);
  EXPECT_EQ(pl_.Count("request.send"), 1);
  EXPECT_EQ(fr_.Count("request.answer"), 1);
  EXPECT_EQ(pl_.Count("request.close"), 1);
}

TEST_F(RequestsTest, AlertIsAcknowledged) {
  pwx::v1::RequestContent alert;
  alert.set_kind(pwx::v1::REQUEST_KIND_ALERT);
  alert.set_subject("Letterbox company suspected: Bau GmbH");
  const std::string id = SentDraft(fr_, "PL-PIP", alert);
  ASSERT_TRUE(Reaches(pl_, id, pwx::v1::REQUEST_STATE_AWAITING_ACCEPTANCE));
  absl::StatusOr<Request> seen = Get(pl_, id);
  ASSERT_TRUE(seen.ok()) << seen.status();
  EXPECT_TRUE(seen->personal_data_hidden());
  EXPECT_EQ(seen->content().subject(), "");
  absl::StatusOr<Request> accepted = Act(pl_, id, Step("accept"));
  EXPECT_EQ(accepted.status().code(), absl::StatusCode::kFailedPrecondition);
  ASSERT_TRUE(Act(pl_, id, Step("acknowledge")).ok());
  ASSERT_TRUE(Converged(fr_, pl_, id));
  EXPECT_EQ(StateAt(fr_, id), pwx::v1::REQUEST_STATE_ACKNOWLEDGED);
  // Acknowledged, the alert is taken on: PL-PIP reads what it is about
  // and holds the same history as FR-DGT.
  seen = Get(pl_, id);
  ASSERT_TRUE(seen.ok()) << seen.status();
  EXPECT_FALSE(seen->personal_data_hidden());
  EXPECT_EQ(seen->content().subject(), "Letterbox company suspected: Bau GmbH");
  absl::StatusOr<Request> at_fr = Get(fr_, id);
  ASSERT_TRUE(at_fr.ok()) << at_fr.status();
  ASSERT_EQ(seen->history_size(), at_fr->history_size());
  for (int i = 0; i < seen->history_size(); ++i) {
    EXPECT_EQ(seen->history(i).SerializeAsString(),
              at_fr->history(i).SerializeAsString())
        << "history entry " << i;
  }
}

TEST_F(RequestsTest, RecoveryIsChallengedResumedAndClosed) {
  pwx::v1::RequestContent c;
  c.set_kind(pwx::v1::REQUEST_KIND_RECOVERY_OF_PENALTY);
  auto* p = c.mutable_penalty();
  p->set_addressee_name("Bau GmbH");
  p->set_addressee_address("Hauptstr. 1, Berlin");
  p->set_summary_of_facts("Wages below the minimum");
  p->set_nature_of_infringement("underpayment");
  p->set_applicable_rules("Code du travail L1262-4");
  p->set_enforcement_instrument("Titre exécutoire 12");
  p->set_assessing_authority("FR-DGT");
  p->set_challenge_body("Tribunal administratif de Paris");
  p->set_penalty_nature("administrative fine");
  p->set_enforceable_date("2026-03-01");
  p->mutable_amount()->set_currency("EUR");
  p->mutable_amount()->set_cents(1250000);
  p->set_underlying_claim("fine");
  const std::string id = SentDraft(fr_, "PL-PIP", c);
  ASSERT_TRUE(Reaches(pl_, id, pwx::v1::REQUEST_STATE_AWAITING_ACCEPTANCE));
  ASSERT_TRUE(Act(pl_, id, Step("accept")).ok());
  ASSERT_TRUE(Reaches(fr_, id, pwx::v1::REQUEST_STATE_ACCEPTED));
  ASSERT_TRUE(Act(fr_, id, Step("challenge")).ok());
  ASSERT_TRUE(Reaches(pl_, id, pwx::v1::REQUEST_STATE_SUSPENDED));
  EXPECT_EQ(Act(pl_, id, Step("answer")).status().code(),
            absl::StatusCode::kFailedPrecondition);
  ASSERT_TRUE(Act(fr_, id, Step("resume")).ok());
  ASSERT_TRUE(Reaches(pl_, id, pwx::v1::REQUEST_STATE_ACCEPTED));
  ASSERT_TRUE(Act(pl_, id, Step("answer")).ok());
  ASSERT_TRUE(Reaches(fr_, id, pwx::v1::REQUEST_STATE_ANSWERED));
  ASSERT_TRUE(Act(fr_, id, Step("close")).ok());
  ASSERT_TRUE(Converged(fr_, pl_, id));
}

TEST_F(RequestsTest, RefusalsChangeNothing) {
  // Not a peer.
  EXPECT_EQ(Create(fr_, "CZ-SUIP", Information()).status().code(),
            absl::StatusCode::kNotFound);
  // Bad content names the field.
  pwx::v1::RequestContent bad = Information();
  bad.set_urgent(true);
  absl::StatusOr<Request> refused = Create(fr_, "PL-PIP", bad);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(refused.status().message(), HasSubstr("content.urgency_reason"));

  const std::string id = SentDraft(fr_, "PL-PIP");
  ASSERT_TRUE(Reaches(pl_, id, pwx::v1::REQUEST_STATE_AWAITING_ACCEPTANCE));
  ASSERT_TRUE(Converged(fr_, pl_, id));
  const std::string before = Stored(fr_, id);
  // The wrong side.
  absl::StatusOr<Request> r = Act(fr_, id, Step("accept"));
  EXPECT_EQ(r.status().code(), absl::StatusCode::kPermissionDenied);
  r = Act(pl_, id, Step("close"));
  EXPECT_EQ(r.status().code(), absl::StatusCode::kPermissionDenied);
  // The wrong state, named.
  r = Act(pl_, id, Step("answer"));
  EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(r.status().message(), HasSubstr("AWAITING_ACCEPTANCE"));
  // A stale one: the caller saw an older history.
  pwx::v1::ActRequest stale;
  stale.set_id(id);
  *stale.mutable_step() = Step("accept");
  stale.set_expected_history(1);
  r = Await<absl::StatusOr<Request>>(
      [&](auto done) { pl_.requests()->Act(stale, "bob", done); });
  EXPECT_EQ(r.status().code(), absl::StatusCode::kAborted);
  // Forward to an authority that is not a peer.
  RequestEvent forward;
  forward.mutable_forward()->set_to("CZ-SUIP");
  EXPECT_EQ(Act(pl_, id, forward).status().code(), absl::StatusCode::kNotFound);
  // Unknown request.
  EXPECT_EQ(Get(fr_, "FR-DGT-R-2026-999999").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(Get(fr_, "not-an-id").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Stored(fr_, id), before);
  EXPECT_EQ(Stored(pl_, id), before);
}

TEST_F(RequestsTest, ForwardedRequestIsAnsweredByTheThirdNode) {
  const std::string id = SentDraft(fr_, "PL-PIP");
  ASSERT_TRUE(Reaches(pl_, id, pwx::v1::REQUEST_STATE_AWAITING_ACCEPTANCE));
  ASSERT_TRUE(Act(pl_, id, Step("accept")).ok());
  RequestEvent forward;
  forward.mutable_forward()->set_to("DE-FKS");
  forward.mutable_forward()->set_reason("the undertaking is German");
  absl::StatusOr<Request> gone = Act(pl_, id, forward);
  ASSERT_TRUE(gone.ok()) << gone.status();
  EXPECT_EQ(gone->state(), pwx::v1::REQUEST_STATE_FORWARDED);
  // The requester is told, and passes it on with its history.
  ASSERT_TRUE(Reaches(de_, id, pwx::v1::REQUEST_STATE_AWAITING_ACCEPTANCE));
  absl::StatusOr<Request> at_fr = Get(fr_, id);
  ASSERT_TRUE(at_fr.ok());
  EXPECT_EQ(at_fr->recipient(), "DE-FKS");
  EXPECT_EQ(at_fr->forwarded_from(), "PL-PIP");
  // PL can no longer act on it.
  EXPECT_EQ(Act(pl_, id, Step("answer")).status().code(),
            absl::StatusCode::kPermissionDenied);
  ASSERT_TRUE(Act(de_, id, Step("accept")).ok());
  ASSERT_TRUE(Act(de_, id, Step("answer")).ok());
  ASSERT_TRUE(Reaches(fr_, id, pwx::v1::REQUEST_STATE_ANSWERED));
  ASSERT_TRUE(Act(fr_, id, Step("close")).ok());
  ASSERT_TRUE(Converged(fr_, de_, id));
  EXPECT_EQ(StateAt(de_, id), pwx::v1::REQUEST_STATE_CLOSED);
}

TEST_F(RequestsTest, ForwardToAnAuthorityTheRequesterCannotReachComesBack) {
  ASSERT_TRUE(fr_.RemovePeer("DE-FKS").ok());
  const std::string id = SentDraft(fr_, "PL-PIP");
  ASSERT_TRUE(Reaches(pl_, id, pwx::v1::REQUEST_STATE_AWAITING_ACCEPTANCE));
  ASSERT_TRUE(Act(pl_, id, Step("accept")).ok());
  RequestEvent forward;
  forward.mutable_forward()->set_to("DE-FKS");
  ASSERT_TRUE(Act(pl_, id, forward).ok());
  // FR records the failed hand-off; the request is PL's again, accepted.
  ASSERT_TRUE(Reaches(pl_, id, pwx::v1::REQUEST_STATE_ACCEPTED));
  ASSERT_TRUE(Converged(fr_, pl_, id));
  absl::StatusOr<Request> r = Get(pl_, id);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->recipient(), "PL-PIP");
  EXPECT_TRUE(r->history(r->history_size() - 1).has_handoff_failed());
  ASSERT_TRUE(Act(pl_, id, Step("answer")).ok());
}

TEST_F(RequestsTest, SplitMovesQuestionsToANewRequestToTheThirdNode) {
  const std::string id = SentDraft(fr_, "PL-PIP");
  ASSERT_TRUE(Reaches(pl_, id, pwx::v1::REQUEST_STATE_AWAITING_ACCEPTANCE));
  ASSERT_TRUE(Act(pl_, id, Step("accept")).ok());
  RequestEvent split;
  split.mutable_split()->set_to("DE-FKS");
  split.mutable_split()->add_questions(1);  // A1-01
  ASSERT_TRUE(Act(pl_, id, split).ok());
  const std::string child = domain::SplitRequestId(id, 1);
  ASSERT_TRUE(Reaches(de_, child, pwx::v1::REQUEST_STATE_AWAITING_ACCEPTANCE));
  absl::StatusOr<Request> at_fr = Get(fr_, child);
  ASSERT_TRUE(at_fr.ok()) << at_fr.status();
  EXPECT_EQ(at_fr->split_from(), id);
  ASSERT_EQ(at_fr->content().questions_size(), 1);
  EXPECT_EQ(at_fr->content().questions(0).code(), "A1-01");
  absl::StatusOr<Request> parent = Get(fr_, id);
  ASSERT_TRUE(parent.ok());
  EXPECT_EQ(parent->content().questions_size(), 2);
  // Both run to closure.
  for (auto [node, rid] : {std::pair{&pl_, id}, std::pair{&de_, child}}) {
    if (node == &de_) {
      ASSERT_TRUE(Act(*node, rid, Step("accept")).ok());
    }
    ASSERT_TRUE(Act(*node, rid, Step("answer")).ok());
    ASSERT_TRUE(Reaches(fr_, rid, pwx::v1::REQUEST_STATE_ANSWERED));
    ASSERT_TRUE(Act(fr_, rid, Step("close")).ok());
    ASSERT_TRUE(Converged(fr_, *node, rid));
  }
}

TEST_F(RequestsTest, AnEventFromANonPartyIsRefusedAndStoresNothing) {
  const std::string id = SentDraft(fr_, "PL-PIP");
  ASSERT_TRUE(Converged(fr_, pl_, id) || true);
  ASSERT_TRUE(Reaches(pl_, id, pwx::v1::REQUEST_STATE_AWAITING_ACCEPTANCE));
  absl::StatusOr<Request> r = Get(fr_, id);
  ASSERT_TRUE(r.ok());
  pwx::v1::Event event;
  auto* payload = event.mutable_request_events();
  payload->set_request_id(id);
  payload->set_requester("FR-DGT");
  RequestEvent answer = domain::NextEvent(*r, "DE-FKS");
  answer.mutable_answer()->set_text("I am not the recipient");
  *payload->add_events() = answer;
  storage::WriteBatch batch;
  absl::Status s = fr_.requests()->Apply(event, "DE-FKS", &batch);
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied) << s;
  // The recipient closing is refused by side, before any fold.
  RequestEvent close = domain::NextEvent(*r, "PL-PIP");
  close.mutable_close();
  payload->clear_events();
  *payload->add_events() = close;
  s = fr_.requests()->Apply(event, "PL-PIP", &batch);
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied) << s;
  EXPECT_TRUE(batch.empty());
}

// Both sides act at random on several requests while deliveries are
// delayed (a node is down for a while), redelivered (a restart loses the
// receipts in flight) and nodes restart; at the end both nodes hold the
// same requests, byte for byte.
TEST_F(RequestsTest, RandomConcurrentActionsWithRestartsConverge) {
  const char* fr_actions[] = {"withdraw", "close",        "reopen",
                              "reply",    "propose-date", "accept-date"};
  const char* pl_actions[] = {"accept", "answer", "clarify", "propose-date",
                              "accept-date"};
  int superseded = 0;
  int attached = 0;
  // What was uploaded, by content hash.
  std::map<std::string, std::string> uploaded;
  for (uint32_t seed = 1; seed <= 6; ++seed) {
    std::mt19937 rng(seed);
    std::vector<std::string> ids;
    for (int i = 0; i < 3; ++i) ids.push_back(SentDraft(fr_, "PL-PIP"));
    // Attaches a document of a few chunks at `node` (refused in the wrong
    // state or side, like any step).
    auto attach = [&](MemoryNode& node, const std::string& id) {
      std::string bytes(rng() % 600'000, '\0');
      for (char& c : bytes) c = static_cast<char>(rng());
      absl::StatusOr<Request> r = Attach(
          node, id, absl::StrCat("doc-", uploaded.size(), ".pdf"), bytes);
      if (r.ok()) {
        ++attached;
        uploaded[domain::Sha256Hex(bytes)] = std::move(bytes);
      }
    };
    for (int step = 0; step < 40; ++step) {
      const std::string& id = ids[rng() % ids.size()];
      switch (rng() % 8) {
        case 0:
        case 1:
        case 2:
          if (rng() % 5 == 0) {
            attach(fr_, id);
            break;
          }
          (void)Act(fr_, id, Step(fr_actions[rng() % std::size(fr_actions)]));
          break;
        case 3:
        case 4:
        case 5:
          if (rng() % 5 == 0) {
            attach(pl_, id);
            break;
          }
          (void)Act(pl_, id, Step(pl_actions[rng() % std::size(pl_actions)]));
          break;
        case 6: {
          MemoryNode& node = rng() % 2 ? fr_ : pl_;
          node.set_down(!node.down());
          break;
        }
        case 7:
          (rng() % 2 ? fr_ : pl_).Restart();
          break;
      }
    }
    fr_.set_down(false);
    pl_.set_down(false);
    for (const std::string& id : ids) {
      ASSERT_TRUE(Converged(fr_, pl_, id)) << "seed " << seed << " " << id;
      absl::StatusOr<Request> r = Get(fr_, id);
      ASSERT_TRUE(r.ok());
      for (const RequestEvent& e : r->history()) superseded += e.superseded();
      // Every attachment both hold: its bytes reach the other node whole,
      // where its users may see them.
      for (const pwx::v1::RequestAttachment& a : r->attachments()) {
        MemoryNode& other = a.authority() == "FR-DGT" ? pl_ : fr_;
        absl::StatusOr<Request> there = Get(other, id);
        ASSERT_TRUE(there.ok());
        if (there->personal_data_hidden()) continue;
        absl::StatusOr<std::string> bytes;
        ASSERT_TRUE(Eventually([&] {
          bytes = Download(other, id, a.sha256());
          return bytes.ok();
        })) << "seed "
            << seed << " " << id << " " << bytes.status();
        EXPECT_EQ(*bytes, uploaded[a.sha256()]);
      }
    }
  }
  EXPECT_GT(attached, 0);
  // With deliveries held back, actions of both sides did cross.
  EXPECT_GT(superseded, 0);
  std::cout << superseded << " superseded actions, " << attached
            << " attachments\n";
}

}  // namespace
}  // namespace pwx::server

namespace pwx::server {
namespace {

using ::pwx::server::fed_testing::RequestsTest;
using ::pwx::v1::Request;
using ::pwx::v1::RequestEvent;

// A requester restored from a backup hands out a request id again: the
// recipient keeps the request it holds, logs the conflict, and applies
// nothing the requester sends for that id any more.
TEST_F(RequestsTest, AReissuedRequestIdIsLoggedAndNotMixedIn) {
  const std::string id = SentDraft(fr_, "PL-PIP");
  ASSERT_TRUE(Reaches(pl_, id, pwx::v1::REQUEST_STATE_AWAITING_ACCEPTANCE));
  ASSERT_TRUE(Converged(fr_, pl_, id));
  const std::string held = Stored(pl_, id);

  absl::StatusOr<Request> at_fr = Get(fr_, id);
  ASSERT_TRUE(at_fr.ok());
  pwx::v1::Event event;
  auto* payload = event.mutable_request_events();
  payload->set_request_id(id);
  payload->set_requester("FR-DGT");
  RequestEvent other_send = at_fr->history(0);
  other_send.mutable_send()->mutable_content()->set_subject("another case");
  *payload->add_events() = other_send;
  storage::WriteBatch batch;
  ASSERT_TRUE(pl_.requests()->Apply(event, "FR-DGT", &batch).ok());
  ASSERT_TRUE(pl_.kv()->Write(std::move(batch)).ok());
  EXPECT_EQ(pl_.Count("request.conflict"), 1);

  // A later event of the reissued request is not applied either.
  RequestEvent withdraw = domain::NextEvent(*at_fr, "FR-DGT");
  withdraw.mutable_withdraw();
  payload->clear_events();
  *payload->add_events() = withdraw;
  storage::WriteBatch later;
  ASSERT_TRUE(pl_.requests()->Apply(event, "FR-DGT", &later).ok());
  ASSERT_TRUE(pl_.kv()->Write(std::move(later)).ok());
  EXPECT_EQ(pl_.Count("request.conflict"), 2);
  absl::StatusOr<Request> at_pl = Get(pl_, id);
  ASSERT_TRUE(at_pl.ok());
  EXPECT_EQ(at_pl->state(), pwx::v1::REQUEST_STATE_AWAITING_ACCEPTANCE);
  EXPECT_TRUE(at_pl->reissued_by_requester());
  EXPECT_EQ(at_pl->history_size(), 2);
}

// The recipient's lists by due date: overdue, due within N working days,
// and both at once (what a dashboard shows in one call), on the
// recipient's clock.
TEST_F(RequestsTest, OverdueAndSoonDueRequestsAreListedAloneAndTogether) {
  const std::string late = SentDraft(fr_, "PL-PIP");
  ASSERT_TRUE(Reaches(pl_, late, pwx::v1::REQUEST_STATE_AWAITING_ACCEPTANCE));
  AdvancePlClock(absl::Hours(24 * 50));
  const std::string soon = SentDraft(fr_, "PL-PIP");
  ASSERT_TRUE(Reaches(pl_, soon, pwx::v1::REQUEST_STATE_AWAITING_ACCEPTANCE));
  AdvancePlClock(absl::Hours(24 * 30));
  const std::string later = SentDraft(fr_, "PL-PIP");
  ASSERT_TRUE(Reaches(pl_, later, pwx::v1::REQUEST_STATE_AWAITING_ACCEPTANCE));
  // 25 working days are 33 to 35 calendar days on PL-PIP's calendar here.
  absl::StatusOr<Request> r = Get(pl_, late);
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(r->overdue()) << r->due_date();
  r = Get(pl_, soon);
  ASSERT_TRUE(r.ok());
  ASSERT_FALSE(r->overdue());
  ASSERT_LE(r->working_days_left(), 10) << r->due_date();
  r = Get(pl_, later);
  ASSERT_TRUE(r.ok());
  ASSERT_GT(r->working_days_left(), 10) << r->due_date();

  auto ids = [&](bool overdue, int within) {
    pwx::v1::ListRequestsRequest request;
    request.set_box(pwx::v1::REQUEST_BOX_INBOX);
    request.set_overdue(overdue);
    request.set_due_within_days(within);
    absl::StatusOr<pwx::v1::ListRequestsResponse> list =
        pl_.requests()->List(request);
    std::vector<std::string> out;
    EXPECT_TRUE(list.ok()) << list.status();
    if (!list.ok()) return out;
    for (const Request& x : list->requests()) out.push_back(x.id());
    return out;
  };
  EXPECT_THAT(ids(true, 0), ::testing::ElementsAre(late));
  EXPECT_THAT(ids(false, 10), ::testing::ElementsAre(soon));
  EXPECT_THAT(ids(true, 10), ::testing::ElementsAre(late, soon));
  EXPECT_THAT(ids(true, 40), ::testing::ElementsAre(late, soon, later));
}

}  // namespace
}  // namespace pwx::server
