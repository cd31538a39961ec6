// Requests as nodes hold them, for the request benchmarks: the events of an
// information request built the way server/requests.cc makes them (author,
// author_seq and lamport as domain::NextEvent gives them, a receipt with
// its due date), folded with domain::FoldHistory. Header-only: needs
// pwx_domain and the protos, no test framework.
#ifndef PWX_TESTS_DOMAIN_REQUEST_SAMPLES_H_
#define PWX_TESTS_DOMAIN_REQUEST_SAMPLES_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "pwx/v1/request.pb.h"
#include "server/domain/request_rules.h"

namespace pwx::testing {

// "2026-03-09".
inline std::string SampleDate(absl::CivilDay day) {
  return absl::FormatCivilTime(day);
}

// The content of an information request of the usual size: a subject
// naming the undertaking and a worker, three catalogue questions and one
// free-text question. `n` varies the names.
inline pwx::v1::RequestContent SampleInformation(uint64_t n) {
  pwx::v1::RequestContent c;
  c.set_kind(pwx::v1::REQUEST_KIND_INFORMATION);
  c.set_language("fr");
  c.set_subject(absl::StrCat("Budimex Konstrukcje Sp. z o.o. (PL77700", n % 997,
                             "); worker Jan Kowalski, born 1985-04-12"));
  for (const char* code : {"EST-01", "A1-01", "PAY-01"}) {
    c.add_questions()->set_code(code);
  }
  pwx::v1::Question* q = c.add_questions();
  q->set_text(
      "Où le salarié a-t-il été recruté, et par quelle agence de travail "
      "temporaire ?");
  q->set_language("fr");
  if (n % 5 == 0)
    c.set_case_id(absl::StrCat("FR-DGT-2026-", 100000 + n % 900000));
  return c;
}

// Appends the next event of `history` by `author`, as NextEvent numbers
// it, at time `at`.
class SampleHistory {
 public:
  SampleHistory(std::string requester, std::string recipient)
      : requester_(std::move(requester)), recipient_(std::move(recipient)) {}

  pwx::v1::RequestEvent& Add(const std::string& author, absl::Time at) {
    pwx::v1::RequestEvent& e = events_.emplace_back();
    e.set_author(author);
    e.set_author_seq(++seq_[author == requester_ ? 0 : 1]);
    e.set_lamport(events_.size());
    e.mutable_at()->set_seconds(absl::ToUnixSeconds(at));
    e.set_user(author == requester_ ? "anne.martin" : "piotr.nowak");
    return e;
  }
  void Send(const pwx::v1::RequestContent& content, absl::Time at) {
    pwx::v1::SendAction* send = Add(requester_, at).mutable_send();
    *send->mutable_content() = content;
    send->set_to(recipient_);
  }
  void Receive(absl::CivilDay received, absl::CivilDay due,
               const std::string& calendar_version, absl::Time at) {
    pwx::v1::ReceiveAction* r = Add(recipient_, at).mutable_receive();
    r->set_received_date(SampleDate(received));
    r->set_due_date(SampleDate(due));
    r->set_period_days(domain::kNormalPeriodDays);
    r->set_calendar_version(calendar_version);
  }
  void Clarify(absl::Time at) {
    Add(recipient_, at)
        .mutable_clarify()
        ->set_text("Which site: Lyon Part-Dieu or Villeurbanne?");
  }
  void Reply(absl::Time at) {
    Add(requester_, at).mutable_reply()->set_text("Lyon Part-Dieu, lot 4.");
  }
  void Accept(absl::CivilDay expected, absl::Time at) {
    Add(recipient_, at)
        .mutable_accept()
        ->set_expected_date(SampleDate(expected));
  }
  void Answer(absl::Time at) {
    Add(recipient_, at)
        .mutable_answer()
        ->set_text(
            "Registered in Warsaw since 2019; the worker was recruited "
            "directly, "
            "no agency; A1 PL-A1-2026-000123 valid to 2026-06-30.");
  }
  void Close(absl::Time at) {
    Add(requester_, at)
        .mutable_close()
        ->mutable_rating()
        ->set_timeliness(pwx::v1::Rating::POSITIVE);
  }

  const std::vector<pwx::v1::RequestEvent>& events() const { return events_; }

 private:
  std::string requester_;
  std::string recipient_;
  uint64_t seq_[2] = {0, 0};
  std::vector<pwx::v1::RequestEvent> events_;
};

// A typical history of six events: sent, received (due 25 working days
// on, 2026-03-09 on a weekdays calendar), a clarification asked and
// answered, accepted, answered.
inline SampleHistory SixEventHistory() {
  SampleHistory h("FR-DGT", "PL-PIP");
  const absl::Time t0 = absl::FromCivil(absl::CivilSecond(2026, 2, 2, 9, 30, 0),
                                        absl::UTCTimeZone());
  h.Send(SampleInformation(1), t0);
  h.Receive(absl::CivilDay(2026, 2, 2), absl::CivilDay(2026, 3, 9), "eu-2026.1",
            t0 + absl::Seconds(2));
  h.Clarify(t0 + absl::Hours(24));
  h.Reply(t0 + absl::Hours(30));
  h.Accept(absl::CivilDay(2026, 3, 1), t0 + absl::Hours(48));
  h.Answer(t0 + absl::Hours(24 * 14));
  return h;
}

}  // namespace pwx::testing

#endif  // PWX_TESTS_DOMAIN_REQUEST_SAMPLES_H_
