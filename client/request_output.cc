#include "client/request_output.h"

#include <algorithm>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "client/output.h"
#include "client/request_input.h"

namespace pwx::client {
namespace {

using Fields = std::vector<std::pair<std::string, std::string>>;

// "PL-PIP (you)" for the reader's own side.
std::string SideParty(const pwx::v1::Request& r, pwx::v1::RequestSide side) {
  const std::string& authority =
      side == pwx::v1::REQUEST_SIDE_REQUESTER ? r.requester() : r.recipient();
  std::string text = absl::StrCat(RequestSideName(side), " ", authority);
  if (side == r.my_side()) absl::StrAppend(&text, " (you)");
  return text;
}

// The other party, seen from the reader.
std::string Peer(const pwx::v1::Request& r) {
  return r.my_side() == pwx::v1::REQUEST_SIDE_RECIPIENT ? r.requester()
                                                        : r.recipient();
}

// Working days left are meaningful while the recipient must act.
bool ShowsDaysLeft(const pwx::v1::Request& r) {
  return !r.due_date().empty() &&
         (r.overdue() || r.next_actor() == pwx::v1::REQUEST_SIDE_RECIPIENT);
}

std::string DaysLeft(const pwx::v1::Request& r) {
  if (r.overdue()) {
    if (r.working_days_left() < 0) {
      return absl::StrCat("OVERDUE by ", -r.working_days_left(), " working day",
                          r.working_days_left() == -1 ? "" : "s");
    }
    return "OVERDUE";
  }
  return absl::StrCat(r.working_days_left(), " working day",
                      r.working_days_left() == 1 ? "" : "s");
}

// The list's shorter form: "12", "OVERDUE by 3", "" when not meaningful.
std::string ListDaysLeft(const pwx::v1::Request& r) {
  if (!ShowsDaysLeft(r)) return "";
  if (!r.overdue()) return absl::StrCat(r.working_days_left());
  if (r.working_days_left() < 0) {
    return absl::StrCat("OVERDUE by ", -r.working_days_left());
  }
  return "OVERDUE";
}

std::string DueDate(const pwx::v1::Request& r) {
  if (r.due_date().empty()) return "";
  std::vector<std::string> details;
  if (r.period_days() > 0) {
    details.push_back(absl::StrCat(r.period_days(), " working days"));
  }
  if (!r.received_date().empty()) {
    details.push_back(absl::StrCat("from receipt on ", r.received_date()));
  }
  if (!r.calendar_version().empty()) {
    details.push_back(absl::StrCat("calendar ", r.calendar_version()));
  }
  if (details.empty()) return r.due_date();
  return absl::StrCat(r.due_date(), " (", absl::StrJoin(details, ", "), ")");
}

std::string Rating(const pwx::v1::Rating& rating) {
  std::vector<std::string> parts;
  if (rating.timeliness() != pwx::v1::Rating::VALUE_UNSPECIFIED) {
    parts.push_back(
        absl::StrCat("timeliness=", RatingName(rating.timeliness())));
  }
  if (rating.effort() != pwx::v1::Rating::VALUE_UNSPECIFIED) {
    parts.push_back(absl::StrCat("effort=", RatingName(rating.effort())));
  }
  return absl::StrJoin(parts, ",");
}

// "what: reason", leaving out what is empty.
std::string Joined(absl::string_view what, absl::string_view reason) {
  if (what.empty()) return std::string(reason);
  if (reason.empty()) return std::string(what);
  return absl::StrCat(what, ": ", reason);
}

std::string EventDetails(const pwx::v1::RequestEvent& e) {
  using E = pwx::v1::RequestEvent;
  switch (e.action_case()) {
    case E::kSend: {
      const pwx::v1::RequestContent& c = e.send().content();
      return absl::StrCat(
          RequestKindName(c.kind()), c.urgent() ? ", urgent" : "", ", ",
          c.questions_size(), " question", c.questions_size() == 1 ? "" : "s");
    }
    case E::kReceive: {
      const pwx::v1::ReceiveAction& a = e.receive();
      return absl::StrCat("received ", a.received_date(), ", due ",
                          a.due_date(), " (", a.period_days(),
                          " working days, calendar ", a.calendar_version(),
                          ")");
    }
    case E::kAccept:
      return e.accept().expected_date().empty()
                 ? ""
                 : absl::StrCat("expected ", e.accept().expected_date());
    case E::kClarify:
      return e.clarify().text();
    case E::kReply:
      return e.reply().text();
    case E::kForward:
      return Joined(absl::StrCat("to ", e.forward().to()),
                    e.forward().reason());
    case E::kSplit: {
      std::vector<int> numbers;
      for (int32_t index : e.split().questions()) numbers.push_back(index + 1);
      return Joined(
          absl::StrCat("question", numbers.size() == 1 ? " " : "s ",
                       absl::StrJoin(numbers, ", "), " to ", e.split().to()),
          e.split().reason());
    }
    case E::kAnswer:
      return Joined(e.answer().partial() ? "partial" : "", e.answer().text());
    case E::kDelay:
      return Joined(absl::StrCat("proposed ", e.delay().proposed_date()),
                    e.delay().reason());
    case E::kReject:
      return Joined(e.reject().ground() == pwx::v1::REFUSAL_GROUND_UNSPECIFIED
                        ? ""
                        : RefusalGroundName(e.reject().ground()),
                    e.reject().reason());
    case E::kModify:
      return "content changed";
    case E::kWithdraw:
      return e.withdraw().reason();
    case E::kClose:
      return Rating(e.close().rating());
    case E::kReopen:
      return e.reopen().reason();
    case E::kProposeDate:
      return Joined(e.propose_date().date(), e.propose_date().reason());
    case E::kChallenge:
      return e.challenge().reason();
    case E::kHandoffFailed:
      return Joined(absl::StrCat("to ", e.handoff_failed().to()),
                    e.handoff_failed().reason());
    case E::kAttach:
      return Joined(e.attach().file_name(),
                    absl::StrCat(FormatSize(e.attach().size_bytes()), ", ",
                                 e.attach().sha256().substr(0, 12)));
    case E::kAcceptDate:
    case E::kResume:
    case E::kAcknowledge:
    case E::ACTION_NOT_SET:
      return "";
  }
  return "";
}

void PrintPenalty(const pwx::v1::PenaltyInstrument& p, std::ostream& out) {
  Fields fields = {
      {"addressee", p.addressee_name()},
      {"address", p.addressee_address()},
      {"identification", p.addressee_identification()},
      {"facts", p.summary_of_facts()},
      {"infringement", p.nature_of_infringement()},
      {"rules", p.applicable_rules()},
      {"instrument", p.enforcement_instrument()},
      {"assessed by", p.assessing_authority()},
      {"challenge body", p.challenge_body()},
      {"enforceable", p.enforceable_date()},
      {"penalty", p.penalty_nature()},
      {"amount", p.has_amount() ? absl::StrCat(FormatCents(p.amount().cents()),
                                               " ", p.amount().currency())
                                : ""},
      {"enforcement dates", p.enforcement_dates()},
      {"served", p.served() ? Joined("yes", p.service_details()) : "no"},
      {"given in default", p.given_in_default() ? "yes" : "no"},
      {"no further appeal", p.no_further_appeal() ? "yes" : "no"},
      {"claim", p.underlying_claim()},
  };
  Fields shown;
  for (auto& field : fields) {
    if (!field.second.empty()) shown.push_back(std::move(field));
  }
  out << "\npenalty (Art. 16 instrument)\n";
  std::ostringstream block;
  PrintFields(shown, block);
  for (absl::string_view line :
       absl::StrSplit(block.str(), '\n', absl::SkipEmpty())) {
    out << "  " << line << '\n';
  }
}

void PrintRequestTable(const pwx::v1::Request& r, std::ostream& out) {
  const pwx::v1::RequestContent& c = r.content();
  Fields fields = {
      {"id", r.id()},
      {"kind", RequestKindName(c.kind())},
      {"parties", absl::StrCat(r.requester(), " → ", r.recipient())},
  };
  std::string state = RequestStateName(r.state());
  if (r.state() == pwx::v1::REQUEST_STATE_SUSPENDED) {
    absl::StrAppend(&state, " (challenged; was ",
                    RequestStateName(r.suspended_from()), ")");
  }
  fields.emplace_back("state", state);
  fields.emplace_back("urgent",
                      c.urgent() ? Joined("yes", c.urgency_reason()) : "no");
  if (!c.case_id().empty()) fields.emplace_back("case", c.case_id());
  if (!c.subject().empty()) fields.emplace_back("subject", c.subject());
  if (c.agreed_period_days() > 0) {
    fields.emplace_back("agreed period",
                        absl::StrCat(c.agreed_period_days(), " working days"));
  }
  fields.emplace_back("due",
                      r.due_date().empty() ? "not yet received" : DueDate(r));
  if (ShowsDaysLeft(r)) fields.emplace_back("days left", DaysLeft(r));
  if (!r.expected_date().empty()) {
    fields.emplace_back("expected", r.expected_date());
  }
  fields.emplace_back("next",
                      r.next_actor() == pwx::v1::REQUEST_SIDE_UNSPECIFIED
                          ? "nobody"
                          : SideParty(r, r.next_actor()));
  if (r.has_date_proposal() && !r.date_proposal().date().empty()) {
    const pwx::v1::DateProposal& p = r.date_proposal();
    fields.emplace_back(
        "date proposal",
        Joined(absl::StrCat(p.date(), " by ", SideParty(r, p.side())),
               p.reason()));
  }
  if (r.clarification_by() != pwx::v1::REQUEST_SIDE_UNSPECIFIED) {
    fields.emplace_back(
        "clarification",
        absl::StrCat("asked by ", SideParty(r, r.clarification_by()),
                     ", awaiting the reply"));
  }
  if (r.has_delay() && !r.delay().proposed_date().empty()) {
    fields.emplace_back(
        "delay notice",
        Joined(absl::StrCat("proposed ", r.delay().proposed_date()),
               r.delay().reason()));
  }
  if (r.has_rejection()) {
    fields.emplace_back(
        "rejected",
        Joined(r.rejection().ground() == pwx::v1::REFUSAL_GROUND_UNSPECIFIED
                   ? ""
                   : RefusalGroundName(r.rejection().ground()),
               r.rejection().reason()));
  }
  if (!r.forwarded_from().empty()) {
    fields.emplace_back("forwarded by", r.forwarded_from());
  }
  if (!r.split_from().empty())
    fields.emplace_back("split from", r.split_from());
  if (r.split_into_size() > 0) {
    fields.emplace_back("split into", absl::StrJoin(r.split_into(), ", "));
  }
  if (r.has_closed_at()) {
    fields.emplace_back("closed", FormatTime(r.closed_at()));
  }
  const std::string rating = Rating(r.rating());
  if (!rating.empty()) fields.emplace_back("rating", rating);
  if (!c.language().empty()) fields.emplace_back("language", c.language());
  PrintFields(fields, out);
  if (r.personal_data_hidden()) {
    out << "\npersonal data hidden: accept the request to see the subject, "
           "free texts, the addressee and the documents\n";
  }

  PrintSection("questions", c.questions_size(), out);
  for (int i = 0; i < c.questions_size(); ++i) {
    const pwx::v1::Question& q = c.questions(i);
    std::string text = q.text();
    if (!q.text().empty() && !q.language().empty()) {
      absl::StrAppend(&text, " (", q.language(), ")");
    }
    std::string head = absl::StrCat("  ", i + 1, ". ");
    if (q.code().empty() && q.catalogue_text().empty()) {
      // A free-text question: its text is the question.
      out << CleanText(absl::StrCat(head, text)) << '\n';
      continue;
    }
    if (!q.code().empty()) absl::StrAppend(&head, q.code(), "  ");
    absl::StrAppend(&head, q.catalogue_text());
    out << CleanText(head) << '\n';
    if (!text.empty()) out << "     " << CleanText(text) << '\n';
  }

  if (c.kind() == pwx::v1::REQUEST_KIND_NOTIFICATION_OF_DECISION ||
      c.kind() == pwx::v1::REQUEST_KIND_RECOVERY_OF_PENALTY)
    PrintPenalty(c.penalty(), out);

  PrintSection("answers", r.answers_size(), out);
  for (const pwx::v1::Answer& a : r.answers()) {
    out << "  "
        << CleanText(absl::StrCat(FormatTime(a.at()), " ", a.author(),
                                  a.partial() ? " (partial)" : ""))
        << '\n';
    out << "    " << CleanText(a.text()) << '\n';
  }

  PrintSection("attachments", r.attachments_size(), out);
  if (r.attachments_size() > 0) {
    std::vector<std::vector<std::string>> rows;
    for (const pwx::v1::RequestAttachment& a : r.attachments()) {
      rows.push_back(
          {a.sha256(), a.file_name().empty() ? "(hidden)" : a.file_name(),
           a.media_type(), FormatSize(a.size_bytes()),
           absl::StrCat(a.authority(), " (", RequestSideName(a.side()), ")"),
           absl::StrCat(FormatTime(a.uploaded_at()), " ", a.uploaded_by()),
           a.content_available() ? "here" : "not arrived yet"});
    }
    for (const std::string& line : FormatTable(
             {"SHA256", "FILE", "TYPE", "SIZE", "BY", "UPLOADED", "CONTENT"},
             std::move(rows))) {
      out << "  " << line << '\n';
    }
  }

  PrintSection("history", r.history_size(), out);
  if (r.history_size() > 0) {
    std::vector<std::vector<std::string>> rows;
    for (const pwx::v1::RequestEvent& e : r.history()) {
      std::string details = EventDetails(e);
      if (e.superseded()) {
        absl::StrAppend(&details, details.empty() ? "" : "  ", "SUPERSEDED: ",
                        e.superseded_reason().empty()
                            ? "lost to a concurrent action"
                            : e.superseded_reason());
      }
      rows.push_back({FormatTime(e.at()), e.author(),
                      e.user().empty() ? "(node)" : e.user(),
                      EventActionName(e), details});
    }
    for (const std::string& line :
         FormatTable({"TIME", "AUTHOR", "USER", "ACTION", "DETAILS"},
                     std::move(rows))) {
      out << "  " << line << '\n';
    }
  }
}

std::string IndicatorValue(const pwx::v1::ScoreIndicator& i) {
  if (i.count() == 0) return "-";
  if (absl::StartsWith(i.name(), "average_")) {
    return absl::StrFormat("%.1f days", i.value());
  }
  return absl::StrFormat("%.1f %%", i.value());
}

void PrintIndicators(
    std::string_view title,
    const google::protobuf::RepeatedPtrField<pwx::v1::ScoreIndicator>&
        indicators,
    std::ostream& out) {
  out << "  " << title << '\n';
  if (indicators.empty()) {
    out << "    no indicators\n";
    return;
  }
  std::vector<std::vector<std::string>> rows;
  for (const pwx::v1::ScoreIndicator& i : indicators) {
    std::string name = i.name();
    std::replace(name.begin(), name.end(), '_', ' ');
    rows.push_back({name, IndicatorValue(i), absl::StrCat(i.count()),
                    i.band().empty() ? "-" : i.band()});
  }
  for (const std::string& line :
       FormatTable({"INDICATOR", "VALUE", "COUNT", "BAND"}, std::move(rows))) {
    out << "    " << line << '\n';
  }
}

}  // namespace

std::string EventActionName(const pwx::v1::RequestEvent& event) {
  const google::protobuf::FieldDescriptor* field =
      event.GetReflection()->GetOneofFieldDescriptor(
          event,
          pwx::v1::RequestEvent::descriptor()->FindOneofByName("action"));
  if (field == nullptr) return "";
  std::string name = field->name();
  std::replace(name.begin(), name.end(), '_', '-');
  return name;
}

void PrintRequest(const pwx::v1::Request& request, OutputFormat format,
                  std::ostream& out) {
  if (format == OutputFormat::kJson) {
    out << ToJson(request);
    return;
  }
  PrintRequestTable(request, out);
}

void PrintRequestList(const pwx::v1::ListRequestsResponse& list,
                      OutputFormat format, std::ostream& out) {
  if (format == OutputFormat::kJson) {
    out << ToJson(list);
    return;
  }
  if (list.requests_size() == 0) {
    out << "no requests\n";
  } else {
    std::vector<std::vector<std::string>> rows;
    for (const pwx::v1::Request& r : list.requests()) {
      std::string kind = RequestKindName(r.content().kind());
      if (r.content().urgent()) absl::StrAppend(&kind, ", urgent");
      std::string next;
      if (r.next_actor() != pwx::v1::REQUEST_SIDE_UNSPECIFIED) {
        next = r.next_actor() == r.my_side()
                   ? "you"
                   : (r.next_actor() == pwx::v1::REQUEST_SIDE_REQUESTER
                          ? r.requester()
                          : r.recipient());
      }
      rows.push_back({r.id(), kind, Peer(r), RequestStateName(r.state()),
                      r.due_date(), ListDaysLeft(r), next});
    }
    PrintTable({"ID", "KIND", "PEER", "STATE", "DUE", "DAYS LEFT", "NEXT"},
               std::move(rows), out);
  }
  if (!list.next_page_token().empty()) {
    out << "\nmore requests: add --page-token="
        << CleanText(list.next_page_token())
        << " for the next page, or --all for every page\n";
  }
}

void PrintStats(const pwx::v1::GetStatsResponse& stats, OutputFormat format,
                std::ostream& out) {
  if (format == OutputFormat::kJson) {
    out << ToJson(stats);
    return;
  }
  out << "requests sent from " << CleanText(stats.from()) << " to "
      << CleanText(stats.to()) << '\n';
  if (stats.peers_size() == 0) {
    out << "\nno peers\n";
    return;
  }
  for (const pwx::v1::PeerScore& peer : stats.peers()) {
    const std::string name = CleanText(peer.peer());
    out << '\n'
        << name << ": " << peer.requests_sent() << " sent to it, "
        << peer.requests_received() << " received from it\n";
    PrintIndicators(absl::StrCat("how ", name, " answered our requests:"),
                    peer.as_recipient(), out);
    PrintIndicators(absl::StrCat("how we answered ", name, "'s requests:"),
                    peer.our_answers(), out);
  }
}

}  // namespace pwx::client
