#include "server/domain/request_rules.h"

#include <algorithm>
#include <set>
#include <string>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/reflection.h"
#include "pwx/v1/options.pb.h"
#include "server/domain/case_rules.h"
#include "server/domain/digest.h"
#include "server/domain/fields.h"
#include "server/domain/request_fields.h"

namespace pwx::domain {
namespace {

using request_fields::IsPenalty;
using request_fields::ValidateDate;
using request_fields::ValidateOptionalDate;

using pwx::v1::Request;
using pwx::v1::RequestContent;
using pwx::v1::RequestEvent;
using pwx::v1::RequestKind;
using pwx::v1::RequestSide;
using pwx::v1::RequestState;

#define PWX_RETURN_IF_ERROR(expr)             \
  do {                                        \
    if (absl::Status s_ = (expr); !s_.ok()) { \
      return s_;                              \
    }                                         \
  } while (false)

constexpr RequestSide kRequester = pwx::v1::REQUEST_SIDE_REQUESTER;
constexpr RequestSide kRecipient = pwx::v1::REQUEST_SIDE_RECIPIENT;

RequestSide OtherSide(RequestSide side) {
  return side == kRequester ? kRecipient : kRequester;
}

std::string SideName(RequestSide side) {
  return side == kRequester ? "requester" : "recipient";
}

absl::Status WrongState(const RequestEvent& e, const Request& r) {
  return absl::FailedPreconditionError(
      absl::StrCat("request ", r.id(), " is ", StateName(r.state()),
                   ": cannot ", ActionName(e), " it"));
}

absl::Status WrongSide(const RequestEvent& e, const Request& r,
                       RequestSide allowed) {
  return absl::PermissionDeniedError(
      absl::StrCat("only the ", SideName(allowed), " (",
                   allowed == kRequester ? r.requester() : r.recipient(),
                   ") may ", ActionName(e), " request ", r.id()));
}

bool In(RequestState s, std::initializer_list<RequestState> states) {
  return std::find(states.begin(), states.end(), s) != states.end();
}

constexpr auto kSent = pwx::v1::REQUEST_STATE_SENT;
constexpr auto kAwaiting = pwx::v1::REQUEST_STATE_AWAITING_ACCEPTANCE;
constexpr auto kAccepted = pwx::v1::REQUEST_STATE_ACCEPTED;
constexpr auto kAnswered = pwx::v1::REQUEST_STATE_ANSWERED;
constexpr auto kClosed = pwx::v1::REQUEST_STATE_CLOSED;
constexpr auto kSuspended = pwx::v1::REQUEST_STATE_SUSPENDED;

// One row of the transition table: the side that may make the action and
// the states it may be made in.
struct RequestRule {
  RequestSide side;
  std::initializer_list<RequestState> from;
};

// The table. Actions whose rule depends on more than side and state (a
// clarification by either side, a date proposal, an accept-date) are
// checked in ApplyTransition.
const RequestRule* RuleFor(RequestEvent::ActionCase action) {
  static const RequestRule kSend{kRequester, {}};
  static const RequestRule kReceive{kRecipient, {kSent}};
  static const RequestRule kAccept{kRecipient, {kAwaiting}};
  static const RequestRule kAcknowledge{kRecipient, {kAwaiting}};
  static const RequestRule kReply{kRequester, {kAwaiting, kAccepted}};
  static const RequestRule kForward{kRecipient, {kAwaiting, kAccepted}};
  static const RequestRule kSplit{kRecipient, {kAwaiting, kAccepted}};
  static const RequestRule kAnswer{kRecipient, {kAccepted}};
  static const RequestRule kDelay{kRecipient, {kAwaiting, kAccepted}};
  static const RequestRule kReject{kRecipient, {kAwaiting, kAccepted}};
  static const RequestRule kModify{kRequester, {kSent, kAwaiting, kAccepted}};
  static const RequestRule kWithdraw{kRequester,
                                     {kSent, kAwaiting, kAccepted, kSuspended}};
  static const RequestRule kClose{kRequester, {kAnswered}};
  static const RequestRule kReopen{kRequester, {kClosed}};
  static const RequestRule kChallenge{kRequester, {kAwaiting, kAccepted}};
  static const RequestRule kResume{kRequester, {kSuspended}};
  static const RequestRule kHandoffFailed{kRequester, {kSent}};
  switch (action) {
    case RequestEvent::kSend:
      return &kSend;
    case RequestEvent::kReceive:
      return &kReceive;
    case RequestEvent::kAccept:
      return &kAccept;
    case RequestEvent::kAcknowledge:
      return &kAcknowledge;
    case RequestEvent::kReply:
      return &kReply;
    case RequestEvent::kForward:
      return &kForward;
    case RequestEvent::kSplit:
      return &kSplit;
    case RequestEvent::kAnswer:
      return &kAnswer;
    case RequestEvent::kDelay:
      return &kDelay;
    case RequestEvent::kReject:
      return &kReject;
    case RequestEvent::kModify:
      return &kModify;
    case RequestEvent::kWithdraw:
      return &kWithdraw;
    case RequestEvent::kClose:
      return &kClose;
    case RequestEvent::kReopen:
      return &kReopen;
    case RequestEvent::kChallenge:
      return &kChallenge;
    case RequestEvent::kResume:
      return &kResume;
    case RequestEvent::kHandoffFailed:
      return &kHandoffFailed;
    default:
      return nullptr;
  }
}

absl::Status CheckRule(const RequestEvent& e, const Request& r,
                       RequestSide side) {
  const RequestRule* rule = RuleFor(e.action_case());
  if (rule == nullptr) return absl::OkStatus();
  if (side != rule->side) return WrongSide(e, r, rule->side);
  if (!In(r.state(), rule->from)) return WrongState(e, r);
  return absl::OkStatus();
}

// Who may attach in which state: the requester from the draft until the
// request is closed, withdrawn or refused; the recipient once it accepted,
// until it is closed.
struct AttachRule {
  RequestSide side;
  std::initializer_list<RequestState> in;
};

const AttachRule kAttachRules[] = {
    {kRequester,
     {pwx::v1::REQUEST_STATE_DRAFT, kSent, kAwaiting, kAccepted, kAnswered,
      kSuspended}},
    {kRecipient, {kAccepted, kAnswered}},
};

bool MayAttach(RequestSide side, RequestState state) {
  for (const AttachRule& rule : kAttachRules) {
    if (rule.side == side && In(state, rule.in)) return true;
  }
  return false;
}

absl::Status ApplyAttach(const RequestEvent& e, RequestSide side, Request* r) {
  PWX_RETURN_IF_ERROR(CheckAttach(*r, side));
  const pwx::v1::AttachAction& a = e.attach();
  if (!IsSha256Hex(a.sha256())) {
    return Invalid("attach.sha256", "must be 64 lower-case hex digits");
  }
  if (absl::Status s = ValidateAttachmentNames(a.file_name(), a.media_type());
      !s.ok()) {
    return absl::InvalidArgumentError(absl::StrReplaceAll(
        s.message(), {{"header.file_name", "attach.file_name"},
                      {"header.media_type", "attach.media_type"}}));
  }
  for (const pwx::v1::RequestAttachment& held : r->attachments()) {
    if (held.sha256() == a.sha256()) {
      return absl::AlreadyExistsError(
          absl::StrCat("request ", r->id(), " has this content attached (",
                       a.sha256(), ") already"));
    }
  }
  if (r->attachments_size() >= kMaxRequestAttachments) {
    return absl::FailedPreconditionError(
        absl::StrCat("request ", r->id(), " has ", kMaxRequestAttachments,
                     " attachments, the most a request holds"));
  }
  pwx::v1::RequestAttachment* added = r->add_attachments();
  added->set_sha256(a.sha256());
  added->set_file_name(a.file_name());
  added->set_media_type(a.media_type());
  added->set_size_bytes(a.size_bytes());
  added->set_side(side);
  added->set_authority(e.author());
  added->set_uploaded_by(e.user());
  *added->mutable_uploaded_at() = e.at();
  return absl::OkStatus();
}

// Checks and applies; `r` is a scratch copy, discarded on error.
absl::Status Apply(const RequestEvent& e, RequestSide side, Request* r) {
  const bool alert = r->content().kind() == pwx::v1::REQUEST_KIND_ALERT;
  const bool penalty = IsPenalty(r->content().kind());
  switch (e.action_case()) {
    case RequestEvent::kReceive: {
      PWX_RETURN_IF_ERROR(CheckRule(e, *r, side));
      const auto& a = e.receive();
      PWX_RETURN_IF_ERROR(
          ValidateDate("receive.received_date", a.received_date()));
      PWX_RETURN_IF_ERROR(ValidateDate("receive.due_date", a.due_date()));
      r->set_state(kAwaiting);
      r->set_received_date(a.received_date());
      r->set_due_date(a.due_date());
      r->set_period_days(a.period_days());
      r->set_calendar_version(a.calendar_version());
      r->set_forwarded_from_state(pwx::v1::REQUEST_STATE_UNSPECIFIED);
      return absl::OkStatus();
    }
    case RequestEvent::kAccept: {
      PWX_RETURN_IF_ERROR(CheckRule(e, *r, side));
      if (alert) {
        return absl::FailedPreconditionError(absl::StrCat(
            "request ", r->id(),
            " is an alert: acknowledge it, alerts are not accepted"));
      }
      PWX_RETURN_IF_ERROR(ValidateOptionalDate("accept.expected_date",
                                               e.accept().expected_date()));
      r->set_state(kAccepted);
      r->set_expected_date(e.accept().expected_date().empty()
                               ? r->due_date()
                               : e.accept().expected_date());
      *r->mutable_accepted_at() = e.at();
      return absl::OkStatus();
    }
    case RequestEvent::kAcknowledge:
      PWX_RETURN_IF_ERROR(CheckRule(e, *r, side));
      if (!alert) {
        return absl::FailedPreconditionError(absl::StrCat(
            "request ", r->id(), " is not an alert: accept it instead"));
      }
      r->set_state(pwx::v1::REQUEST_STATE_ACKNOWLEDGED);
      return absl::OkStatus();
    case RequestEvent::kClarify: {
      PWX_RETURN_IF_ERROR(ValidateRequiredText(
          "clarify.text", e.clarify().text(), kMaxLongText, true));
      if (side == kRecipient) {
        if (!In(r->state(), {kAwaiting, kAccepted})) return WrongState(e, *r);
        r->set_clarification_by(kRecipient);
      } else if (side == kRequester) {
        // The requester asks for clarification of the answer.
        if (r->state() != kAnswered) return WrongState(e, *r);
        r->set_state(kAccepted);
        r->set_clarification_by(kRequester);
      } else {
        return WrongSide(e, *r, kRecipient);
      }
      return absl::OkStatus();
    }
    case RequestEvent::kReply:
      PWX_RETURN_IF_ERROR(CheckRule(e, *r, side));
      PWX_RETURN_IF_ERROR(ValidateRequiredText("reply.text", e.reply().text(),
                                               kMaxLongText, true));
      if (r->clarification_by() != kRecipient) {
        return absl::FailedPreconditionError(
            absl::StrCat("request ", r->id(),
                         ": the recipient has not asked for clarification"));
      }
      r->set_clarification_by(pwx::v1::REQUEST_SIDE_UNSPECIFIED);
      return absl::OkStatus();
    case RequestEvent::kForward: {
      PWX_RETURN_IF_ERROR(CheckRule(e, *r, side));
      const auto& a = e.forward();
      PWX_RETURN_IF_ERROR(ValidateAuthorityId("forward.to", a.to()));
      PWX_RETURN_IF_ERROR(
          ValidateText("forward.reason", a.reason(), kMaxShortText));
      if (a.to() == r->requester() || a.to() == r->recipient()) {
        return Invalid("forward.to",
                       "must be another authority than the two parties");
      }
      r->set_forwarded_from_state(r->state());
      r->set_forwarded_from(r->recipient());
      r->set_recipient(a.to());
      r->set_state(kSent);
      r->clear_received_date();
      r->clear_due_date();
      r->clear_expected_date();
      r->clear_accepted_at();
      r->clear_date_proposal();
      r->clear_clarification_by();
      return absl::OkStatus();
    }
    case RequestEvent::kHandoffFailed: {
      PWX_RETURN_IF_ERROR(CheckRule(e, *r, side));
      if (r->forwarded_from().empty() ||
          r->forwarded_from_state() == pwx::v1::REQUEST_STATE_UNSPECIFIED) {
        return absl::FailedPreconditionError(
            absl::StrCat("request ", r->id(), " is not being forwarded"));
      }
      // The fields the forward cleared come back from the history: the
      // fold replays without the forward. Here only who and the state.
      r->set_recipient(r->forwarded_from());
      r->set_state(r->forwarded_from_state());
      r->clear_forwarded_from_state();
      return absl::OkStatus();
    }
    case RequestEvent::kSplit: {
      PWX_RETURN_IF_ERROR(CheckRule(e, *r, side));
      const auto& a = e.split();
      PWX_RETURN_IF_ERROR(ValidateAuthorityId("split.to", a.to()));
      PWX_RETURN_IF_ERROR(
          ValidateText("split.reason", a.reason(), kMaxShortText));
      if (a.to() == r->recipient()) {
        return Invalid("split.to", "must be another authority than yours");
      }
      if (a.questions().empty()) {
        return Invalid("split.questions", "name at least one question");
      }
      std::set<int> moved;
      for (int i = 0; i < a.questions_size(); ++i) {
        const int q = a.questions(i);
        if (q < 0 || q >= r->content().questions_size()) {
          return Invalid(
              absl::StrCat("split.questions[", i, "]"),
              absl::StrCat("no question ", q + 1, " (the request has ",
                           r->content().questions_size(), ")"));
        }
        moved.insert(q);
      }
      if (static_cast<int>(moved.size()) >= r->content().questions_size()) {
        return Invalid("split.questions",
                       "cannot move every question: forward the request");
      }
      auto* questions = r->mutable_content()->mutable_questions();
      google::protobuf::RepeatedPtrField<pwx::v1::Question> kept;
      for (int i = 0; i < questions->size(); ++i) {
        if (!moved.contains(i)) *kept.Add() = questions->Get(i);
      }
      *questions = std::move(kept);
      r->add_split_into(SplitRequestId(r->id(), r->split_into_size() + 1));
      return absl::OkStatus();
    }
    case RequestEvent::kAnswer: {
      PWX_RETURN_IF_ERROR(CheckRule(e, *r, side));
      if (alert) return WrongState(e, *r);
      PWX_RETURN_IF_ERROR(ValidateRequiredText("answer.text", e.answer().text(),
                                               kMaxLongText, true));
      pwx::v1::Answer* answer = r->add_answers();
      answer->set_text(e.answer().text());
      answer->set_partial(e.answer().partial());
      answer->set_author(e.author());
      *answer->mutable_at() = e.at();
      if (r->clarification_by() == kRequester) {
        r->clear_clarification_by();
      }
      if (!e.answer().partial()) {
        r->set_state(kAnswered);
        if (!r->has_answered_at()) *r->mutable_answered_at() = e.at();
        r->clear_date_proposal();
      }
      return absl::OkStatus();
    }
    case RequestEvent::kDelay: {
      PWX_RETURN_IF_ERROR(CheckRule(e, *r, side));
      PWX_RETURN_IF_ERROR(ValidateRequiredText(
          "delay.reason", e.delay().reason(), kMaxShortText, true));
      PWX_RETURN_IF_ERROR(
          ValidateDate("delay.proposed_date", e.delay().proposed_date()));
      *r->mutable_delay() = e.delay();
      r->mutable_date_proposal()->set_side(kRecipient);
      r->mutable_date_proposal()->set_date(e.delay().proposed_date());
      r->mutable_date_proposal()->set_reason(e.delay().reason());
      return absl::OkStatus();
    }
    case RequestEvent::kReject: {
      PWX_RETURN_IF_ERROR(CheckRule(e, *r, side));
      PWX_RETURN_IF_ERROR(ValidateRequiredText(
          "reject.reason", e.reject().reason(), kMaxShortText, true));
      if (penalty &&
          e.reject().ground() == pwx::v1::REFUSAL_GROUND_UNSPECIFIED) {
        return Invalid("reject.ground",
                       "a penalty request is refused on an Art. 17 ground");
      }
      if (!penalty &&
          e.reject().ground() != pwx::v1::REFUSAL_GROUND_UNSPECIFIED) {
        return Invalid("reject.ground",
                       "only penalty requests have Art. 17 grounds");
      }
      const bool recovery_only =
          e.reject().ground() ==
              pwx::v1::REFUSAL_GROUND_DISPROPORTIONATE_COST ||
          e.reject().ground() == pwx::v1::REFUSAL_GROUND_BELOW_THRESHOLD ||
          e.reject().ground() == pwx::v1::REFUSAL_GROUND_FUNDAMENTAL_RIGHTS;
      if (recovery_only &&
          r->content().kind() != pwx::v1::REQUEST_KIND_RECOVERY_OF_PENALTY) {
        return Invalid("reject.ground",
                       "this ground applies to recovery requests only");
      }
      r->set_state(pwx::v1::REQUEST_STATE_REJECTED);
      *r->mutable_rejection() = e.reject();
      return absl::OkStatus();
    }
    case RequestEvent::kModify: {
      PWX_RETURN_IF_ERROR(CheckRule(e, *r, side));
      RequestContent content = e.modify().content();
      if (content.kind() != r->content().kind()) {
        return Invalid("modify.content.kind",
                       "the kind of a sent request cannot change");
      }
      PWX_RETURN_IF_ERROR(
          ValidateContent("modify.content", content, true, nullptr));
      *r->mutable_content() = std::move(content);
      return absl::OkStatus();
    }
    case RequestEvent::kWithdraw:
      PWX_RETURN_IF_ERROR(CheckRule(e, *r, side));
      PWX_RETURN_IF_ERROR(ValidateText("withdraw.reason", e.withdraw().reason(),
                                       kMaxShortText));
      r->set_state(pwx::v1::REQUEST_STATE_WITHDRAWN);
      return absl::OkStatus();
    case RequestEvent::kClose:
      PWX_RETURN_IF_ERROR(CheckRule(e, *r, side));
      r->set_state(kClosed);
      *r->mutable_closed_at() = e.at();
      *r->mutable_rating() = e.close().rating();
      return absl::OkStatus();
    case RequestEvent::kReopen:
      PWX_RETURN_IF_ERROR(CheckRule(e, *r, side));
      PWX_RETURN_IF_ERROR(
          ValidateText("reopen.reason", e.reopen().reason(), kMaxShortText));
      r->set_state(kAccepted);
      r->clear_closed_at();
      r->clear_rating();
      return absl::OkStatus();
    case RequestEvent::kProposeDate: {
      if (side != kRequester && side != kRecipient) {
        return WrongSide(e, *r, kRequester);
      }
      if (!In(r->state(), {kSent, kAwaiting, kAccepted})) {
        return WrongState(e, *r);
      }
      PWX_RETURN_IF_ERROR(
          ValidateDate("propose_date.date", e.propose_date().date()));
      PWX_RETURN_IF_ERROR(ValidateText(
          "propose_date.reason", e.propose_date().reason(), kMaxShortText));
      r->mutable_date_proposal()->set_side(side);
      r->mutable_date_proposal()->set_date(e.propose_date().date());
      r->mutable_date_proposal()->set_reason(e.propose_date().reason());
      return absl::OkStatus();
    }
    case RequestEvent::kAcceptDate: {
      if (r->has_date_proposal() &&
          side != OtherSide(r->date_proposal().side())) {
        return WrongSide(e, *r, OtherSide(r->date_proposal().side()));
      }
      if (!In(r->state(), {kAwaiting, kAccepted})) return WrongState(e, *r);
      if (!r->has_date_proposal()) {
        return absl::FailedPreconditionError(absl::StrCat(
            "request ", r->id(), " has no date proposal to accept"));
      }
      r->set_due_date(r->date_proposal().date());
      if (r->state() == kAccepted) {
        r->set_expected_date(r->date_proposal().date());
      }
      r->clear_date_proposal();
      return absl::OkStatus();
    }
    case RequestEvent::kChallenge:
      PWX_RETURN_IF_ERROR(CheckRule(e, *r, side));
      if (!penalty) {
        return absl::FailedPreconditionError(absl::StrCat(
            "request ", r->id(),
            " is not a penalty request: only penalties are challenged"));
      }
      PWX_RETURN_IF_ERROR(ValidateRequiredText(
          "challenge.reason", e.challenge().reason(), kMaxShortText, true));
      r->set_suspended_from(r->state());
      r->set_state(kSuspended);
      return absl::OkStatus();
    case RequestEvent::kResume:
      PWX_RETURN_IF_ERROR(CheckRule(e, *r, side));
      r->set_state(r->suspended_from());
      r->clear_suspended_from();
      return absl::OkStatus();
    case RequestEvent::kAttach:
      return ApplyAttach(e, side, r);
    case RequestEvent::kSend:
      return absl::FailedPreconditionError(
          absl::StrCat("request ", r->id(), " was sent already"));
    case RequestEvent::ACTION_NOT_SET:
      return Invalid("step", "names no action");
  }
  return Invalid("step", "unknown action");
}

void ClearPersonal(google::protobuf::Message* message) {
  const google::protobuf::Descriptor* d = message->GetDescriptor();
  const google::protobuf::Reflection* reflection = message->GetReflection();
  for (int i = 0; i < d->field_count(); ++i) {
    const google::protobuf::FieldDescriptor* f = d->field(i);
    if (f->options().GetExtension(pwx::v1::personal_data)) {
      reflection->ClearField(message, f);
      continue;
    }
    if (f->cpp_type() != google::protobuf::FieldDescriptor::CPPTYPE_MESSAGE) {
      continue;
    }
    if (f->is_repeated()) {
      for (int j = 0; j < reflection->FieldSize(*message, f); ++j) {
        ClearPersonal(reflection->MutableRepeatedMessage(message, f, j));
      }
    } else if (reflection->HasField(*message, f)) {
      ClearPersonal(reflection->MutableMessage(message, f));
    }
  }
}

}  // namespace

std::string StateName(RequestState state) {
  std::string name = pwx::v1::RequestState_Name(state);
  absl::string_view prefix = "REQUEST_STATE_";
  if (absl::StartsWith(name, prefix)) name = name.substr(prefix.size());
  return name.empty() ? absl::StrCat("state ", static_cast<int>(state)) : name;
}

std::string KindName(RequestKind kind) {
  switch (kind) {
    case pwx::v1::REQUEST_KIND_INFORMATION:
      return "information";
    case pwx::v1::REQUEST_KIND_NOTIFICATION_OF_DECISION:
      return "notification";
    case pwx::v1::REQUEST_KIND_RECOVERY_OF_PENALTY:
      return "recovery";
    case pwx::v1::REQUEST_KIND_ALERT:
      return "alert";
    default:
      return "unspecified";
  }
}

std::string ActionName(const RequestEvent& event) {
  const google::protobuf::OneofDescriptor* oneof =
      RequestEvent::descriptor()->FindOneofByName("action");
  const google::protobuf::FieldDescriptor* f =
      RequestEvent::GetReflection()->GetOneofFieldDescriptor(event, oneof);
  if (f == nullptr) return "no action";
  return absl::StrReplaceAll(f->name(), {{"_", "-"}});
}

RequestSide SideOf(const Request& request, absl::string_view authority) {
  if (authority.empty()) return pwx::v1::REQUEST_SIDE_UNSPECIFIED;
  if (authority == request.requester()) return kRequester;
  if (authority == request.recipient()) return kRecipient;
  return pwx::v1::REQUEST_SIDE_UNSPECIFIED;
}

absl::Status ApplyTransition(const RequestEvent& event, Request* request) {
  const RequestSide side = SideOf(*request, event.author());
  if (side == pwx::v1::REQUEST_SIDE_UNSPECIFIED) {
    return absl::PermissionDeniedError(absl::StrCat(
        event.author(), " is not a party to request ", request->id(), " (",
        request->requester(), " → ", request->recipient(), ")"));
  }
  Request scratch = *request;
  PWX_RETURN_IF_ERROR(Apply(event, side, &scratch));
  *request = std::move(scratch);
  return absl::OkStatus();
}

absl::Status CheckAttach(const Request& request, RequestSide side) {
  if (MayAttach(side, request.state())) return absl::OkStatus();
  const RequestSide other = OtherSide(side);
  if ((side == kRequester || side == kRecipient) &&
      MayAttach(other, request.state())) {
    return absl::PermissionDeniedError(absl::StrCat(
        "only the ", SideName(other), " (",
        other == kRequester ? request.requester() : request.recipient(),
        ") may attach to request ", request.id(), " while it is ",
        StateName(request.state()),
        other == kRequester ? ": the recipient attaches once it has accepted"
                            : ""));
  }
  return absl::FailedPreconditionError(
      absl::StrCat("request ", request.id(), " is ", StateName(request.state()),
                   ": cannot attach to it"));
}

absl::Status CheckAuthorSide(const RequestEvent& event, bool by_requester) {
  const RequestRule* rule = RuleFor(event.action_case());
  if (event.action_case() == RequestEvent::ACTION_NOT_SET) {
    return Invalid("action", "is not set");
  }
  if (rule == nullptr) return absl::OkStatus();  // either side
  const RequestSide side = by_requester ? kRequester : kRecipient;
  if (rule->side != side) {
    return absl::PermissionDeniedError(absl::StrCat(
        "only the ", SideName(rule->side), " makes a ", ActionName(event), "; ",
        event.author(), " is the ", SideName(side)));
  }
  return absl::OkStatus();
}

bool HistoryBefore(const RequestEvent& a, const RequestEvent& b,
                   absl::string_view requester) {
  if (a.lamport() != b.lamport()) return a.lamport() < b.lamport();
  const bool a_req = a.author() == requester;
  const bool b_req = b.author() == requester;
  if (a_req != b_req) return a_req;
  if (a.author() != b.author()) return a.author() < b.author();
  return a.author_seq() < b.author_seq();
}

absl::StatusOr<Request> FoldHistory(absl::string_view id,
                                    std::vector<RequestEvent> events) {
  // The requester is the author of the send event, which every other
  // event follows causally (lamport 1).
  const RequestEvent* send = nullptr;
  for (const RequestEvent& e : events) {
    if (e.action_case() == RequestEvent::kSend &&
        (send == nullptr || e.lamport() < send->lamport())) {
      send = &e;
    }
  }
  if (send == nullptr) {
    return Invalid("history", absl::StrCat("request ", id, " has no send"));
  }
  const std::string requester = send->author();
  std::sort(events.begin(), events.end(),
            [&](const RequestEvent& a, const RequestEvent& b) {
              return HistoryBefore(a, b, requester);
            });
  events.erase(std::unique(events.begin(), events.end(),
                           [](const RequestEvent& a, const RequestEvent& b) {
                             return a.author() == b.author() &&
                                    a.author_seq() == b.author_seq();
                           }),
               events.end());
  if (events.front().action_case() != RequestEvent::kSend) {
    return Invalid("history", absl::StrCat("request ", id,
                                           " does not start with its send"));
  }
  Request r;
  r.set_id(std::string(id));
  // A forward clears what the recipient had set; a failed hand-off
  // restores it, so each forward remembers the request as it was.
  std::vector<Request> before_forward;
  for (size_t i = 0; i < events.size(); ++i) {
    RequestEvent& e = events[i];
    e.clear_superseded();
    e.clear_superseded_reason();
    if (i == 0) {
      r.set_requester(e.author());
      r.set_recipient(e.send().to());
      r.set_split_from(e.send().split_from());
      *r.mutable_content() = e.send().content();
      r.set_state(kSent);
      continue;
    }
    if (e.action_case() == RequestEvent::kSend) {
      e.set_superseded(true);
      e.set_superseded_reason("the request was sent already");
      continue;
    }
    Request next = r;
    absl::Status s = ApplyTransition(e, &next);
    if (!s.ok()) {
      e.set_superseded(true);
      e.set_superseded_reason(std::string(s.message()));
      continue;
    }
    if (e.action_case() == RequestEvent::kForward) {
      before_forward.push_back(r);
    } else if (e.action_case() == RequestEvent::kHandoffFailed &&
               !before_forward.empty()) {
      Request restored = std::move(before_forward.back());
      before_forward.pop_back();
      // What changed meanwhile on the requester's side stays.
      *restored.mutable_content() = next.content();
      restored.set_state(next.state());
      next = std::move(restored);
    } else if (e.action_case() == RequestEvent::kReceive) {
      before_forward.clear();
      next.clear_forwarded_from_state();
    }
    r = std::move(next);
  }
  for (RequestEvent& e : events) *r.add_history() = std::move(e);
  return r;
}

absl::StatusOr<int> MergeEvents(const std::vector<RequestEvent>& incoming,
                                Request* request) {
  std::set<std::pair<std::string, uint64_t>> known;
  std::vector<RequestEvent> events(request->history().begin(),
                                   request->history().end());
  for (const RequestEvent& e : events)
    known.emplace(e.author(), e.author_seq());
  int added = 0;
  for (const RequestEvent& e : incoming) {
    if (known.emplace(e.author(), e.author_seq()).second) {
      events.push_back(e);
      ++added;
    }
  }
  if (added == 0) return 0;
  absl::StatusOr<Request> folded =
      FoldHistory(request->id(), std::move(events));
  if (!folded.ok()) return folded.status();
  folded->set_reissued_by_requester(request->reissued_by_requester());
  *request = *std::move(folded);
  return added;
}

RequestEvent NextEvent(const Request& request, absl::string_view author) {
  uint64_t lamport = 0;
  uint64_t seq = 0;
  for (const RequestEvent& e : request.history()) {
    lamport = std::max(lamport, e.lamport());
    if (e.author() == author) seq = std::max(seq, e.author_seq());
  }
  RequestEvent e;
  e.set_author(std::string(author));
  e.set_author_seq(seq + 1);
  e.set_lamport(lamport + 1);
  return e;
}

RequestSide NextActor(const Request& r) {
  switch (r.state()) {
    case pwx::v1::REQUEST_STATE_DRAFT:
      return kRequester;
    case kSent:
    case kAwaiting:
    case kAccepted:
      if (r.clarification_by() == kRecipient) return kRequester;
      if (r.has_date_proposal() && r.state() != kSent) {
        return OtherSide(r.date_proposal().side());
      }
      return kRecipient;
    case kAnswered:
      return kRequester;
    case kSuspended:
      return kRequester;
    default:
      return pwx::v1::REQUEST_SIDE_UNSPECIFIED;
  }
}

bool AwaitsAnswer(const Request& r) {
  return (r.state() == kAwaiting || r.state() == kAccepted) &&
         !r.due_date().empty();
}

void HidePersonalData(Request* request) { ClearPersonal(request); }

}  // namespace pwx::domain
