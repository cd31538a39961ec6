#include "storage/case_store.h"

#include <algorithm>
#include <memory>
#include <string>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "storage/key_codec.h"

namespace pwx::storage {
namespace {

using pwx::v1::Case;

std::string CaseKey(std::string_view id) {
  return KeyBuilder().String(id).Build();
}

std::string StatusIndexKey(pwx::v1::CaseStatus status, std::string_view id) {
  return KeyBuilder()
      .String("status")
      .Uint64(static_cast<uint64_t>(status))
      .String(id)
      .Build();
}

std::string CountryIndexKey(std::string_view country, std::string_view id) {
  return KeyBuilder().String("country").String(country).String(id).Build();
}

std::string SectorIndexKey(std::string_view nace, std::string_view id) {
  return KeyBuilder().String("sector").String(nace).String(id).Build();
}

std::vector<std::string> IndexKeys(const Case& c) {
  std::vector<std::string> keys;
  keys.push_back(StatusIndexKey(c.status(), c.id()));
  if (!c.undertaking().country_of_establishment().empty()) {
    keys.push_back(
        CountryIndexKey(c.undertaking().country_of_establishment(), c.id()));
  }
  if (!c.sector_nace().empty()) {
    keys.push_back(SectorIndexKey(c.sector_nace(), c.id()));
  }
  return keys;
}

// Where a listing reads from: the cases column itself, or a range of the
// index column whose last key component is the case id.
struct ScanPlan {
  Column column;
  std::string prefix;
};

ScanPlan PlanScan(const CaseQuery& q) {
  if (!q.sector_prefix.empty()) {
    return {
        Column::kIndex,
        KeyBuilder().String("sector").StringPrefix(q.sector_prefix).Build()};
  }
  if (!q.country_of_establishment.empty()) {
    return {Column::kIndex, KeyBuilder()
                                .String("country")
                                .String(q.country_of_establishment)
                                .Build()};
  }
  if (q.status != pwx::v1::CASE_STATUS_UNSPECIFIED) {
    return {Column::kIndex, KeyBuilder()
                                .String("status")
                                .Uint64(static_cast<uint64_t>(q.status))
                                .Build()};
  }
  return {Column::kCases, ""};
}

// The case id is the last component of every index key.
absl::StatusOr<std::string> IdFromIndexKey(std::string_view key) {
  KeyReader reader(key);
  absl::StatusOr<std::string> kind = reader.String();
  if (!kind.ok()) return kind.status();
  if (*kind == "status") {
    if (absl::StatusOr<uint64_t> s = reader.Uint64(); !s.ok())
      return s.status();
  } else {
    if (absl::StatusOr<std::string> v = reader.String(); !v.ok()) {
      return v.status();
    }
  }
  return reader.String();
}

bool Matches(const CaseQuery& q, const Case& c) {
  if (q.status != pwx::v1::CASE_STATUS_UNSPECIFIED && c.status() != q.status) {
    return false;
  }
  if (!q.country_of_establishment.empty() &&
      c.undertaking().country_of_establishment() !=
          q.country_of_establishment) {
    return false;
  }
  if (!q.sector_prefix.empty() &&
      !absl::StartsWith(c.sector_nace(), q.sector_prefix)) {
    return false;
  }
  return !q.predicate || q.predicate(c);
}

// A page token binds the last key read to the scan it came from.
std::string TokenScope(const ScanPlan& plan) {
  return KeyBuilder()
      .Uint64(static_cast<uint64_t>(plan.column))
      .String(plan.prefix)
      .Build();
}

}  // namespace

absl::StatusOr<std::optional<StoredCase>> CaseStore::Get(
    std::string_view id) const {
  absl::StatusOr<std::optional<std::string>> bytes =
      kv_->Get(Column::kCases, CaseKey(id));
  if (!bytes.ok()) return bytes.status();
  if (!bytes->has_value()) return std::nullopt;
  StoredCase stored;
  if (!stored.record.ParseFromString(**bytes)) {
    return absl::DataLossError(
        absl::StrCat("stored case ", std::string(id), " does not parse"));
  }
  stored.bytes = std::move(**bytes);
  return stored;
}

std::string CaseStore::Put(const Case& record, const StoredCase* previous,
                           WriteBatch* batch) const {
  const std::string key = CaseKey(record.id());
  if (previous == nullptr) {
    batch->Require(Column::kCases, key, std::nullopt);
  } else {
    batch->Require(Column::kCases, key, previous->bytes);
    for (const std::string& old_key : IndexKeys(previous->record)) {
      batch->Delete(Column::kIndex, old_key);
    }
  }
  for (const std::string& new_key : IndexKeys(record)) {
    batch->Put(Column::kIndex, new_key, "");
  }
  std::string bytes = record.SerializeAsString();
  batch->Put(Column::kCases, key, bytes);
  return bytes;
}

absl::StatusOr<CasePage> CaseStore::List(const CaseQuery& query, int page_size,
                                         std::string_view page_token,
                                         size_t max_page_bytes) const {
  const ScanPlan plan = PlanScan(query);
  std::string start = plan.prefix;
  bool skip_start = false;
  if (!page_token.empty()) {
    absl::StatusOr<std::string> last =
        DecodePageToken(TokenScope(plan), page_token);
    if (!last.ok()) return last.status();
    start = *std::move(last);
    skip_start = true;
  }
  CasePage page;
  size_t page_bytes = 0;
  std::unique_ptr<Iterator> it = kv_->NewIterator(plan.column);
  std::string last_key;
  for (it->Seek(start); it->Valid(); it->Next()) {
    const std::string_view key = it->key();
    if (!key.starts_with(plan.prefix)) break;
    if (skip_start && key == start) continue;
    if (static_cast<int>(page.cases.size()) == page_size) {
      page.next_page_token = EncodePageToken(TokenScope(plan), last_key);
      break;
    }
    std::string previous_key = std::move(last_key);
    last_key = std::string(key);
    Case c;
    if (plan.column == Column::kCases) {
      if (!c.ParseFromArray(it->value().data(),
                            static_cast<int>(it->value().size()))) {
        return absl::DataLossError("a stored case does not parse");
      }
    } else {
      absl::StatusOr<std::string> id = IdFromIndexKey(key);
      if (!id.ok()) return absl::DataLossError("malformed case index key");
      absl::StatusOr<std::optional<StoredCase>> stored = Get(*id);
      if (!stored.ok()) return stored.status();
      // The index and the record are written in one batch; a miss means the
      // iterator's snapshot is older than the point read. Skip it.
      if (!stored->has_value()) continue;
      c = std::move((*stored)->record);
    }
    if (!Matches(query, c)) continue;
    const size_t bytes = c.ByteSizeLong();
    if (!page.cases.empty() && page_bytes + bytes > max_page_bytes) {
      // The page is full by size: the next one starts at this case.
      page.next_page_token = EncodePageToken(TokenScope(plan), previous_key);
      break;
    }
    page_bytes += bytes;
    page.cases.push_back(std::move(c));
  }
  if (absl::Status s = it->status(); !s.ok()) return s;
  return page;
}

absl::StatusOr<uint64_t> CaseStore::LastSequence(
    std::string_view id_prefix) const {
  std::unique_ptr<Iterator> it = kv_->NewIterator(Column::kCases);
  const std::string prefix = KeyBuilder().StringPrefix(id_prefix).Build();
  const std::string end = PrefixSuccessor(prefix);
  // Sequences are zero-padded to a fixed width, so the last key under the
  // prefix holds the highest one.
  it->SeekBefore(end);
  uint64_t best = 0;
  if (it->Valid() && it->key().starts_with(prefix)) {
    KeyReader reader(it->key());
    absl::StatusOr<std::string> id = reader.String();
    if (!id.ok()) return absl::DataLossError("malformed case key");
    if (!absl::SimpleAtoi(absl::string_view(*id).substr(id_prefix.size()),
                          &best)) {
      return absl::DataLossError(absl::StrCat("malformed case id ", *id));
    }
  }
  if (absl::Status s = it->status(); !s.ok()) return s;
  return best;
}

void CaseStore::PutBlobChunk(std::string_view sha256, uint64_t index,
                             std::string_view chunk, WriteBatch* batch) const {
  batch->Put(Column::kBlobs, KeyBuilder().String(sha256).Uint64(index).Build(),
             chunk);
}

absl::Status CaseStore::PutBlobSize(std::string_view sha256, uint64_t size,
                                    WriteBatch* batch) const {
  absl::StatusOr<std::optional<uint64_t>> stored = BlobSize(sha256);
  if (!stored.ok()) return stored.status();
  if (stored->has_value()) return absl::OkStatus();
  batch->Put(Column::kBlobs, KeyBuilder().String(sha256).Build(),
             KeyBuilder().Uint64(size).Build());
  return absl::OkStatus();
}

absl::StatusOr<std::optional<uint64_t>> CaseStore::BlobSize(
    std::string_view sha256) const {
  absl::StatusOr<std::optional<std::string>> v =
      kv_->Get(Column::kBlobs, KeyBuilder().String(sha256).Build());
  if (!v.ok()) return v.status();
  if (!v->has_value()) return std::nullopt;
  KeyReader reader(**v);
  absl::StatusOr<uint64_t> size = reader.Uint64();
  if (!size.ok()) return absl::DataLossError("malformed attachment header");
  return *size;
}

absl::StatusOr<std::string> CaseStore::BlobChunk(std::string_view sha256,
                                                 uint64_t index) const {
  absl::StatusOr<std::optional<std::string>> v = kv_->Get(
      Column::kBlobs, KeyBuilder().String(sha256).Uint64(index).Build());
  if (!v.ok()) return v.status();
  if (!v->has_value()) {
    return absl::NotFoundError(absl::StrCat("attachment ", std::string(sha256),
                                            " has no chunk ", index));
  }
  return **std::move(v);
}

}  // namespace pwx::storage
