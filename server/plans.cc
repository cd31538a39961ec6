// The local side of Plans: changes by this node's users, reads, lists, the
// lead's sequencing. The peer side (messages from other nodes) is in
// plan_events.cc.
#include "server/plans.h"

#include <memory>
#include <random>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "server/audit_trail.h"
#include "server/domain/case_rules.h"
#include "server/domain/digest.h"
#include "server/domain/envelope.h"
#include "server/domain/fields.h"
#include "server/domain/plan_rules.h"

namespace pwx::server {
namespace {

using pwx::v1::Plan;
using pwx::v1::PlanEvent;

constexpr int kDefaultPageSize = 50;
constexpr int kAttempts = 5;
// Events per PlanEvents message, and their bytes: a long history goes in
// several. Half an envelope's body, so that one message of events always
// fits (an event alone is far smaller: plan_rules.h bounds its texts).
constexpr size_t kEventsPerMessage = 50;
constexpr size_t kEventsMessageBytes = domain::kMaxEnvelopeBodyBytes / 2;

std::string EventSha256(const PlanEvent& e) {
  return domain::Sha256Hex(e.SerializeAsString());
}

// A plan as lists show it: no history, no personal data.
Plan ForList(Plan plan) {
  plan.clear_history();
  plan.mutable_content()->clear_description();
  for (pwx::v1::PlanAction& a : *plan.mutable_actions()) {
    a.clear_inspectors();
    for (pwx::v1::Finding& f : *a.mutable_findings()) f.clear_notes();
  }
  for (pwx::v1::ReportPart& p : *plan.mutable_report()->mutable_parts()) {
    p.clear_text();
  }
  return plan;
}

}  // namespace

std::string PlanLead(const std::string& id) {
  if (!domain::ValidatePlanId("id", id).ok()) return "";
  return id.substr(0, id.find("-P-"));
}

Plans::Plans(PlansOptions options, storage::KvStore* kv, PeerRegistry* peers,
             Outbox* outbox, std::function<void(const std::string&)> wake)
    : options_(std::move(options)),
      kv_(kv),
      store_(kv),
      peers_(peers),
      outbox_(outbox),
      wake_(std::move(wake)) {}

absl::Time Plans::Now() const {
  return options_.clock ? options_.clock() : absl::Now();
}

absl::CivilDay Plans::Today() const {
  return absl::ToCivilDay(Now(), absl::UTCTimeZone());
}

Plan Plans::View(Plan plan) const {
  plan.set_confidential(domain::ConfidentialFor(plan, options_.authority_id));
  return plan;
}

std::string Plans::NewSubmissionId() {
  std::random_device random;
  uint64_t parts[2] = {0, 0};
  for (uint64_t& p : parts) p = (uint64_t{random()} << 32) | random();
  return absl::StrFormat("%016x%016x", parts[0], parts[1]);
}

absl::StatusOr<std::string> Plans::NextId() {
  const int year = static_cast<int>(Today().year());
  absl::MutexLock lock(&mu_);
  auto it = last_number_.find(year);
  if (it == last_number_.end()) {
    absl::StatusOr<uint64_t> last = store_.LastNumber(year);
    if (!last.ok()) return last.status();
    it = last_number_.emplace(year, *last).first;
  }
  ++it->second;
  return domain::FormatPlanId(options_.authority_id, year, it->second);
}

absl::Status Plans::Send(const std::string& peer,
                         const pwx::v1::PlanMessage& message,
                         const std::string& user, storage::WriteBatch* batch,
                         std::set<std::string>* woken) const {
  std::shared_ptr<const PeerInfo> info = peers_->Find(peer);
  if (info == nullptr) {
    return absl::FailedPreconditionError(absl::StrCat(
        peer,
        " is not a peer of this node (pwx peer list), so nothing of "
        "the plan reaches it"));
  }
  pwx::v1::Event event;
  *event.mutable_plan() = message;
  if (absl::Status s = outbox_->Queue(*info, event, user, batch); !s.ok()) {
    return s;
  }
  woken->insert(peer);
  return absl::OkStatus();
}

absl::Status Plans::SendEvents(const std::string& peer,
                               const std::string& plan_id,
                               const std::vector<PlanEvent>& events,
                               const std::string& user,
                               storage::WriteBatch* batch,
                               std::set<std::string>* woken) const {
  pwx::v1::PlanMessage message;
  size_t bytes = 0;
  auto flush = [&]() -> absl::Status {
    if (message.events().events().empty()) return absl::OkStatus();
    absl::Status s = Send(peer, message, user, batch, woken);
    message.mutable_events()->clear_events();
    bytes = 0;
    return s;
  };
  message.mutable_events()->set_plan_id(plan_id);
  message.mutable_events()->set_lead(options_.authority_id);
  for (const PlanEvent& e : events) {
    // By count and by size: a history of large events (long texts) goes
    // in as many envelopes as it needs, none over the envelope's limit.
    const size_t size = e.ByteSizeLong();
    if (message.events().events_size() >= static_cast<int>(kEventsPerMessage) ||
        (bytes > 0 && bytes + size > kEventsMessageBytes)) {
      if (absl::Status s = flush(); !s.ok()) return s;
    }
    *message.mutable_events()->add_events() = e;
    bytes += size;
  }
  return flush();
}

absl::StatusOr<PlanEvent> Plans::Sequence(
    const storage::StoredPlan* previous, const Plan& plan,
    const std::string& author, PlanEvent submission,
    const std::string& audit_user, storage::WriteBatch* batch,
    std::set<std::string>* woken, Plan* after) const {
  absl::StatusOr<PlanEvent> sequenced =
      domain::Submit(plan, author, std::move(submission));
  if (!sequenced.ok()) return sequenced.status();
  *after = plan;
  if (sequenced->seq() <= plan.seq()) return sequenced;  // a duplicate
  if (absl::Status s = domain::ApplySequenced(*sequenced, after); !s.ok()) {
    return s;
  }
  const std::vector<domain::PlanDelivery> deliveries =
      domain::Deliveries(plan, *after);
  // Every receiver must be reachable before anything is written.
  for (const domain::PlanDelivery& d : deliveries) {
    if (peers_->Find(d.authority) == nullptr) {
      return absl::FailedPreconditionError(absl::StrCat(
          d.authority, " is not a peer of this node (pwx peer add), so plan ",
          plan.id(), " cannot reach it; nothing was changed"));
    }
  }
  // Built apart and added to `batch` only once every receiver took its
  // events: a change is stored and queued to all of them, or to none.
  // (A part dropped unwritten releases what the outbox noted of it.)
  storage::WriteBatch writes;
  std::set<std::string> woken_here;
  for (const domain::PlanDelivery& d : deliveries) {
    absl::StatusOr<std::vector<PlanEvent>> events =
        domain::EventsFor(*after, d.authority, d.after_seq);
    if (!events.ok()) return events.status();
    if (absl::Status s = SendEvents(d.authority, plan.id(), *events, "",
                                    &writes, &woken_here);
        !s.ok()) {
      return absl::Status(
          s.code(),
          absl::StrCat("plan ", plan.id(), ": the change cannot be queued for ",
                       d.authority, ", so nothing was changed: ", s.message()));
    }
  }
  store_.Put(*after, previous, &writes);
  writes.AppendAudit(AuditEntryBytes(
      sequenced->at(), options_.authority_id, audit_user,
      absl::StrCat("plan.", domain::PlanActionName(*sequenced)), plan.id(),
      EventSha256(*sequenced), sequenced->seq(), {author}));
  batch->Append(std::move(writes));
  woken->insert(woken_here.begin(), woken_here.end());
  return sequenced;
}

void Plans::Create(const pwx::v1::CreatePlanAction& create,
                   const std::string& user, PlanChangeCallback done) {
  for (int i = 0; i < create.participants_size(); ++i) {
    const std::string field = absl::StrCat("create.participants[", i, "]");
    const std::string& a = create.participants(i);
    if (absl::Status s = domain::ValidateAuthorityId(field, a); !s.ok()) {
      done(s);
      return;
    }
    if (a != options_.authority_id && peers_->Find(a) == nullptr) {
      done(absl::NotFoundError(absl::StrCat(
          field, ": ", a, " is not a peer of this node (pwx peer list)")));
      return;
    }
  }
  PlanEvent event;
  *event.mutable_create() = create;
  event.set_user(user);
  CreateOnce(std::move(event), std::move(done), kAttempts);
}

void Plans::CreateOnce(PlanEvent event, PlanChangeCallback done,
                       int attempts_left) {
  absl::StatusOr<std::string> id = NextId();
  if (!id.ok()) {
    done(id.status());
    return;
  }
  *event.mutable_at() = ToProtoTime(Now());
  event.set_submission_id(NewSubmissionId());
  storage::WriteBatch batch;
  std::set<std::string> woken;
  auto after = std::make_shared<Plan>();
  absl::StatusOr<PlanEvent> sequenced =
      Sequence(nullptr, domain::EmptyPlan(*id), options_.authority_id, event,
               event.user(), &batch, &woken, after.get());
  if (!sequenced.ok()) {
    done(sequenced.status());
    return;
  }
  {
    absl::MutexLock lock(&mu_);
    const int year = static_cast<int>(Today().year());
    store_.PutLastNumber(year, last_number_[year], &batch);
  }
  kv_->WriteAsync(
      std::move(batch),
      [this, event = std::move(event), after, seq = *std::move(sequenced),
       done = std::move(done), attempts_left](absl::Status s) mutable {
        if (absl::IsAborted(s) && attempts_left > 1) {
          // The id was taken (the number record lagged): take the next.
          CreateOnce(std::move(event), std::move(done), attempts_left - 1);
          return;
        }
        if (!s.ok()) {
          done(s);
          return;
        }
        done(PlanChange{View(*after), std::move(seq), true});
      });
}

void Plans::Act(const std::string& id, PlanEvent step, const std::string& user,
                bool coordinator, PlanChangeCallback done) {
  if (absl::Status s = domain::ValidatePlanId("id", id); !s.ok()) {
    done(s);
    return;
  }
  if (step.action_case() == PlanEvent::ACTION_NOT_SET) {
    done(absl::InvalidArgumentError("step: names no action"));
    return;
  }
  if (step.has_create()) {
    done(absl::InvalidArgumentError(
        "step: a plan is created with CreatePlan, not as a change"));
    return;
  }
  if (absl::Status s = domain::CheckUserMay(step, coordinator); !s.ok()) {
    done(s);
    return;
  }
  if (step.has_invite() && peers_->Find(step.invite().authority()) == nullptr) {
    done(absl::NotFoundError(
        absl::StrCat("invite.authority: ", step.invite().authority(),
                     " is not a peer of this node "
                     "(pwx peer list)")));
    return;
  }
  step.clear_seq();
  step.clear_author();
  step.set_user(user);
  step.set_submission_id(NewSubmissionId());
  ActOnce(id, std::move(step), std::move(done), kAttempts);
}

void Plans::ActOnce(std::string id, PlanEvent event, PlanChangeCallback done,
                    int attempts_left) {
  absl::StatusOr<std::optional<storage::StoredPlan>> stored = store_.Get(id);
  if (!stored.ok()) {
    done(stored.status());
    return;
  }
  if (!stored->has_value()) {
    done(absl::NotFoundError(absl::StrCat("plan ", id, " does not exist")));
    return;
  }
  const storage::StoredPlan& previous = **stored;
  const std::string& me = options_.authority_id;
  *event.mutable_at() = ToProtoTime(Now());
  storage::WriteBatch batch;
  std::set<std::string> woken;
  auto change = std::make_shared<PlanChange>();
  if (previous.record.lead() == me) {
    absl::StatusOr<PlanEvent> sequenced =
        Sequence(&previous, previous.record, me, event, event.user(), &batch,
                 &woken, &change->plan);
    if (!sequenced.ok()) {
      done(sequenced.status());
      return;
    }
    change->event = *std::move(sequenced);
    change->sequenced = true;
  } else {
    // Checked here against this node's copy, then ordered by the lead.
    absl::StatusOr<PlanEvent> checked =
        domain::Submit(previous.record, me, event);
    if (!checked.ok()) {
      done(checked.status());
      return;
    }
    pwx::v1::PlanMessage message;
    message.mutable_submission()->set_plan_id(id);
    *message.mutable_submission()->mutable_event() = event;
    if (absl::Status s =
            Send(previous.record.lead(), message, event.user(), &batch, &woken);
        !s.ok()) {
      done(s);
      return;
    }
    batch.AppendAudit(
        AuditEntryBytes(event.at(), me, event.user(),
                        absl::StrCat("plan.", domain::PlanActionName(event)),
                        id, EventSha256(event), 0, {previous.record.lead()}));
    // The copy here changes when the lead's sequenced event comes back.
    change->plan = previous.record;
    change->event = event;
  }
  kv_->WriteAsync(std::move(batch), [this, id = std::move(id), event, change,
                                     woken, done = std::move(done),
                                     attempts_left](absl::Status s) mutable {
    if (absl::IsAborted(s) && attempts_left > 1) {
      // Another change of the plan landed meanwhile: check again.
      ActOnce(std::move(id), std::move(event), std::move(done),
              attempts_left - 1);
      return;
    }
    if (!s.ok()) {
      done(s);
      return;
    }
    for (const std::string& peer : woken) wake_(peer);
    change->plan = View(std::move(change->plan));
    done(std::move(*change));
  });
}

void Plans::Get(const std::string& id, const std::string& user,
                PlanCallback done) const {
  if (absl::Status s = domain::ValidatePlanId("id", id); !s.ok()) {
    done(s);
    return;
  }
  absl::StatusOr<std::optional<storage::StoredPlan>> stored = store_.Get(id);
  if (!stored.ok()) {
    done(stored.status());
    return;
  }
  if (!stored->has_value()) {
    done(absl::NotFoundError(absl::StrCat("plan ", id, " does not exist")));
    return;
  }
  auto view = std::make_shared<Plan>(View((*stored)->record));
  // Plans hold personal data (inspectors, notes, report texts): they go
  // out only once the record of this read is durable.
  storage::WriteBatch batch;
  batch.AppendAudit(AuditEntryBytes(ToProtoTime(Now()), options_.authority_id,
                                    user, "plan.read", id,
                                    domain::Sha256Hex((*stored)->bytes)));
  batch.set_max_delay(options_.read_entry_delay);
  kv_->WriteAsync(std::move(batch), [view, id, done](absl::Status s) {
    if (!s.ok()) {
      done(absl::Status(s.code(),
                        absl::StrCat("the plan.read audit entry of ", id,
                                     " was not stored, so the plan is not "
                                     "returned: ",
                                     s.message())));
      return;
    }
    done(std::move(*view));
  });
}

absl::StatusOr<std::vector<Plan>> Plans::List(
    const PlanListQuery& query, std::string* next_page_token) const {
  if (!pwx::v1::PlanState_IsValid(query.state)) {
    return absl::InvalidArgumentError("state: unknown state");
  }
  if (query.page_size < 0 || query.page_size > domain::kMaxPlanListItems) {
    return absl::InvalidArgumentError(
        absl::StrCat("page_size: must be 0 to ", domain::kMaxPlanListItems));
  }
  if (!query.upcoming_from.empty()) {
    if (absl::StatusOr<absl::CivilDay> d =
            domain::ParseDate("upcoming_from", query.upcoming_from);
        !d.ok()) {
      return d.status();
    }
  }
  if (!query.case_id.empty()) {
    if (absl::Status s = domain::ValidateCaseId("case_id", query.case_id);
        !s.ok()) {
      return s;
    }
  }
  storage::PlanQuery q;
  q.state = query.state;
  q.upcoming_from = query.upcoming_from;
  q.case_id = query.case_id;
  absl::StatusOr<storage::PlanPage> page =
      store_.List(q, query.page_size == 0 ? kDefaultPageSize : query.page_size,
                  query.page_token);
  if (!page.ok()) return page.status();
  std::vector<Plan> out;
  for (Plan& p : page->plans) out.push_back(ForList(View(std::move(p))));
  *next_page_token = page->next_page_token;
  return out;
}

absl::StatusOr<pwx::v1::PlanReportSummary> Plans::Report(
    const std::string& id) const {
  if (absl::Status s = domain::ValidatePlanId("id", id); !s.ok()) return s;
  absl::StatusOr<std::optional<storage::StoredPlan>> stored = store_.Get(id);
  if (!stored.ok()) return stored.status();
  if (!stored->has_value()) {
    return absl::NotFoundError(absl::StrCat("plan ", id, " does not exist"));
  }
  return domain::SummarizeReport((*stored)->record, Today());
}

absl::StatusOr<std::vector<pwx::v1::PlanRefusal>> Plans::Refusals(
    const std::string& id) const {
  if (absl::Status s = domain::ValidatePlanId("id", id); !s.ok()) return s;
  return store_.Refusals(id, options_.authority_id);
}

absl::Status Plans::CatchUpAll() {
  // Per lead, the open plans held (a decliner's excepted: it asks for
  // nothing more).
  std::map<std::string, pwx::v1::PlanHoldings> holdings;
  for (const pwx::v1::Peer& peer : peers_->List()) {
    holdings[peer.card().authority_id()];
  }
  for (const pwx::v1::PlanState state :
       {pwx::v1::PLAN_STATE_PROPOSED, pwx::v1::PLAN_STATE_AGREED,
        pwx::v1::PLAN_STATE_IN_PROGRESS, pwx::v1::PLAN_STATE_REPORTED}) {
    absl::StatusOr<std::vector<std::string>> ids = store_.IdsIn(state);
    if (!ids.ok()) return ids.status();
    for (const std::string& id : *ids) {
      absl::StatusOr<std::optional<storage::StoredPlan>> stored =
          store_.Get(id);
      if (!stored.ok()) return stored.status();
      if (!stored->has_value()) continue;
      const Plan& plan = (*stored)->record;
      auto it = holdings.find(plan.lead());
      if (it == holdings.end() ||
          domain::ConfidentialFor(plan, options_.authority_id)) {
        continue;
      }
      pwx::v1::PlanCatchUp* held = it->second.add_plans();
      held->set_plan_id(id);
      held->set_after_seq(plan.seq());
    }
  }
  // Only the leads of open plans held: a restart adds no traffic on the
  // other links. (A node restored from an empty backup holds none; the
  // leads send its plans again once its link is repaired:
  // ResendOpenPlans.)
  for (auto it = holdings.begin(); it != holdings.end();) {
    if (it->second.plans_size() == 0) {
      it = holdings.erase(it);
    } else {
      ++it;
    }
  }
  // A peer that cannot take its message now (its queue is full) does not
  // keep the others from theirs; the first such error is returned.
  absl::Status first_error;
  storage::WriteBatch batch;
  std::set<std::string> woken;
  for (auto& [lead, held] : holdings) {
    pwx::v1::PlanMessage message;
    *message.mutable_holdings() = std::move(held);
    storage::WriteBatch part;
    if (absl::Status s = Send(lead, message, "", &part, &woken); !s.ok()) {
      if (first_error.ok()) {
        first_error = absl::Status(
            s.code(), absl::StrCat("what this node holds of the plans ", lead,
                                   " leads was not sent to it: ", s.message()));
      }
      continue;
    }
    batch.Append(std::move(part));
  }
  if (!batch.empty()) {
    if (absl::Status s = kv_->Write(std::move(batch)); !s.ok()) return s;
  }
  for (const std::string& peer : woken) wake_(peer);
  return first_error;
}

}  // namespace pwx::server
