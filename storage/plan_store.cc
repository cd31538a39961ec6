#include "storage/plan_store.h"

#include <algorithm>
#include <iterator>
#include <memory>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "storage/key_codec.h"

namespace pwx::storage {
namespace {

using pwx::v1::Plan;
using pwx::v1::PlanEvent;

constexpr uint64_t kPlanTag = 1;
constexpr uint64_t kPendingTag = 2;
constexpr uint64_t kRefusalTag = 3;
constexpr std::string_view kPlansByState = "pl.s";
constexpr std::string_view kByActionDate = "pl.a";
constexpr std::string_view kByCase = "pl.c";
constexpr std::string_view kPlanIndexVersionKey = "plan_index_version";
constexpr std::string_view kUpgradedToKey = "plan_index_upgraded_to";
constexpr uint64_t kPlanIndexVersion = 1;

std::string PlanKey(std::string_view id) {
  return KeyBuilder().Uint64(kPlanTag).String(id).Build();
}

std::string PendingKey(std::string_view id) {
  return KeyBuilder().Uint64(kPendingTag).String(id).Build();
}

std::string RefusalPrefix(std::string_view id, std::string_view author) {
  return KeyBuilder().Uint64(kRefusalTag).String(id).String(author).Build();
}

std::string RefusalKey(std::string_view id, std::string_view author,
                       std::string_view submission_id) {
  return KeyBuilder()
      .Uint64(kRefusalTag)
      .String(id)
      .String(author)
      .String(submission_id)
      .Build();
}

std::string PlanNumberKey(int year) {
  return KeyBuilder()
      .String("plan_number")
      .Uint64(static_cast<uint64_t>(year))
      .Build();
}

std::string StatePrefix(pwx::v1::PlanState state) {
  return KeyBuilder()
      .String(kPlansByState)
      .Uint64(static_cast<uint64_t>(state))
      .Build();
}

std::string CasePrefix(std::string_view case_id) {
  return KeyBuilder().String(kByCase).String(case_id).Build();
}

// Whether the actions of `plan` are in the upcoming-date index.
bool IndexesActions(const Plan& plan) {
  return plan.state() != pwx::v1::PLAN_STATE_REPORTED &&
         plan.state() != pwx::v1::PLAN_STATE_CLOSED &&
         plan.state() != pwx::v1::PLAN_STATE_CANCELLED;
}

std::vector<std::string> IndexKeys(const Plan& plan) {
  std::vector<std::string> keys;
  keys.push_back(absl::StrCat(StatePrefix(plan.state()),
                              KeyBuilder().String(plan.id()).key()));
  if (IndexesActions(plan)) {
    for (const pwx::v1::PlanAction& a : plan.actions()) {
      if (a.date().empty()) continue;
      keys.push_back(KeyBuilder()
                         .String(kByActionDate)
                         .String(a.date())
                         .String(plan.id())
                         .String(a.id())
                         .Build());
    }
  }
  // A case named twice gets one entry.
  const std::set<std::string_view> cases(plan.content().case_ids().begin(),
                                         plan.content().case_ids().end());
  for (const std::string_view case_id : cases) {
    keys.push_back(absl::StrCat(CasePrefix(case_id),
                                KeyBuilder().String(plan.id()).key()));
  }
  return keys;
}

bool NamesCase(const Plan& plan, std::string_view case_id) {
  return std::find(plan.content().case_ids().begin(),
                   plan.content().case_ids().end(),
                   case_id) != plan.content().case_ids().end();
}

absl::StatusOr<std::optional<std::string>> Read(const KvStore& kv,
                                                const WriteBatch* pending,
                                                const std::string& key) {
  if (auto p = PendingValue(pending, Column::kPlans, key)) return *p;
  return kv.Get(Column::kPlans, key);
}

// Whether `plan` is listed for `from` at the action (date, action id): its
// first action starting on or after `from`.
bool FirstUpcoming(const Plan& plan, std::string_view from,
                   std::string_view date, std::string_view action_id) {
  if (!IndexesActions(plan)) return false;
  bool found = false;
  for (const pwx::v1::PlanAction& a : plan.actions()) {
    if (a.date() < from) continue;
    if (a.date() == date && a.id() == action_id) found = true;
    if (std::pair(std::string_view(a.date()), std::string_view(a.id())) <
        std::pair(date, action_id)) {
      return false;
    }
  }
  return found;
}

}  // namespace

absl::StatusOr<std::optional<StoredPlan>> PlanStore::Get(
    std::string_view id, const WriteBatch* pending) const {
  const std::string key = PlanKey(id);
  bool in_batch = false;
  std::optional<std::string> bytes;
  if (auto p = PendingValue(pending, Column::kPlans, key)) {
    in_batch = true;
    bytes = *std::move(p);
  } else {
    absl::StatusOr<std::optional<std::string>> stored =
        kv_->Get(Column::kPlans, key);
    if (!stored.ok()) return stored.status();
    bytes = *std::move(stored);
  }
  if (!bytes.has_value()) return std::nullopt;
  StoredPlan out;
  if (!out.record.ParseFromString(*bytes)) {
    return absl::DataLossError(
        absl::StrCat("stored plan ", std::string(id), " does not parse"));
  }
  out.bytes = *std::move(bytes);
  out.in_batch = in_batch;
  return out;
}

std::string PlanStore::Put(const Plan& record, const StoredPlan* previous,
                           WriteBatch* batch) const {
  const std::string key = PlanKey(record.id());
  std::string bytes = record.SerializeAsString();
  if (previous == nullptr || !previous->in_batch) {
    batch->Require(Column::kPlans, key,
                   previous == nullptr
                       ? std::nullopt
                       : std::optional<std::string>(previous->bytes));
  }
  MoveIndexEntries(previous == nullptr ? std::vector<std::string>()
                                       : IndexKeys(previous->record),
                   IndexKeys(record), batch);
  batch->Put(Column::kPlans, key, bytes);
  return bytes;
}

absl::StatusOr<std::vector<PlanEvent>> PlanStore::Pending(
    std::string_view id, const WriteBatch* pending) const {
  absl::StatusOr<std::optional<std::string>> bytes =
      Read(*kv_, pending, PendingKey(id));
  if (!bytes.ok()) return bytes.status();
  std::vector<PlanEvent> out;
  if (!bytes->has_value()) return out;
  pwx::v1::PlanEvents events;
  if (!events.ParseFromString(**bytes)) {
    return absl::DataLossError(absl::StrCat("the pending events of plan ",
                                            std::string(id), " do not parse"));
  }
  out.assign(events.events().begin(), events.events().end());
  return out;
}

void PlanStore::PutPending(std::string_view id,
                           const std::vector<PlanEvent>& events,
                           WriteBatch* batch) const {
  if (events.empty()) {
    batch->Delete(Column::kPlans, PendingKey(id));
    return;
  }
  pwx::v1::PlanEvents record;
  record.set_plan_id(std::string(id));
  for (const PlanEvent& e : events) *record.add_events() = e;
  batch->Put(Column::kPlans, PendingKey(id), record.SerializeAsString());
}

absl::StatusOr<std::optional<pwx::v1::PlanRefusal>> PlanStore::Refusal(
    std::string_view id, std::string_view author,
    std::string_view submission_id, const WriteBatch* pending) const {
  absl::StatusOr<std::optional<std::string>> bytes =
      Read(*kv_, pending, RefusalKey(id, author, submission_id));
  if (!bytes.ok()) return bytes.status();
  if (!bytes->has_value()) return std::nullopt;
  pwx::v1::PlanRefusal r;
  if (!r.ParseFromString(**bytes)) {
    return absl::DataLossError("a stored plan refusal does not parse");
  }
  return r;
}

void PlanStore::PutRefusal(std::string_view author,
                           const pwx::v1::PlanRefusal& refusal,
                           WriteBatch* batch) const {
  batch->Put(Column::kPlans,
             RefusalKey(refusal.plan_id(), author, refusal.submission_id()),
             refusal.SerializeAsString());
}

absl::StatusOr<std::vector<pwx::v1::PlanRefusal>> PlanStore::Refusals(
    std::string_view id, std::string_view author) const {
  const std::string prefix = RefusalPrefix(id, author);
  std::vector<pwx::v1::PlanRefusal> out;
  std::unique_ptr<Iterator> it = kv_->NewIterator(Column::kPlans);
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix);
       it->Next()) {
    pwx::v1::PlanRefusal r;
    if (!r.ParseFromArray(it->value().data(),
                          static_cast<int>(it->value().size()))) {
      return absl::DataLossError("a stored plan refusal does not parse");
    }
    out.push_back(std::move(r));
  }
  if (absl::Status s = it->status(); !s.ok()) return s;
  return out;
}

absl::StatusOr<PlanPage> PlanStore::List(const PlanQuery& query, int page_size,
                                         std::string_view page_token) const {
  const bool dated = !query.upcoming_from.empty();
  const bool by_case = !query.case_id.empty();
  if (by_case && (dated || query.state != pwx::v1::PLAN_STATE_UNSPECIFIED)) {
    return absl::InvalidArgumentError(
        "case_id: cannot be combined with a state or an upcoming date");
  }
  if (dated && query.state != pwx::v1::PLAN_STATE_UNSPECIFIED) {
    return absl::InvalidArgumentError(
        "state: cannot be combined with an upcoming date");
  }
  // Every state's index in turn (by state, then id) when no state is given.
  std::string prefix;
  std::string from;
  if (dated) {
    prefix = KeyBuilder().String(kByActionDate).Build();
    from = KeyBuilder().String(query.upcoming_from).Build();
  } else if (by_case) {
    prefix = CasePrefix(query.case_id);
  } else if (query.state != pwx::v1::PLAN_STATE_UNSPECIFIED) {
    prefix = StatePrefix(query.state);
  } else {
    prefix = KeyBuilder().String(kPlansByState).Build();
  }
  const std::string scope = KeyBuilder()
                                .String("pl")
                                .String(prefix)
                                .String(query.upcoming_from)
                                .Build();
  std::optional<std::string> after;
  if (!page_token.empty()) {
    absl::StatusOr<std::string> position = DecodePageToken(scope, page_token);
    if (!position.ok()) return position.status();
    from = *position;
    after = *std::move(position);
  }
  std::unique_ptr<Iterator> it = kv_->NewIterator(Column::kIndex);
  it->Seek(absl::StrCat(prefix, from));
  auto live = [&] { return it->Valid() && it->key().starts_with(prefix); };
  if (after && live() && it->key().substr(prefix.size()) == *after) it->Next();
  PlanPage page;
  std::string last;
  for (; live(); it->Next()) {
    if (static_cast<int>(page.plans.size()) == page_size) {
      page.next_page_token = EncodePageToken(scope, last);
      break;
    }
    const std::string_view position = it->key().substr(prefix.size());
    KeyReader reader(position);
    std::string id;
    std::string date;
    std::string action_id;
    if (dated) {
      absl::StatusOr<std::string> d = reader.String();
      absl::StatusOr<std::string> i = reader.String();
      absl::StatusOr<std::string> a = reader.String();
      if (!d.ok() || !i.ok() || !a.ok() || !reader.done()) {
        return absl::DataLossError("malformed plan index key");
      }
      date = *std::move(d);
      id = *std::move(i);
      action_id = *std::move(a);
    } else {
      if (!by_case && query.state == pwx::v1::PLAN_STATE_UNSPECIFIED) {
        if (!reader.Uint64().ok()) {
          return absl::DataLossError("malformed plan index key");
        }
      }
      absl::StatusOr<std::string> i = reader.String();
      if (!i.ok() || !reader.done()) {
        return absl::DataLossError("malformed plan index key");
      }
      id = *std::move(i);
    }
    last = std::string(position);
    absl::StatusOr<std::optional<StoredPlan>> stored = Get(id);
    if (!stored.ok()) return stored.status();
    if (!stored->has_value()) continue;
    Plan& plan = (*stored)->record;
    // The index and the record are read apart: a change in between may
    // have moved the plan out of the query.
    if (dated) {
      if (!FirstUpcoming(plan, query.upcoming_from, date, action_id)) continue;
    } else if (by_case) {
      if (!NamesCase(plan, query.case_id)) continue;
    } else if (query.state != pwx::v1::PLAN_STATE_UNSPECIFIED &&
               plan.state() != query.state) {
      continue;
    }
    page.plans.push_back(std::move(plan));
  }
  if (absl::Status s = it->status(); !s.ok()) return s;
  return page;
}

absl::Status PlanStore::UpgradeIndexes(size_t plans_per_write) const {
  absl::StatusOr<bool> current = IndexVersionAtLeast(*kv_, kPlanIndexVersionKey,
                                                     kPlanIndexVersion, "plan");
  if (!current.ok()) return current.status();
  if (*current) return absl::OkStatus();
  absl::StatusOr<std::optional<std::string>> upgraded_to =
      kv_->Get(Column::kMeta, std::string(kUpgradedToKey));
  if (!upgraded_to.ok()) return upgraded_to.status();
  const std::string prefix = KeyBuilder().Uint64(kPlanTag).Build();
  std::unique_ptr<Iterator> it = kv_->NewIterator(Column::kPlans);
  it->Seek(upgraded_to->value_or(prefix));
  if (upgraded_to->has_value() && it->Valid() && it->key() == **upgraded_to) {
    it->Next();
  }
  // Writing an entry that is already there changes nothing, so the
  // entries of a plan indexed before a crash may be written again.
  WriteBatch batch;
  size_t plans = 0;
  for (; it->Valid() && it->key().starts_with(prefix); it->Next()) {
    Plan plan;
    if (!plan.ParseFromArray(it->value().data(),
                             static_cast<int>(it->value().size()))) {
      return absl::DataLossError("a stored plan does not parse");
    }
    for (const std::string& k : IndexKeys(plan)) {
      batch.Put(Column::kIndex, k, "");
    }
    if (++plans == std::max<size_t>(plans_per_write, 1)) {
      batch.Put(Column::kMeta, std::string(kUpgradedToKey),
                std::string(it->key()));
      if (absl::Status s = kv_->Write(std::move(batch)); !s.ok()) return s;
      batch = WriteBatch();
      plans = 0;
    }
  }
  if (absl::Status s = it->status(); !s.ok()) return s;
  batch.Delete(Column::kMeta, std::string(kUpgradedToKey));
  batch.Put(Column::kMeta, std::string(kPlanIndexVersionKey),
            KeyBuilder().Uint64(kPlanIndexVersion).Build());
  return kv_->Write(std::move(batch));
}

absl::StatusOr<std::vector<std::string>> PlanStore::IdsIn(
    pwx::v1::PlanState state) const {
  const std::string prefix = StatePrefix(state);
  std::vector<std::string> ids;
  std::unique_ptr<Iterator> it = kv_->NewIterator(Column::kIndex);
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix);
       it->Next()) {
    KeyReader reader(it->key().substr(prefix.size()));
    absl::StatusOr<std::string> id = reader.String();
    if (!id.ok() || !reader.done()) {
      return absl::DataLossError("malformed plan index key");
    }
    ids.push_back(*std::move(id));
  }
  if (absl::Status s = it->status(); !s.ok()) return s;
  return ids;
}

absl::StatusOr<uint64_t> PlanStore::LastNumber(int year) const {
  absl::StatusOr<std::optional<std::string>> value =
      kv_->Get(Column::kMeta, PlanNumberKey(year));
  if (!value.ok()) return value.status();
  if (!value->has_value()) return 0;
  KeyReader reader(**value);
  absl::StatusOr<uint64_t> n = reader.Uint64();
  if (!n.ok()) return absl::DataLossError("malformed plan number");
  return *n;
}

void PlanStore::PutLastNumber(int year, uint64_t number,
                              WriteBatch* batch) const {
  batch->Put(Column::kMeta, PlanNumberKey(year),
             KeyBuilder().Uint64(number).Build());
}

}  // namespace pwx::storage
