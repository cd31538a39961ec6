// The peer side of Plans: the PlanMessage payload from other nodes. At the
// lead: submissions (sequenced or refused), catch-up requests and a node's
// holdings at its start; at a receiver: sequenced events and refusals. The
// envelope's authenticated sender decides who made a change, never a field of
// the message.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>
#include <utility>

#include "absl/strings/str_cat.h"
#include "server/audit_trail.h"
#include "server/domain/digest.h"
#include "server/domain/plan_rules.h"
#include "server/plans.h"

namespace pwx::server {
namespace {

using pwx::v1::Plan;
using pwx::v1::PlanEvent;

constexpr int kMaxEventsPerDelivery = 1000;
// Open plans one node may say it holds of one lead.
constexpr int kMaxHeldPlans = 100000;

const std::string& PlanIdOf(const pwx::v1::PlanMessage& m) {
  switch (m.kind_case()) {
    case pwx::v1::PlanMessage::kSubmission:
      return m.submission().plan_id();
    case pwx::v1::PlanMessage::kEvents:
      return m.events().plan_id();
    case pwx::v1::PlanMessage::kRefusal:
      return m.refusal().plan_id();
    case pwx::v1::PlanMessage::kCatchUp:
      return m.catch_up().plan_id();
    default:
      return pwx::v1::PlanSubmission::default_instance().plan_id();
  }
}

}  // namespace

std::vector<std::string> Plans::Objects(const pwx::v1::Event& event) const {
  if (event.plan().has_holdings()) return {};
  return {PlanIdOf(event.plan())};
}

absl::Status Plans::Apply(const pwx::v1::Event& event,
                          const std::string& sender,
                          storage::WriteBatch* batch) const {
  const pwx::v1::PlanMessage& m = event.plan();
  std::set<std::string> woken;  // AfterCommit wakes them
  switch (m.kind_case()) {
    case pwx::v1::PlanMessage::kSubmission:
      return ApplySubmission(m.submission(), sender, batch, &woken);
    case pwx::v1::PlanMessage::kEvents:
      return ApplyEvents(m.events(), sender, batch, &woken);
    case pwx::v1::PlanMessage::kRefusal:
      return ApplyRefusal(m.refusal(), sender, batch);
    case pwx::v1::PlanMessage::kCatchUp:
      return ApplyCatchUp(m.catch_up(), sender, batch, &woken);
    case pwx::v1::PlanMessage::kHoldings:
      return ApplyHoldings(m.holdings(), sender, batch, &woken);
    default:
      return absl::InvalidArgumentError("plan: names no message");
  }
}

absl::Status Plans::ApplySubmission(const pwx::v1::PlanSubmission& in,
                                    const std::string& sender,
                                    storage::WriteBatch* batch,
                                    std::set<std::string>* woken) const {
  const std::string& id = in.plan_id();
  if (absl::Status s = domain::ValidatePlanId("plan.submission.plan_id", id);
      !s.ok()) {
    return s;
  }
  if (PlanLead(id) != options_.authority_id) {
    return absl::PermissionDeniedError(
        absl::StrCat(sender, " submitted a change of plan ", id,
                     ", which this node does not lead"));
  }
  const PlanEvent& submission = in.event();
  absl::StatusOr<std::optional<storage::StoredPlan>> stored =
      store_.Get(id, batch);
  if (!stored.ok()) return stored.status();
  const storage::StoredPlan* previous =
      stored->has_value() ? &**stored : nullptr;
  const Plan plan =
      previous != nullptr ? previous->record : domain::EmptyPlan(id);
  const google::protobuf::Timestamp now = ToProtoTime(Now());
  const std::string by = absl::StrCat("peer:", sender);
  // A resent submission that was refused gets the same refusal.
  absl::StatusOr<std::optional<pwx::v1::PlanRefusal>> known =
      store_.Refusal(id, sender, submission.submission_id(), batch);
  if (!known.ok()) return known.status();
  pwx::v1::PlanMessage answer;
  if (known->has_value()) {
    *answer.mutable_refusal() = **known;
    return Send(sender, answer, "", batch, woken);
  }
  Plan after;
  absl::StatusOr<PlanEvent> sequenced =
      previous == nullptr ? absl::StatusOr<PlanEvent>(absl::NotFoundError(
                                absl::StrCat("plan ", id, " does not exist")))
                          : Sequence(previous, plan, sender, submission, by,
                                     batch, woken, &after);
  if (sequenced.ok()) return absl::OkStatus();  // or a duplicate: nothing
  if (absl::IsResourceExhausted(sequenced.status())) {
    // A receiver's queue is full: the change is fine, this node cannot
    // pass it on now. Refusing the delivery keeps the submission in its
    // author's outbox, which sends it again later (the domain never
    // refuses with this code).
    return sequenced.status();
  }
  pwx::v1::PlanRefusal refusal =
      domain::MakeRefusal(plan, submission, sequenced.status());
  refusal.set_plan_id(id);
  store_.PutRefusal(sender, refusal, batch);
  batch->AppendAudit(AuditEntryBytes(
      now, options_.authority_id, by, "plan.refuse", id,
      domain::Sha256Hex(submission.SerializeAsString()), 0, {sender}));
  *answer.mutable_refusal() = std::move(refusal);
  return Send(sender, answer, "", batch, woken);
}

absl::Status Plans::ApplyEvents(const pwx::v1::PlanEvents& in,
                                const std::string& sender,
                                storage::WriteBatch* batch,
                                std::set<std::string>* woken) const {
  const std::string& id = in.plan_id();
  if (absl::Status s = domain::ValidatePlanId("plan.events.plan_id", id);
      !s.ok()) {
    return s;
  }
  const std::string lead = PlanLead(id);
  if (sender != lead) {
    return absl::PermissionDeniedError(
        absl::StrCat(sender, " sent events of plan ", id, ": only its lead ",
                     lead, " orders them"));
  }
  if (in.events().empty()) {
    return absl::InvalidArgumentError("plan.events.events: is empty");
  }
  if (in.events_size() > kMaxEventsPerDelivery) {
    return absl::InvalidArgumentError(absl::StrCat(
        "plan.events.events: more than ", kMaxEventsPerDelivery, " events"));
  }
  absl::StatusOr<std::optional<storage::StoredPlan>> stored =
      store_.Get(id, batch);
  if (!stored.ok()) return stored.status();
  const storage::StoredPlan* previous =
      stored->has_value() ? &**stored : nullptr;
  Plan plan = previous != nullptr ? previous->record : domain::EmptyPlan(id);
  const uint64_t had = plan.seq();
  absl::StatusOr<std::vector<PlanEvent>> pending = store_.Pending(id, batch);
  if (!pending.ok()) return pending.status();
  const size_t waited = pending->size();
  const std::vector<PlanEvent> incoming(in.events().begin(), in.events().end());
  const google::protobuf::Timestamp now = ToProtoTime(Now());
  const std::string by = absl::StrCat("peer:", sender);
  absl::StatusOr<int> applied =
      domain::ReceiveSequenced(incoming, &plan, &*pending);
  if (absl::IsFailedPrecondition(applied.status())) {
    // The lead reissued a number (its node was restored from an older
    // backup): the plan held stays as it is, and the log says so.
    batch->AppendAudit(AuditEntryBytes(
        now, options_.authority_id, by, "plan.conflict", id,
        domain::Sha256Hex(in.SerializeAsString()), 0, {sender}));
    return absl::OkStatus();
  }
  if (!applied.ok()) return applied.status();
  for (uint64_t seq = had + 1; seq <= plan.seq(); ++seq) {
    const PlanEvent& e = plan.history(static_cast<int>(seq - 1));
    batch->AppendAudit(AuditEntryBytes(
        now, options_.authority_id, by,
        absl::StrCat("plan.", domain::PlanActionName(e)), id,
        domain::Sha256Hex(e.SerializeAsString()), e.seq(), {e.author()}));
  }
  if (*applied > 0) store_.Put(plan, previous, batch);
  if (*applied > 0 || pending->size() != waited) {
    store_.PutPending(id, *pending, batch);
  }
  if (!pending->empty()) {
    // A gap: ask the lead for what is missing.
    pwx::v1::PlanMessage ask;
    ask.mutable_catch_up()->set_plan_id(id);
    ask.mutable_catch_up()->set_after_seq(plan.seq());
    return Send(lead, ask, "", batch, woken);
  }
  return absl::OkStatus();
}

absl::Status Plans::ApplyRefusal(const pwx::v1::PlanRefusal& in,
                                 const std::string& sender,
                                 storage::WriteBatch* batch) const {
  const std::string& id = in.plan_id();
  if (absl::Status s = domain::ValidatePlanId("plan.refusal.plan_id", id);
      !s.ok()) {
    return s;
  }
  if (sender != PlanLead(id)) {
    return absl::PermissionDeniedError(absl::StrCat(
        sender, " sent a refusal about plan ", id, ", which it does not lead"));
  }
  if (in.submission_id().empty()) {
    return absl::InvalidArgumentError("plan.refusal.submission_id: is empty");
  }
  store_.PutRefusal(options_.authority_id, in, batch);
  batch->AppendAudit(
      AuditEntryBytes(ToProtoTime(Now()), options_.authority_id,
                      absl::StrCat("peer:", sender), "plan.refused", id,
                      domain::Sha256Hex(in.SerializeAsString()), 0, {sender}));
  return absl::OkStatus();
}

absl::Status Plans::ApplyCatchUp(const pwx::v1::PlanCatchUp& in,
                                 const std::string& sender,
                                 storage::WriteBatch* batch,
                                 std::set<std::string>* woken) const {
  const std::string& id = in.plan_id();
  if (absl::Status s = domain::ValidatePlanId("plan.catch_up.plan_id", id);
      !s.ok()) {
    return s;
  }
  if (PlanLead(id) != options_.authority_id) {
    return absl::PermissionDeniedError(
        absl::StrCat(sender, " asked for events of plan ", id,
                     ", which this node does not lead"));
  }
  absl::StatusOr<std::optional<storage::StoredPlan>> stored =
      store_.Get(id, batch);
  if (!stored.ok()) return stored.status();
  if (!stored->has_value()) return absl::OkStatus();  // nothing to give
  absl::StatusOr<std::vector<PlanEvent>> events =
      domain::EventsFor((*stored)->record, sender, in.after_seq());
  if (!events.ok()) return events.status();
  return CatchUp(id, sender, *events, batch, woken);
}

absl::Status Plans::CatchUp(const std::string& plan_id,
                            const std::string& sender,
                            const std::vector<PlanEvent>& events,
                            storage::WriteBatch* batch,
                            std::set<std::string>* woken) const {
  if (events.empty()) return absl::OkStatus();
  batch->AppendAudit(AuditEntryBytes(
      ToProtoTime(Now()), options_.authority_id, absl::StrCat("peer:", sender),
      "plan.catch-up", plan_id, "", events.size(), {sender}));
  return SendEvents(sender, plan_id, events, "", batch, woken);
}

absl::Status Plans::ApplyHoldings(const pwx::v1::PlanHoldings& in,
                                  const std::string& sender,
                                  storage::WriteBatch* batch,
                                  std::set<std::string>* woken) const {
  if (in.plans_size() > kMaxHeldPlans) {
    return absl::InvalidArgumentError(absl::StrCat(
        "plan.holdings.plans: more than ", kMaxHeldPlans, " plans"));
  }
  std::map<std::string, uint64_t> held;
  for (int i = 0; i < in.plans_size(); ++i) {
    const pwx::v1::PlanCatchUp& p = in.plans(i);
    if (absl::Status s = domain::ValidatePlanId(
            absl::StrCat("plan.holdings.plans[", i, "].plan_id"), p.plan_id());
        !s.ok()) {
      return s;
    }
    // Plans of another lead are not this node's to answer for.
    if (PlanLead(p.plan_id()) == options_.authority_id) {
      held[p.plan_id()] = p.after_seq();
    }
  }
  // The plans listed: what each misses (whatever its state now).
  for (const auto& [id, seq] : held) {
    absl::StatusOr<std::optional<storage::StoredPlan>> stored =
        store_.Get(id, batch);
    if (!stored.ok()) return stored.status();
    if (!stored->has_value()) continue;
    // Nothing for a sender that never was a receiver.
    absl::StatusOr<std::vector<PlanEvent>> events =
        domain::EventsFor((*stored)->record, sender, seq);
    if (!events.ok()) continue;
    if (absl::Status s = CatchUp(id, sender, *events, batch, woken); !s.ok()) {
      return s;
    }
  }
  // The open plans the sender takes part in and does not hold: it lost
  // them.
  return QueueOpenPlans(sender, held, batch, woken);
}

absl::Status Plans::QueueOpenPlans(const std::string& peer,
                                   const std::map<std::string, uint64_t>& held,
                                   storage::WriteBatch* batch,
                                   std::set<std::string>* woken) const {
  for (const pwx::v1::PlanState state :
       {pwx::v1::PLAN_STATE_PROPOSED, pwx::v1::PLAN_STATE_AGREED,
        pwx::v1::PLAN_STATE_IN_PROGRESS, pwx::v1::PLAN_STATE_REPORTED}) {
    absl::StatusOr<std::vector<std::string>> ids = store_.IdsIn(state);
    if (!ids.ok()) return ids.status();
    for (const std::string& id : *ids) {
      if (held.contains(id) || PlanLead(id) != options_.authority_id) continue;
      absl::StatusOr<std::optional<storage::StoredPlan>> stored =
          store_.Get(id, batch);
      if (!stored.ok()) return stored.status();
      if (!stored->has_value()) continue;
      const Plan& plan = (*stored)->record;
      // A decliner is no receiver: nothing.
      const std::vector<std::string> receivers = domain::Receivers(plan);
      if (std::find(receivers.begin(), receivers.end(), peer) ==
          receivers.end()) {
        continue;
      }
      absl::StatusOr<std::vector<PlanEvent>> events =
          domain::EventsFor(plan, peer, 0);
      if (!events.ok()) return events.status();
      if (absl::Status s = CatchUp(id, peer, *events, batch, woken); !s.ok()) {
        return s;
      }
    }
  }
  return absl::OkStatus();
}

void Plans::ResendOpenPlans(const std::string& peer) const {
  storage::WriteBatch batch;
  std::set<std::string> woken;
  if (absl::Status s = QueueOpenPlans(peer, {}, &batch, &woken); !s.ok()) {
    spdlog::warn(
        "plans: the open plans {} takes part in were not sent again "
        "after the repair of its link: {}",
        peer, s.ToString());
    return;
  }
  if (batch.empty()) return;
  kv_->WriteAsync(std::move(batch), [this, peer, woken](absl::Status s) {
    if (!s.ok()) {
      spdlog::warn(
          "plans: the open plans {} takes part in were not sent "
          "again after the repair of its link: {}",
          peer, s.ToString());
      return;
    }
    for (const std::string& p : woken) wake_(p);
  });
}

void Plans::AfterCommit(const pwx::v1::Event& event,
                        const std::string& sender) const {
  // Wake whoever the delivery may have queued for: the sender, and at the
  // lead every receiver of the plan.
  wake_(sender);
  const std::string& id = PlanIdOf(event.plan());
  if (PlanLead(id) != options_.authority_id) return;
  absl::StatusOr<std::optional<storage::StoredPlan>> stored = store_.Get(id);
  if (!stored.ok() || !stored->has_value()) return;
  for (const std::string& a : domain::Receivers((*stored)->record)) {
    if (a != sender) wake_(a);
  }
}

}  // namespace pwx::server
