// What the plan tests between in-memory nodes share: acting on a node's
// plans and reading what each node stores. The nodes are the tests' own.
#ifndef PWX_TESTS_SERVER_PLANS_FIXTURE_H_
#define PWX_TESTS_SERVER_PLANS_FIXTURE_H_

#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "server/plans.h"
#include "storage/plan_store.h"
#include "tests/domain/plan_samples.h"
#include "tests/server/memory_federation.h"
#include "tests/server/requests_fixture.h"

namespace pwx::server::fed_testing {

class PlansFixture : public ::testing::Test {
 protected:
  // Makes every node of `nodes` a peer of every other.
  static void LinkAll(const std::vector<MemoryNode*>& nodes) {
    for (MemoryNode* a : nodes) {
      for (MemoryNode* b : nodes) {
        if (a != b) {
          ASSERT_TRUE(a->AddPeer(b->Card()).ok()) << a->id() << " " << b->id();
        }
      }
    }
  }

  // A draft plan led by `lead` with `participants`, its actions: A1 by the
  // lead, then one for each participant (A2, A3, ...). No ELA node unless
  // `ela` is set.
  std::string NewPlan(MemoryNode& lead,
                      const std::vector<std::string>& participants,
                      std::optional<pwx::v1::ElaParticipation> ela = {}) {
    pwx::v1::PlanEvent create = ::pwx::testing::CreateEvent(participants);
    if (ela.has_value()) {
      *create.mutable_create()->mutable_content()->mutable_ela() = *ela;
    } else {
      create.mutable_create()->mutable_content()->clear_ela();
    }
    absl::StatusOr<PlanChange> made =
        Await<absl::StatusOr<PlanChange>>([&](auto done) {
          lead.plans()->Create(create.create(), "marie", done);
        });
    EXPECT_TRUE(made.ok()) << made.status();
    if (!made.ok()) return "";
    const std::string id = made->plan.id();
    EXPECT_TRUE(
        Act(lead, id, ::pwx::testing::AddActionEvent(lead.id(), "2026-03-02"))
            .ok());
    for (const std::string& p : participants) {
      EXPECT_TRUE(
          Act(lead, id, ::pwx::testing::AddActionEvent(p, "2026-03-03")).ok());
    }
    return id;
  }

  absl::StatusOr<PlanChange> Act(MemoryNode& node, const std::string& id,
                                 pwx::v1::PlanEvent step,
                                 bool coordinator = true) {
    return Await<absl::StatusOr<PlanChange>>([&](auto done) {
      node.plans()->Act(id, step, "liaison", coordinator, done);
    });
  }

  absl::StatusOr<pwx::v1::Plan> Get(MemoryNode& node, const std::string& id) {
    return Await<absl::StatusOr<pwx::v1::Plan>>(
        [&](auto done) { node.plans()->Get(id, "reader", done); });
  }

  // The plan as `node` stores it (what all nodes must agree on).
  static std::string Stored(MemoryNode& node, const std::string& id) {
    absl::StatusOr<std::optional<storage::StoredPlan>> p =
        storage::PlanStore(node.kv()).Get(id);
    if (!p.ok() || !p->has_value()) return "";
    return (*p)->bytes;
  }
  static pwx::v1::Plan StoredPlan(MemoryNode& node, const std::string& id) {
    pwx::v1::Plan p;
    p.ParseFromString(Stored(node, id));
    return p;
  }
  static bool Same(MemoryNode& a, MemoryNode& b, const std::string& id) {
    return Eventually([&] {
      const std::string x = Stored(a, id);
      return !x.empty() && x == Stored(b, id);
    });
  }
  static bool ReachesSeq(MemoryNode& node, const std::string& id,
                         uint64_t seq) {
    return Eventually([&] { return StoredPlan(node, id).seq() >= seq; });
  }
  static bool Refused(MemoryNode& node, const std::string& id,
                      const std::string& submission_id) {
    return Eventually([&] {
      absl::StatusOr<std::vector<pwx::v1::PlanRefusal>> r =
          node.plans()->Refusals(id);
      if (!r.ok()) return false;
      for (const pwx::v1::PlanRefusal& x : *r) {
        if (x.submission_id() == submission_id) return true;
      }
      return false;
    });
  }

  std::map<std::string, MemoryNode*> nodes_;
};

}  // namespace pwx::server::fed_testing

#endif  // PWX_TESTS_SERVER_PLANS_FIXTURE_H_
