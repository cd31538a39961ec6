// `pwx request ...` and `pwx stats`: what the CLI sends to RequestService
// and what it prints.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <utility>
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

// --- create ----------------------------------------------------------------

TEST_F(CliRequestTest, CreateSendsTheContentAndPrintsTheDraftId) {
  const CliResult result = Run({"request",
                                "create",
                                "--to",
                                "PL-PIP",
                                "--kind",
                                "information",
                                "--case",
                                "FR-DGT-2026-000002",
                                "--urgent",
                                "--urgency-reason",
                                "site closes Friday",
                                "--question",
                                "EST-01",
                                "--question",
                                "A1-01=pour les 4 salariés",
                                "--text",
                                "Qui paie les salaires ?",
                                "--subject",
                                "Budimex SA",
                                "--lang",
                                "fr",
                                "--agreed-period",
                                "10",
                                "--output",
                                "json"});

  ASSERT_EQ(result.exit_code, 0) << result.err;
  const FakeRequestService::Seen seen = requests().seen();
  ASSERT_THAT(seen.creates, SizeIs(1));
  EXPECT_THAT(seen.creates[0], EqualsProto(R"pb(
                recipient: "PL-PIP"
                content {
                  kind: REQUEST_KIND_INFORMATION
                  urgent: true
                  urgency_reason: "site closes Friday"
                  case_id: "FR-DGT-2026-000002"
                  subject: "Budimex SA"
                  language: "fr"
                  agreed_period_days: 10
                  questions { code: "EST-01" }
                  questions { code: "A1-01" text: "pour les 4 salariés" }
                  questions { text: "Qui paie les salaires ?" }
                }
              )pb"));
  const nlohmann::json json = nlohmann::json::parse(result.out);
  EXPECT_EQ(json["id"], FakeRequestService::kCreatedId);
  EXPECT_EQ(json["state"], "REQUEST_STATE_DRAFT");
}

TEST_F(CliRequestTest, CreateRecoveryCarriesTheInstrumentAndExactCents) {
  const CliResult result = Run({"request",
                                "create",
                                "--to",
                                "PL-PIP",
                                "--kind",
                                "recovery",
                                "--addressee-name",
                                "Budimex SA",
                                "--addressee-address",
                                "Warszawa",
                                "--addressee-id",
                                "PL5260001111",
                                "--facts",
                                "unpaid overtime",
                                "--infringement",
                                "pay below minimum",
                                "--rules",
                                "Code du travail",
                                "--instrument",
                                "titre exécutoire 42",
                                "--assessing-authority",
                                "FR-DGT",
                                "--challenge-body",
                                "TA Lyon",
                                "--enforceable-date",
                                "2026-01-15",
                                "--penalty-nature",
                                "administrative fine",
                                "--amount",
                                "1250.5",
                                "--currency",
                                "EUR",
                                "--enforcement-dates",
                                "notified 2026-01-02",
                                "--served",
                                "--service-details",
                                "registered letter",
                                "--in-default",
                                "--final",
                                "--claim",
                                "fine and costs"});

  ASSERT_EQ(result.exit_code, 0) << result.err;
  const FakeRequestService::Seen seen = requests().seen();
  ASSERT_THAT(seen.creates, SizeIs(1));
  EXPECT_THAT(seen.creates[0].content(), EqualsProto(R"pb(
                kind: REQUEST_KIND_RECOVERY_OF_PENALTY
                penalty {
                  addressee_name: "Budimex SA"
                  addressee_address: "Warszawa"
                  addressee_identification: "PL5260001111"
                  summary_of_facts: "unpaid overtime"
                  nature_of_infringement: "pay below minimum"
                  applicable_rules: "Code du travail"
                  enforcement_instrument: "titre exécutoire 42"
                  assessing_authority: "FR-DGT"
                  challenge_body: "TA Lyon"
                  enforceable_date: "2026-01-15"
                  penalty_nature: "administrative fine"
                  amount { currency: "EUR" cents: 125050 }
                  enforcement_dates: "notified 2026-01-02"
                  served: true
                  service_details: "registered letter"
                  given_in_default: true
                  no_further_appeal: true
                  underlying_claim: "fine and costs"
                }
              )pb"));
  EXPECT_THAT(result.out, HasSubstr("1250.50 EUR"));
}

TEST_F(CliRequestTest, AmountsParseExactlyIntoCents) {
  const std::vector<std::pair<std::string, int64_t>> amounts = {
      {"1250", 125000},    {"1250.5", 125050},
      {"1250.50", 125050}, {"0.07", 7},
      {"0.1", 10},         {"999999999999999.99", 99999999999999999},
  };
  for (const auto& [amount, cents] : amounts) {
    const CliResult result =
        Run({"request", "create", "--to", "PL-PIP", "--kind", "notification",
             "--amount", amount, "--currency", "PLN"});
    EXPECT_EQ(result.exit_code, 0) << amount << ": " << result.err;
  }
  std::vector<int64_t> sent;
  for (const pwx::v1::CreateRequestRequest& create :
       requests().seen().creates) {
    sent.push_back(create.content().penalty().amount().cents());
  }
  EXPECT_THAT(sent,
              ElementsAre(125000, 125050, 125050, 7, 10, 99999999999999999));
}

TEST_F(CliRequestTest, BadAmountsAreUsageErrorsNamingTheFlag) {
  for (const std::string amount : {"12,50", "1250.505", "-3", "abc", "1e3", "",
                                   ".5", "12.", "1 250", "1000000000000000"}) {
    SCOPED_TRACE(amount);
    ExpectUsageError({"request", "create", "--to", "PL-PIP", "--kind",
                      "recovery", "--amount", amount, "--currency", "EUR"},
                     "--amount");
  }
}

TEST_F(CliRequestTest, AmountNeedsACurrencyOfThreeCapitals) {
  ExpectUsageError({"request", "create", "--to", "PL-PIP", "--kind", "recovery",
                    "--amount", "10"},
                   "--currency: required with --amount");
  ExpectUsageError({"request", "create", "--to", "PL-PIP", "--kind", "recovery",
                    "--amount", "10", "--currency", "eur"},
                   "--currency");
}

TEST_F(CliRequestTest, UrgentWithoutReasonIsAUsageError) {
  ExpectUsageError({"request", "create", "--to", "PL-PIP", "--kind",
                    "information", "--urgent", "--question", "EST-01"},
                   "--urgency-reason");
}

TEST_F(CliRequestTest, CreateChecksKindRecipientAndPenaltyFlags) {
  ExpectUsageError({"request", "create", "--to", "PL-PIP", "--kind", "info"},
                   "--kind: unknown kind 'info'; one of: information, "
                   "notification, recovery, alert");
  ExpectUsageError({"request", "create", "--kind", "information"}, "--to");
  ExpectUsageError({"request", "create", "--to", "pl", "--kind", "alert"},
                   "--to");
  ExpectUsageError({"request", "create", "--to", "PL-PIP"}, "--kind");
  ExpectUsageError({"request", "create", "--to", "PL-PIP", "--kind",
                    "information", "--amount", "10", "--currency", "EUR"},
                   "--amount: only for notification and recovery requests");
  ExpectUsageError({"request", "create", "--to", "PL-PIP", "--kind", "recovery",
                    "--enforceable-date", "2026-02-30"},
                   "--enforceable-date");
  ExpectUsageError({"request", "create", "--to", "PL-PIP", "--kind",
                    "information", "--lang", "French"},
                   "--lang");
  ExpectUsageError({"request", "create", "--to", "PL-PIP", "--kind",
                    "information", "--question", "EST 01"},
                   "--question");
}

// --- transitions -----------------------------------------------------------

struct Transition {
  std::vector<std::string> args;  // after "request VERB ID"
  std::string step;               // the expected ActRequest.step
};

TEST_F(CliRequestTest, EachVerbSendsItsAction) {
  const std::vector<std::pair<std::string, Transition>> verbs = {
      {"send", {{}, "send {}"}},
      {"accept",
       {{"--expected-date", "2026-03-01"},
        "accept { expected_date: '2026-03-01' }"}},
      {"accept", {{}, "accept {}"}},
      {"clarify",
       {{"--text", "Which site?"}, "clarify { text: 'Which site?' }"}},
      {"reply", {{"--text", "Lyon 3e"}, "reply { text: 'Lyon 3e' }"}},
      {"answer",
       {{"--text", "Registered in Warsaw", "--partial"},
        "answer { text: 'Registered in Warsaw' partial: true }"}},
      {"answer", {{"--text", "All done"}, "answer { text: 'All done' }"}},
      {"forward",
       {{"--to", "DE-ZOLL", "--reason", "customs"},
        "forward { to: 'DE-ZOLL' reason: 'customs' }"}},
      {"reject",
       {{"--reason", "already paid", "--ground", "below-threshold"},
        "reject { reason: 'already paid' ground: "
        "REFUSAL_GROUND_BELOW_THRESHOLD }"}},
      {"withdraw", {{"--reason", "solved"}, "withdraw { reason: 'solved' }"}},
      {"close",
       {{"--rating-timeliness", "negative", "--rating-effort", "positive"},
        "close { rating { timeliness: NEGATIVE effort: POSITIVE } }"}},
      {"close",
       {{"--rating", "timeliness=positive,effort=negative"},
        "close { rating { timeliness: POSITIVE effort: NEGATIVE } }"}},
      {"close", {{}, "close {}"}},
      {"reopen",
       {{"--reason", "incomplete"}, "reopen { reason: 'incomplete' }"}},
      {"delay",
       {{"--reason", "archives", "--date", "2026-04-01"},
        "delay { reason: 'archives' proposed_date: '2026-04-01' }"}},
      {"propose-date",
       {{"--date", "2026-03-20", "--reason", "holidays"},
        "propose_date { date: '2026-03-20' reason: "
        "'holidays' }"}},
      {"accept-date", {{}, "accept_date {}"}},
      {"challenge",
       {{"--reason", "appeal at TA Lyon"},
        "challenge { reason: 'appeal at TA Lyon' }"}},
      {"resume", {{}, "resume {}"}},
      {"acknowledge", {{}, "acknowledge {}"}},
  };
  requests().AddRequest(AcceptedRequest());
  for (const auto& [verb, transition] : verbs) {
    std::vector<std::string> args = {"request", verb, kId};
    args.insert(args.end(), transition.args.begin(), transition.args.end());
    const CliResult result = Run(args);
    EXPECT_EQ(result.exit_code, 0) << verb << ": " << result.err;
  }
  const FakeRequestService::Seen seen = requests().seen();
  ASSERT_THAT(seen.acts, SizeIs(verbs.size()));
  for (size_t i = 0; i < verbs.size(); ++i) {
    SCOPED_TRACE(verbs[i].first);
    EXPECT_EQ(seen.acts[i].id(), kId);
    EXPECT_FALSE(seen.acts[i].has_expected_history());
    EXPECT_THAT(seen.acts[i].step(), EqualsProto(verbs[i].second.step));
  }
}

TEST_F(CliRequestTest, ActPrintsTheRequestAfterwards) {
  requests().AddRequest(AcceptedRequest());

  const CliResult result = Run({"request", "answer", kId, "--text",
                                "Registered in Warsaw", "--output", "json"});

  ASSERT_EQ(result.exit_code, 0) << result.err;
  const nlohmann::json json = nlohmann::json::parse(result.out);
  EXPECT_EQ(json["id"], kId);
  ASSERT_EQ(json["history"].size(), 5u);
  EXPECT_EQ(json["history"][4]["answer"]["text"], "Registered in Warsaw");
}

TEST_F(CliRequestTest, ExpectedHistoryIsSentWhenGiven) {
  requests().AddRequest(AcceptedRequest());

  const CliResult result =
      Run({"request", "withdraw", kId, "--expected-history", "4"});

  ASSERT_EQ(result.exit_code, 0) << result.err;
  const FakeRequestService::Seen seen = requests().seen();
  ASSERT_THAT(seen.acts, SizeIs(1));
  ASSERT_TRUE(seen.acts[0].has_expected_history());
  EXPECT_EQ(seen.acts[0].expected_history(), 4u);
}

TEST_F(CliRequestTest, SplitSendsZeroBasedIndexes) {
  requests().AddRequest(AcceptedRequest());

  const CliResult result =
      Run({"request", "split", kId, "--to", "DE-ZOLL", "--question", "3",
           "--question", "1", "--reason", "wages are customs'"});

  ASSERT_EQ(result.exit_code, 0) << result.err;
  const FakeRequestService::Seen seen = requests().seen();
  ASSERT_THAT(seen.acts, SizeIs(1));
  EXPECT_THAT(seen.acts[0].step(), EqualsProto(R"pb(
                split {
                  to: "DE-ZOLL"
                  questions: [ 2, 0 ]
                  reason: "wages are customs'"
                }
              )pb"));
  // The history shows the questions the way `show` numbers them.
  EXPECT_THAT(result.out, HasSubstr("questions 3, 1 to DE-ZOLL"));
}

TEST_F(CliRequestTest, SplitRefusesQuestionNumbersTheRequestDoesNotHave) {
  requests().AddRequest(AcceptedRequest());

  ExpectUsageError(
      {"request", "split", kId, "--to", "DE-ZOLL", "--question", "4"},
      "--question: no question 4; the request has 3");
  ExpectUsageError(
      {"request", "split", kId, "--to", "DE-ZOLL", "--question", "0"},
      "--question");
  ExpectUsageError({"request", "split", kId, "--to", "DE-ZOLL", "--question",
                    "2", "--question", "2"},
                   "--question: question 2 given twice");
  ExpectUsageError({"request", "split", kId, "--to", "DE-ZOLL"}, "--question");
}

TEST_F(CliRequestTest, TransitionFlagsAreCheckedBeforeAnythingIsSent) {
  requests().AddRequest(AcceptedRequest());

  ExpectUsageError({"request", "answer", kId}, "--text");
  ExpectUsageError({"request", "answer", kId, "--text", "  "},
                   "--text: must not be empty");
  ExpectUsageError({"request", "clarify", kId}, "--text");
  ExpectUsageError({"request", "reject", kId}, "--reason");
  ExpectUsageError(
      {"request", "reject", kId, "--reason", "x", "--ground", "late"},
      "--ground: unknown ground 'late'; one of: incomplete, "
      "mismatch, disproportionate-cost, below-threshold, "
      "fundamental-rights");
  ExpectUsageError({"request", "accept", kId, "--expected-date", "1/3/2026"},
                   "--expected-date");
  ExpectUsageError({"request", "delay", kId, "--reason", "x"}, "--date");
  ExpectUsageError(
      {"request", "delay", kId, "--reason", "x", "--date", "2026-13-01"},
      "--date");
  ExpectUsageError({"request", "propose-date", kId}, "--date");
  ExpectUsageError({"request", "forward", kId}, "--to");
  ExpectUsageError({"request", "forward", kId, "--to", "nobody"}, "--to");
  ExpectUsageError({"request", "close", kId, "--rating-timeliness", "bad"},
                   "--rating-timeliness: unknown rating 'bad'; one of: "
                   "positive, negative");
  ExpectUsageError({"request", "close", kId, "--rating", "speed=positive"},
                   "--rating: unknown part 'speed'");
  ExpectUsageError({"request", "challenge", kId}, "--reason");
  ExpectUsageError({"request", "withdraw", kId, "--expected-history", "-1"},
                   "--expected-history");
  ExpectUsageError({"request", "send"}, "ID");
}

TEST_F(CliRequestTest, ModifyChangesOnlyWhatIsGiven) {
  requests().AddRequest(AcceptedRequest());

  const CliResult result =
      Run({"request", "modify", kId, "--subject", "Budimex SA, 5 workers",
           "--urgent", "--urgency-reason", "site closes"});

  ASSERT_EQ(result.exit_code, 0) << result.err;
  const FakeRequestService::Seen seen = requests().seen();
  ASSERT_THAT(seen.acts, SizeIs(1));
  pwx::v1::RequestContent expected = AcceptedRequest().content();
  expected.set_subject("Budimex SA, 5 workers");
  expected.set_urgent(true);
  expected.set_urgency_reason("site closes");
  // Catalogue texts are filled on reading only; they are not sent back.
  for (pwx::v1::Question& q : *expected.mutable_questions()) {
    q.clear_catalogue_text();
  }
  std::string text;
  google::protobuf::TextFormat::PrintToString(expected, &text);
  EXPECT_THAT(seen.acts[0].step().modify().content(), EqualsProto(text));
}

TEST_F(CliRequestTest, ModifyReplacesTheQuestionsAndTurnsUrgencyOff) {
  pwx::v1::Request urgent = AcceptedRequest();
  urgent.mutable_content()->set_urgent(true);
  urgent.mutable_content()->set_urgency_reason("was urgent");
  requests().AddRequest(urgent);

  const CliResult result =
      Run({"request", "modify", kId, "--no-urgent", "--question", "PAY-02",
           "--text", "Pay slips?"});

  ASSERT_EQ(result.exit_code, 0) << result.err;
  const FakeRequestService::Seen seen = requests().seen();
  ASSERT_THAT(seen.acts, SizeIs(1));
  const pwx::v1::RequestContent& sent = seen.acts[0].step().modify().content();
  EXPECT_FALSE(sent.urgent());
  EXPECT_THAT(sent.urgency_reason(), IsEmpty());
  EXPECT_EQ(sent.subject(), "Budimex SA, 4 workers in Lyon");
  ASSERT_THAT(sent.questions(), SizeIs(2));
  EXPECT_THAT(sent.questions(0), EqualsProto("code: 'PAY-02'"));
  EXPECT_THAT(sent.questions(1), EqualsProto("text: 'Pay slips?'"));
}

TEST_F(CliRequestTest, ModifyKeepsTheCurrencyOfAnAmountItChanges) {
  pwx::v1::Request recovery = AcceptedRequest();
  recovery.mutable_content()->set_kind(
      pwx::v1::REQUEST_KIND_RECOVERY_OF_PENALTY);
  pwx::v1::Money* amount =
      recovery.mutable_content()->mutable_penalty()->mutable_amount();
  amount->set_currency("PLN");
  amount->set_cents(100);
  recovery.mutable_content()->mutable_penalty()->set_served(true);
  requests().AddRequest(recovery);

  const CliResult result =
      Run({"request", "modify", kId, "--amount", "5400.5", "--no-served"});

  ASSERT_EQ(result.exit_code, 0) << result.err;
  const FakeRequestService::Seen seen = requests().seen();
  ASSERT_THAT(seen.acts, SizeIs(1));
  const pwx::v1::PenaltyInstrument& sent =
      seen.acts[0].step().modify().content().penalty();
  EXPECT_THAT(sent.amount(), EqualsProto("currency: 'PLN' cents: 540050"));
  EXPECT_FALSE(sent.served());
}

TEST_F(CliRequestTest, ModifyChecksItsFlags) {
  requests().AddRequest(AcceptedRequest());

  ExpectUsageError({"request", "modify", kId}, "nothing to modify");
  ExpectUsageError({"request", "modify", kId, "--amount", "1.234"}, "--amount");
  // An information request takes no penalty fields, which only the request
  // itself tells.
  ExpectUsageError(
      {"request", "modify", kId, "--amount", "12", "--currency", "EUR"},
      "--amount: only for notification and recovery requests");
  ExpectUsageError({"request", "modify", kId, "--urgent"}, "--urgency-reason");
}

// --- show ------------------------------------------------------------------

TEST_F(CliRequestTest, ShowJsonIsTheRequestInTheProtoMapping) {
  requests().AddRequest(AcceptedRequest());

  const CliResult result = Run({"request", "show", kId, "--output", "json"});

  ASSERT_EQ(result.exit_code, 0) << result.err;
  const nlohmann::json json = nlohmann::json::parse(result.out);
  EXPECT_EQ(json["id"], kId);
  EXPECT_EQ(json["state"], "REQUEST_STATE_ACCEPTED");
  EXPECT_EQ(json["dueDate"], "2026-03-10");
  EXPECT_EQ(json["workingDaysLeft"], 12);
  EXPECT_EQ(json["content"]["kind"], "REQUEST_KIND_INFORMATION");
  ASSERT_EQ(json["history"].size(), 4u);
  EXPECT_TRUE(json["history"][0].contains("send"));
  EXPECT_EQ(json["history"][2]["accept"]["expectedDate"], "2026-03-01");
  EXPECT_EQ(json["history"][3]["superseded"], true);
  EXPECT_EQ(requests().seen().gets[0].id(), kId);
}

TEST_F(CliRequestTest, ShowTablePrintsDueDateDaysLeftQuestionsAndHistory) {
  requests().AddRequest(AcceptedRequest());

  const CliResult result = Run({"request", "show", kId});

  ASSERT_EQ(result.exit_code, 0) << result.err;
  const std::string& out = result.out;
  EXPECT_THAT(out, HasSubstr("FR-DGT → PL-PIP"));
  EXPECT_THAT(out, HasSubstr("state:"));
  EXPECT_THAT(out, HasSubstr("accepted\n"));
  EXPECT_THAT(out, HasSubstr("2026-03-10 (25 working days, from receipt on "
                             "2026-02-03, calendar eu-holidays-2026.1)"));
  EXPECT_THAT(out, HasSubstr("days left:"));
  EXPECT_THAT(out, HasSubstr("12 working days"));
  EXPECT_THAT(out, HasSubstr("expected:"));
  EXPECT_THAT(out, HasSubstr("recipient PL-PIP"));
  EXPECT_THAT(out, HasSubstr("  1. EST-01  Where is the registered office?\n"));
  EXPECT_THAT(out, HasSubstr("  2. A1-01  Is an A1 issued?\n"
                             "     pour les 4 salariés (fr)\n"));
  EXPECT_THAT(out, HasSubstr("  3. Qui paie les salaires ? (fr)\n"));
  // The history, oldest first, one line per event.
  const size_t send = out.find("alice   send");
  const size_t receive = out.find("(node)  receive");
  const size_t accept = out.find("piotr   accept");
  const size_t withdraw = out.find("alice   withdraw");
  ASSERT_NE(send, std::string::npos) << out;
  ASSERT_NE(receive, std::string::npos) << out;
  ASSERT_NE(accept, std::string::npos) << out;
  ASSERT_NE(withdraw, std::string::npos) << out;
  EXPECT_LT(send, receive);
  EXPECT_LT(receive, accept);
  EXPECT_LT(accept, withdraw);
  EXPECT_THAT(out, HasSubstr("2026-02-03 08:00:00 UTC"));
  EXPECT_THAT(out, HasSubstr("expected 2026-03-01"));
  const std::string withdraw_line =
      out.substr(withdraw, out.find('\n', withdraw) - withdraw);
  EXPECT_THAT(withdraw_line,
              HasSubstr("no longer needed  SUPERSEDED: the answer crossed it"));
  const std::string accept_line =
      out.substr(accept, out.find('\n', accept) - accept);
  EXPECT_THAT(accept_line, Not(HasSubstr("SUPERSEDED")));
}

TEST_F(CliRequestTest, ShowMarksAnOverdueRequest) {
  pwx::v1::Request late = AcceptedRequest();
  late.set_overdue(true);
  late.set_working_days_left(-3);
  requests().AddRequest(late);

  const CliResult result = Run({"request", "show", kId});

  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr("OVERDUE by 3 working days"));
}

TEST_F(CliRequestTest, ShowTellsTheRecipientThatPersonalDataAreHidden) {
  pwx::v1::Request received = AcceptedRequest();
  received.set_state(pwx::v1::REQUEST_STATE_AWAITING_ACCEPTANCE);
  received.set_my_side(pwx::v1::REQUEST_SIDE_RECIPIENT);
  received.set_personal_data_hidden(true);
  received.mutable_content()->clear_subject();
  received.mutable_date_proposal()->set_side(pwx::v1::REQUEST_SIDE_REQUESTER);
  received.mutable_date_proposal()->set_date("2026-03-20");
  received.set_clarification_by(pwx::v1::REQUEST_SIDE_RECIPIENT);
  requests().AddRequest(received);

  const CliResult result = Run({"request", "show", kId});

  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr("awaiting-acceptance"));
  EXPECT_THAT(result.out, HasSubstr("personal data hidden"));
  EXPECT_THAT(result.out, HasSubstr("recipient PL-PIP (you)"));
  EXPECT_THAT(result.out, HasSubstr("2026-03-20 by requester FR-DGT"));
  EXPECT_THAT(result.out, HasSubstr("asked by recipient PL-PIP (you)"));
}

// --- server errors ---------------------------------------------------------

TEST_F(CliRequestTest, ServerErrorsPrintTheirCodeAndExitOne) {
  requests().AddRequest(AcceptedRequest());
  requests().FailWith(grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                                   "request FR-DGT-R-2026-000007 is CLOSED"));

  const CliResult result = Run({"request", "answer", kId, "--text", "x"});

  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.err,
            "pwx: FAILED_PRECONDITION: request FR-DGT-R-2026-000007 is "
            "CLOSED\n");
  EXPECT_THAT(result.out, IsEmpty());
}

TEST_F(CliRequestTest, UnknownRequestIsNotFound) {
  const CliResult result = Run({"request", "show", "FR-DGT-R-2026-999999"});

  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.err,
            "pwx: NOT_FOUND: request FR-DGT-R-2026-999999 not found\n");
}

TEST_F(CliRequestTest, WrongSideIsPermissionDenied) {
  requests().FailWith(grpc::Status(grpc::StatusCode::PERMISSION_DENIED,
                                   "close: only the requester may close"));

  const CliResult result = Run({"request", "close", kId});

  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.err,
            "pwx: PERMISSION_DENIED: close: only the requester may close\n");
}

}  // namespace
}  // namespace pwx::testing
