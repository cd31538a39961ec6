// The rules of cross-border requests: who may make which transition in
// which state, and the fold that turns a request's history into its state.
//
// Both nodes of a request hold the same set of events (the federation
// delivers each side's events to the other, exactly once, in order). The
// history is sorted by (lamport, requester first, author, author_seq), a
// total order that respects causality, and folded through the transition
// table from the start. An event the table refuses at its place (an answer
// that crossed a withdraw) is kept, marked superseded with the reason, and
// changes nothing. So any two nodes with the same events compute the same
// request, whatever order the events arrived in.
#ifndef PWX_SERVER_DOMAIN_REQUEST_RULES_H_
#define PWX_SERVER_DOMAIN_REQUEST_RULES_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "pwx/v1/request.pb.h"

namespace pwx::domain {

// Working days to answer, counted from receipt (Directive 2014/67/EU,
// Art. 6(6)).
inline constexpr int kUrgentPeriodDays = 2;
inline constexpr int kNormalPeriodDays = 25;
// Most questions in a request.
inline constexpr int kMaxQuestions = 100;
// Most attachments on a request, both sides together.
inline constexpr int kMaxRequestAttachments = 50;

// The legal period of `content`: its agreed shorter period, else 2 working
// days when urgent, else 25.
int PeriodDays(const pwx::v1::RequestContent& content);

// "ACCEPTED" for REQUEST_STATE_ACCEPTED, "information" style names for
// kinds, "answer" for an event's action.
std::string StateName(pwx::v1::RequestState state);
std::string KindName(pwx::v1::RequestKind kind);
std::string ActionName(const pwx::v1::RequestEvent& event);

// The side `authority` is on in `request`: requester, current recipient,
// or unspecified (not a party, e.g. an authority that forwarded it).
pwx::v1::RequestSide SideOf(const pwx::v1::Request& request,
                            absl::string_view authority);

// Checks what the requester writes, as strictly for a peer's copy as for a
// local draft: INVALID_ARGUMENT naming the field under `field` (e.g.
// "content.questions[2].code"). `has_question` says whether a catalogue
// code exists. `for_send` adds the fields required to send (not to save a
// draft): at least one question, or the penalty instrument's fields.
absl::Status ValidateContent(
    absl::string_view field, const pwx::v1::RequestContent& content,
    bool for_send, const std::function<bool(absl::string_view)>& has_question);

// "FR-DGT-R-2026-000001" for (FR-DGT, 2026, 1); numbers above 999999 get
// more digits, so ids never run out.
std::string FormatRequestId(absl::string_view authority, int year,
                            uint64_t number);
// OK for an id FormatRequestId makes or one of its split-off ids
// ("...-S1"); INVALID_ARGUMENT naming `field` otherwise.
absl::Status ValidateRequestId(absl::string_view field, absl::string_view id);
// The id of the `n`th (1-based) request split off `parent`.
std::string SplitRequestId(absl::string_view parent, int n);

// Whether `event` (authored by event.author()) may be applied to
// `request` now, and if so applies it: updates state, fields and
// appends nothing to history (the fold does). PERMISSION_DENIED when the
// author's side may not make this transition; FAILED_PRECONDITION naming
// the state when the state does not allow it; INVALID_ARGUMENT naming the
// field for bad action fields. On error `request` is unchanged.
absl::Status ApplyTransition(const pwx::v1::RequestEvent& event,
                             pwx::v1::Request* request);

// Whether `side` may attach a document to `request` in its state: the
// requester from the draft until the request is closed, withdrawn or
// refused (SENT, AWAITING_ACCEPTANCE, ACCEPTED, ANSWERED, SUSPENDED), the
// recipient while ACCEPTED or ANSWERED. PERMISSION_DENIED when only the
// other side may now (the recipient before it accepted);
// FAILED_PRECONDITION naming the state when neither may. Pure.
absl::Status CheckAttach(const pwx::v1::Request& request,
                         pwx::v1::RequestSide side);

// OK when the requester (`by_requester`) or the recipient side may ever
// make `event`'s action, whatever the state: PERMISSION_DENIED otherwise.
// For events a peer sends, before they are folded.
absl::Status CheckAuthorSide(const pwx::v1::RequestEvent& event,
                             bool by_requester);

// Whether `a` comes before `b` in a history whose requester is
// `requester`: by lamport, then the requester's event, then author, then
// author_seq.
bool HistoryBefore(const pwx::v1::RequestEvent& a,
                   const pwx::v1::RequestEvent& b, absl::string_view requester);

// The request `id` that `events` make: sorted, folded, superseded ones
// marked. `events` may arrive in any order and hold duplicates (same
// author and author_seq; dropped). INVALID_ARGUMENT when there is no send
// event or the first event is not one. The read-only fields (my_side, ...)
// are left unset.
absl::StatusOr<pwx::v1::Request> FoldHistory(
    absl::string_view id, std::vector<pwx::v1::RequestEvent> events);

// Adds `incoming` to `request`'s history (those it holds already are
// ignored) and folds again. Returns how many were new.
absl::StatusOr<int> MergeEvents(
    const std::vector<pwx::v1::RequestEvent>& incoming,
    pwx::v1::Request* request);

// The next event `author` makes on `request`: author_seq and lamport set,
// action left for the caller.
pwx::v1::RequestEvent NextEvent(const pwx::v1::Request& request,
                                absl::string_view author);

// The side that must act next (unspecified when nobody must).
pwx::v1::RequestSide NextActor(const pwx::v1::Request& request);

// True while the recipient still owes an answer (the due date runs).
bool AwaitsAnswer(const pwx::v1::Request& request);

// Clears every field marked personal_data in `request` (content, answers,
// attachments' file names, history), leaving who asks what: kind,
// questions' codes, dates, states, and how many attachments there are.
void HidePersonalData(pwx::v1::Request* request);

}  // namespace pwx::domain

#endif  // PWX_SERVER_DOMAIN_REQUEST_RULES_H_
