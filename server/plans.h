// Joint inspection plans at one node: changes made by this node's users,
// and the plan messages of the federation (the PlanMessage payload). The
// rules are domain code (server/domain/plan_rules.h; read "Ordering and
// convergence" there); this class reads and writes, fills what only a node
// knows (time, user, submission ids) and decides where messages go:
//   - a change by a user of a participant's node is checked against the
//     node's copy, then queued to the lead's node as a PlanSubmission;
//     the plan here changes when the lead's sequenced event comes back;
//   - the lead's node sequences its own users' changes and every
//     submission (domain::Submit, author = the envelope's authenticated
//     sender), stores the plan and queues the new events to every receiver
//     (domain::Deliveries, EventsFor) in the same batch; a refused
//     submission changes nothing: the refusal is kept (a resent submission
//     gets the same one) and sent back to its author, whose node keeps it
//     for its users;
//   - a change is queued to every receiver or to none: when the outbox
//     refuses one receiver (its queue is full, the message too large, it
//     is no longer a peer), the change is refused naming that receiver and
//     nothing is written. A participant's submission the lead cannot pass
//     on because a receiver's queue is full is not refused: the delivery
//     that carried it fails (RESOURCE_EXHAUSTED), and the participant's
//     node sends it again later, as for any delivery refused for now. Any
//     other such failure is a refusal sent back to its author;
//   - a receiving node takes events from the plan's lead only, applies
//     them in order (domain::ReceiveSequenced), keeps what comes early,
//     and asks the lead for the missing ones (PlanCatchUp); at start it
//     tells the lead of each open plan it holds what it holds of that
//     lead's open plans (CatchUpAll, PlanHoldings), and the lead sends
//     what is missing;
//   - when a coordinator repairs the link to a peer (pwx peer resend or
//     skip: one side was restored from a backup), the lead sends that peer
//     the whole of every open plan it takes part in (ResendOpenPlans).
// Every change made or received is an audit entry "plan.<action>" in its
// own batch; a read that returns personal data returns once its
// "plan.read" entry is durable.
#ifndef PWX_SERVER_PLANS_H_
#define PWX_SERVER_PLANS_H_

#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "pwx/v1/plan.pb.h"
#include "server/event_handler.h"
#include "server/outbox.h"
#include "server/peer_registry.h"
#include "storage/kv_store.h"
#include "storage/plan_store.h"

namespace pwx::server {

struct PlansOptions {
  // This node's authority. Required.
  std::string authority_id;
  // Audit entries of reads join the next group commit within this.
  absl::Duration read_entry_delay = absl::Milliseconds(1);
  std::function<absl::Time()> clock;
};

// What one change by a user did: the plan as this node now holds it, and
// the event (sequenced at the lead's node; a submission on its way to the
// lead elsewhere, seq 0).
struct PlanChange {
  pwx::v1::Plan plan;
  pwx::v1::PlanEvent event;
  bool sequenced = false;
};

using PlanCallback = std::function<void(absl::StatusOr<pwx::v1::Plan>)>;
using PlanChangeCallback = std::function<void(absl::StatusOr<PlanChange>)>;

struct PlanListQuery {
  pwx::v1::PlanState state = pwx::v1::PLAN_STATE_UNSPECIFIED;
  // "YYYY-MM-DD": the open plans with an action on or after it, by date.
  std::string upcoming_from;
  // A case id: the plans whose content names it, by id (neither state nor
  // upcoming_from then).
  std::string case_id;
  int page_size = 0;
  std::string page_token;
};

// Thread-safe.
class Plans final : public EventHandler {
 public:
  // Every pointer must outlive this. `wake` wakes a peer's dispatcher.
  Plans(PlansOptions options, storage::KvStore* kv, PeerRegistry* peers,
        Outbox* outbox, std::function<void(const std::string&)> wake);

  // A new plan led by this node (DRAFT), by `user`. Invited participants
  // must be peers (NOT_FOUND naming create.participants[i]).
  void Create(const pwx::v1::CreatePlanAction& create, const std::string& user,
              PlanChangeCallback done);

  // One change of plan `id` by `user`; `coordinator` when the user holds
  // the coordinator role (domain::CheckUserMay). `step` names the action;
  // its seq, author, user, at and submission_id are set here.
  void Act(const std::string& id, pwx::v1::PlanEvent step,
           const std::string& user, bool coordinator, PlanChangeCallback done);

  // The plan as this node holds it (confidential set on a decliner's
  // node), once its "plan.read" audit entry is durable.
  void Get(const std::string& id, const std::string& user,
           PlanCallback done) const;

  // Plans without their history and personal data, by the query's index.
  // INVALID_ARGUMENT naming the field for a bad state, day, case id, page
  // size or token, or a case id with a state or a day.
  absl::StatusOr<std::vector<pwx::v1::Plan>> List(
      const PlanListQuery& query, std::string* next_page_token) const;

  // The report of plan `id` as of today.
  absl::StatusOr<pwx::v1::PlanReportSummary> Report(
      const std::string& id) const;

  // The refusals the lead sent of this node's submissions to plan `id`.
  absl::StatusOr<std::vector<pwx::v1::PlanRefusal>> Refusals(
      const std::string& id) const;

  // At start: tells the lead of every open plan this node holds which of
  // that lead's open plans it holds, at which seq (PlanHoldings), so that
  // the lead sends what was missed meanwhile and the whole of every open
  // plan of its in which this node takes part but that it lacks (restored
  // from an older backup). A peer whose queue is full is skipped (the first
  // such error is returned); the others are told.
  absl::Status CatchUpAll();

  // At the lead, once the link to `peer` was repaired (Outbox::OnRepaired:
  // `pwx peer resend` or `skip`, after a restore on either side): queues
  // for `peer` the whole history of every open plan this node leads in
  // which it takes part, so that a peer that lost them gets them back; one
  // that holds them ignores what it has. Asynchronous, never waits for a
  // write (it runs on the writer's thread); a failure is logged.
  void ResendOpenPlans(const std::string& peer) const;

  // EventHandler.
  pwx::v1::Event::PayloadCase payload() const override {
    return pwx::v1::Event::kPlan;
  }
  std::vector<std::string> Objects(const pwx::v1::Event& event) const override;
  absl::Status Apply(const pwx::v1::Event& event, const std::string& sender,
                     storage::WriteBatch* batch) const override;
  void AfterCommit(const pwx::v1::Event& event,
                   const std::string& sender) const override;

 private:
  absl::Time Now() const;
  absl::CivilDay Today() const;
  // The plan's view for a reader of this node.
  pwx::v1::Plan View(pwx::v1::Plan plan) const;
  // Queues `message` for `peer` in `batch`; FAILED_PRECONDITION when it
  // is not a peer. `woken` collects the peers to wake after the commit.
  absl::Status Send(const std::string& peer,
                    const pwx::v1::PlanMessage& message,
                    const std::string& user, storage::WriteBatch* batch,
                    std::set<std::string>* woken) const;
  // Queues `events` of `plan_id` for `peer`, in messages of a bounded size.
  absl::Status SendEvents(const std::string& peer, const std::string& plan_id,
                          const std::vector<pwx::v1::PlanEvent>& events,
                          const std::string& user, storage::WriteBatch* batch,
                          std::set<std::string>* woken) const;
  // At the lead: sequences `submission` by `author` onto `plan` (stored as
  // `previous`, null for a new plan), stores the result and queues it to
  // the receivers, with the audit entry by `audit_user`. Returns the
  // sequenced event (seq <= plan.seq for a duplicate, which writes
  // nothing) and sets `after`; otherwise the domain's refusal, or the
  // outbox's refusal of a receiver (its code, the receiver named), with
  // nothing added to `batch`.
  absl::StatusOr<pwx::v1::PlanEvent> Sequence(
      const storage::StoredPlan* previous, const pwx::v1::Plan& plan,
      const std::string& author, pwx::v1::PlanEvent submission,
      const std::string& audit_user, storage::WriteBatch* batch,
      std::set<std::string>* woken, pwx::v1::Plan* after) const;
  // The peer side (plan_events.cc), one per message kind.
  absl::Status ApplySubmission(const pwx::v1::PlanSubmission& in,
                               const std::string& sender,
                               storage::WriteBatch* batch,
                               std::set<std::string>* woken) const;
  absl::Status ApplyEvents(const pwx::v1::PlanEvents& in,
                           const std::string& sender,
                           storage::WriteBatch* batch,
                           std::set<std::string>* woken) const;
  absl::Status ApplyRefusal(const pwx::v1::PlanRefusal& in,
                            const std::string& sender,
                            storage::WriteBatch* batch) const;
  absl::Status ApplyCatchUp(const pwx::v1::PlanCatchUp& in,
                            const std::string& sender,
                            storage::WriteBatch* batch,
                            std::set<std::string>* woken) const;
  // Queues for `peer` the history of every open plan this node leads
  // that `peer` receives and `held` does not name.
  absl::Status QueueOpenPlans(const std::string& peer,
                              const std::map<std::string, uint64_t>& held,
                              storage::WriteBatch* batch,
                              std::set<std::string>* woken) const;
  absl::Status ApplyHoldings(const pwx::v1::PlanHoldings& in,
                             const std::string& sender,
                             storage::WriteBatch* batch,
                             std::set<std::string>* woken) const;
  // At the lead: queues `events` of plan `plan_id` (domain::EventsFor) for
  // `sender`, with a "plan.catch-up" audit entry; nothing when empty.
  absl::Status CatchUp(const std::string& plan_id, const std::string& sender,
                       const std::vector<pwx::v1::PlanEvent>& events,
                       storage::WriteBatch* batch,
                       std::set<std::string>* woken) const;
  void ActOnce(std::string id, pwx::v1::PlanEvent event,
               PlanChangeCallback done, int attempts_left);
  void CreateOnce(pwx::v1::PlanEvent event, PlanChangeCallback done,
                  int attempts_left);
  absl::StatusOr<std::string> NextId();
  std::string NewSubmissionId();

  const PlansOptions options_;
  storage::KvStore* const kv_;
  storage::PlanStore store_;
  PeerRegistry* const peers_;
  Outbox* const outbox_;
  const std::function<void(const std::string&)> wake_;

  absl::Mutex mu_;
  // Year -> last number given out, once read.
  std::map<int, uint64_t> last_number_ ABSL_GUARDED_BY(mu_);
};

// The authority that leads plan `id` (the part before "-P-"), or "" for an
// id not made by domain::FormatPlanId.
std::string PlanLead(const std::string& id);

}  // namespace pwx::server

#endif  // PWX_SERVER_PLANS_H_
