// How every node comes to hold the same plan: the lead sequences changes
// (Submit), nodes apply them in order (ApplySequenced, ReceiveSequenced),
// and the lead tells whom to send what (Deliveries, EventsFor). See
// "Ordering and convergence" in plan_rules.h.
#include <algorithm>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "server/domain/fields.h"
#include "server/domain/plan_fields.h"
#include "server/domain/plan_rules.h"

namespace pwx::domain {
namespace {

using pwx::v1::Plan;
using pwx::v1::PlanEvent;

constexpr size_t kMaxSubmissionId = 100;

bool SameEvent(const PlanEvent& a, const PlanEvent& b) {
  return a.SerializeAsString() == b.SerializeAsString();
}

absl::Status Reissued(const Plan& plan, uint64_t seq) {
  return absl::FailedPreconditionError(absl::StrCat(
      "plan ", plan.id(), ": the lead sent another event at seq ", seq,
      " than the one applied (was the lead's node restored from an older "
      "backup?)"));
}

}  // namespace

absl::StatusOr<PlanEvent> Submit(const Plan& plan, absl::string_view author,
                                 PlanEvent submission) {
  PWX_PLAN_RETURN_IF_ERROR(ValidateRequiredText(
      "submission_id", submission.submission_id(), kMaxSubmissionId));
  for (const PlanEvent& e : plan.history()) {
    if (e.author() == author &&
        e.submission_id() == submission.submission_id()) {
      return e;
    }
  }
  submission.set_author(std::string(author));
  submission.set_seq(plan.seq() + 1);
  Plan scratch = plan;
  PWX_PLAN_RETURN_IF_ERROR(ApplyPlanEvent(submission, &scratch));
  return submission;
}

pwx::v1::PlanRefusal MakeRefusal(const Plan& plan, const PlanEvent& submission,
                                 const absl::Status& status) {
  pwx::v1::PlanRefusal r;
  r.set_plan_id(plan.id());
  r.set_submission_id(submission.submission_id());
  r.set_code(static_cast<int>(status.code()));
  r.set_message(std::string(status.message()));
  r.set_checked_at_seq(plan.seq());
  return r;
}

absl::Status ApplySequenced(const PlanEvent& event, Plan* plan) {
  if (event.seq() != plan->seq() + 1) {
    return absl::FailedPreconditionError(
        absl::StrCat("plan ", plan->id(), " is at seq ", plan->seq(),
                     ": event seq ", event.seq(), " does not continue it"));
  }
  PWX_PLAN_RETURN_IF_ERROR(ApplyPlanEvent(event, plan));
  plan->set_seq(event.seq());
  *plan->mutable_updated_at() = event.at();
  *plan->add_history() = event;
  return absl::OkStatus();
}

absl::StatusOr<int> ReceiveSequenced(const std::vector<PlanEvent>& incoming,
                                     Plan* plan,
                                     std::vector<PlanEvent>* pending) {
  Plan next = *plan;
  std::vector<PlanEvent> buffer = *pending;
  for (size_t i = 0; i < incoming.size(); ++i) {
    const PlanEvent& e = incoming[i];
    if (e.seq() == 0) {
      return Invalid(absl::StrCat("events[", i, "].seq"), "is not set");
    }
    if (e.seq() <= next.seq()) {
      if (!SameEvent(e, next.history(static_cast<int>(e.seq() - 1)))) {
        return Reissued(next, e.seq());
      }
      continue;
    }
    auto at = std::lower_bound(
        buffer.begin(), buffer.end(), e.seq(),
        [](const PlanEvent& x, uint64_t seq) { return x.seq() < seq; });
    if (at != buffer.end() && at->seq() == e.seq()) {
      if (!SameEvent(*at, e)) return Reissued(next, e.seq());
      continue;
    }
    buffer.insert(at, e);
  }
  int applied = 0;
  size_t used = 0;
  while (used < buffer.size() && buffer[used].seq() == next.seq() + 1) {
    PWX_PLAN_RETURN_IF_ERROR(ApplySequenced(buffer[used], &next));
    ++used;
    ++applied;
  }
  buffer.erase(buffer.begin(), buffer.begin() + static_cast<long>(used));
  *plan = std::move(next);
  *pending = std::move(buffer);
  return applied;
}

absl::StatusOr<Plan> FoldPlan(absl::string_view id,
                              std::vector<PlanEvent> events) {
  std::sort(
      events.begin(), events.end(),
      [](const PlanEvent& a, const PlanEvent& b) { return a.seq() < b.seq(); });
  Plan plan = EmptyPlan(id);
  for (size_t i = 0; i < events.size(); ++i) {
    const PlanEvent& e = events[i];
    if (e.seq() == plan.seq()) {
      if (!SameEvent(e, plan.history(static_cast<int>(e.seq() - 1)))) {
        return Invalid("events",
                       absl::StrCat("two different events at seq ", e.seq()));
      }
      continue;
    }
    if (e.seq() != plan.seq() + 1) {
      return Invalid(
          "events",
          absl::StrCat("plan ", id, " has no event at seq ", plan.seq() + 1));
    }
    absl::Status s = ApplySequenced(e, &plan);
    if (!s.ok()) {
      return Invalid("events", absl::StrCat("seq ", e.seq(),
                                            " does not apply: ", s.message()));
    }
  }
  return plan;
}

std::vector<std::string> Receivers(const Plan& plan) {
  std::vector<std::string> out;
  if (plan.lead().empty() || plan.state() == pwx::v1::PLAN_STATE_DRAFT ||
      plan.proposed_seq() == 0) {
    return out;
  }
  for (const pwx::v1::Participant& x : plan.participants()) {
    if (x.status() != pwx::v1::PARTICIPANT_STATUS_DECLINED) {
      out.push_back(x.authority());
    }
  }
  if (plan.content().has_ela() && !plan.content().ela().authority().empty()) {
    out.push_back(plan.content().ela().authority());
  }
  return out;
}

std::vector<PlanDelivery> Deliveries(const Plan& before, const Plan& after) {
  std::vector<PlanDelivery> out;
  const std::vector<std::string> was = Receivers(before);
  const std::set<std::string> had(was.begin(), was.end());
  std::set<std::string> now;
  for (const std::string& a : Receivers(after)) {
    now.insert(a);
    out.push_back({a, had.contains(a) ? before.seq() : 0});
  }
  for (const std::string& a : was) {
    if (!now.contains(a)) out.push_back({a, before.seq()});
  }
  return out;
}

absl::StatusOr<std::vector<PlanEvent>> EventsFor(const Plan& plan,
                                                 absl::string_view authority,
                                                 uint64_t after_seq) {
  // The last seq `authority` may have: replay who receives what, without
  // folding (every event in the history applied, so its effect on who
  // takes part is plain from the event itself).
  uint64_t limit = 0;
  bool proposed = false;
  bool member = false;
  bool declined = false;
  std::string ela;
  bool was_receiver = false;
  for (const PlanEvent& e : plan.history()) {
    switch (e.action_case()) {
      case PlanEvent::kCreate:
        ela = e.create().content().ela().authority();
        for (const std::string& a : e.create().participants()) {
          if (a == authority) member = true;
        }
        break;
      case PlanEvent::kEditDraft:
        ela = e.edit_draft().content().ela().authority();
        break;
      case PlanEvent::kAmend:
        if (e.amend().replaces_content()) {
          ela = e.amend().content().ela().authority();
        }
        break;
      case PlanEvent::kInvite:
        if (e.invite().authority() == authority) member = true;
        break;
      case PlanEvent::kPropose:
        proposed = true;
        break;
      case PlanEvent::kDecline:
        if (e.author() == authority) declined = true;
        break;
      default:
        break;
    }
    const bool receiver = proposed && ((member && !declined) ||
                                       (!ela.empty() && ela == authority));
    if (receiver || was_receiver) limit = e.seq();
    was_receiver = receiver;
  }
  if (limit == 0) {
    return absl::PermissionDeniedError(absl::StrCat(
        authority, " does not hold plan ", plan.id(), " (never a receiver)"));
  }
  std::vector<PlanEvent> out;
  for (const PlanEvent& e : plan.history()) {
    if (e.seq() > after_seq && e.seq() <= limit) out.push_back(e);
  }
  return out;
}

bool ConfidentialFor(const Plan& plan, absl::string_view authority) {
  const pwx::v1::Participant* x = FindParticipant(plan, authority);
  return x != nullptr && x->status() == pwx::v1::PARTICIPANT_STATUS_DECLINED;
}

}  // namespace pwx::domain
