// The sending side of federation, as plain C++ over the storage
// interfaces: payloads queue events for a peer in their own batch (a
// transactional outbox); the peer's dispatcher stamps them with the link's
// next sequence numbers and seals their envelopes, takes the next batch to
// deliver, and records the peer's signed receipts; coordinators repair a
// link the peer refused (resend, skip). No gRPC and no threads here: the
// OutboxDispatcher drives it.
#ifndef PWX_SERVER_OUTBOX_H_
#define PWX_SERVER_OUTBOX_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "pwx/v1/federation.pb.h"
#include "pwx/v1/peer_service.pb.h"
#include "server/domain/envelope.h"
#include "server/domain/signing.h"
#include "server/event_handler.h"
#include "server/peer_registry.h"
#include "storage/federation_store.h"
#include "storage/kv_store.h"

namespace pwx::server {

struct OutboxOptions {
  // This node's authority. Required.
  std::string authority_id;
  // Envelopes per delivery. Default: 1000 (federation.max_batch).
  size_t max_batch = 1000;
  // How long receipted envelopes stay kept for a resend. Default: 168 hours
  // (federation.keep_delivered_hours).
  absl::Duration keep_delivered = absl::Hours(168);
  // Most envelopes waiting for one peer's receipt; Queue refuses more.
  // Default: 1000000 (federation.max_queued_per_peer).
  uint64_t max_queued_per_peer = 1'000'000;
};

// Envelopes ready to go to one peer, in sequence order.
struct OutgoingBatch {
  pwx::v1::DeliverRequest request;
  std::vector<domain::SentEnvelope> sent;
  // The objects of each envelope's event, for the receipts' audit entries.
  std::vector<std::vector<std::string>> objects;
  // The peer's head that request.known_tree_size comes from, which its
  // answer must extend; none before the first.
  std::optional<pwx::v1::SignedTreeHead> known_head;
};

using RepairCallback =
    std::function<void(absl::StatusOr<pwx::v1::LinkRepairResponse>)>;

// Thread-safe, but StampPending, NextBatch and Receipted are meant for one
// peer's dispatcher at a time: concurrent writers of a link make one of
// them fail with ABORTED, never corrupt it.
class Outbox {
 public:
  // Every pointer must outlive the outbox; `signer` seals envelopes.
  Outbox(OutboxOptions options, storage::KvStore* kv,
         storage::FederationStore* fed, const EventHandlers* handlers,
         const domain::Signer* signer);
  Outbox(const Outbox&) = delete;
  Outbox& operator=(const Outbox&) = delete;

  // Adds to `batch` the queueing of `event` for `peer` on behalf of `user`,
  // with a precondition that the peer's record is unchanged when the batch
  // commits. FAILED_PRECONDITION when the event is too large for an
  // envelope; RESOURCE_EXHAUSTED when max_queued_per_peer envelopes already
  // wait for the peer. The caller wakes the peer's dispatcher after the
  // commit.
  absl::Status Queue(const PeerInfo& peer, const pwx::v1::Event& event,
                     const std::string& user, storage::WriteBatch* batch);

  // Stamps up to max_batch pending items of `peer`, durably, before any of
  // them is delivered.
  absl::Status StampPending(const std::string& peer);

  // The next envelopes the peer has not receipted, from the first (or from
  // `from`, when later: the dispatcher sends on while the receipts of the
  // batch before commit), at most max_batch and about 2 MiB; an empty
  // request when there are none. `known_tree_size` is filled from
  // `known_head` when given (the head of the answer still being recorded),
  // else from the peer's head held.
  absl::StatusOr<OutgoingBatch> NextBatch(
      const std::string& peer, uint64_t from = 0,
      const std::optional<pwx::v1::SignedTreeHead>& known_head =
          std::nullopt) const;

  // Checks the peer's answer to `batch` (domain::CheckReceiptsFor and the
  // consistency of its log with batch.known_head) and records it in one
  // batch:
  // the link's acked moves on, the receipts are kept, an "envelope.receipt"
  // audit entry per envelope, delivered envelopes older than keep_delivered
  // are pruned, and the items queued meanwhile are stamped (as
  // StampPending would, in the same commit). A peer whose log is not consistent
  // with the head held is recorded too ("peer.fork", the receipts kept as
  // evidence, the old head kept): the result then describes the fork; it is
  // empty otherwise. The checks run on the caller's thread, and a failed
  // one is returned without calling `done`; the record is written
  // asynchronously, and `done` runs on the store's writer thread once it is
  // durable or refused (it must not wait for a write). Nothing else may
  // write the link until then.
  absl::StatusOr<std::string> Receipted(
      const PeerInfo& peer, const OutgoingBatch& batch,
      const pwx::v1::DeliverResponse& response, storage::WriteCallback done);

  // PeerService.ResendToPeer: the envelopes from `from` that the peer
  // receipted are sent again. FAILED_PRECONDITION when `from` is 0, is
  // beyond the last receipted + 1, or is no longer kept (naming the first
  // one kept). A "peer.resend" audit entry by `user`.
  void Resend(const std::string& peer, uint64_t from, const std::string& user,
              RepairCallback done);
  // PeerService.SkipToPeer: the envelopes not yet receipted are renumbered
  // from max(`to`, last stamped + 1), the first declaring that it follows
  // min(last receipted, `to` - 1); with none queued, the next one stamped
  // does. INVALID_ARGUMENT for 0. A "peer.skip" audit entry by `user`.
  // Resend and Skip both forget the peer's head held: after a restore on
  // either side the next head the peer shows is the new baseline (the old
  // ones stay in the kept receipts).
  void Skip(const std::string& peer, uint64_t to, const std::string& user,
            RepairCallback done);

  // Calls `repaired` with the peer's authority after each Resend or Skip
  // that committed: the peer or this node lost state (restored from a
  // backup), so payloads may send again what the peer should hold. Called
  // on the store's writer thread: it must not wait for a write. Set once,
  // before the first repair.
  void OnRepaired(std::function<void(const std::string& peer)> repaired) {
    repaired_ = std::move(repaired);
  }

  // The link to `peer` and what waits for it.
  absl::StatusOr<storage::LinkRecord> Link(const std::string& peer) const;
  absl::StatusOr<storage::OutboxStats> Stats(const std::string& peer) const;
  // The first delivered envelope still kept for `peer` (0 when none is).
  absl::StatusOr<uint64_t> FirstKept(const std::string& peer) const;
  // The last sequence this node applied from `peer` (its inbox watermark).
  absl::StatusOr<uint64_t> LastReceived(const std::string& peer) const;

 private:
  // Seals `pending` as the envelopes after next_link->last_stamped() and
  // adds to `batch` their move to the queue and the link's move from `link`
  // to *next_link (updated).
  absl::Status Stamp(const std::string& peer,
                     std::vector<storage::OutboxEntry>& pending,
                     const storage::LinkRecord& link,
                     pwx::v1::OutboxLink* next_link,
                     storage::WriteBatch* batch) const;
  // Seals `event` as envelope `sequence` to `peer`, declaring `follows`
  // when set.
  absl::StatusOr<pwx::v1::Envelope> Seal(const std::string& peer,
                                         uint64_t sequence,
                                         const pwx::v1::Event& event,
                                         std::optional<uint64_t> follows,
                                         absl::Time now) const;
  void Commit(storage::WriteBatch batch, const std::string& peer,
              pwx::v1::LinkRepairResponse response, RepairCallback done);

  const OutboxOptions options_;
  storage::KvStore* const kv_;
  storage::FederationStore* const fed_;
  const EventHandlers* const handlers_;
  const domain::Signer* const signer_;
  std::function<void(const std::string&)> repaired_;
};

}  // namespace pwx::server

#endif  // PWX_SERVER_OUTBOX_H_
