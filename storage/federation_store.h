// What federation keeps on disk: the peer registry, the outbox and the
// links to peers, the receipts peers sent, the heads of peers' logs, and the
// inbox's dedup records.
//
// Layout (meta, outbox and inbox are column families):
//   meta   "peer" authority              -> pwx.v1.Peer
//   meta   "peer_head" authority         -> pwx.v1.SignedTreeHead, the latest
//                                           head of the peer's log held
//   meta   "peer_cert" sha256 hex        -> PEM signing certificate of a
//                                           peer, kept after removal: it
//                                           verifies the peer's receipts
//   meta   "link" authority              -> pwx.v1.OutboxLink
//   meta   "outbox_seq" authority        -> Uint64(last stamped), the link's
//                                           record before OutboxLink (read,
//                                           replaced on the next write)
//   outbox "pending" peer Uint64(key)    -> pwx.v1.OutboxItem
//   outbox "queued" peer Uint64(seq)     -> pwx.v1.OutboxItem; those at or
//                                           below the link's `acked` are
//                                           delivered, kept for a resend
//   outbox "receipts" peer Uint64(first seq) Uint64(unix nanos)
//                                        -> pwx.v1.DeliverResponse, the
//                                           signed batch (evidence; never
//                                           overwritten)
//   inbox  "last" sender                 -> Uint64(last applied)
//   inbox  "msg" message id              -> pwx.v1.Receipt
//
// An item is queued "pending" in the batch of the change it reports, keyed
// by a node-wide counter; only the peer's dispatcher stamps pending items
// with sequence numbers (moving them to "queued"), so concurrent changes
// never wait for one another and a refused change leaves no gap. The link
// record and the inbox's records outlive the peer's removal: sequence
// numbers and message ids never repeat for a pair of authorities.
#ifndef PWX_STORAGE_FEDERATION_STORE_H_
#define PWX_STORAGE_FEDERATION_STORE_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "pwx/v1/federation.pb.h"
#include "storage/kv_store.h"

namespace pwx::storage {

// An item in the outbox with its key (pending) or sequence (queued).
struct OutboxEntry {
  uint64_t key = 0;
  pwx::v1::OutboxItem item;
};

// How much is waiting for one peer.
struct OutboxStats {
  uint64_t pending = 0;
  // Stamped and not yet receipted.
  uint64_t queued = 0;
  // When the oldest waiting item was queued; InfiniteFuture() when none.
  absl::Time oldest = absl::InfiniteFuture();
};

// The link to one peer as read, with the stored bytes that a write of it
// requires to be unchanged (std::nullopt: no record yet).
struct LinkRecord {
  pwx::v1::OutboxLink link;
  std::optional<std::string> bytes;
  // True when `bytes` is the legacy "outbox_seq" counter.
  bool legacy = false;
};

// Thread-safe over a thread-safe KvStore.
class FederationStore {
 public:
  // Finds the highest pending key, so new keys follow it. `kv` must outlive
  // the store.
  static absl::StatusOr<std::unique_ptr<FederationStore>> Open(KvStore* kv);

  // ---- Peer registry ----
  absl::StatusOr<std::vector<pwx::v1::Peer>> Peers() const;
  // Adds to `batch` the write of `peer`, requiring that the stored record is
  // still `previous` (std::nullopt: that there is none).
  void PutPeer(const pwx::v1::Peer& peer,
               const std::optional<std::string>& previous,
               WriteBatch* batch) const;
  absl::StatusOr<std::optional<std::string>> PeerBytes(
      const std::string& authority) const;
  // Adds to `batch` a precondition that the peer's record is still `bytes`
  // (so nothing is queued for a peer removed meanwhile).
  void RequirePeer(const std::string& authority, const std::string& bytes,
                   WriteBatch* batch) const;
  // Removes the peer and its outbox (pending, queued and the delivered
  // envelopes kept); returns how many undelivered items were dropped. The
  // link stays: when stamped items were dropped they count as settled, and
  // the next envelope declares that it follows the last receipted one.
  absl::StatusOr<uint64_t> DropPeer(const std::string& authority,
                                    const std::string& previous,
                                    WriteBatch* batch) const;

  // ---- Outbox ----
  // Adds `item` to the pending items for `peer`, in the caller's batch.
  void Enqueue(const std::string& peer, const pwx::v1::OutboxItem& item,
               WriteBatch* batch);
  // Pending items for `peer`, oldest first, at most `limit`.
  absl::StatusOr<std::vector<OutboxEntry>> Pending(const std::string& peer,
                                                   size_t limit) const;
  // The link to `peer` (all zero when nothing was ever stamped for it).
  absl::StatusOr<LinkRecord> Link(const std::string& peer) const;
  // The last sequence number stamped for `peer` (0 for none).
  absl::StatusOr<uint64_t> LastStamped(const std::string& peer) const;
  // Adds to `batch` the write of `next` for `peer`, requiring that the
  // stored link is still `previous` (so two writers cannot both move it).
  void PutLink(const std::string& peer, const LinkRecord& previous,
               const pwx::v1::OutboxLink& next, WriteBatch* batch) const;
  // Adds to `batch`: each pending item (by its key) becomes queued item
  // `item.sequence()` (with its sealed envelope), and the link becomes
  // `next`. `stamped` must hold consecutive sequences from
  // previous.link.last_stamped + 1.
  void Stamp(const std::string& peer, const std::vector<OutboxEntry>& stamped,
             const LinkRecord& previous, const pwx::v1::OutboxLink& next,
             WriteBatch* batch) const;
  // Adds to `batch` the write or the removal of queued item `item.sequence()`.
  void PutQueued(const std::string& peer, const pwx::v1::OutboxItem& item,
                 WriteBatch* batch) const;
  void DeleteQueued(const std::string& peer, uint64_t sequence,
                    WriteBatch* batch) const;
  // Queued items for `peer` from sequence `from`, in order, at most `limit`
  // (delivered ones too, where `from` is at or below the link's acked).
  absl::StatusOr<std::vector<OutboxEntry>> Queued(const std::string& peer,
                                                  uint64_t from,
                                                  size_t limit) const;
  // Adds to `batch`: the link's acked moves to `last` (from `previous`,
  // required) and the signed receipts are kept as evidence under a key of
  // their own, received at `now` (never overwriting another batch).
  void Ack(const std::string& peer, const LinkRecord& previous, uint64_t last,
           const pwx::v1::DeliverResponse& receipts, absl::Time now,
           WriteBatch* batch) const;
  // Adds to `batch` the removal of delivered items (at or below `acked`)
  // queued before `cutoff`, oldest first, at most `limit`; returns how many.
  absl::StatusOr<uint64_t> PruneDelivered(const std::string& peer,
                                          uint64_t acked, absl::Time cutoff,
                                          size_t limit,
                                          WriteBatch* batch) const;
  // Receipt batches kept for `peer` whose first sequence is at least
  // `from_sequence`, oldest first, at most `limit`.
  absl::StatusOr<std::vector<pwx::v1::DeliverResponse>> Receipts(
      const std::string& peer, uint64_t from_sequence, size_t limit) const;
  absl::StatusOr<OutboxStats> Stats(const std::string& peer) const;

  // Records a peer's signing certificate under the lower-case hex SHA-256
  // of its DER (as tree heads name it). Never deleted.
  void PutPeerCertificate(const std::string& sha256, const std::string& pem,
                          WriteBatch* batch) const;
  // The certificate recorded under `sha256`, if any.
  absl::StatusOr<std::optional<std::string>> PeerCertificate(
      const std::string& sha256) const;

  // The latest head of `peer`'s log this node holds, from its receipts.
  absl::StatusOr<std::optional<pwx::v1::SignedTreeHead>> PeerHead(
      const std::string& peer) const;
  void PutPeerHead(const std::string& peer, const pwx::v1::SignedTreeHead& head,
                   WriteBatch* batch) const;
  // Adds to `batch` forgetting the head held (the next one received becomes
  // the baseline; the earlier ones stay in the kept receipts).
  void DeletePeerHead(const std::string& peer, WriteBatch* batch) const;

  // ---- Inbox ----
  // The last sequence applied from `sender` (0 for none).
  absl::StatusOr<uint64_t> LastApplied(const std::string& sender) const;
  // Adds to `batch` the move of the last applied sequence from `previous`
  // (required: two deliveries cannot both apply) to `last`.
  void PutLastApplied(const std::string& sender, uint64_t previous,
                      uint64_t last, WriteBatch* batch) const;
  // The receipt of an applied message, for a redelivery.
  absl::StatusOr<std::optional<pwx::v1::Receipt>> Received(
      const std::string& message_id) const;
  void PutReceived(const pwx::v1::Receipt& receipt, WriteBatch* batch) const;

 private:
  // Where the scans of one peer's outbox may start. Stamping deletes the
  // pending items and pruning the oldest queued ones, and an LSM store
  // keeps what is deleted as tombstones that every scan from the start of
  // the range would read again: the cost of each delivery would grow with
  // everything ever sent since the last compaction.
  struct Floors {
    struct Peer {
      // Pending keys handed out whose batch is not resolved yet: they may
      // still commit, below keys already scanned.
      std::multiset<uint64_t> in_flight;
      // No pending item below this, apart from those in flight.
      uint64_t pending = 0;
      // No queued item below this sequence.
      uint64_t queued = 0;
    };
    absl::Mutex mu;
    uint64_t next_key ABSL_GUARDED_BY(mu) = 1;
    std::map<std::string, Peer> peers ABSL_GUARDED_BY(mu);
  };

  FederationStore(KvStore* kv, uint64_t next_key)
      : kv_(kv), floors_(std::make_shared<Floors>()) {
    absl::MutexLock lock(&floors_->mu);
    floors_->next_key = next_key;
  }

  // The items under `prefix` from key `from`, at most `limit`, stopping
  // before the first for which `stop` (when set) is true.
  absl::StatusOr<std::vector<OutboxEntry>> Scan(
      const std::string& prefix, uint64_t from, size_t limit,
      const std::function<bool(const pwx::v1::OutboxItem&)>& stop = {}) const;

  KvStore* const kv_;
  // Shared with the batches that hold pending keys, which may outlive the
  // store in a store's queue.
  const std::shared_ptr<Floors> floors_;
};

}  // namespace pwx::storage

#endif  // PWX_STORAGE_FEDERATION_STORE_H_
