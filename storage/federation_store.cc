#include "storage/federation_store.h"

#include <algorithm>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"
#include "storage/key_codec.h"

namespace pwx::storage {
namespace {

using google::protobuf::util::TimeUtil;

std::string PeerKey(const std::string& authority) {
  return KeyBuilder().String("peer").String(authority).Build();
}
std::string PeerHeadKey(const std::string& authority) {
  return KeyBuilder().String("peer_head").String(authority).Build();
}
std::string PeerCertificateKey(const std::string& sha256) {
  return KeyBuilder().String("peer_cert").String(sha256).Build();
}
std::string StampedKey(const std::string& authority) {
  return KeyBuilder().String("outbox_seq").String(authority).Build();
}
std::string LinkKey(const std::string& authority) {
  return KeyBuilder().String("link").String(authority).Build();
}
std::string OutboxPrefix(std::string_view kind, const std::string& peer) {
  return KeyBuilder().String(kind).String(peer).Build();
}
std::string OutboxKey(std::string_view kind, const std::string& peer,
                      uint64_t n) {
  return KeyBuilder().String(kind).String(peer).Uint64(n).Build();
}
std::string LastAppliedKey(const std::string& sender) {
  return KeyBuilder().String("last").String(sender).Build();
}
std::string ReceivedKey(const std::string& message_id) {
  return KeyBuilder().String("msg").String(message_id).Build();
}
std::string EncodeUint64(uint64_t v) { return KeyBuilder().Uint64(v).Build(); }

absl::StatusOr<uint64_t> ReadUint64(const KvStore& kv, Column column,
                                    const std::string& key,
                                    std::string_view what) {
  absl::StatusOr<std::optional<std::string>> value = kv.Get(column, key);
  if (!value.ok()) return value.status();
  if (!value->has_value()) return 0;
  KeyReader reader(**value);
  absl::StatusOr<uint64_t> v = reader.Uint64();
  if (!v.ok() || !reader.done()) {
    return absl::DataLossError(
        absl::StrCat(std::string(what), " is malformed"));
  }
  return *v;
}

template <typename Message>
absl::StatusOr<Message> Parse(std::string_view bytes, std::string_view what) {
  Message message;
  if (!message.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return absl::DataLossError(
        absl::StrCat("stored ", std::string(what), " does not parse"));
  }
  return message;
}

}  // namespace

absl::StatusOr<std::unique_ptr<FederationStore>> FederationStore::Open(
    KvStore* kv) {
  // The pending keys of every peer share one counter: continue after the
  // highest (a scan of the pending items, which are few).
  const std::string prefix = KeyBuilder().String("pending").Build();
  uint64_t next = 1;
  std::unique_ptr<Iterator> it = kv->NewIterator(Column::kOutbox);
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix);
       it->Next()) {
    KeyReader reader(it->key());
    if (!reader.String().ok() || !reader.String().ok()) {
      return absl::DataLossError("outbox: malformed pending key");
    }
    absl::StatusOr<uint64_t> key = reader.Uint64();
    if (!key.ok()) return absl::DataLossError("outbox: malformed pending key");
    next = std::max(next, *key + 1);
  }
  if (absl::Status s = it->status(); !s.ok()) return s;
  return std::unique_ptr<FederationStore>(new FederationStore(kv, next));
}

absl::StatusOr<std::vector<pwx::v1::Peer>> FederationStore::Peers() const {
  const std::string prefix = KeyBuilder().String("peer").Build();
  std::vector<pwx::v1::Peer> peers;
  std::unique_ptr<Iterator> it = kv_->NewIterator(Column::kMeta);
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix);
       it->Next()) {
    absl::StatusOr<pwx::v1::Peer> peer =
        Parse<pwx::v1::Peer>(it->value(), "peer");
    if (!peer.ok()) return peer.status();
    peers.push_back(*std::move(peer));
  }
  if (absl::Status s = it->status(); !s.ok()) return s;
  return peers;
}

void FederationStore::PutPeer(const pwx::v1::Peer& peer,
                              const std::optional<std::string>& previous,
                              WriteBatch* batch) const {
  const std::string key = PeerKey(peer.card().authority_id());
  batch->Require(Column::kMeta, key, previous);
  batch->Put(Column::kMeta, key, peer.SerializeAsString());
}

absl::StatusOr<std::optional<std::string>> FederationStore::PeerBytes(
    const std::string& authority) const {
  return kv_->Get(Column::kMeta, PeerKey(authority));
}

void FederationStore::RequirePeer(const std::string& authority,
                                  const std::string& bytes,
                                  WriteBatch* batch) const {
  batch->Require(Column::kMeta, PeerKey(authority), bytes);
}

absl::StatusOr<uint64_t> FederationStore::DropPeer(const std::string& authority,
                                                   const std::string& previous,
                                                   WriteBatch* batch) const {
  absl::StatusOr<LinkRecord> link = Link(authority);
  if (!link.ok()) return link.status();
  const std::string key = PeerKey(authority);
  batch->Require(Column::kMeta, key, previous);
  batch->Delete(Column::kMeta, key);
  uint64_t dropped = 0;
  for (std::string_view kind : {"pending", "queued"}) {
    const std::string prefix = OutboxPrefix(kind, authority);
    std::unique_ptr<Iterator> it = kv_->NewIterator(Column::kOutbox);
    for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix);
         it->Next()) {
      batch->Delete(Column::kOutbox, it->key());
      if (kind == "pending") ++dropped;
    }
    if (absl::Status s = it->status(); !s.ok()) return s;
  }
  const pwx::v1::OutboxLink& current = link->link;
  dropped += current.last_stamped() - current.acked();
  if (current.last_stamped() > current.acked()) {
    // The dropped envelopes are withdrawn, so settled; the next one says so.
    pwx::v1::OutboxLink next = current;
    next.set_next_follows(
        current.has_next_follows()
            ? std::min(current.next_follows(), current.acked())
            : current.acked());
    next.set_acked(current.last_stamped());
    PutLink(authority, *link, next, batch);
  }
  return dropped;
}

void FederationStore::Enqueue(const std::string& peer,
                              const pwx::v1::OutboxItem& item,
                              WriteBatch* batch) {
  uint64_t key = 0;
  {
    // Handed out and recorded in flight at once, so that a scan never sees
    // the counter past a key without the key in flight.
    absl::MutexLock lock(&floors_->mu);
    key = floors_->next_key++;
    floors_->peers[peer].in_flight.insert(key);
  }
  batch->Put(Column::kOutbox, OutboxKey("pending", peer, key),
             item.SerializeAsString());
  batch->OnResolved([floors = floors_, peer, key] {
    absl::MutexLock lock(&floors->mu);
    std::multiset<uint64_t>& in_flight = floors->peers[peer].in_flight;
    in_flight.erase(in_flight.find(key));
  });
}

absl::StatusOr<std::vector<OutboxEntry>> FederationStore::Scan(
    const std::string& prefix, uint64_t from, size_t limit,
    const std::function<bool(const pwx::v1::OutboxItem&)>& stop) const {
  std::vector<OutboxEntry> entries;
  std::unique_ptr<Iterator> it = kv_->NewIterator(Column::kOutbox);
  for (it->Seek(prefix + EncodeUint64(from));
       it->Valid() && it->key().starts_with(prefix) && entries.size() < limit;
       it->Next()) {
    KeyReader reader(it->key().substr(prefix.size()));
    absl::StatusOr<uint64_t> key = reader.Uint64();
    if (!key.ok() || !reader.done()) {
      return absl::DataLossError("outbox: malformed key");
    }
    absl::StatusOr<pwx::v1::OutboxItem> item =
        Parse<pwx::v1::OutboxItem>(it->value(), "outbox item");
    if (!item.ok()) return item.status();
    if (stop && stop(*item)) break;
    entries.push_back({*key, *std::move(item)});
  }
  if (absl::Status s = it->status(); !s.ok()) return s;
  return entries;
}

absl::StatusOr<std::vector<OutboxEntry>> FederationStore::Pending(
    const std::string& peer, size_t limit) const {
  // Read before the scan's snapshot. Every pending item is at or above the
  // floor (which a scan never moves past an item in flight); and every item
  // committed after the snapshot is in flight now (at or above the lowest of
  // those) or handed out later (at or above the counter).
  uint64_t from = 0;
  uint64_t bound = 0;
  {
    absl::MutexLock lock(&floors_->mu);
    const Floors::Peer& f = floors_->peers[peer];
    from = f.pending;
    bound = floors_->next_key;
    if (!f.in_flight.empty()) bound = std::min(bound, *f.in_flight.begin());
  }
  absl::StatusOr<std::vector<OutboxEntry>> entries =
      Scan(OutboxPrefix("pending", peer), from, limit);
  if (!entries.ok()) return entries.status();
  // The scan saw every committed item from `from` on, so none is below its
  // first; the next scan may start at the lowest of the three.
  if (!entries->empty()) bound = std::min(bound, entries->front().key);
  absl::MutexLock lock(&floors_->mu);
  uint64_t& floor = floors_->peers[peer].pending;
  floor = std::max(floor, bound);
  return entries;
}

absl::StatusOr<LinkRecord> FederationStore::Link(
    const std::string& peer) const {
  LinkRecord record;
  absl::StatusOr<std::optional<std::string>> bytes =
      kv_->Get(Column::kMeta, LinkKey(peer));
  if (!bytes.ok()) return bytes.status();
  if (bytes->has_value()) {
    absl::StatusOr<pwx::v1::OutboxLink> link =
        Parse<pwx::v1::OutboxLink>(**bytes, "outbox link of " + peer);
    if (!link.ok()) return link.status();
    record.link = *std::move(link);
    record.bytes = *std::move(*bytes);
    return record;
  }
  // A link stored before OutboxLink: its counter, and receipted up to the
  // first item still queued.
  absl::StatusOr<std::optional<std::string>> legacy =
      kv_->Get(Column::kMeta, StampedKey(peer));
  if (!legacy.ok()) return legacy.status();
  if (!legacy->has_value()) return record;
  absl::StatusOr<uint64_t> last = ReadUint64(
      *kv_, Column::kMeta, StampedKey(peer), "meta/outbox_seq of " + peer);
  if (!last.ok()) return last.status();
  record.link.set_last_stamped(*last);
  record.link.set_acked(*last);
  absl::StatusOr<std::vector<OutboxEntry>> first = Queued(peer, 0, 1);
  if (!first.ok()) return first.status();
  if (!first->empty())
    record.link.set_acked(first->front().item.sequence() - 1);
  record.bytes = *std::move(*legacy);
  record.legacy = true;
  return record;
}

absl::StatusOr<uint64_t> FederationStore::LastStamped(
    const std::string& peer) const {
  absl::StatusOr<LinkRecord> link = Link(peer);
  if (!link.ok()) return link.status();
  return link->link.last_stamped();
}

void FederationStore::PutLink(const std::string& peer,
                              const LinkRecord& previous,
                              const pwx::v1::OutboxLink& next,
                              WriteBatch* batch) const {
  if (previous.legacy) {
    batch->Require(Column::kMeta, StampedKey(peer), previous.bytes);
    batch->Require(Column::kMeta, LinkKey(peer), std::nullopt);
    batch->Delete(Column::kMeta, StampedKey(peer));
  } else {
    batch->Require(Column::kMeta, LinkKey(peer), previous.bytes);
  }
  batch->Put(Column::kMeta, LinkKey(peer), next.SerializeAsString());
}

void FederationStore::Stamp(const std::string& peer,
                            const std::vector<OutboxEntry>& stamped,
                            const LinkRecord& previous,
                            const pwx::v1::OutboxLink& next,
                            WriteBatch* batch) const {
  for (const OutboxEntry& e : stamped) {
    batch->Delete(Column::kOutbox, OutboxKey("pending", peer, e.key));
    PutQueued(peer, e.item, batch);
  }
  PutLink(peer, previous, next, batch);
}

void FederationStore::PutQueued(const std::string& peer,
                                const pwx::v1::OutboxItem& item,
                                WriteBatch* batch) const {
  batch->Put(Column::kOutbox, OutboxKey("queued", peer, item.sequence()),
             item.SerializeAsString());
}

void FederationStore::DeleteQueued(const std::string& peer, uint64_t sequence,
                                   WriteBatch* batch) const {
  batch->Delete(Column::kOutbox, OutboxKey("queued", peer, sequence));
}

absl::StatusOr<std::vector<OutboxEntry>> FederationStore::Queued(
    const std::string& peer, uint64_t from, size_t limit) const {
  return Scan(OutboxPrefix("queued", peer), from, limit);
}

void FederationStore::Ack(const std::string& peer, const LinkRecord& previous,
                          uint64_t last,
                          const pwx::v1::DeliverResponse& receipts,
                          absl::Time now, WriteBatch* batch) const {
  pwx::v1::OutboxLink next = previous.link;
  next.set_acked(std::max(next.acked(), last));
  PutLink(peer, previous, next, batch);
  const uint64_t first =
      receipts.receipts().empty() ? last : receipts.receipts(0).sequence();
  const std::string key =
      KeyBuilder()
          .String("receipts")
          .String(peer)
          .Uint64(first)
          .Uint64(static_cast<uint64_t>(absl::ToUnixNanos(now)))
          .Build();
  batch->Require(Column::kOutbox, key, std::nullopt);
  batch->Put(Column::kOutbox, key, receipts.SerializeAsString());
}

absl::StatusOr<uint64_t> FederationStore::PruneDelivered(
    const std::string& peer, uint64_t acked, absl::Time cutoff, size_t limit,
    WriteBatch* batch) const {
  // Queued items are pruned oldest first and never numbered below the
  // last one stamped: none will appear below the oldest one seen.
  uint64_t from = 0;
  {
    absl::MutexLock lock(&floors_->mu);
    from = floors_->peers[peer].queued;
  }
  // Only the prunable ones are read: the items kept for keep_delivered
  // after their receipt are not parsed again on every receipt.
  absl::StatusOr<std::vector<OutboxEntry>> oldest = Scan(
      OutboxPrefix("queued", peer), from, limit,
      [acked, cutoff](const pwx::v1::OutboxItem& item) {
        return item.sequence() > acked ||
               absl::FromUnixNanos(
                   TimeUtil::TimestampToNanoseconds(item.queued())) >= cutoff;
      });
  if (!oldest.ok()) return oldest.status();
  if (!oldest->empty()) {
    absl::MutexLock lock(&floors_->mu);
    uint64_t& floor = floors_->peers[peer].queued;
    floor = std::max(floor, oldest->front().item.sequence());
  }
  uint64_t pruned = 0;
  for (const OutboxEntry& e : *oldest) {
    DeleteQueued(peer, e.item.sequence(), batch);
    ++pruned;
  }
  return pruned;
}

absl::StatusOr<std::vector<pwx::v1::DeliverResponse>> FederationStore::Receipts(
    const std::string& peer, uint64_t from_sequence, size_t limit) const {
  const std::string prefix = OutboxPrefix("receipts", peer);
  std::vector<pwx::v1::DeliverResponse> batches;
  std::unique_ptr<Iterator> it = kv_->NewIterator(Column::kOutbox);
  for (it->Seek(OutboxKey("receipts", peer, from_sequence));
       batches.size() < limit && it->Valid() && it->key().starts_with(prefix);
       it->Next()) {
    absl::StatusOr<pwx::v1::DeliverResponse> r =
        Parse<pwx::v1::DeliverResponse>(it->value(), "receipts");
    if (!r.ok()) return r.status();
    batches.push_back(*std::move(r));
  }
  if (absl::Status s = it->status(); !s.ok()) return s;
  return batches;
}

void FederationStore::PutPeerCertificate(const std::string& sha256,
                                         const std::string& pem,
                                         WriteBatch* batch) const {
  batch->Put(Column::kMeta, PeerCertificateKey(sha256), pem);
}

absl::StatusOr<std::optional<std::string>> FederationStore::PeerCertificate(
    const std::string& sha256) const {
  return kv_->Get(Column::kMeta, PeerCertificateKey(sha256));
}

absl::StatusOr<OutboxStats> FederationStore::Stats(
    const std::string& peer) const {
  OutboxStats stats;
  auto older = [&stats](const pwx::v1::OutboxItem& item) {
    stats.oldest = std::min(
        stats.oldest,
        absl::FromUnixNanos(TimeUtil::TimestampToNanoseconds(item.queued())));
  };
  const std::string prefix = OutboxPrefix("pending", peer);
  std::unique_ptr<Iterator> it = kv_->NewIterator(Column::kOutbox);
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix);
       it->Next()) {
    if (stats.pending++ > 0) continue;
    // Pending items are in queue order: the first is the oldest.
    absl::StatusOr<pwx::v1::OutboxItem> item =
        Parse<pwx::v1::OutboxItem>(it->value(), "outbox item");
    if (!item.ok()) return item.status();
    older(*item);
  }
  if (absl::Status s = it->status(); !s.ok()) return s;
  absl::StatusOr<LinkRecord> link = Link(peer);
  if (!link.ok()) return link.status();
  const pwx::v1::OutboxLink& l = link->link;
  if (l.last_stamped() > l.acked()) {
    stats.queued = l.last_stamped() - l.acked();
    absl::StatusOr<std::vector<OutboxEntry>> first =
        Queued(peer, l.acked() + 1, 1);
    if (!first.ok()) return first.status();
    if (!first->empty()) older(first->front().item);
  }
  return stats;
}

absl::StatusOr<std::optional<pwx::v1::SignedTreeHead>>
FederationStore::PeerHead(const std::string& peer) const {
  absl::StatusOr<std::optional<std::string>> bytes =
      kv_->Get(Column::kMeta, PeerHeadKey(peer));
  if (!bytes.ok()) return bytes.status();
  if (!bytes->has_value()) return std::nullopt;
  absl::StatusOr<pwx::v1::SignedTreeHead> head =
      Parse<pwx::v1::SignedTreeHead>(**bytes, "peer tree head");
  if (!head.ok()) return head.status();
  return *std::move(head);
}

void FederationStore::DeletePeerHead(const std::string& peer,
                                     WriteBatch* batch) const {
  batch->Delete(Column::kMeta, PeerHeadKey(peer));
}

void FederationStore::PutPeerHead(const std::string& peer,
                                  const pwx::v1::SignedTreeHead& head,
                                  WriteBatch* batch) const {
  batch->Put(Column::kMeta, PeerHeadKey(peer), head.SerializeAsString());
}

absl::StatusOr<uint64_t> FederationStore::LastApplied(
    const std::string& sender) const {
  return ReadUint64(*kv_, Column::kInbox, LastAppliedKey(sender),
                    "inbox/last of " + sender);
}

void FederationStore::PutLastApplied(const std::string& sender,
                                     uint64_t previous, uint64_t last,
                                     WriteBatch* batch) const {
  batch->Require(Column::kInbox, LastAppliedKey(sender),
                 previous == 0
                     ? std::nullopt
                     : std::optional<std::string>(EncodeUint64(previous)));
  batch->Put(Column::kInbox, LastAppliedKey(sender), EncodeUint64(last));
}

absl::StatusOr<std::optional<pwx::v1::Receipt>> FederationStore::Received(
    const std::string& message_id) const {
  absl::StatusOr<std::optional<std::string>> bytes =
      kv_->Get(Column::kInbox, ReceivedKey(message_id));
  if (!bytes.ok()) return bytes.status();
  if (!bytes->has_value()) return std::nullopt;
  absl::StatusOr<pwx::v1::Receipt> receipt =
      Parse<pwx::v1::Receipt>(**bytes, "receipt");
  if (!receipt.ok()) return receipt.status();
  return *std::move(receipt);
}

void FederationStore::PutReceived(const pwx::v1::Receipt& receipt,
                                  WriteBatch* batch) const {
  batch->Put(Column::kInbox, ReceivedKey(receipt.message_id()),
             receipt.SerializeAsString());
}

}  // namespace pwx::storage
