#include "storage/request_store.h"

#include <algorithm>
#include <iterator>
#include <memory>
#include <optional>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "server/domain/request_rules.h"
#include "storage/key_codec.h"

namespace pwx::storage {
namespace {

using pwx::v1::Request;

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

// The filters an index serves, as bits of its mask. An index exists for
// every combination, so every query reads exactly the entries it returns:
// one per request in the index of its mask (the urgency bit only for urgent
// requests).
constexpr uint64_t kByState = 1;
constexpr uint64_t kByPeer = 2;
constexpr uint64_t kByKind = 4;
constexpr uint64_t kByUrgency = 8;
constexpr uint64_t kMasks = 16;

constexpr std::string_view kById = "rq.x";
constexpr std::string_view kByDue = "rq.d";
constexpr std::string_view kIndexVersionKey = "request_index_version";
constexpr uint64_t kIndexVersion = 2;

struct FilterValues {
  uint64_t state = 0;
  std::string_view peer;
  uint64_t kind = 0;
};

std::string IndexPrefix(std::string_view tag, uint64_t mask, uint64_t box,
                        const FilterValues& v) {
  KeyBuilder b;
  b.String(tag).Uint64(mask).Uint64(box);
  if ((mask & kByState) != 0) b.Uint64(v.state);
  if ((mask & kByPeer) != 0) b.String(v.peer);
  if ((mask & kByKind) != 0) b.Uint64(v.kind);
  return b.Build();
}

// One box's index range of a query, read in key order.
struct Cursor {
  std::string prefix;
  // For a due range: the key at which the range ends.
  std::string end;
  // Where the range's live entries start, at the least.
  IndexFloors::Before floor;
  // The range has no live entry: the iterator is not used.
  bool spent = false;
  std::unique_ptr<Iterator> it;

  // The position of the entry the iterator is at, in the range or past its
  // end; std::nullopt past the range's prefix.
  std::optional<std::string_view> InPrefix() const {
    if (!it->Valid() || !it->key().starts_with(prefix)) return std::nullopt;
    return it->key().substr(prefix.size());
  }

  bool Live() const {
    if (spent || !it->Valid()) return false;
    const std::string_view key = it->key();
    return key.starts_with(prefix) && (end.empty() || key < end);
  }
  // The entry's place in the list: (due date,) id, encoded.
  std::string_view Position() const { return it->key().substr(prefix.size()); }
};

// The cursors of `q`, without iterators: one per box it covers, each a
// range of the index whose mask is the query's filters. Both boxes are
// merged by position, since a request is in one box only.
std::vector<Cursor> PlanScan(const RequestQuery& q) {
  uint64_t mask = 0;
  if (q.state != pwx::v1::REQUEST_STATE_UNSPECIFIED) mask |= kByState;
  if (!q.peer.empty()) mask |= kByPeer;
  if (q.kind != pwx::v1::REQUEST_KIND_UNSPECIFIED) mask |= kByKind;
  if (q.urgent_only) mask |= kByUrgency;
  const FilterValues values{static_cast<uint64_t>(q.state), q.peer,
                            static_cast<uint64_t>(q.kind)};
  const bool dated = !q.due_before.empty();
  std::vector<Cursor> cursors;
  for (const pwx::v1::RequestBox box :
       {pwx::v1::REQUEST_BOX_INBOX, pwx::v1::REQUEST_BOX_OUTBOX}) {
    if (q.box != pwx::v1::REQUEST_BOX_UNSPECIFIED && q.box != box) continue;
    Cursor c;
    c.prefix = IndexPrefix(dated ? kByDue : kById, mask,
                           static_cast<uint64_t>(box), values);
    if (dated) {
      c.end = absl::StrCat(c.prefix, KeyBuilder().String(q.due_before).key());
    }
    cursors.push_back(std::move(c));
  }
  return cursors;
}

// What a page token is bound to: the ranges scanned.
std::string TokenScope(const std::vector<Cursor>& cursors,
                       const RequestQuery& q) {
  KeyBuilder b;
  b.String("rq");
  for (const Cursor& c : cursors) b.String(c.prefix);
  b.String(q.due_from).String(q.due_before);
  return b.Build();
}

absl::StatusOr<std::string> IdAt(std::string_view position, bool dated) {
  KeyReader reader(position);
  if (dated) {
    absl::StatusOr<std::string> date = reader.String();
    if (!date.ok()) return absl::DataLossError("malformed request index key");
  }
  absl::StatusOr<std::string> id = reader.String();
  if (!id.ok() || !reader.done()) {
    return absl::DataLossError("malformed request index key");
  }
  return id;
}

// The ids of the requests about case `case_id` or sent on a day: plain
// prefixes, one id after the prefix (and the date).
absl::StatusOr<std::string> IdAfter(std::string_view key,
                                    std::string_view prefix, bool dated) {
  return IdAt(key.substr(prefix.size()), dated);
}

// The (range prefix, position) of each key of `keys` in a range of the
// floors (`ranges` from IndexKeys), among `only` when given.
std::vector<std::pair<std::string, std::string>> RangeEntries(
    const std::vector<std::string>& keys, const std::vector<size_t>& ranges,
    const absl::flat_hash_set<std::string>* only) {
  std::vector<std::pair<std::string, std::string>> entries;
  for (size_t i = 0; i < keys.size(); ++i) {
    if (ranges[i] == 0 || (only != nullptr && !only->contains(keys[i]))) {
      continue;
    }
    entries.emplace_back(keys[i].substr(0, ranges[i]),
                         keys[i].substr(ranges[i]));
  }
  return entries;
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

std::vector<std::string> RequestStore::IndexKeys(
    const Request& r, std::vector<size_t>* ranges) const {
  const RequestFacets f = Facets(r);
  const FilterValues values{static_cast<uint64_t>(f.state), f.peer,
                            static_cast<uint64_t>(r.content().kind())};
  const uint64_t box = static_cast<uint64_t>(f.box);
  const std::string id = KeyBuilder().String(r.id()).Build();
  const std::string due =
      f.open_due_date.empty()
          ? ""
          : absl::StrCat(KeyBuilder().String(f.open_due_date).key(), id);
  std::vector<std::string> keys;
  auto add_ranged = [&keys, ranges](std::string prefix,
                                    const std::string& position) {
    if (ranges != nullptr) ranges->push_back(prefix.size());
    keys.push_back(absl::StrCat(prefix, position));
  };
  for (uint64_t mask = 0; mask < kMasks; ++mask) {
    if ((mask & kByUrgency) != 0 && !r.content().urgent()) continue;
    add_ranged(IndexPrefix(kById, mask, box, values), id);
    if (!due.empty()) add_ranged(IndexPrefix(kByDue, mask, box, values), due);
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
  if (ranges != nullptr) ranges->resize(keys.size(), 0);
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
  std::vector<size_t> ranges;
  const std::vector<std::string> keys = IndexKeys(record, &ranges);
  const std::vector<std::string> added =
      MoveIndexEntries(previous == nullptr ? std::vector<std::string>()
                                           : IndexKeys(previous->record),
                       keys, batch);
  const absl::flat_hash_set<std::string> only(added.begin(), added.end());
  floors_.Adding(RangeEntries(keys, ranges, &only), batch);
  batch->Put(Column::kRequests, key, bytes);
  return bytes;
}

absl::StatusOr<RequestPage> RequestStore::List(
    const RequestQuery& query, int page_size,
    std::string_view page_token) const {
  std::vector<Cursor> cursors = PlanScan(query);
  const bool dated = !query.due_before.empty();
  const std::string scope = TokenScope(cursors, query);
  std::string from;
  if (dated && !query.due_from.empty()) {
    from = KeyBuilder().String(query.due_from).Build();
  }
  std::optional<std::string> after;
  if (!page_token.empty()) {
    absl::StatusOr<std::string> position = DecodePageToken(scope, page_token);
    if (!position.ok()) return position.status();
    from = *position;
    after = *std::move(position);
  }
  for (Cursor& c : cursors) {
    // The floor before the iterator: a write it misses shows in Found.
    c.floor = floors_.Floor(c.prefix);
    c.it = kv_->NewIterator(Column::kIndex);
    if (c.floor.empty) {
      c.spent = true;
      continue;
    }
    if (c.floor.floor >= from) {
      c.it->Seek(absl::StrCat(c.prefix, c.floor.floor));
      floors_.Found(c.prefix, c.floor, c.InPrefix());
    } else {
      c.it->Seek(absl::StrCat(c.prefix, from));
    }
    if (after && c.Live() && c.Position() == *after) c.it->Next();
  }
  // The live cursor whose entry comes first, or null when all are spent.
  auto next = [&cursors]() -> Cursor* {
    Cursor* first = nullptr;
    for (Cursor& c : cursors) {
      if (c.Live() && (first == nullptr || c.Position() < first->Position())) {
        first = &c;
      }
    }
    return first;
  };
  RequestPage page;
  std::string last;
  std::vector<std::string> keys;
  while (static_cast<int>(page.requests.size()) < page_size) {
    // Read the entries still wanted, then their requests in one MultiGet.
    keys.clear();
    const size_t wanted = static_cast<size_t>(page_size) - page.requests.size();
    for (Cursor* c = next(); c != nullptr && keys.size() < wanted; c = next()) {
      absl::StatusOr<std::string> id = IdAt(c->Position(), dated);
      if (!id.ok()) return id.status();
      keys.push_back(RequestKey(*id));
      last = std::string(c->Position());
      c->it->Next();
    }
    if (keys.empty()) break;
    absl::StatusOr<std::vector<std::optional<std::string>>> values =
        kv_->MultiGet(Column::kRequests, keys);
    if (!values.ok()) return values.status();
    for (std::optional<std::string>& bytes : *values) {
      if (!bytes.has_value()) continue;  // a newer write than the index read
      Request r;
      if (!r.ParseFromString(*bytes)) {
        return absl::DataLossError("a stored request does not parse");
      }
      // The index and the record are read apart: a transition in between
      // may have moved the request out of the query.
      if (!Matches(query, Facets(r), r)) continue;
      page.requests.push_back(std::move(r));
    }
  }
  for (const Cursor& c : cursors) {
    if (absl::Status s = c.it->status(); !s.ok()) return s;
  }
  if (static_cast<int>(page.requests.size()) == page_size &&
      next() != nullptr) {
    page.next_page_token = EncodePageToken(scope, last);
  }
  return page;
}

absl::Status RequestStore::UpgradeIndexes() const {
  absl::StatusOr<bool> current =
      IndexVersionAtLeast(*kv_, kIndexVersionKey, kIndexVersion, "request");
  if (!current.ok()) return current.status();
  if (*current) return absl::OkStatus();
  // Version 1 had one index per filter; its entries go, and every request
  // is indexed again. Each step can be repeated, so a run cut short is
  // finished by the next start.
  constexpr size_t kChunk = 1000;
  WriteBatch batch;
  size_t ops = 0;
  auto flush = [&]() -> absl::Status {
    if (ops == 0) return absl::OkStatus();
    absl::Status s = kv_->Write(std::move(batch));
    batch = WriteBatch();
    ops = 0;
    return s;
  };
  for (const std::string_view old :
       {"rq.all", "rq.state", "rq.peer", "rq.kind", "rq.urgent", "rq.due"}) {
    const std::string prefix = KeyBuilder().String(old).Build();
    std::unique_ptr<Iterator> it = kv_->NewIterator(Column::kIndex);
    for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix);
         it->Next()) {
      batch.Delete(Column::kIndex, it->key());
      if (++ops == kChunk) {
        if (absl::Status s = flush(); !s.ok()) return s;
      }
    }
    if (absl::Status s = it->status(); !s.ok()) return s;
  }
  std::unique_ptr<Iterator> it = kv_->NewIterator(Column::kRequests);
  for (it->Seek(""); it->Valid(); it->Next()) {
    Request r;
    if (!r.ParseFromArray(it->value().data(),
                          static_cast<int>(it->value().size()))) {
      return absl::DataLossError("a stored request does not parse");
    }
    std::vector<size_t> ranges;
    const std::vector<std::string> keys = IndexKeys(r, &ranges);
    for (const std::string& k : keys) {
      batch.Put(Column::kIndex, k, "");
      ++ops;
    }
    floors_.Adding(RangeEntries(keys, ranges, nullptr), &batch);
    if (ops >= kChunk) {
      if (absl::Status s = flush(); !s.ok()) return s;
    }
  }
  if (absl::Status s = it->status(); !s.ok()) return s;
  batch.Put(Column::kMeta, std::string(kIndexVersionKey),
            EncodeNumber(kIndexVersion));
  ++ops;
  return flush();
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

std::string OutgoingPrefix() { return KeyBuilder().String("rq.out").Build(); }

std::string OutgoingKey(std::string_view peer, std::string_view id,
                        std::string_view sha256) {
  return KeyBuilder()
      .String("rq.out")
      .String(peer)
      .String(id)
      .String(sha256)
      .Build();
}

std::string OutgoingValue(uint64_t next, std::string_view user) {
  return KeyBuilder().Uint64(next).String(user).Build();
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

void RequestStore::PutOutgoing(const OutgoingContent& content,
                               WriteBatch* batch) const {
  const std::string key = OutgoingKey(content.peer, content.id, content.sha256);
  const std::string prefix = OutgoingPrefix();
  outgoing_floors_.Adding({{prefix, key.substr(prefix.size())}}, batch);
  batch->Put(Column::kBlobs, key, OutgoingValue(content.next, content.user));
}

void RequestStore::AdvanceOutgoing(const OutgoingContent& content,
                                   uint64_t next, bool done,
                                   WriteBatch* batch) const {
  const std::string key = OutgoingKey(content.peer, content.id, content.sha256);
  batch->Require(Column::kBlobs, key, content.bytes);
  if (done) {
    batch->Delete(Column::kBlobs, key);
  } else {
    batch->Put(Column::kBlobs, key, OutgoingValue(next, content.user));
  }
}

absl::StatusOr<std::vector<OutgoingContent>> RequestStore::Outgoing(
    size_t limit) const {
  const std::string prefix = OutgoingPrefix();
  std::vector<OutgoingContent> out;
  // The floor before the iterator: a promise added meanwhile shows in Found.
  const IndexFloors::Before floor = outgoing_floors_.Floor(prefix);
  if (floor.empty) return out;
  std::unique_ptr<Iterator> it = kv_->NewIterator(Column::kBlobs);
  it->Seek(absl::StrCat(prefix, floor.floor));
  if (absl::Status s = it->status(); !s.ok()) return s;
  outgoing_floors_.Found(
      prefix, floor,
      it->Valid() && it->key().starts_with(prefix)
          ? std::optional<std::string_view>(it->key().substr(prefix.size()))
          : std::nullopt);
  for (; it->Valid() && it->key().starts_with(prefix) && out.size() < limit;
       it->Next()) {
    KeyReader key(it->key());
    OutgoingContent c;
    absl::StatusOr<std::string> tag = key.String();
    absl::StatusOr<std::string> peer = key.String();
    absl::StatusOr<std::string> id = key.String();
    absl::StatusOr<std::string> sha256 = key.String();
    KeyReader value(it->value());
    absl::StatusOr<uint64_t> next = value.Uint64();
    absl::StatusOr<std::string> user = value.String();
    if (!tag.ok() || !peer.ok() || !id.ok() || !sha256.ok() || !next.ok() ||
        !user.ok()) {
      return absl::DataLossError("malformed record of a content to send");
    }
    c.peer = *std::move(peer);
    c.id = *std::move(id);
    c.sha256 = *std::move(sha256);
    c.next = *next;
    c.user = *std::move(user);
    c.bytes = std::string(it->value());
    out.push_back(std::move(c));
  }
  if (absl::Status s = it->status(); !s.ok()) return s;
  return out;
}

}  // namespace pwx::storage
