// The rules of joint inspection plans (cooperation plans, ELA concerted and
// joint inspections): who may make which change in which state, what a
// valid plan holds, and how every participant's node comes to hold the
// same plan. Plain functions, no I/O; thread-safe.
//
// ## Lifecycle
//   DRAFT → PROPOSED → AGREED → IN_PROGRESS → REPORTED → CLOSED, and
//   CANCELLED from any state before REPORTED.
// - The lead creates the plan (DRAFT, on its node only), edits it, invites
//   participants, adds actions and proposes it (PROPOSED).
// - Each invited participant agrees or declines (with written reasons) for
//   itself. The plan is AGREED once no participant is still INVITED and at
//   least two authorities agreed, the lead counting as one.
// - An amendment (or an added action, or a new invitation) of a proposed,
//   agreed or running plan sends the participants it touches back to
//   INVITED: all of them when the content changes, else the old and new
//   responsible authorities of the actions it changes. The plan goes back
//   to PROPOSED (resume_state remembers AGREED or IN_PROGRESS) until they
//   answered, then returns to where it was.
// - The lead starts it (IN_PROGRESS); the authority responsible for an
//   action records its findings; each authority that agreed (the lead
//   included) submits its part of the report, and the last part makes the
//   plan REPORTED. The lead closes it. The report is due
//   report_due_months (default 6) after the last action ends.
//
// ## Who may do what
// The author of a change is the authenticated authority: on the lead's
// node, the sender of the envelope a submission came in (or the node's own
// authority); never a field of the event. ApplyPlanEvent checks:
// - the lead: create, edit_draft, invite, propose, amend, add_action,
//   start, measure, close, cancel; its own findings and report part;
// - a participant: agree and decline for itself while INVITED; findings
//   only for actions it is responsible for, and its report part, once it
//   agreed; nothing of another authority;
// - the ELA node as coordinator: measure; as observer: nothing;
// - anyone else, or a participant that declined: nothing.
// Wrong author: PERMISSION_DENIED. Wrong state: FAILED_PRECONDITION naming
// the state. Bad content: INVALID_ARGUMENT naming the field path
// ("add_action.action.date: ..."). Checked in that order; on any error the
// plan is unchanged. Which *user* may act is the author node's business:
// CheckUserMay (agreeing and declining is for coordinators, the national
// liaison officers; everything else for inspectors too).
//
// ## Ordering and convergence
// The lead's node orders the changes of a plan:
// 1. A participant's node checks its user's change against its copy (a
//    scratch ApplyPlanEvent), gives it a submission_id unique for its
//    authority and the plan, and sends it to the lead (PlanSubmission).
// 2. The lead's node calls Submit against its current plan with the
//    envelope's sender: the change is checked as if it were local, gets
//    author = sender and seq = plan.seq + 1, and the lead applies it with
//    ApplySequenced. A submission already sequenced (same author and
//    submission_id) returns the event it became and changes nothing. A
//    refused one changes nothing: the lead sends MakeRefusal back to the
//    author. The transport's dedup by message id keeps a submission from
//    being checked twice; where it cannot (a resent submission), the
//    lead's node keeps its refusals beside the plan, never in it, and
//    answers a known one with the same refusal. The lead's own changes go
//    through Submit the same way.
// 3. The lead sends each new event to Deliveries(before, after): every
//    participant that has not declined and the ELA node (only once the
//    plan is proposed; a new receiver gets the history from seq 1): for
//    each delivery d, EventsFor(after, d.authority, d.after_seq) in one
//    PlanEvents. A participant that declines gets its decline event, then
//    nothing more.
// 4. A receiving node takes PlanEvents only from the plan's lead: the
//    envelope's sender must be the authority the plan id begins with
//    (a create is refused unless its author is that authority), so even
//    a node that holds nothing of the plan yet can tell. It calls
//    ReceiveSequenced: events below or at its seq
//    are duplicates (ignored if identical), events beyond seq + 1 wait in
//    its pending buffer, and everything that continues the sequence is
//    applied in order. So every node's plan at seq N is the fold of the
//    same N events: byte-identical.
// 5. Catch-up: a node that lost its buffer, saw a gap, or was offline
//    sends PlanCatchUp{after_seq = its seq}; the lead answers with
//    EventsFor(plan, sender, after_seq), which stops at a decliner's
//    decline. Nothing else is needed however long the node was away.
// A node that declined keeps its copy as it was at its decline; reads
// mark it confidential (ConfidentialFor): no export, no share.
#ifndef PWX_SERVER_DOMAIN_PLAN_RULES_H_
#define PWX_SERVER_DOMAIN_PLAN_RULES_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "pwx/v1/plan.pb.h"

namespace pwx::domain {

// Months after the last action's end by which the report is due (ELA
// practice), when the plan does not set report_due_months.
inline constexpr int kDefaultReportDueMonths = 6;
// Bounds that keep one plan small enough to copy and send.
inline constexpr int kMaxPlanParticipants = 30;
inline constexpr int kMaxPlanActions = 500;
inline constexpr int kMaxFindingsPerAction = 100;
inline constexpr int kMaxPlanListItems = 100;
inline constexpr int kMaxReportDueMonths = 36;

// "PROPOSED" for PLAN_STATE_PROPOSED; "joint-inspection" style names for
// kinds; "add-finding" for an event's action.
std::string PlanStateName(pwx::v1::PlanState state);
std::string PlanKindName(pwx::v1::PlanKind kind);
std::string PlanActionName(const pwx::v1::PlanEvent& event);

// "FR-DGT-P-2026-000001" for (FR-DGT, 2026, 1).
std::string FormatPlanId(absl::string_view authority, int year,
                         uint64_t number);
// OK for an id FormatPlanId makes; INVALID_ARGUMENT naming `field`.
absl::Status ValidatePlanId(absl::string_view field, absl::string_view id);

// Checks what the lead writes and normalises it in place (sectors get
// their NACE section letter). INVALID_ARGUMENT naming the field under
// `field` ("create.content.sectors[1]: ..."). `for_propose` adds what a
// proposal needs: scope, purpose, legal basis and an objective.
absl::Status ValidatePlanContent(absl::string_view field,
                                 pwx::v1::PlanContent* content,
                                 bool for_propose);
// Checks an action's own fields (kind, dates, place, inspectors), not
// whether its responsible authority takes part.
absl::Status ValidatePlanAction(absl::string_view field,
                                const pwx::v1::PlanAction& action);
// Checks a finding's counts, categories and request ids.
absl::Status ValidateFinding(absl::string_view field,
                             const pwx::v1::Finding& finding);

// The part `authority` plays in `plan`.
enum class PlanRole {
  kNone,
  kLead,
  kParticipant,
  // The ELA node, as coordinator or observer.
  kEla,
};
PlanRole RoleOf(const pwx::v1::Plan& plan, absl::string_view authority);
// The participant entry of `authority`, or nullptr.
const pwx::v1::Participant* FindParticipant(const pwx::v1::Plan& plan,
                                            absl::string_view authority);

// Whether a user of the author's node may make `event`: agreeing and
// declining need a coordinator (`coordinator`); the rest is open to
// inspectors too. PERMISSION_DENIED otherwise. Pure.
absl::Status CheckUserMay(const pwx::v1::PlanEvent& event, bool coordinator);

// Whether `event` (by event.author()) may be applied to `plan` now, and if
// so applies it: state, content, participants, actions, report. Leaves
// seq, history and updated_at to ApplySequenced. Errors as described at
// the top of this file; on error `plan` is unchanged. A create applies
// only to an empty plan (seq 0, id set): its author becomes the lead.
absl::Status ApplyPlanEvent(const pwx::v1::PlanEvent& event,
                            pwx::v1::Plan* plan);

// An empty plan `id`, before its create event.
pwx::v1::Plan EmptyPlan(absl::string_view id);

// At the lead: checks `submission` by `author` (the authenticated sender)
// against `plan`, and returns it sequenced: author set, seq = plan.seq + 1.
// Does not change `plan` (apply the result with ApplySequenced). When
// `plan` already holds a submission of `author` with the same
// submission_id, returns that event as it was sequenced (its seq is at
// most plan.seq: a duplicate, not to be applied again). INVALID_ARGUMENT
// for a missing submission_id; otherwise the errors of ApplyPlanEvent.
absl::StatusOr<pwx::v1::PlanEvent> Submit(const pwx::v1::Plan& plan,
                                          absl::string_view author,
                                          pwx::v1::PlanEvent submission);

// The refusal the lead sends back to the author of a refused submission.
pwx::v1::PlanRefusal MakeRefusal(const pwx::v1::Plan& plan,
                                 const pwx::v1::PlanEvent& submission,
                                 const absl::Status& status);

// Applies the event that continues `plan` (seq == plan.seq + 1): the
// transition, then seq, updated_at and history. FAILED_PRECONDITION naming
// both numbers when it does not continue the sequence; the errors of
// ApplyPlanEvent otherwise. On error `plan` is unchanged.
absl::Status ApplySequenced(const pwx::v1::PlanEvent& event,
                            pwx::v1::Plan* plan);

// At a receiving node: adds `incoming` (any order, duplicates) to
// `pending`, then applies from `pending` every event that continues
// `plan`, in order. Events at or below plan.seq are dropped when identical
// to the one applied; a different one is FAILED_PRECONDITION (the lead
// reissued a number: its node was restored from an older backup). Returns
// how many were applied. All or nothing: on error `plan` and `pending`
// are unchanged. `pending` stays sorted by seq without duplicates.
absl::StatusOr<int> ReceiveSequenced(
    const std::vector<pwx::v1::PlanEvent>& incoming, pwx::v1::Plan* plan,
    std::vector<pwx::v1::PlanEvent>* pending);

// The plan `id` that events 1..N make. `events` may come in any order and
// hold duplicates (same seq; dropped). INVALID_ARGUMENT when they are not
// 1..N without a gap or one does not apply.
absl::StatusOr<pwx::v1::Plan> FoldPlan(absl::string_view id,
                                       std::vector<pwx::v1::PlanEvent> events);

// The authorities (never the lead) whose nodes hold `plan` and receive its
// changes: nobody while it is a draft; then every participant that has
// not declined, and the ELA node.
std::vector<std::string> Receivers(const pwx::v1::Plan& plan);

// Whom the lead sends the change that took `before` to `after`, and from
// which seq: each receiver of `after` gets the events after `after_seq`
// (before.seq, or 0 for a node new to the plan: it gets the history); a
// receiver of `before` that no longer is one (a decliner, an ELA node the
// amendment replaced) gets this last event.
struct PlanDelivery {
  std::string authority;
  uint64_t after_seq = 0;
};
std::vector<PlanDelivery> Deliveries(const pwx::v1::Plan& before,
                                     const pwx::v1::Plan& after);

// Catch-up at the lead: the events after `after_seq` that `authority`'s
// node may have, oldest first. A decliner's stop at its decline; an
// authority that was never a receiver gets PERMISSION_DENIED.
absl::StatusOr<std::vector<pwx::v1::PlanEvent>> EventsFor(
    const pwx::v1::Plan& plan, absl::string_view authority, uint64_t after_seq);

// True when `authority` declined `plan`: its node keeps the plan as it was
// and must neither export nor share it.
bool ConfidentialFor(const pwx::v1::Plan& plan, absl::string_view authority);

// The report: findings per authority (the lead first) and in total,
// indicators against their targets, the authorities whose part is
// missing, and overdue when `today` is after the due date and the report
// is not complete (a cancelled plan is never overdue).
pwx::v1::PlanReportSummary SummarizeReport(const pwx::v1::Plan& plan,
                                           absl::CivilDay today);

// The due date of the report: report_due_months (default 6) after the
// last day of the last action, clamped to the month's end; empty without
// actions.
std::string ReportDueDate(const pwx::v1::Plan& plan);

}  // namespace pwx::domain

#endif  // PWX_SERVER_DOMAIN_PLAN_RULES_H_
