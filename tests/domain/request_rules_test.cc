#include "server/domain/request_rules.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <deque>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"

namespace pwx::domain {
namespace {

using pwx::v1::Request;
using pwx::v1::RequestEvent;
using pwx::v1::RequestKind;
using pwx::v1::RequestState;
using ::testing::HasSubstr;

constexpr char kFr[] = "FR-DGT";
constexpr char kPl[] = "PL-PIP";
constexpr char kDe[] = "DE-FKS";

pwx::v1::RequestContent Content(RequestKind kind) {
  pwx::v1::RequestContent c;
  c.set_kind(kind);
  c.set_subject("Bau GmbH, 12 workers");
  for (const char* code : {"EST-01", "A1-01", "PAY-01"}) {
    c.add_questions()->set_code(code);
  }
  if (kind == pwx::v1::REQUEST_KIND_NOTIFICATION_OF_DECISION ||
      kind == pwx::v1::REQUEST_KIND_RECOVERY_OF_PENALTY) {
    c.clear_questions();
    auto* p = c.mutable_penalty();
    p->set_addressee_name("Bau GmbH");
    p->set_addressee_address("Hauptstr. 1, Berlin");
    p->set_summary_of_facts("Unpaid wages");
    p->set_nature_of_infringement("wages below minimum");
    p->set_applicable_rules("Code du travail L1262-4");
    p->set_enforcement_instrument("Décision n° 12");
    p->set_assessing_authority("FR-DGT");
    p->set_challenge_body("Tribunal administratif de Paris");
    p->set_penalty_nature("administrative fine");
    p->set_enforceable_date("2026-03-01");
    p->mutable_amount()->set_currency("EUR");
    p->mutable_amount()->set_cents(1250000);
    p->set_underlying_claim("fine 12,500 EUR");
  }
  return c;
}

RequestEvent SendEvent(RequestKind kind, const std::string& to = kPl) {
  RequestEvent e;
  e.set_author(kFr);
  e.set_author_seq(1);
  e.set_lamport(1);
  *e.mutable_send()->mutable_content() = Content(kind);
  e.mutable_send()->set_to(to);
  return e;
}

// A request of `kind` put directly into `state`, with what each state
// implies (a due date once received, a clarification asked by the
// recipient so that a reply is possible, a date proposal by the requester).
Request InState(RequestState state, RequestKind kind) {
  Request r;
  r.set_id("FR-DGT-R-2026-000001");
  r.set_requester(kFr);
  r.set_recipient(kPl);
  *r.mutable_content() = Content(kind);
  r.set_state(state);
  r.set_due_date("2026-03-06");
  r.set_clarification_by(pwx::v1::REQUEST_SIDE_RECIPIENT);
  r.mutable_date_proposal()->set_side(pwx::v1::REQUEST_SIDE_REQUESTER);
  r.mutable_date_proposal()->set_date("2026-03-20");
  r.set_suspended_from(pwx::v1::REQUEST_STATE_ACCEPTED);
  r.set_forwarded_from("DE-FKS");
  r.set_forwarded_from_state(pwx::v1::REQUEST_STATE_ACCEPTED);
  return r;
}

// A valid action of each kind, by name.
std::map<std::string, RequestEvent> SampleActions() {
  std::map<std::string, RequestEvent> a;
  a["receive"].mutable_receive()->set_received_date("2026-02-02");
  a["receive"].mutable_receive()->set_due_date("2026-03-09");
  a["accept"].mutable_accept()->set_expected_date("2026-03-01");
  a["acknowledge"].mutable_acknowledge();
  a["clarify"].mutable_clarify()->set_text("Which site?");
  a["reply"].mutable_reply()->set_text("Site 4, Lyon");
  a["forward"].mutable_forward()->set_to("CZ-SUIP");
  a["split"].mutable_split()->set_to("CZ-SUIP");
  a["split"].mutable_split()->add_questions(1);
  a["answer"].mutable_answer()->set_text("Registered since 2019");
  a["delay"].mutable_delay()->set_reason("archive closed");
  a["delay"].mutable_delay()->set_proposed_date("2026-04-01");
  a["reject"].mutable_reject()->set_reason("not competent");
  *a["modify"].mutable_modify()->mutable_content() =
      Content(pwx::v1::REQUEST_KIND_INFORMATION);
  a["withdraw"].mutable_withdraw();
  a["close"].mutable_close();
  a["reopen"].mutable_reopen();
  a["propose-date"].mutable_propose_date()->set_date("2026-03-27");
  a["accept-date"].mutable_accept_date();
  a["challenge"].mutable_challenge()->set_reason("appeal lodged");
  a["resume"].mutable_resume();
  a["handoff-failed"].mutable_handoff_failed()->set_to("DE-FKS");
  pwx::v1::AttachAction* attach = a["attach"].mutable_attach();
  attach->set_sha256(std::string(64, 'a'));
  attach->set_file_name("a1-forms.pdf");
  attach->set_media_type("application/pdf");
  attach->set_size_bytes(1200);
  return a;
}

constexpr RequestState kAllStates[] = {
    pwx::v1::REQUEST_STATE_SENT,
    pwx::v1::REQUEST_STATE_AWAITING_ACCEPTANCE,
    pwx::v1::REQUEST_STATE_ACCEPTED,
    pwx::v1::REQUEST_STATE_ANSWERED,
    pwx::v1::REQUEST_STATE_CLOSED,
    pwx::v1::REQUEST_STATE_WITHDRAWN,
    pwx::v1::REQUEST_STATE_REJECTED,
    pwx::v1::REQUEST_STATE_SUSPENDED,
    pwx::v1::REQUEST_STATE_ACKNOWLEDGED,
    pwx::v1::REQUEST_STATE_FORWARDED,
};

using States = std::set<RequestState>;
constexpr auto S = pwx::v1::REQUEST_STATE_SENT;
constexpr auto W = pwx::v1::REQUEST_STATE_AWAITING_ACCEPTANCE;
constexpr auto A = pwx::v1::REQUEST_STATE_ACCEPTED;
constexpr auto N = pwx::v1::REQUEST_STATE_ANSWERED;
constexpr auto C = pwx::v1::REQUEST_STATE_CLOSED;
constexpr auto P = pwx::v1::REQUEST_STATE_SUSPENDED;

// The transition table as the issue states it: for each action, the states
// in which the requester and the recipient may make it (none: that side
// may never make it, PERMISSION_DENIED).
struct Row {
  std::string action;
  RequestKind kind;
  States requester;
  States recipient;
};

const std::vector<Row>& Table() {
  static const auto* rows = new std::vector<Row>{
      {"receive", pwx::v1::REQUEST_KIND_INFORMATION, {}, {S}},
      {"accept", pwx::v1::REQUEST_KIND_INFORMATION, {}, {W}},
      {"acknowledge", pwx::v1::REQUEST_KIND_ALERT, {}, {W}},
      {"clarify", pwx::v1::REQUEST_KIND_INFORMATION, {N}, {W, A}},
      {"reply", pwx::v1::REQUEST_KIND_INFORMATION, {W, A}, {}},
      {"forward", pwx::v1::REQUEST_KIND_INFORMATION, {}, {W, A}},
      {"split", pwx::v1::REQUEST_KIND_INFORMATION, {}, {W, A}},
      {"answer", pwx::v1::REQUEST_KIND_INFORMATION, {}, {A}},
      {"delay", pwx::v1::REQUEST_KIND_INFORMATION, {}, {W, A}},
      {"reject", pwx::v1::REQUEST_KIND_INFORMATION, {}, {W, A}},
      {"modify", pwx::v1::REQUEST_KIND_INFORMATION, {S, W, A}, {}},
      {"withdraw", pwx::v1::REQUEST_KIND_INFORMATION, {S, W, A, P}, {}},
      {"close", pwx::v1::REQUEST_KIND_INFORMATION, {N}, {}},
      {"reopen", pwx::v1::REQUEST_KIND_INFORMATION, {C}, {}},
      {"propose-date", pwx::v1::REQUEST_KIND_INFORMATION, {S, W, A}, {S, W, A}},
      // The open proposal is the requester's: only the recipient accepts.
      {"accept-date", pwx::v1::REQUEST_KIND_INFORMATION, {}, {W, A}},
      {"challenge", pwx::v1::REQUEST_KIND_RECOVERY_OF_PENALTY, {W, A}, {}},
      {"resume", pwx::v1::REQUEST_KIND_RECOVERY_OF_PENALTY, {P}, {}},
      {"handoff-failed", pwx::v1::REQUEST_KIND_INFORMATION, {S}, {}},
  };
  return *rows;
}

TEST(RequestRulesTest, TransitionTableByActionSideAndState) {
  const std::map<std::string, RequestEvent> actions = SampleActions();
  int checked = 0;
  for (const Row& row : Table()) {
    ASSERT_TRUE(actions.contains(row.action)) << row.action;
    for (RequestState state : kAllStates) {
      for (const char* author : {kFr, kPl}) {
        const bool requester = std::string(author) == kFr;
        const States& allowed = requester ? row.requester : row.recipient;
        Request r = InState(state, row.kind);
        const Request before = r;
        RequestEvent e = actions.at(row.action);
        e.set_author(author);
        absl::Status s = ApplyTransition(e, &r);
        SCOPED_TRACE(absl::StrCat(row.action, " by ", author, " in ",
                                  StateName(state), ": ", s.ToString()));
        if (allowed.empty()) {
          EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied);
          EXPECT_THAT(s.message(), HasSubstr("only the"));
        } else if (!allowed.contains(state)) {
          EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
          EXPECT_THAT(s.message(), HasSubstr(StateName(state)));
        } else {
          EXPECT_TRUE(s.ok());
        }
        if (!s.ok()) {
          EXPECT_EQ(r.SerializeAsString(), before.SerializeAsString())
              << "a refused transition changed the request";
        }
        ++checked;
      }
    }
  }
  EXPECT_EQ(checked, static_cast<int>(Table().size()) * 10 * 2);
}

// Who may attach in which state: the requester from the draft until the
// request is closed, withdrawn or refused; the recipient once it accepted,
// until it is closed. The recipient before acceptance is the wrong side
// (the requester may attach then); a state in which nobody may is the
// wrong state.
TEST(RequestRulesTest, AttachTableBySideAndState) {
  constexpr auto kOk = absl::StatusCode::kOk;
  constexpr auto kSide = absl::StatusCode::kPermissionDenied;
  constexpr auto kState = absl::StatusCode::kFailedPrecondition;
  struct AttachRow {
    RequestState state;
    absl::StatusCode requester;
    absl::StatusCode recipient;
  };
  const AttachRow rows[] = {
      {pwx::v1::REQUEST_STATE_DRAFT, kOk, kSide},
      {pwx::v1::REQUEST_STATE_SENT, kOk, kSide},
      {pwx::v1::REQUEST_STATE_AWAITING_ACCEPTANCE, kOk, kSide},
      {pwx::v1::REQUEST_STATE_ACCEPTED, kOk, kOk},
      {pwx::v1::REQUEST_STATE_ANSWERED, kOk, kOk},
      {pwx::v1::REQUEST_STATE_CLOSED, kState, kState},
      {pwx::v1::REQUEST_STATE_WITHDRAWN, kState, kState},
      {pwx::v1::REQUEST_STATE_REJECTED, kState, kState},
      {pwx::v1::REQUEST_STATE_SUSPENDED, kOk, kSide},
      {pwx::v1::REQUEST_STATE_ACKNOWLEDGED, kState, kState},
      {pwx::v1::REQUEST_STATE_FORWARDED, kState, kState},
  };
  const RequestEvent sample = SampleActions().at("attach");
  for (const AttachRow& row : rows) {
    for (const char* author : {kFr, kPl}) {
      const bool requester = std::string(author) == kFr;
      Request r = InState(row.state, pwx::v1::REQUEST_KIND_INFORMATION);
      const Request before = r;
      RequestEvent e = sample;
      e.set_author(author);
      e.set_user("anne");
      absl::Status s = ApplyTransition(e, &r);
      SCOPED_TRACE(absl::StrCat("attach by ", author, " in ",
                                StateName(row.state), ": ", s.ToString()));
      const absl::StatusCode want = requester ? row.requester : row.recipient;
      ASSERT_EQ(s.code(), want);
      if (want == kSide) {
        EXPECT_THAT(s.message(), HasSubstr("only the requester (FR-DGT)"));
        EXPECT_THAT(s.message(), HasSubstr(StateName(row.state)));
      }
      if (want == kState) {
        EXPECT_THAT(s.message(), HasSubstr(StateName(row.state)));
      }
      if (!s.ok()) {
        EXPECT_EQ(r.SerializeAsString(), before.SerializeAsString());
        continue;
      }
      ASSERT_EQ(r.attachments_size(), 1);
      EXPECT_EQ(r.attachments(0).sha256(), std::string(64, 'a'));
      EXPECT_EQ(r.attachments(0).file_name(), "a1-forms.pdf");
      EXPECT_EQ(r.attachments(0).side(), requester
                                             ? pwx::v1::REQUEST_SIDE_REQUESTER
                                             : pwx::v1::REQUEST_SIDE_RECIPIENT);
      EXPECT_EQ(r.attachments(0).authority(), author);
      EXPECT_EQ(r.attachments(0).uploaded_by(), "anne");
      EXPECT_EQ(r.state(), row.state) << "attaching changes no state";
    }
  }
}

TEST(RequestRulesTest, AttachRefusesBadMetadataAndTheSameContentTwice) {
  Request r = InState(A, pwx::v1::REQUEST_KIND_INFORMATION);
  RequestEvent e = SampleActions().at("attach");
  e.set_author(kPl);
  RequestEvent bad = e;
  bad.mutable_attach()->set_sha256("ABC");
  absl::Status s = ApplyTransition(bad, &r);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("attach.sha256"));
  bad = e;
  bad.mutable_attach()->set_file_name("../etc/passwd");
  s = ApplyTransition(bad, &r);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("attach.file_name"));
  bad = e;
  bad.mutable_attach()->set_media_type("pdf");
  s = ApplyTransition(bad, &r);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("attach.media_type"));
  ASSERT_TRUE(ApplyTransition(e, &r).ok());
  e.set_author(kFr);
  s = ApplyTransition(e, &r);
  EXPECT_EQ(s.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(r.attachments_size(), 1);
}

TEST(RequestRulesTest, NonPartyIsRefused) {
  Request r = InState(A, pwx::v1::REQUEST_KIND_INFORMATION);
  RequestEvent e = SampleActions().at("answer");
  e.set_author(kDe);
  absl::Status s = ApplyTransition(e, &r);
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(s.message(), HasSubstr("not a party"));
}

TEST(RequestRulesTest, KindSpecificRefusals) {
  RequestEvent accept = SampleActions().at("accept");
  accept.set_author(kPl);
  Request alert = InState(W, pwx::v1::REQUEST_KIND_ALERT);
  EXPECT_EQ(ApplyTransition(accept, &alert).code(),
            absl::StatusCode::kFailedPrecondition);

  RequestEvent ack = SampleActions().at("acknowledge");
  ack.set_author(kPl);
  Request info = InState(W, pwx::v1::REQUEST_KIND_INFORMATION);
  EXPECT_EQ(ApplyTransition(ack, &info).code(),
            absl::StatusCode::kFailedPrecondition);

  RequestEvent challenge = SampleActions().at("challenge");
  challenge.set_author(kFr);
  EXPECT_EQ(ApplyTransition(challenge, &info).code(),
            absl::StatusCode::kFailedPrecondition);

  // A penalty is refused on an Art. 17 ground, and the recovery-only
  // grounds do not apply to a notification.
  RequestEvent reject = SampleActions().at("reject");
  reject.set_author(kPl);
  Request recovery = InState(A, pwx::v1::REQUEST_KIND_RECOVERY_OF_PENALTY);
  absl::Status s = ApplyTransition(reject, &recovery);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("reject.ground"));
  reject.mutable_reject()->set_ground(pwx::v1::REFUSAL_GROUND_BELOW_THRESHOLD);
  Request notification =
      InState(A, pwx::v1::REQUEST_KIND_NOTIFICATION_OF_DECISION);
  EXPECT_EQ(ApplyTransition(reject, &notification).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(ApplyTransition(reject, &recovery).ok());
  EXPECT_EQ(recovery.state(), pwx::v1::REQUEST_STATE_REJECTED);
}

TEST(RequestRulesTest, BadActionFieldsNameTheField) {
  Request r = InState(A, pwx::v1::REQUEST_KIND_INFORMATION);
  RequestEvent answer;
  answer.set_author(kPl);
  answer.mutable_answer();
  absl::Status s = ApplyTransition(answer, &r);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("answer.text"));

  RequestEvent split = SampleActions().at("split");
  split.set_author(kPl);
  split.mutable_split()->add_questions(7);
  s = ApplyTransition(split, &r);
  EXPECT_THAT(s.message(), HasSubstr("split.questions[1]"));
  split.mutable_split()->clear_questions();
  for (int q : {0, 1, 2}) split.mutable_split()->add_questions(q);
  s = ApplyTransition(split, &r);
  EXPECT_THAT(s.message(), HasSubstr("forward the request"));

  RequestEvent delay = SampleActions().at("delay");
  delay.set_author(kPl);
  delay.mutable_delay()->set_proposed_date("2026-02-30");
  EXPECT_THAT(ApplyTransition(delay, &r).message(),
              HasSubstr("delay.proposed_date"));
}

TEST(RequestRulesTest, ValidateContentNamesTheField) {
  auto has = [](absl::string_view code) { return code != "NOPE-1"; };
  pwx::v1::RequestContent c = Content(pwx::v1::REQUEST_KIND_INFORMATION);
  EXPECT_TRUE(ValidateContent("content", c, true, has).ok());
  c.set_urgent(true);
  EXPECT_THAT(ValidateContent("content", c, true, has).message(),
              HasSubstr("content.urgency_reason"));
  c.set_urgency_reason("workers leave the site on Friday");
  c.mutable_questions(1)->set_code("NOPE-1");
  EXPECT_THAT(ValidateContent("content", c, true, has).message(),
              HasSubstr("content.questions[1].code"));
  c.clear_questions();
  EXPECT_TRUE(ValidateContent("content", c, false, has).ok())
      << "a draft may be saved without questions";
  EXPECT_THAT(ValidateContent("content", c, true, has).message(),
              HasSubstr("content.questions"));
  pwx::v1::RequestContent recovery =
      Content(pwx::v1::REQUEST_KIND_RECOVERY_OF_PENALTY);
  recovery.mutable_penalty()->mutable_amount()->set_currency("euro");
  EXPECT_THAT(ValidateContent("content", recovery, true, has).message(),
              HasSubstr("content.penalty.amount.currency"));
  recovery.mutable_penalty()->mutable_amount()->set_currency("EUR");
  recovery.mutable_penalty()->clear_summary_of_facts();
  EXPECT_THAT(ValidateContent("content", recovery, true, has).message(),
              HasSubstr("content.penalty.summary_of_facts"));
  EXPECT_TRUE(ValidateContent("content", recovery, false, has).ok());
}

TEST(RequestRulesTest, PeriodDaysFollowsArticle6) {
  pwx::v1::RequestContent c;
  EXPECT_EQ(PeriodDays(c), 25);
  c.set_urgent(true);
  EXPECT_EQ(PeriodDays(c), 2);
  c.set_urgent(false);
  c.set_agreed_period_days(10);
  EXPECT_EQ(PeriodDays(c), 10);
  c.set_urgent(true);
  EXPECT_EQ(PeriodDays(c), 2) << "an agreed period never lengthens it";
}

TEST(RequestRulesTest, RequestIds) {
  EXPECT_EQ(FormatRequestId("FR-DGT", 2026, 1), "FR-DGT-R-2026-000001");
  EXPECT_EQ(FormatRequestId("FR-DGT", 2026, 12345678),
            "FR-DGT-R-2026-12345678");
  EXPECT_TRUE(ValidateRequestId("id", "FR-DGT-R-2026-000001").ok());
  EXPECT_TRUE(ValidateRequestId("id", "FR-DGT-R-2026-12345678").ok());
  EXPECT_TRUE(
      ValidateRequestId("id", SplitRequestId("FR-DGT-R-2026-000001", 2)).ok());
  for (const char* bad : {"", "FR-DGT-2026-1", "FR-DGT-R-26-1",
                          "x-R-2026-000001", "FR-DGT-R-2026-00000a"}) {
    absl::Status s = ValidateRequestId("id", bad);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_THAT(s.message(), HasSubstr("id:")) << bad;
  }
}

// ---- The fold ----

RequestEvent Ev(const std::string& author, uint64_t seq, uint64_t lamport,
                RequestEvent action) {
  action.set_author(author);
  action.set_author_seq(seq);
  action.set_lamport(lamport);
  return action;
}

std::vector<RequestEvent> Received() {
  return {SendEvent(pwx::v1::REQUEST_KIND_INFORMATION),
          Ev(kPl, 1, 2, SampleActions().at("receive")),
          Ev(kPl, 2, 3, SampleActions().at("accept"))};
}

TEST(RequestFoldTest, WithdrawCrossingAnAnswerWinsOnBothNodes) {
  std::vector<RequestEvent> events = Received();
  // Both saw the acceptance (lamport 3) and acted at once.
  events.push_back(Ev(kFr, 2, 4, SampleActions().at("withdraw")));
  events.push_back(Ev(kPl, 3, 4, SampleActions().at("answer")));
  std::vector<RequestEvent> reversed(events.rbegin(), events.rend());
  absl::StatusOr<Request> a = FoldHistory("FR-DGT-R-2026-000001", events);
  absl::StatusOr<Request> b = FoldHistory("FR-DGT-R-2026-000001", reversed);
  ASSERT_TRUE(a.ok()) << a.status();
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(a->SerializeAsString(), b->SerializeAsString());
  EXPECT_EQ(a->state(), pwx::v1::REQUEST_STATE_WITHDRAWN);
  ASSERT_EQ(a->history_size(), 5);
  const RequestEvent& answer = a->history(4);
  ASSERT_TRUE(answer.has_answer());
  EXPECT_TRUE(answer.superseded());
  EXPECT_THAT(answer.superseded_reason(), HasSubstr("WITHDRAWN"));
  EXPECT_TRUE(a->answers().empty());
}

TEST(RequestFoldTest, AnswerSeenBeforeWithdrawStands) {
  std::vector<RequestEvent> events = Received();
  events.push_back(Ev(kPl, 3, 4, SampleActions().at("answer")));
  // The requester saw the answer (lamport 4) before withdrawing.
  events.push_back(Ev(kFr, 2, 5, SampleActions().at("withdraw")));
  absl::StatusOr<Request> r = FoldHistory("FR-DGT-R-2026-000001", events);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->state(), pwx::v1::REQUEST_STATE_ANSWERED);
  EXPECT_TRUE(r->history(4).superseded());
  EXPECT_THAT(r->history(4).superseded_reason(), HasSubstr("ANSWERED"));
}

TEST(RequestFoldTest, CrossingDateProposalsResolveTheSameWay) {
  std::vector<RequestEvent> events = Received();
  RequestEvent fr = SampleActions().at("propose-date");
  fr.mutable_propose_date()->set_date("2026-03-20");
  RequestEvent pl = SampleActions().at("propose-date");
  pl.mutable_propose_date()->set_date("2026-04-10");
  events.push_back(Ev(kFr, 2, 4, fr));
  events.push_back(Ev(kPl, 3, 4, pl));
  // Each side then accepts the proposal it saw from the other.
  events.push_back(Ev(kFr, 3, 5, SampleActions().at("accept-date")));
  events.push_back(Ev(kPl, 4, 5, SampleActions().at("accept-date")));
  std::vector<RequestEvent> shuffled = {events[5], events[3], events[0],
                                        events[6], events[2], events[4],
                                        events[1]};
  absl::StatusOr<Request> a = FoldHistory("FR-DGT-R-2026-000001", events);
  absl::StatusOr<Request> b = FoldHistory("FR-DGT-R-2026-000001", shuffled);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->SerializeAsString(), b->SerializeAsString());
  // Order: FR's proposal, PL's counter-proposal, FR accepts it; PL's
  // accept-date then finds nothing open and is marked superseded.
  EXPECT_EQ(a->due_date(), "2026-04-10");
  EXPECT_FALSE(a->has_date_proposal());
  EXPECT_FALSE(a->history(5).superseded());
  EXPECT_TRUE(a->history(6).superseded());
  EXPECT_THAT(a->history(6).superseded_reason(), HasSubstr("no date proposal"));
}

TEST(RequestFoldTest, DuplicatesAndArrivalOrderDoNotMatter) {
  std::vector<RequestEvent> events = Received();
  events.push_back(Ev(kPl, 3, 4, SampleActions().at("answer")));
  events.push_back(Ev(kFr, 2, 5, SampleActions().at("close")));
  Request r;
  r.set_id("FR-DGT-R-2026-000001");
  *r.add_history() = events[0];
  ASSERT_TRUE(FoldHistory(r.id(), {events[0]}).ok());
  absl::StatusOr<int> added =
      MergeEvents({events[4], events[2], events[1], events[3], events[2]}, &r);
  ASSERT_TRUE(added.ok()) << added.status();
  EXPECT_EQ(*added, 4);
  EXPECT_EQ(*MergeEvents(events, &r), 0);
  EXPECT_EQ(r.state(), pwx::v1::REQUEST_STATE_CLOSED);
  EXPECT_EQ(r.history_size(), 5);
}

TEST(RequestFoldTest, HistoryMustStartWithTheSend) {
  EXPECT_EQ(FoldHistory("FR-DGT-R-2026-000001",
                        {Ev(kPl, 1, 2, SampleActions().at("receive"))})
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(RequestFoldTest, ForwardAndFailedHandoffRestoreTheRecipient) {
  std::vector<RequestEvent> events = Received();
  RequestEvent forward = SampleActions().at("forward");
  forward.mutable_forward()->set_to(kDe);
  events.push_back(Ev(kPl, 3, 4, forward));
  absl::StatusOr<Request> r = FoldHistory("FR-DGT-R-2026-000001", events);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->recipient(), kDe);
  EXPECT_EQ(r->forwarded_from(), kPl);
  EXPECT_EQ(r->state(), pwx::v1::REQUEST_STATE_SENT);
  EXPECT_EQ(SideOf(*r, kPl), pwx::v1::REQUEST_SIDE_UNSPECIFIED);

  // PL's later answer no longer counts; DE's receipt starts a new period.
  std::vector<RequestEvent> with_de = events;
  with_de.push_back(Ev(kPl, 4, 5, SampleActions().at("answer")));
  RequestEvent receive = SampleActions().at("receive");
  receive.mutable_receive()->set_due_date("2026-03-20");
  with_de.push_back(Ev(kDe, 1, 5, receive));
  r = FoldHistory("FR-DGT-R-2026-000001", with_de);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->state(), pwx::v1::REQUEST_STATE_AWAITING_ACCEPTANCE);
  EXPECT_EQ(r->due_date(), "2026-03-20");
  EXPECT_TRUE(r->history(4).superseded() || r->history(5).superseded());

  // The requester cannot reach DE: the request goes back to PL, accepted
  // as it was.
  std::vector<RequestEvent> failed = events;
  RequestEvent handoff = SampleActions().at("handoff-failed");
  handoff.mutable_handoff_failed()->set_to(kDe);
  failed.push_back(Ev(kFr, 2, 5, handoff));
  r = FoldHistory("FR-DGT-R-2026-000001", failed);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->recipient(), kPl);
  EXPECT_EQ(r->state(), pwx::v1::REQUEST_STATE_ACCEPTED);
  EXPECT_EQ(r->due_date(), "2026-03-09");
}

TEST(RequestFoldTest, SplitMovesQuestionsAndNamesTheNewRequest) {
  std::vector<RequestEvent> events = Received();
  RequestEvent split = SampleActions().at("split");
  split.mutable_split()->clear_questions();
  split.mutable_split()->add_questions(0);
  split.mutable_split()->add_questions(2);
  events.push_back(Ev(kPl, 3, 4, split));
  absl::StatusOr<Request> r = FoldHistory("FR-DGT-R-2026-000001", events);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->content().questions_size(), 1);
  EXPECT_EQ(r->content().questions(0).code(), "A1-01");
  EXPECT_THAT(r->split_into(),
              ::testing::ElementsAre("FR-DGT-R-2026-000001-S1"));
}

TEST(RequestFoldTest, HidePersonalDataKeepsWhoAsksWhat) {
  absl::StatusOr<Request> r = FoldHistory("FR-DGT-R-2026-000001", Received());
  ASSERT_TRUE(r.ok());
  r->mutable_content()->mutable_questions(0)->set_text("Is Jan Kowalski paid?");
  HidePersonalData(&*r);
  EXPECT_EQ(r->content().subject(), "");
  EXPECT_EQ(r->content().questions(0).text(), "");
  EXPECT_EQ(r->content().questions(0).code(), "EST-01");
  EXPECT_EQ(r->history(0).send().content().subject(), "");
  EXPECT_EQ(r->requester(), kFr);
  EXPECT_EQ(r->content().kind(), pwx::v1::REQUEST_KIND_INFORMATION);
}

TEST(RequestFoldTest, HidePersonalDataHidesAttachmentNamesNotTheirCount) {
  std::vector<RequestEvent> events = Received();
  RequestEvent attach = SampleActions().at("attach");
  attach.set_author(kFr);
  attach.set_author_seq(2);
  attach.set_lamport(4);
  events.push_back(attach);
  absl::StatusOr<Request> r = FoldHistory("FR-DGT-R-2026-000001", events);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->attachments_size(), 1);
  HidePersonalData(&*r);
  ASSERT_EQ(r->attachments_size(), 1);
  EXPECT_EQ(r->attachments(0).file_name(), "");
  EXPECT_EQ(r->attachments(0).size_bytes(), 1200);
  ASSERT_TRUE(r->history().rbegin()->has_attach());
  EXPECT_EQ(r->history().rbegin()->attach().file_name(), "");
}

// ---- Convergence under random interleavings ----

// One node's copy of the request, as the request manager keeps it: local
// actions are checked against the local state, incoming events merged.
struct SimNode {
  std::string me;
  std::optional<Request> request;
  // Events this node authored that got superseded, as its user would be
  // told.
  std::set<uint64_t> own_superseded;
};

std::vector<RequestEvent> Candidates(std::mt19937* rng) {
  std::vector<RequestEvent> out;
  const auto& samples = SampleActions();
  for (const auto& [name, action] : samples) {
    if (name == "receive" || name == "handoff-failed" || name == "forward" ||
        name == "split") {
      continue;  // node-made steps and hand-offs are tested above
    }
    RequestEvent e = action;
    if (name == "propose-date") {
      e.mutable_propose_date()->set_date(
          absl::StrCat("2026-04-", 10 + (*rng)() % 18));
    }
    if (name == "answer") e.mutable_answer()->set_partial((*rng)() % 3 == 0);
    if (name == "attach") {
      // A few distinct contents, so that some attach twice (refused) and
      // some cross a closure (superseded).
      e.mutable_attach()->set_sha256(std::string(64, "0123"[(*rng)() % 4]));
    }
    out.push_back(e);
  }
  return out;
}

TEST(RequestConvergenceTest, RandomInterleavingsEndIdenticalOnBothNodes) {
  int superseded_seen = 0;
  for (uint32_t seed = 1; seed <= 1000; ++seed) {
    std::mt19937 rng(seed);
    SimNode fr{kFr, std::nullopt, {}};
    SimNode pl{kPl, std::nullopt, {}};
    // In flight, per direction, in order (the federation's links are FIFO);
    // a batch may be delivered again (a redelivery after a lost receipt).
    std::deque<std::vector<RequestEvent>> to_pl, to_fr;
    std::vector<std::vector<RequestEvent>> delivered_to_pl, delivered_to_fr;

    absl::StatusOr<Request> sent = FoldHistory(
        "FR-DGT-R-2026-000001", {SendEvent(pwx::v1::REQUEST_KIND_INFORMATION)});
    ASSERT_TRUE(sent.ok());
    fr.request = *sent;
    to_pl.push_back({sent->history(0)});

    auto deliver = [&](SimNode& node, std::vector<RequestEvent> batch,
                       std::deque<std::vector<RequestEvent>>& reply) {
      if (!node.request) {
        absl::StatusOr<Request> r = FoldHistory("FR-DGT-R-2026-000001", batch);
        ASSERT_TRUE(r.ok()) << r.status();
        node.request = *r;
      } else {
        ASSERT_TRUE(MergeEvents(batch, &*node.request).ok());
      }
      // The recipient's node records the receipt itself.
      Request& r = *node.request;
      if (r.recipient() == node.me &&
          r.state() == pwx::v1::REQUEST_STATE_SENT) {
        RequestEvent e = NextEvent(r, node.me);
        e.mutable_receive()->set_received_date("2026-02-02");
        e.mutable_receive()->set_due_date("2026-03-09");
        Request check = r;
        ASSERT_TRUE(ApplyTransition(e, &check).ok());
        ASSERT_TRUE(MergeEvents({e}, &r).ok());
        reply.push_back({e});
      }
    };
    auto act = [&](SimNode& node, std::deque<std::vector<RequestEvent>>& out) {
      if (!node.request) return;
      std::vector<RequestEvent> candidates = Candidates(&rng);
      std::shuffle(candidates.begin(), candidates.end(), rng);
      for (RequestEvent action : candidates) {
        RequestEvent e = NextEvent(*node.request, node.me);
        e.MergeFrom(action);
        Request check = *node.request;
        if (!ApplyTransition(e, &check).ok()) continue;  // refused locally
        ASSERT_TRUE(MergeEvents({e}, &*node.request).ok());
        out.push_back({e});
        return;
      }
    };

    for (int step = 0; step < 40; ++step) {
      switch (rng() % 6) {
        case 0:
          act(fr, to_pl);
          break;
        case 1:
          act(pl, to_fr);
          break;
        case 2:
          if (!to_pl.empty()) {
            delivered_to_pl.push_back(to_pl.front());
            deliver(pl, to_pl.front(), to_fr);
            to_pl.pop_front();
          }
          break;
        case 3:
          if (!to_fr.empty()) {
            delivered_to_fr.push_back(to_fr.front());
            deliver(fr, to_fr.front(), to_pl);
            to_fr.pop_front();
          }
          break;
        case 4:
          if (!delivered_to_pl.empty()) {
            deliver(pl, delivered_to_pl[rng() % delivered_to_pl.size()], to_fr);
          }
          break;
        case 5:
          if (!delivered_to_fr.empty()) {
            deliver(fr, delivered_to_fr[rng() % delivered_to_fr.size()], to_pl);
          }
          break;
      }
    }
    // The links drain.
    while (!to_pl.empty() || !to_fr.empty()) {
      if (!to_pl.empty()) {
        deliver(pl, to_pl.front(), to_fr);
        to_pl.pop_front();
      }
      if (!to_fr.empty()) {
        deliver(fr, to_fr.front(), to_pl);
        to_fr.pop_front();
      }
    }
    ASSERT_TRUE(fr.request && pl.request) << "seed " << seed;
    ASSERT_EQ(fr.request->SerializeAsString(), pl.request->SerializeAsString())
        << "seed " << seed << "\nFR: " << fr.request->DebugString()
        << "\nPL: " << pl.request->DebugString();
    for (const RequestEvent& e : fr.request->history()) {
      if (e.superseded()) {
        ++superseded_seen;
        EXPECT_FALSE(e.superseded_reason().empty()) << "seed " << seed;
      }
    }
  }
  // The interleavings did produce crossing actions.
  EXPECT_GT(superseded_seen, 50);
}

}  // namespace
}  // namespace pwx::domain
