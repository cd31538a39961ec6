#include "storage/request_store.h"

#include <algorithm>
#include <memory>
#include <set>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "server/domain/request_rules.h"
#include "storage/key_codec.h"

namespace pwx::storage {
namespace {

using pwx::v1::Request;

constexpr uint64_t kAny = 0;

std::string RequestKey(std::string_view id) {
  return KeyBuilder().String(id).Build();
}

std::string NumberKey(int year) {
  return KeyBuilder()
      .String("request_number")
      .Uint64(static_cast<uint64_t>(year))
      .Build();
}

std::string EncodeNumber(uint64_t n) { return KeyBuilder().Uint64(n).Build(); }

// The day (UTC) of the request's send event, or "" for a draft.
std::string SentDate(const Request& r) {
  for (const pwx::v1::RequestEvent& e : r.history()) {
    if (e.has_send() && !e.superseded()) {
      const absl::Time t = absl::FromUnixSeconds(e.at().seconds());
      return absl::FormatTime("%Y-%m-%d", t, absl::UTCTimeZone());
    }
  }
  return "";
}

struct ScanPlan {
  std::string prefix;
  // For a due range: the index key at which the scan stops.
  std::string end;
};

ScanPlan PlanScan(const RequestQuery& q) {
  const uint64_t box = static_cast<uint64_t>(q.box);
  if (!q.due_before.empty()) {
    std::string prefix = KeyBuilder().String("rq.due").Uint64(box).Build();
    return {prefix,
            absl::StrCat(prefix, KeyBuilder().String(q.due_before).key())};
  }
  if (q.state != pwx::v1::REQUEST_STATE_UNSPECIFIED) {
    return {KeyBuilder()
                .String("rq.state")
                .Uint64(box)
                .Uint64(static_cast<uint64_t>(q.state))
                .Build(),
            ""};
  }
  if (!q.peer.empty()) {
    return {KeyBuilder().String("rq.peer").Uint64(box).String(q.peer).Build(),
            ""};
  }
  if (q.kind != pwx::v1::REQUEST_KIND_UNSPECIFIED) {
    return {KeyBuilder()
                .String("rq.kind")
                .Uint64(box)
                .Uint64(static_cast<uint64_t>(q.kind))
                .Build(),
            ""};
  }
  if (q.urgent_only) {
    return {KeyBuilder().String("rq.urgent").Uint64(box).Build(), ""};
  }
  return {KeyBuilder().String("rq.all").Uint64(box).Build(), ""};
}

std::string MakePageToken(const ScanPlan& plan, std::string_view last_key) {
  return absl::WebSafeBase64Escape(
      KeyBuilder().String("rq").String(plan.prefix).String(last_key).Build());
}

absl::StatusOr<std::string> ParsePageToken(const ScanPlan& plan,
                                           std::string_view token) {
  const absl::Status bad = absl::InvalidArgumentError(
      "page_token: not a token issued for this list and these filters");
  std::string raw;
  if (!absl::WebSafeBase64Unescape(
          absl::string_view(token.data(), token.size()), &raw)) {
    return bad;
  }
  KeyReader reader(raw);
  absl::StatusOr<std::string> tag = reader.String();
  absl::StatusOr<std::string> prefix = reader.String();
  absl::StatusOr<std::string> last = reader.String();
  if (!tag.ok() || *tag != "rq" || !prefix.ok() || *prefix != plan.prefix ||
      !last.ok() || !reader.done() || !last->starts_with(plan.prefix)) {
    return bad;
  }
  return *std::move(last);
}

// The request id is the last component of every index key: read past the
// others by decoding from the plan's prefix.
absl::StatusOr<std::string> IdAfter(std::string_view key,
                                    std::string_view prefix, bool dated) {
  KeyReader reader(key.substr(prefix.size()));
  if (dated) {
    absl::StatusOr<std::string> date = reader.String();
    if (!date.ok()) return date.status();
  }
  absl::StatusOr<std::string> id = reader.String();
  if (!id.ok() || !reader.done()) {
    return absl::DataLossError("malformed request index key");
  }
  return id;
}

bool Matches(const RequestQuery& q, const RequestFacets& f, const Request& r) {
  if (q.box != pwx::v1::REQUEST_BOX_UNSPECIFIED && f.box != q.box) return false;
  if (q.state != pwx::v1::REQUEST_STATE_UNSPECIFIED && f.state != q.state) {
    return false;
  }
  if (q.kind != pwx::v1::REQUEST_KIND_UNSPECIFIED &&
      r.content().kind() != q.kind) {
    return false;
  }
  if (q.urgent_only && !r.content().urgent()) return false;
  if (!q.peer.empty() && f.peer != q.peer) return false;
  if (!q.due_before.empty()) {
    if (f.open_due_date.empty() || f.open_due_date >= q.due_before ||
        f.open_due_date < q.due_from) {
      return false;
    }
  }
  return true;
}

}  // namespace

RequestFacets RequestStore::Facets(const Request& r) const {
  RequestFacets f;
  const bool outbox = r.requester() == authority_id_;
  f.box = outbox ? pwx::v1::REQUEST_BOX_OUTBOX : pwx::v1::REQUEST_BOX_INBOX;
  f.peer = outbox ? r.recipient() : r.requester();
  const bool party =
      domain::SideOf(r, authority_id_) != pwx::v1::REQUEST_SIDE_UNSPECIFIED;
  f.state = party ? r.state() : pwx::v1::REQUEST_STATE_FORWARDED;
  if (party && domain::AwaitsAnswer(r)) f.open_due_date = r.due_date();
  return f;
}

std::vector<std::string> RequestStore::IndexKeys(const Request& r) const {
  const RequestFacets f = Facets(r);
  std::vector<std::string> keys;
  for (uint64_t box : {kAny, static_cast<uint64_t>(f.box)}) {
    keys.push_back(
        KeyBuilder().String("rq.all").Uint64(box).String(r.id()).Build());
    keys.push_back(KeyBuilder()
                       .String("rq.state")
                       .Uint64(box)
                       .Uint64(static_cast<uint64_t>(f.state))
                       .String(r.id())
                       .Build());
    keys.push_back(KeyBuilder()
                       .String("rq.peer")
                       .Uint64(box)
                       .String(f.peer)
                       .String(r.id())
                       .Build());
    keys.push_back(KeyBuilder()
                       .String("rq.kind")
                       .Uint64(box)
                       .Uint64(static_cast<uint64_t>(r.content().kind()))
                       .String(r.id())
                       .Build());
    if (r.content().urgent()) {
      keys.push_back(
          KeyBuilder().String("rq.urgent").Uint64(box).String(r.id()).Build());
    }
    if (!f.open_due_date.empty()) {
      keys.push_back(KeyBuilder()
                         .String("rq.due")
                         .Uint64(box)
                         .String(f.open_due_date)
                         .String(r.id())
                         .Build());
    }
  }
  if (!r.content().case_id().empty() && f.box == pwx::v1::REQUEST_BOX_OUTBOX) {
    keys.push_back(KeyBuilder()
                       .String("rq.case")
                       .String(r.content().case_id())
                       .String(r.id())
                       .Build());
  }
  if (const std::string sent = SentDate(r); !sent.empty()) {
    keys.push_back(
        KeyBuilder().String("rq.sent").String(sent).String(r.id()).Build());
  }
  return keys;
}

absl::StatusOr<std::optional<StoredRequest>> RequestStore::Get(
    std::string_view id) const {
  absl::StatusOr<std::optional<std::string>> bytes =
      kv_->Get(Column::kRequests, RequestKey(id));
  if (!bytes.ok()) return bytes.status();
  if (!bytes->has_value()) return std::nullopt;
  StoredRequest stored;
  if (!stored.record.ParseFromString(**bytes)) {
    return absl::DataLossError(
        absl::StrCat("stored request ", std::string(id), " does not parse"));
  }
  stored.bytes = std::move(**bytes);
  return stored;
}

absl::StatusOr<std::optional<StoredRequest>> RequestStore::Get(
    std::string_view id, const WriteBatch* pending) const {
  if (pending != nullptr) {
    const std::string key = RequestKey(id);
    const auto& ops = pending->ops();
    for (auto op = ops.rbegin(); op != ops.rend(); ++op) {
      if (op->column != Column::kRequests || op->key != key) continue;
      if (op->kind == WriteBatch::OpKind::kDelete) return std::nullopt;
      StoredRequest stored;
      if (!stored.record.ParseFromString(op->value)) {
        return absl::InternalError("a pending request does not parse");
      }
      stored.bytes = op->value;
      stored.in_batch = true;
      return stored;
    }
  }
  return Get(id);
}

std::string RequestStore::Put(const Request& record,
                              const StoredRequest* previous,
                              WriteBatch* batch) const {
  const std::string key = RequestKey(record.id());
  std::string bytes = record.SerializeAsString();
  if (previous == nullptr || !previous->in_batch) {
    batch->Require(Column::kRequests, key,
                   previous == nullptr
                       ? std::nullopt
                       : std::optional<std::string>(previous->bytes));
  }
  std::vector<std::string> keys = IndexKeys(record);
  if (previous != nullptr) {
    const std::set<std::string> now(keys.begin(), keys.end());
    for (const std::string& old : IndexKeys(previous->record)) {
      if (!now.contains(old)) batch->Delete(Column::kIndex, old);
    }
  }
  for (const std::string& k : keys) batch->Put(Column::kIndex, k, "");
  batch->Put(Column::kRequests, key, bytes);
  return bytes;
}

absl::StatusOr<RequestPage> RequestStore::List(
    const RequestQuery& query, int page_size,
    std::string_view page_token) const {
  const ScanPlan plan = PlanScan(query);
  const bool dated = !query.due_before.empty();
  std::string start = plan.prefix;
  if (dated && !query.due_from.empty()) {
    start =
        absl::StrCat(plan.prefix, KeyBuilder().String(query.due_from).key());
  }
  bool skip_start = false;
  if (!page_token.empty()) {
    absl::StatusOr<std::string> last = ParsePageToken(plan, page_token);
    if (!last.ok()) return last.status();
    start = *std::move(last);
    skip_start = true;
  }
  RequestPage page;
  std::unique_ptr<Iterator> it = kv_->NewIterator(Column::kIndex);
  std::string last_key;
  for (it->Seek(start); it->Valid(); it->Next()) {
    const std::string_view key = it->key();
    if (!key.starts_with(plan.prefix)) break;
    if (!plan.end.empty() && key >= plan.end) break;
    if (skip_start && key == start) continue;
    if (static_cast<int>(page.requests.size()) == page_size) {
      page.next_page_token = MakePageToken(plan, last_key);
      break;
    }
    last_key = std::string(key);
    absl::StatusOr<std::string> id = IdAfter(key, plan.prefix, dated);
    if (!id.ok()) return id.status();
    absl::StatusOr<std::optional<StoredRequest>> stored = Get(*id);
    if (!stored.ok()) return stored.status();
    if (!stored->has_value()) continue;  // a newer write than the snapshot
    Request& r = (*stored)->record;
    if (!Matches(query, Facets(r), r)) continue;
    page.requests.push_back(std::move(r));
  }
  if (absl::Status s = it->status(); !s.ok()) return s;
  return page;
}

absl::StatusOr<std::vector<std::string>> RequestStore::ForCase(
    std::string_view case_id) const {
  const std::string prefix =
      KeyBuilder().String("rq.case").String(case_id).Build();
  std::vector<std::string> ids;
  std::unique_ptr<Iterator> it = kv_->NewIterator(Column::kIndex);
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix);
       it->Next()) {
    absl::StatusOr<std::string> id = IdAfter(it->key(), prefix, false);
    if (!id.ok()) return id.status();
    ids.push_back(*std::move(id));
  }
  if (absl::Status s = it->status(); !s.ok()) return s;
  return ids;
}

absl::StatusOr<std::vector<Request>> RequestStore::SentBetween(
    std::string_view from, std::string_view to) const {
  const std::string prefix = KeyBuilder().String("rq.sent").Build();
  std::vector<Request> out;
  std::unique_ptr<Iterator> it = kv_->NewIterator(Column::kIndex);
  for (it->Seek(absl::StrCat(prefix, KeyBuilder().String(from).key()));
       it->Valid() && it->key().starts_with(prefix); it->Next()) {
    KeyReader reader(it->key().substr(prefix.size()));
    absl::StatusOr<std::string> date = reader.String();
    absl::StatusOr<std::string> id = reader.String();
    if (!date.ok() || !id.ok()) {
      return absl::DataLossError("malformed request index key");
    }
    if (*date > to) break;
    absl::StatusOr<std::optional<StoredRequest>> stored = Get(*id);
    if (!stored.ok()) return stored.status();
    if (stored->has_value()) out.push_back(std::move((*stored)->record));
  }
  if (absl::Status s = it->status(); !s.ok()) return s;
  return out;
}

absl::StatusOr<uint64_t> RequestStore::LastNumber(int year) const {
  absl::StatusOr<std::optional<std::string>> value =
      kv_->Get(Column::kMeta, NumberKey(year));
  if (!value.ok()) return value.status();
  if (!value->has_value()) return 0;
  KeyReader reader(**value);
  absl::StatusOr<uint64_t> n = reader.Uint64();
  if (!n.ok()) return absl::DataLossError("malformed request number");
  return *n;
}

void RequestStore::PutLastNumber(int year, uint64_t number,
                                 WriteBatch* batch) const {
  batch->Put(Column::kMeta, NumberKey(year), EncodeNumber(number));
}

namespace {

std::string ReceivedKey(std::string_view id, std::string_view sha256) {
  return KeyBuilder().String("rq.in").String(id).String(sha256).Build();
}

std::string ReceivedChunkKey(std::string_view id, std::string_view sha256,
                             uint64_t index) {
  return KeyBuilder()
      .String("rq.in")
      .String(id)
      .String(sha256)
      .Uint64(index)
      .Build();
}

// The value `pending` writes under (column, key), if it does.
std::optional<std::optional<std::string>> PendingValue(
    const WriteBatch* pending, Column column, const std::string& key) {
  if (pending == nullptr) return std::nullopt;
  const auto& ops = pending->ops();
  for (auto op = ops.rbegin(); op != ops.rend(); ++op) {
    if (op->column != column || op->key != key) continue;
    if (op->kind == WriteBatch::OpKind::kDelete) {
      return std::optional<std::string>();
    }
    return std::optional<std::string>(op->value);
  }
  return std::nullopt;
}

}  // namespace

void RequestStore::PutReceivedChunk(std::string_view id,
                                    std::string_view sha256, uint64_t index,
                                    std::string_view data,
                                    WriteBatch* batch) const {
  batch->Put(Column::kBlobs, ReceivedChunkKey(id, sha256, index), data);
}

absl::StatusOr<std::optional<std::string>> RequestStore::ReceivedChunk(
    std::string_view id, std::string_view sha256, uint64_t index,
    const WriteBatch* pending) const {
  const std::string key = ReceivedChunkKey(id, sha256, index);
  if (auto p = PendingValue(pending, Column::kBlobs, key)) return *p;
  return kv_->Get(Column::kBlobs, key);
}

void RequestStore::DeleteReceivedChunks(std::string_view id,
                                        std::string_view sha256, uint64_t count,
                                        WriteBatch* batch) const {
  for (uint64_t i = 0; i < count; ++i) {
    batch->Delete(Column::kBlobs, ReceivedChunkKey(id, sha256, i));
  }
}

void RequestStore::PutReceivedSize(std::string_view id, std::string_view sha256,
                                   uint64_t size, WriteBatch* batch) const {
  batch->Put(Column::kBlobs, ReceivedKey(id, sha256), EncodeNumber(size));
}

absl::StatusOr<std::optional<uint64_t>> RequestStore::ReceivedSize(
    std::string_view id, std::string_view sha256,
    const WriteBatch* pending) const {
  const std::string key = ReceivedKey(id, sha256);
  std::optional<std::string> value;
  if (auto p = PendingValue(pending, Column::kBlobs, key)) {
    value = *p;
  } else {
    absl::StatusOr<std::optional<std::string>> stored =
        kv_->Get(Column::kBlobs, key);
    if (!stored.ok()) return stored.status();
    value = *std::move(stored);
  }
  if (!value.has_value()) return std::nullopt;
  KeyReader reader(*value);
  absl::StatusOr<uint64_t> n = reader.Uint64();
  if (!n.ok()) return absl::DataLossError("malformed received attachment size");
  return *n;
}

}  // namespace pwx::storage
