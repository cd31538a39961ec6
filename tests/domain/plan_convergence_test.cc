// Randomized convergence of a plan across four nodes: the lead (FR-DGT),
// two participants (PL-PIP, RO-ITM) and ELA's node, with changes from all
// of them, messages delayed and reordered at random, redelivered, and
// nodes restarting (losing their buffer and what was in flight to them,
// then catching up from the lead). Every run must end with byte-identical
// plans on every node that has not declined, and a decliner's copy as it
// was at its decline.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "server/domain/plan_rules.h"
#include "tests/domain/plan_samples.h"

namespace pwx::domain {
namespace {

using pwx::testing::kEla;
using pwx::testing::kFr;
using pwx::testing::kPl;
using pwx::testing::kPlanId;
using pwx::testing::kRo;
using pwx::testing::PlanNode;
using pwx::v1::Plan;
using pwx::v1::PlanEvent;
using pwx::v1::PlanMessage;

struct Message {
  std::string from;
  std::string to;
  PlanMessage body;
};

// What the runs went through, to show they exercised every path.
struct Seen {
  int closed = 0;
  int declined = 0;
  int refusals = 0;
  int restarts = 0;
  int buffered = 0;
  int redeliveries = 0;
  int reopened = 0;
};

class Simulation {
 public:
  explicit Simulation(uint32_t seed) : rng_(seed) {
    for (const char* a : {kPl, kRo, kEla}) nodes_.emplace(a, PlanNode(a));
  }

  void Run(Seen* seen) {
    seen_ = seen;
    LeadActs();  // the create
    for (int step = 0; step < 180; ++step) {
      switch (rng_() % 11) {
        case 0:
        case 1:
          LeadActs();
          break;
        case 2:
        case 3:
        case 4:
          OtherActs(Pick({kPl, kRo, kEla}));
          break;
        case 5:
        case 6:
        case 7:
        case 8:
          DeliverOne();
          break;
        case 9:
          Redeliver();
          break;
        case 10:
          if (rng_() % 3 == 0) Restart(Pick({kPl, kRo, kEla}));
          break;
      }
    }
    // The links drain; then every node asks for what it may have missed.
    Drain();
    for (auto& [authority, node] : nodes_) {
      Send(authority, kFr, CatchUp(node));
    }
    Drain();
  }

  // Checks the end state of the run.
  void Check(uint32_t seed) {
    const Plan& lead = lead_.plan;
    if (lead.state() == pwx::v1::PLAN_STATE_CLOSED) ++seen_->closed;
    for (const auto& [authority, node] : nodes_) {
      SCOPED_TRACE(absl::StrCat("seed ", seed, ", node ", authority));
      EXPECT_TRUE(node.pending.empty());
      if (ConfidentialFor(lead, authority)) {
        ++seen_->declined;
        // It keeps exactly what it had at its decline.
        uint64_t decline_seq = 0;
        for (const PlanEvent& e : lead.history()) {
          if (e.has_decline() && e.author() == authority) decline_seq = e.seq();
        }
        std::vector<PlanEvent> prefix(
            lead.history().begin(),
            lead.history().begin() + static_cast<int>(decline_seq));
        absl::StatusOr<Plan> then = FoldPlan(kPlanId, prefix);
        ASSERT_TRUE(then.ok()) << then.status();
        EXPECT_EQ(node.plan.SerializeAsString(), then->SerializeAsString());
        EXPECT_TRUE(ConfidentialFor(node.plan, authority));
      } else if (lead.proposed_seq() == 0) {
        EXPECT_EQ(node.plan.seq(), 0u) << "a draft left the lead's node";
      } else {
        ASSERT_EQ(node.plan.SerializeAsString(), lead.SerializeAsString())
            << "\nnode: " << node.plan.ShortDebugString()
            << "\nlead: " << lead.ShortDebugString();
      }
    }
    // Every refused submission was answered to its author.
    EXPECT_EQ(refusals_received_, refused_);
    seen_->refusals += static_cast<int>(refused_.size());
    // The lead's history folds to its plan.
    absl::StatusOr<Plan> folded =
        FoldPlan(kPlanId, {lead.history().begin(), lead.history().end()});
    ASSERT_TRUE(folded.ok()) << folded.status();
    EXPECT_EQ(folded->SerializeAsString(), lead.SerializeAsString());
  }

 private:
  const char* Pick(std::initializer_list<const char*> from) {
    return *(from.begin() + rng_() % from.size());
  }
  std::string Date() {
    return absl::StrCat("2026-0", 3 + rng_() % 4, "-", 10 + rng_() % 18);
  }
  PlanEvent At(PlanEvent e, absl::string_view author) {
    e.set_user(absl::StrCat("user@", author));
    e.mutable_at()->set_seconds(1767225600 + (++clock_));
    e.set_submission_id(
        absl::StrCat(author, "/", ++submissions_[std::string(author)]));
    return e;
  }
  void Send(absl::string_view from, absl::string_view to, PlanMessage body) {
    wire_.push_back({std::string(from), std::string(to), std::move(body)});
  }
  PlanMessage CatchUp(const PlanNode& node) {
    PlanMessage m;
    m.mutable_catch_up()->set_plan_id(kPlanId);
    m.mutable_catch_up()->set_after_seq(node.plan.seq());
    return m;
  }
  void SendEvents(absl::string_view to, std::vector<PlanEvent> events) {
    if (events.empty()) return;
    PlanMessage m;
    m.mutable_events()->set_plan_id(kPlanId);
    m.mutable_events()->set_lead(kFr);
    for (PlanEvent& e : events)
      *m.mutable_events()->add_events() = std::move(e);
    Send(kFr, to, std::move(m));
  }

  // The lead's node receives a submission (or makes its own change).
  // Returns whether it was sequenced.
  bool AtLead(absl::string_view author, const PlanEvent& submission) {
    const std::pair<std::string, std::string> key(author,
                                                  submission.submission_id());
    auto refusal = refusal_of_.find(key);
    if (refusal != refusal_of_.end()) {
      // Redelivered after a refusal: refused again, unchecked.
      if (author != kFr) Send(kFr, author, refusal->second);
      return false;
    }
    absl::StatusOr<PlanEvent> e = Submit(lead_.plan, author, submission);
    if (!e.ok()) {
      if (author == kFr) return false;  // the lead's user is told directly
      PlanMessage m;
      *m.mutable_refusal() = MakeRefusal(lead_.plan, submission, e.status());
      refusal_of_[key] = m;
      refused_.insert(key);
      Send(kFr, author, m);
      return false;
    }
    if (e->seq() <= lead_.plan.seq()) return false;  // a duplicate
    const Plan before = lead_.plan;
    absl::Status s = ApplySequenced(*e, &lead_.plan);
    EXPECT_TRUE(s.ok()) << s;
    if (lead_.plan.resume_state() != pwx::v1::PLAN_STATE_UNSPECIFIED &&
        before.resume_state() == pwx::v1::PLAN_STATE_UNSPECIFIED) {
      ++seen_->reopened;
    }
    for (const PlanDelivery& d : Deliveries(before, lead_.plan)) {
      absl::StatusOr<std::vector<PlanEvent>> events =
          EventsFor(lead_.plan, d.authority, d.after_seq);
      EXPECT_TRUE(events.ok()) << events.status();
      if (events.ok()) SendEvents(d.authority, *std::move(events));
    }
    return true;
  }

  std::vector<PlanEvent> LeadCandidates() {
    const Plan& p = lead_.plan;
    std::vector<PlanEvent> c;
    if (p.seq() == 0) {
      c.push_back(pwx::testing::CreateEvent({kPl, kRo}));
      return c;
    }
    const auto add = [&](PlanEvent e, int weight) {
      for (int i = 0; i < weight; ++i) c.push_back(e);
    };
    // Amendments (which reopen the agreement) now and then, so that most
    // runs also get to the report.
    const bool amend =
        p.state() == pwx::v1::PLAN_STATE_DRAFT || rng_() % 5 == 0;
    if (p.actions_size() < 3 || amend) {
      add(pwx::testing::AddActionEvent(Pick({kFr, kPl, kRo}), Date()), 2);
    }
    add(pwx::testing::ProposeEvent(), 3);
    add(pwx::testing::StartEvent(), 3);
    if (!p.actions().empty()) {
      PlanEvent move;
      pwx::v1::PlanAction a = p.actions(rng_() % p.actions_size());
      a.clear_findings();
      a.set_date(Date());
      *move.mutable_amend()->add_changed_actions() = a;
      if (amend) add(move, 1);
      add(pwx::testing::FindingEvent(p.actions(rng_() % p.actions_size()).id(),
                                     rng_() % 30),
          3);
    }
    if (amend && rng_() % 3 == 0) {
      PlanEvent retitle;
      pwx::v1::PlanContent content = p.content();
      content.set_title(absl::StrCat("Construction sites, version ", clock_));
      *retitle.mutable_amend()->mutable_content() = content;
      retitle.mutable_amend()->set_replaces_content(true);
      add(retitle, 1);
    }
    add(pwx::testing::ReportPartEvent(absl::StrCat("FR part ", clock_)), 2);
    PlanEvent measure;
    auto* v = measure.mutable_measure()->add_values();
    v->set_indicator_id("coverage");
    v->set_value(static_cast<double>(rng_() % 100));
    add(measure, 1);
    add(pwx::testing::CloseEvent(), 3);
    if (rng_() % 300 == 0) {
      PlanEvent cancel;
      cancel.mutable_cancel()->set_reason("called off");
      add(cancel, 1);
    }
    std::shuffle(c.begin(), c.end(), rng_);
    return c;
  }

  void LeadActs() {
    for (const PlanEvent& e : LeadCandidates()) {
      if (AtLead(kFr, At(e, kFr))) return;
    }
  }

  // A participant's (or ELA's) user makes a change against its node's copy,
  // which may be stale; half the time the node checks it first.
  void OtherActs(const char* me) {
    PlanNode& node = nodes_.at(me);
    const Plan& p = node.plan;
    if (p.seq() == 0) return;
    std::vector<PlanEvent> c;
    for (int i = 0; i < 3; ++i) c.push_back(pwx::testing::AgreeEvent());
    if (rng_() % 6 == 0) c.push_back(pwx::testing::DeclineEvent());
    if (!p.actions().empty()) {
      for (int i = 0; i < 2; ++i) {
        c.push_back(pwx::testing::FindingEvent(
            p.actions(rng_() % p.actions_size()).id(), rng_() % 30));
      }
    }
    for (int i = 0; i < 2; ++i) {
      c.push_back(pwx::testing::ReportPartEvent(absl::StrCat(me, " part")));
    }
    PlanEvent measure;
    auto* v = measure.mutable_measure()->add_values();
    v->set_indicator_id("coverage");
    v->set_value(static_cast<double>(rng_() % 100));
    c.push_back(measure);
    std::shuffle(c.begin(), c.end(), rng_);
    const bool precheck = rng_() % 2 == 0;
    for (PlanEvent e : c) {
      if (precheck) {
        Plan scratch = p;
        PlanEvent mine = e;
        mine.set_author(me);
        if (!ApplyPlanEvent(mine, &scratch).ok()) continue;
      }
      PlanMessage m;
      m.mutable_submission()->set_plan_id(kPlanId);
      *m.mutable_submission()->mutable_event() = At(e, me);
      Send(me, kFr, std::move(m));
      return;
    }
  }

  void Deliver(const Message& m) {
    if (m.to == kFr) {
      if (m.body.has_submission()) {
        AtLead(m.from, m.body.submission().event());
      } else if (m.body.has_catch_up()) {
        absl::StatusOr<std::vector<PlanEvent>> events =
            EventsFor(lead_.plan, m.from, m.body.catch_up().after_seq());
        // A node that never held the plan (it was a draft) gets nothing.
        if (events.ok()) SendEvents(m.from, *std::move(events));
      }
      return;
    }
    PlanNode& node = nodes_.at(m.to);
    if (m.body.has_refusal()) {
      refusals_received_.emplace(m.to, m.body.refusal().submission_id());
      return;
    }
    ASSERT_TRUE(m.body.has_events());
    std::vector<PlanEvent> events(m.body.events().events().begin(),
                                  m.body.events().events().end());
    absl::StatusOr<int> applied =
        ReceiveSequenced(events, &node.plan, &node.pending);
    ASSERT_TRUE(applied.ok()) << applied.status();
    if (!node.pending.empty()) {
      ++seen_->buffered;
      // A gap: sometimes the node asks at once, else it waits.
      if (rng_() % 3 == 0) Send(m.to, kFr, CatchUp(node));
    }
  }

  void DeliverOne() {
    if (wire_.empty()) return;
    // Any message in flight: links delay and reorder at random.
    const size_t i = rng_() % wire_.size();
    Message m = std::move(wire_[i]);
    wire_.erase(wire_.begin() + static_cast<long>(i));
    delivered_.push_back(m);
    Deliver(m);
  }

  void Redeliver() {
    if (delivered_.empty()) return;
    ++seen_->redeliveries;
    Deliver(delivered_[rng_() % delivered_.size()]);
  }

  // The node loses its buffer and whatever was on its way to it, then
  // asks the lead for everything after what it holds.
  void Restart(const char* me) {
    ++seen_->restarts;
    PlanNode& node = nodes_.at(me);
    node.pending.clear();
    wire_.erase(std::remove_if(wire_.begin(), wire_.end(),
                               [&](const Message& m) {
                                 return m.to == me && m.body.has_events();
                               }),
                wire_.end());
    Send(me, kFr, CatchUp(node));
  }

  void Drain() {
    while (!wire_.empty()) DeliverOne();
  }

  std::mt19937 rng_;
  PlanNode lead_ = PlanNode(kFr);
  std::map<std::string, PlanNode> nodes_;
  std::vector<Message> wire_;
  std::vector<Message> delivered_;
  // Durable at each node: submission ids never repeat.
  std::map<std::string, int> submissions_;
  int64_t clock_ = 0;
  // Kept by the lead's node beside the plan: a redelivered refused
  // submission is refused again.
  std::map<std::pair<std::string, std::string>, PlanMessage> refusal_of_;
  std::set<std::pair<std::string, std::string>> refused_;
  std::set<std::pair<std::string, std::string>> refusals_received_;
  Seen* seen_ = nullptr;
};

TEST(PlanConvergenceTest, RandomDelaysRedeliveriesAndRestartsConverge) {
  Seen seen;
  for (uint32_t seed = 1; seed <= 500; ++seed) {
    Simulation sim(seed);
    sim.Run(&seen);
    sim.Check(seed);
    if (::testing::Test::HasFatalFailure()) return;
  }
  // The runs went through what they are meant to test.
  EXPECT_GT(seen.closed, 25);
  EXPECT_GT(seen.declined, 25);
  EXPECT_GT(seen.refusals, 500);
  EXPECT_GT(seen.restarts, 500);
  EXPECT_GT(seen.buffered, 500);
  EXPECT_GT(seen.redeliveries, 500);
  EXPECT_GT(seen.reopened, 100);
  RecordProperty("closed", seen.closed);
  RecordProperty("declined", seen.declined);
}

}  // namespace
}  // namespace pwx::domain
