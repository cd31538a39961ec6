// The transition table of plans and ApplyPlanEvent (see plan_rules.h).
#include "server/domain/plan_rules.h"

#include <algorithm>
#include <cmath>
#include <initializer_list>
#include <set>
#include <string>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "server/domain/fields.h"
#include "server/domain/plan_fields.h"

namespace pwx::domain {
namespace {

using pwx::v1::Participant;
using pwx::v1::Plan;
using pwx::v1::PlanAction;
using pwx::v1::PlanEvent;
using pwx::v1::PlanState;

constexpr auto kDraft = pwx::v1::PLAN_STATE_DRAFT;
constexpr auto kProposed = pwx::v1::PLAN_STATE_PROPOSED;
constexpr auto kAgreed = pwx::v1::PLAN_STATE_AGREED;
constexpr auto kInProgress = pwx::v1::PLAN_STATE_IN_PROGRESS;
constexpr auto kReported = pwx::v1::PLAN_STATE_REPORTED;
constexpr auto kInvited = pwx::v1::PARTICIPANT_STATUS_INVITED;
constexpr auto kAgreedStatus = pwx::v1::PARTICIPANT_STATUS_AGREED;
constexpr auto kDeclined = pwx::v1::PARTICIPANT_STATUS_DECLINED;

// What the author of an event is to the plan, finer than PlanRole: the
// rules depend on a participant's status and on ELA's role.
enum Who : unsigned {
  kLead = 1 << 0,
  kInvitedParticipant = 1 << 1,
  kAgreedParticipant = 1 << 2,
  kDeclinedParticipant = 1 << 3,
  kElaCoordinator = 1 << 4,
  kElaObserver = 1 << 5,
  kOutsider = 1 << 6,
};

Who WhoIs(const Plan& plan, absl::string_view author) {
  if (author == plan.lead()) return kLead;
  if (const Participant* p = FindParticipant(plan, author)) {
    switch (p->status()) {
      case kAgreedStatus:
        return kAgreedParticipant;
      case kDeclined:
        return kDeclinedParticipant;
      default:
        return kInvitedParticipant;
    }
  }
  if (plan.content().has_ela() && author == plan.content().ela().authority()) {
    return plan.content().ela().role() == pwx::v1::ELA_ROLE_COORDINATOR
               ? kElaCoordinator
               : kElaObserver;
  }
  return kOutsider;
}

// One row of the table: who may make the action, and in which states.
struct PlanRule {
  unsigned who;
  std::initializer_list<PlanState> from;
  // Who may not, for a reason of state rather than of right (a
  // participant that agreed already): FAILED_PRECONDITION.
  unsigned not_now = 0;
};

const PlanRule* RuleFor(PlanEvent::ActionCase action) {
  static const PlanRule kEditDraft{kLead, {kDraft}};
  static const PlanRule kLeadChange{kLead,
                                    {kDraft, kProposed, kAgreed, kInProgress}};
  static const PlanRule kPropose{kLead, {kDraft}};
  static const PlanRule kAnswer{
      kInvitedParticipant, {kProposed}, kAgreedParticipant};
  static const PlanRule kStart{kLead, {kAgreed}};
  static const PlanRule kRecord{
      kLead | kAgreedParticipant, {kInProgress}, kInvitedParticipant};
  static const PlanRule kMeasure{kLead | kElaCoordinator,
                                 {kInProgress, kReported}};
  static const PlanRule kClose{kLead, {kReported}};
  switch (action) {
    case PlanEvent::kEditDraft:
      return &kEditDraft;
    case PlanEvent::kInvite:
    case PlanEvent::kAmend:
    case PlanEvent::kAddAction:
    case PlanEvent::kCancel:
      return &kLeadChange;
    case PlanEvent::kPropose:
      return &kPropose;
    case PlanEvent::kAgree:
    case PlanEvent::kDecline:
      return &kAnswer;
    case PlanEvent::kStart:
      return &kStart;
    case PlanEvent::kAddFinding:
    case PlanEvent::kSubmitReportPart:
      return &kRecord;
    case PlanEvent::kMeasure:
      return &kMeasure;
    case PlanEvent::kClose:
      return &kClose;
    default:
      return nullptr;
  }
}

absl::Status WrongState(const PlanEvent& e, const Plan& p) {
  return absl::FailedPreconditionError(
      absl::StrCat("plan ", p.id(), " is ", PlanStateName(p.state()),
                   ": cannot ", PlanActionName(e), " it"));
}

absl::Status Denied(const PlanEvent& e, const Plan& p, Who who,
                    unsigned allowed) {
  const std::string& author = e.author();
  switch (who) {
    case kOutsider:
      return absl::PermissionDeniedError(
          absl::StrCat(author, " is not a party to plan ", p.id()));
    case kDeclinedParticipant:
      return absl::PermissionDeniedError(
          absl::StrCat(author, " declined plan ", p.id(),
                       " and takes no further part in it"));
    case kElaObserver:
      return absl::PermissionDeniedError(absl::StrCat(
          author, " observes plan ", p.id(), " and makes no changes to it"));
    default:
      break;
  }
  std::string whom;
  if (allowed == kLead) {
    whom = absl::StrCat("the lead (", p.lead(), ")");
  } else if (allowed == kInvitedParticipant) {
    whom = "an invited participant, for itself,";
  } else if (allowed & kElaCoordinator) {
    whom = "the lead or the ELA node as coordinator";
  } else {
    whom = "the lead or a participant that agreed";
  }
  return absl::PermissionDeniedError(
      absl::StrCat("only ", whom, " may ", PlanActionName(e), " plan ", p.id(),
                   "; ", author, " may not"));
}

absl::Status CheckRule(const PlanEvent& e, const Plan& p) {
  const PlanRule* rule = RuleFor(e.action_case());
  if (rule == nullptr) return Invalid("action", "is not a plan change");
  const Who who = WhoIs(p, e.author());
  if ((who & rule->not_now) != 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        e.author(), " cannot ", PlanActionName(e), " plan ", p.id(),
        " now: it is ",
        who == kAgreedParticipant ? "agreed already" : "not agreed yet",
        " (the plan is ", PlanStateName(p.state()), ")"));
  }
  if ((who & rule->who) == 0) return Denied(e, p, who, rule->who);
  if (std::find(rule->from.begin(), rule->from.end(), p.state()) ==
      rule->from.end()) {
    return WrongState(e, p);
  }
  return absl::OkStatus();
}

Participant* MutableParticipant(Plan* p, absl::string_view authority) {
  for (Participant& x : *p->mutable_participants()) {
    if (x.authority() == authority) return &x;
  }
  return nullptr;
}

PlanAction* MutableAction(Plan* p, absl::string_view id) {
  for (PlanAction& a : *p->mutable_actions()) {
    if (a.id() == id) return &a;
  }
  return nullptr;
}

// Once nobody is still invited and at least two authorities agreed (the
// lead and one participant), the plan is agreed, or returns to the state
// an amendment took it from.
void MaybeConclude(Plan* p) {
  if (p->state() != kProposed) return;
  int agreed = 1;
  for (const Participant& x : p->participants()) {
    if (x.status() == kInvited) return;
    if (x.status() == kAgreedStatus) ++agreed;
  }
  if (agreed < 2) return;
  p->set_state(p->resume_state() == kInProgress ? kInProgress : kAgreed);
  p->clear_resume_state();
}

// The participants in `touched` that agreed must agree again: back to
// invited, and an agreed or running plan back to proposed.
void Reopen(const std::set<std::string>& touched, Plan* p) {
  bool reopened = false;
  for (Participant& x : *p->mutable_participants()) {
    if (x.status() == kAgreedStatus && touched.contains(x.authority())) {
      x.set_status(kInvited);
      x.clear_agreed_seq();
      reopened = true;
    }
  }
  if (reopened && (p->state() == kAgreed || p->state() == kInProgress)) {
    p->set_resume_state(p->state());
    p->set_state(kProposed);
  }
}

// The responsible authority of an action must take part: the lead or a
// participant that has not declined.
absl::Status CheckResponsible(const std::string& field, const Plan& p,
                              absl::string_view authority) {
  if (authority == p.lead()) return absl::OkStatus();
  const Participant* x = FindParticipant(p, authority);
  if (x == nullptr) {
    return Invalid(field, absl::StrCat(authority,
                                       " is not a participant: invite it "
                                       "first"));
  }
  if (x->status() == kDeclined) {
    return Invalid(field, absl::StrCat(authority, " declined the plan"));
  }
  return absl::OkStatus();
}

// The action's terms, without its findings: what an amendment compares.
std::string Terms(PlanAction a) {
  a.clear_findings();
  return a.SerializeAsString();
}

absl::Status ApplyCreate(const PlanEvent& e, Plan* p) {
  const auto& a = e.create();
  PWX_PLAN_RETURN_IF_ERROR(ValidateAuthorityId("author", e.author()));
  // The id names its lead, so that a node can tell the lead's events from
  // anyone else's before it holds the plan.
  PWX_PLAN_RETURN_IF_ERROR(ValidatePlanId("plan_id", p->id()));
  if (!absl::StartsWith(p->id(), absl::StrCat(e.author(), "-P-"))) {
    return absl::PermissionDeniedError(
        absl::StrCat("plan ", p->id(), " is not an id of ", e.author(),
                     ": a lead creates plans under its own ids"));
  }
  if (a.kind() == pwx::v1::PLAN_KIND_UNSPECIFIED ||
      !pwx::v1::PlanKind_IsValid(a.kind())) {
    return Invalid("create.kind",
                   "is required: cooperation-plan, concerted-inspection or "
                   "joint-inspection");
  }
  pwx::v1::PlanContent content = a.content();
  PWX_PLAN_RETURN_IF_ERROR(
      ValidatePlanContent("create.content", &content, false));
  if (a.participants_size() > kMaxPlanParticipants) {
    return Invalid("create.participants",
                   absl::StrCat("at most ", kMaxPlanParticipants));
  }
  std::set<std::string> seen;
  for (int i = 0; i < a.participants_size(); ++i) {
    const std::string f = absl::StrCat("create.participants[", i, "]");
    PWX_PLAN_RETURN_IF_ERROR(ValidateAuthorityId(f, a.participants(i)));
    if (a.participants(i) == e.author()) {
      return Invalid(f, "the lead is not its own participant");
    }
    if (!seen.insert(a.participants(i)).second) {
      return Invalid(f, absl::StrCat(a.participants(i), " is listed twice"));
    }
  }
  p->set_kind(a.kind());
  p->set_lead(e.author());
  p->set_state(kDraft);
  *p->mutable_content() = std::move(content);
  for (const std::string& authority : a.participants()) {
    Participant* x = p->add_participants();
    x->set_authority(authority);
    x->set_status(kInvited);
  }
  *p->mutable_created_at() = e.at();
  return absl::OkStatus();
}

absl::Status ApplyInvite(const PlanEvent& e, Plan* p) {
  const std::string& who = e.invite().authority();
  PWX_PLAN_RETURN_IF_ERROR(ValidateAuthorityId("invite.authority", who));
  if (who == p->lead()) {
    return Invalid("invite.authority", "the lead is not its own participant");
  }
  if (const Participant* x = FindParticipant(*p, who)) {
    if (x->status() == kDeclined) {
      return absl::FailedPreconditionError(absl::StrCat(
          who, " declined plan ", p->id(), " and cannot be invited again"));
    }
    return Invalid("invite.authority",
                   absl::StrCat(who, " is invited already"));
  }
  if (p->participants_size() >= kMaxPlanParticipants) {
    return Invalid("invite.authority",
                   absl::StrCat("a plan has at most ", kMaxPlanParticipants,
                                " participants"));
  }
  Participant* x = p->add_participants();
  x->set_authority(who);
  x->set_status(kInvited);
  if (p->state() == kAgreed || p->state() == kInProgress) {
    p->set_resume_state(p->state());
    p->set_state(kProposed);
  }
  return absl::OkStatus();
}

absl::Status ApplyPropose(const PlanEvent& e, Plan* p) {
  pwx::v1::PlanContent content = p->content();
  PWX_PLAN_RETURN_IF_ERROR(ValidatePlanContent("content", &content, true));
  if (p->participants().empty()) {
    return Invalid("participants",
                   "invite at least one authority before proposing");
  }
  if (p->actions().empty()) {
    return Invalid("actions", "add at least one action before proposing");
  }
  for (int i = 0; i < p->actions_size(); ++i) {
    PWX_PLAN_RETURN_IF_ERROR(
        CheckResponsible(absl::StrCat("actions[", i, "].responsible"), *p,
                         p->actions(i).responsible()));
  }
  p->set_state(kProposed);
  if (p->proposed_seq() == 0) p->set_proposed_seq(e.seq());
  return absl::OkStatus();
}

absl::Status ApplyAnswer(const PlanEvent& e, Plan* p) {
  Participant* x = MutableParticipant(p, e.author());
  if (e.has_decline()) {
    PWX_PLAN_RETURN_IF_ERROR(ValidateRequiredText(
        "decline.reason", e.decline().reason(), kMaxLongText, true));
    x->set_status(kDeclined);
    x->set_decline_reason(e.decline().reason());
    x->clear_agreed_seq();
  } else {
    x->set_status(kAgreedStatus);
    x->set_agreed_seq(e.seq());
  }
  x->set_answered_by(e.user());
  *x->mutable_answered_at() = e.at();
  MaybeConclude(p);
  return absl::OkStatus();
}

absl::Status ApplyAmend(const PlanEvent& e, Plan* p) {
  const auto& a = e.amend();
  PWX_PLAN_RETURN_IF_ERROR(
      ValidateText("amend.reason", a.reason(), kMaxShortText, true));
  std::set<std::string> touched;
  std::set<std::string> ids;
  const bool proposed = p->state() != kDraft;
  if (a.replaces_content()) {
    pwx::v1::PlanContent content = a.content();
    PWX_PLAN_RETURN_IF_ERROR(
        ValidatePlanContent("amend.content", &content, proposed));
    if (content.SerializeAsString() != p->content().SerializeAsString()) {
      for (const Participant& x : p->participants()) {
        touched.insert(x.authority());
      }
      *p->mutable_content() = std::move(content);
    }
  } else if (a.has_content()) {
    return Invalid("amend.content", "set replaces_content to replace it");
  }
  bool changed = !touched.empty();
  for (int i = 0; i < a.changed_actions_size(); ++i) {
    const PlanAction& next = a.changed_actions(i);
    const std::string f = absl::StrCat("amend.changed_actions[", i, "]");
    PlanAction* old = MutableAction(p, next.id());
    if (old == nullptr) {
      return Invalid(f + ".id", absl::StrCat("no action '", next.id(), "'"));
    }
    if (!ids.insert(next.id()).second) {
      return Invalid(f + ".id", absl::StrCat(next.id(), " is changed twice"));
    }
    PWX_PLAN_RETURN_IF_ERROR(ValidatePlanAction(f, next));
    PWX_PLAN_RETURN_IF_ERROR(
        CheckResponsible(f + ".responsible", *p, next.responsible()));
    if (!old->findings().empty() && next.responsible() != old->responsible()) {
      return Invalid(f + ".responsible",
                     absl::StrCat("action ", next.id(), " has findings of ",
                                  old->responsible()));
    }
    PlanAction merged = next;
    *merged.mutable_findings() = old->findings();
    if (Terms(merged) == Terms(*old)) continue;
    touched.insert(old->responsible());
    touched.insert(next.responsible());
    *old = std::move(merged);
    changed = true;
  }
  for (int i = 0; i < a.removed_actions_size(); ++i) {
    const std::string& id = a.removed_actions(i);
    const std::string f = absl::StrCat("amend.removed_actions[", i, "]");
    PlanAction* old = MutableAction(p, id);
    if (old == nullptr) return Invalid(f, absl::StrCat("no action '", id, "'"));
    if (!ids.insert(id).second) {
      return Invalid(f, absl::StrCat(id, " is changed or removed twice"));
    }
    if (!old->findings().empty()) {
      return Invalid(f, absl::StrCat("action ", id, " has findings"));
    }
    touched.insert(old->responsible());
    auto* actions = p->mutable_actions();
    for (auto it = actions->begin(); it != actions->end(); ++it) {
      if (it->id() == id) {
        actions->erase(it);
        break;
      }
    }
    changed = true;
  }
  if (!changed) return Invalid("amend", "changes nothing");
  if (proposed && p->actions().empty()) {
    return Invalid("amend.removed_actions",
                   "a proposed plan keeps at least one action");
  }
  touched.erase(p->lead());
  Reopen(touched, p);
  return absl::OkStatus();
}

absl::Status ApplyAddAction(const PlanEvent& e, Plan* p) {
  PlanAction action = e.add_action().action();
  action.clear_id();
  action.clear_findings();
  PWX_PLAN_RETURN_IF_ERROR(ValidatePlanAction("add_action.action", action));
  PWX_PLAN_RETURN_IF_ERROR(CheckResponsible("add_action.action.responsible", *p,
                                            action.responsible()));
  if (p->actions_size() >= kMaxPlanActions) {
    return Invalid("add_action", absl::StrCat("a plan has at most ",
                                              kMaxPlanActions, " actions"));
  }
  p->set_last_action_number(p->last_action_number() + 1);
  action.set_id(absl::StrCat("A", p->last_action_number()));
  if (action.responsible() != p->lead()) Reopen({action.responsible()}, p);
  *p->add_actions() = std::move(action);
  return absl::OkStatus();
}

absl::Status ApplyFinding(const PlanEvent& e, Plan* p) {
  const auto& a = e.add_finding();
  PlanAction* action = MutableAction(p, a.action_id());
  if (action == nullptr) {
    return Invalid(
        "add_finding.action_id",
        absl::StrCat("no action '", a.action_id(), "' in plan ", p->id()));
  }
  pwx::v1::Finding finding = a.finding();
  PWX_PLAN_RETURN_IF_ERROR(ValidateFinding("add_finding.finding", finding));
  if (action->findings_size() >= kMaxFindingsPerAction) {
    return Invalid("add_finding",
                   absl::StrCat("an action has at most ", kMaxFindingsPerAction,
                                " findings"));
  }
  finding.set_id(absl::StrCat(action->id(), "-F", action->findings_size() + 1));
  finding.set_authority(e.author());
  finding.set_recorded_by(e.user());
  *finding.mutable_recorded_at() = e.at();
  *action->add_findings() = std::move(finding);
  return absl::OkStatus();
}

absl::Status ApplyReportPart(const PlanEvent& e, Plan* p) {
  PWX_PLAN_RETURN_IF_ERROR(ValidateRequiredText("submit_report_part.text",
                                                e.submit_report_part().text(),
                                                kMaxLongText, true));
  pwx::v1::PlanReport* report = p->mutable_report();
  pwx::v1::ReportPart* part = nullptr;
  for (pwx::v1::ReportPart& x : *report->mutable_parts()) {
    if (x.authority() == e.author()) part = &x;
  }
  if (part == nullptr) part = report->add_parts();
  part->set_authority(e.author());
  part->set_text(e.submit_report_part().text());
  part->set_submitted_by(e.user());
  *part->mutable_submitted_at() = e.at();
  std::set<std::string> missing = {p->lead()};
  for (const Participant& x : p->participants()) {
    if (x.status() == kAgreedStatus) missing.insert(x.authority());
  }
  for (const pwx::v1::ReportPart& x : report->parts()) {
    missing.erase(x.authority());
  }
  if (missing.empty()) {
    p->set_state(kReported);
    *report->mutable_completed_at() = e.at();
  }
  return absl::OkStatus();
}

absl::Status ApplyMeasure(const PlanEvent& e, Plan* p) {
  const auto& values = e.measure().values();
  if (values.empty()) return Invalid("measure.values", "give at least one");
  for (int i = 0; i < values.size(); ++i) {
    const std::string f = absl::StrCat("measure.values[", i, "]");
    const pwx::v1::IndicatorValue& v = values.Get(i);
    const pwx::v1::Indicator* indicator = nullptr;
    for (const pwx::v1::Indicator& x : p->content().indicators()) {
      if (x.id() == v.indicator_id()) indicator = &x;
    }
    if (indicator == nullptr) {
      return Invalid(f + ".indicator_id",
                     absl::StrCat("no indicator '", v.indicator_id(), "'"));
    }
    if (indicator->source() != pwx::v1::INDICATOR_SOURCE_MANUAL) {
      return Invalid(f + ".indicator_id",
                     absl::StrCat("'", v.indicator_id(),
                                  "' is counted from the findings"));
    }
    if (!std::isfinite(v.value())) {
      return Invalid(f + ".value", "must be a finite number");
    }
  }
  for (const pwx::v1::IndicatorValue& v : values) {
    pwx::v1::IndicatorValue* slot = nullptr;
    for (pwx::v1::IndicatorValue& x : *p->mutable_measured()) {
      if (x.indicator_id() == v.indicator_id()) slot = &x;
    }
    if (slot == nullptr) slot = p->add_measured();
    *slot = v;
  }
  return absl::OkStatus();
}

// Checks and applies; `p` is a scratch copy, discarded on error.
absl::Status Apply(const PlanEvent& e, Plan* p) {
  if (e.action_case() == PlanEvent::ACTION_NOT_SET) {
    return Invalid("action", "is not set");
  }
  if (p->lead().empty()) {
    if (e.action_case() != PlanEvent::kCreate) {
      return absl::FailedPreconditionError(
          absl::StrCat("plan ", p->id(), " does not exist yet: cannot ",
                       PlanActionName(e), " it"));
    }
    return ApplyCreate(e, p);
  }
  if (e.action_case() == PlanEvent::kCreate) {
    return absl::FailedPreconditionError(
        absl::StrCat("plan ", p->id(), " exists already"));
  }
  // Findings are the responsible authority's own: nobody else records
  // them, whatever the state.
  if (e.has_add_finding()) {
    const PlanAction* action = MutableAction(p, e.add_finding().action_id());
    if (action != nullptr && action->responsible() != e.author()) {
      return absl::PermissionDeniedError(absl::StrCat(
          "only ", action->responsible(), ", responsible for action ",
          action->id(), ", records its findings; ", e.author(), " may not"));
    }
  }
  PWX_PLAN_RETURN_IF_ERROR(CheckRule(e, *p));
  switch (e.action_case()) {
    case PlanEvent::kEditDraft: {
      pwx::v1::PlanContent content = e.edit_draft().content();
      PWX_PLAN_RETURN_IF_ERROR(
          ValidatePlanContent("edit_draft.content", &content, false));
      *p->mutable_content() = std::move(content);
      return absl::OkStatus();
    }
    case PlanEvent::kInvite:
      return ApplyInvite(e, p);
    case PlanEvent::kPropose:
      return ApplyPropose(e, p);
    case PlanEvent::kAgree:
    case PlanEvent::kDecline:
      return ApplyAnswer(e, p);
    case PlanEvent::kAmend:
      return ApplyAmend(e, p);
    case PlanEvent::kAddAction:
      return ApplyAddAction(e, p);
    case PlanEvent::kStart:
      p->set_state(kInProgress);
      return absl::OkStatus();
    case PlanEvent::kAddFinding:
      return ApplyFinding(e, p);
    case PlanEvent::kSubmitReportPart:
      return ApplyReportPart(e, p);
    case PlanEvent::kMeasure:
      return ApplyMeasure(e, p);
    case PlanEvent::kClose:
      p->set_state(pwx::v1::PLAN_STATE_CLOSED);
      return absl::OkStatus();
    case PlanEvent::kCancel:
      PWX_PLAN_RETURN_IF_ERROR(ValidateRequiredText(
          "cancel.reason", e.cancel().reason(), kMaxShortText, true));
      p->set_state(pwx::v1::PLAN_STATE_CANCELLED);
      p->clear_resume_state();
      p->set_cancel_reason(e.cancel().reason());
      return absl::OkStatus();
    default:
      return Invalid("action", "is not a plan change");
  }
}

}  // namespace

PlanRole RoleOf(const Plan& plan, absl::string_view authority) {
  if (authority.empty()) return PlanRole::kNone;
  if (authority == plan.lead()) return PlanRole::kLead;
  if (FindParticipant(plan, authority) != nullptr) {
    return PlanRole::kParticipant;
  }
  if (plan.content().has_ela() &&
      authority == plan.content().ela().authority()) {
    return PlanRole::kEla;
  }
  return PlanRole::kNone;
}

const Participant* FindParticipant(const Plan& plan,
                                   absl::string_view authority) {
  for (const Participant& x : plan.participants()) {
    if (x.authority() == authority) return &x;
  }
  return nullptr;
}

absl::Status CheckUserMay(const PlanEvent& event, bool coordinator) {
  if ((event.has_agree() || event.has_decline()) && !coordinator) {
    return absl::PermissionDeniedError(absl::StrCat(
        "only a coordinator answers for the authority: ", PlanActionName(event),
        " needs the coordinator role"));
  }
  return absl::OkStatus();
}

absl::Status ApplyPlanEvent(const PlanEvent& event, Plan* plan) {
  PWX_PLAN_RETURN_IF_ERROR(ValidateText("user", event.user(), 200));
  Plan scratch = *plan;
  PWX_PLAN_RETURN_IF_ERROR(Apply(event, &scratch));
  scratch.mutable_report()->set_due_date(ReportDueDate(scratch));
  *plan = std::move(scratch);
  return absl::OkStatus();
}

Plan EmptyPlan(absl::string_view id) {
  Plan p;
  p.set_id(std::string(id));
  return p;
}

}  // namespace pwx::domain
