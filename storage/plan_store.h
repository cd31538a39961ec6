// Joint inspection plans and their indexes, laid out on a KvStore. Knows
// keys and encodings only: the rules live in server/domain/plan_rules.h.
//
// Layout:
//   plans  Uint64(1) String(id)                       -> pwx.v1.Plan
//          Uint64(2) String(id)                       -> pwx.v1.PlanEvents
//                    (events received ahead of a gap, waiting)
//          Uint64(3) String(id) String(author) String(submission id)
//                                                     -> pwx.v1.PlanRefusal
//                    (at the lead: the refusals it sent; at an author's
//                    node: the refusals it got)
//   index  "pl.s" Uint64(state) String(id)                          -> ""
//          "pl.a" String(action date) String(id) String(action id)  -> ""
//                 (the actions of plans not yet REPORTED, CLOSED or
//                 CANCELLED, by start date)
//          "pl.c" String(case id) String(id)                        -> ""
//                 (every plan whose content.case_ids names the case)
//   meta   "plan_number" Uint64(year)                               -> Uint64
//          "plan_index_version"                                -> Uint64(1)
//          "plan_index_upgraded_to" -> the plans key of the last plan an
//                 unfinished UpgradeIndexes indexed
#ifndef PWX_STORAGE_PLAN_STORE_H_
#define PWX_STORAGE_PLAN_STORE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "pwx/v1/plan.pb.h"
#include "storage/kv_store.h"

namespace pwx::storage {

struct StoredPlan {
  pwx::v1::Plan record;
  std::string bytes;
  // True when read from a batch not yet committed: its Put already carries
  // the precondition.
  bool in_batch = false;
};

struct PlanQuery {
  // One state only; UNSPECIFIED: every state (by id).
  pwx::v1::PlanState state = pwx::v1::PLAN_STATE_UNSPECIFIED;
  // When set ("YYYY-MM-DD"): the plans with an action starting on or after
  // this day, by the date of the first such action (then by id); `state`
  // must then be unspecified.
  std::string upcoming_from;
  // When set: the plans whose content names this case, by id; `state` and
  // `upcoming_from` must then be unset.
  std::string case_id;
};

struct PlanPage {
  std::vector<pwx::v1::Plan> plans;
  std::string next_page_token;
};

// Thread-safe: stateless over a thread-safe KvStore.
class PlanStore {
 public:
  // `kv` must outlive the store.
  explicit PlanStore(KvStore* kv) : kv_(kv) {}

  // The plan as `pending` (a batch not yet committed) writes it, if it does
  // (in_batch set), else as stored.
  absl::StatusOr<std::optional<StoredPlan>> Get(
      std::string_view id, const WriteBatch* pending = nullptr) const;

  // Adds the writes that store `record` and keep its index entries in step,
  // with a precondition that the stored bytes are still `previous->bytes`
  // (no plan, when null). Returns the bytes stored.
  std::string Put(const pwx::v1::Plan& record, const StoredPlan* previous,
                  WriteBatch* batch) const;

  // The events waiting for a gap of plan `id` to close, sorted by seq (as
  // `pending` writes them if it does); empty when none wait.
  absl::StatusOr<std::vector<pwx::v1::PlanEvent>> Pending(
      std::string_view id, const WriteBatch* pending = nullptr) const;
  // Replaces them (removes the record when `events` is empty).
  void PutPending(std::string_view id,
                  const std::vector<pwx::v1::PlanEvent>& events,
                  WriteBatch* batch) const;

  // The refusal of `author`'s submission `submission_id` to plan `id`.
  absl::StatusOr<std::optional<pwx::v1::PlanRefusal>> Refusal(
      std::string_view id, std::string_view author,
      std::string_view submission_id,
      const WriteBatch* pending = nullptr) const;
  void PutRefusal(std::string_view author, const pwx::v1::PlanRefusal& refusal,
                  WriteBatch* batch) const;
  // Every refusal of `author`'s submissions to plan `id`, by submission id.
  absl::StatusOr<std::vector<pwx::v1::PlanRefusal>> Refusals(
      std::string_view id, std::string_view author) const;

  // A page of the plans matching `query`, read from the index of exactly
  // that filter. INVALID_ARGUMENT naming "page_token" for a token not
  // issued for this query, "state" for a state with an upcoming date,
  // "case_id" for a case with a state or an upcoming date.
  absl::StatusOr<PlanPage> List(const PlanQuery& query, int page_size,
                                std::string_view page_token) const;

  // Brings the indexes of a database written before the case index (index
  // version 1) to this layout: every stored plan's entries are written, in
  // writes of `plans_per_write` plans, each recording the last plan it
  // indexed, so that a run cut short (a crash, a failed write: its error
  // is returned) resumes after that plan at the next call. Does nothing once
  // done. Call once at start, before any plan is written.
  absl::Status UpgradeIndexes(size_t plans_per_write = 500) const;

  // The ids of the plans in `state`, through its index.
  absl::StatusOr<std::vector<std::string>> IdsIn(
      pwx::v1::PlanState state) const;

  // The last plan number recorded for `year` (0 for none), and the write
  // that records `number`.
  absl::StatusOr<uint64_t> LastNumber(int year) const;
  void PutLastNumber(int year, uint64_t number, WriteBatch* batch) const;

 private:
  KvStore* kv_;
};

}  // namespace pwx::storage

#endif  // PWX_STORAGE_PLAN_STORE_H_
