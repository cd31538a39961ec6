#include "server/outbox.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <optional>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "server/audit_trail.h"
#include "server/domain/digest.h"

namespace pwx::server {
namespace {

// Calls stay well below the 4 MiB that receivers accept by default.
constexpr size_t kMaxRequestBytes = size_t{2} << 20;

// Room for the envelope's fields around its event.
constexpr size_t kEnvelopeOverheadBytes = 4096;

}  // namespace

Outbox::Outbox(OutboxOptions options, storage::KvStore* kv,
               storage::FederationStore* fed, const EventHandlers* handlers,
               const domain::Signer* signer)
    : options_(std::move(options)),
      kv_(kv),
      fed_(fed),
      handlers_(handlers),
      signer_(signer) {}

absl::Status Outbox::Queue(const PeerInfo& peer, const pwx::v1::Event& event,
                           const std::string& user,
                           storage::WriteBatch* batch) {
  if (event.ByteSizeLong() + kEnvelopeOverheadBytes >
      domain::kMaxEnvelopeBodyBytes) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the event is too large for an envelope (", event.ByteSizeLong(),
        " bytes, at most ",
        domain::kMaxEnvelopeBodyBytes - kEnvelopeOverheadBytes, ")"));
  }
  // Stamped and unreceipted envelopes (pending ones are stamped within a
  // round of the dispatcher, so they are few): one point read.
  absl::StatusOr<storage::LinkRecord> link = fed_->Link(peer.authority());
  if (!link.ok()) return link.status();
  const uint64_t waiting = link->link.last_stamped() - link->link.acked();
  if (waiting >= options_.max_queued_per_peer) {
    return absl::ResourceExhaustedError(
        absl::StrCat(waiting, " envelopes already wait for ", peer.authority(),
                     "'s receipt (federation.max_queued_per_peer ",
                     options_.max_queued_per_peer, "); see `pwx peer list`"));
  }
  pwx::v1::OutboxItem item;
  *item.mutable_event() = event;
  *item.mutable_queued() = ToProtoTime(absl::Now());
  item.set_queued_by(user);
  fed_->RequirePeer(peer.authority(), peer.stored_bytes, batch);
  fed_->Enqueue(peer.authority(), item, batch);
  return absl::OkStatus();
}

absl::StatusOr<pwx::v1::Envelope> Outbox::Seal(const std::string& peer,
                                               uint64_t sequence,
                                               const pwx::v1::Event& event,
                                               std::optional<uint64_t> follows,
                                               absl::Time now) const {
  pwx::v1::EnvelopeBody body;
  body.set_message_id(
      domain::EnvelopeMessageId(options_.authority_id, peer, sequence));
  body.set_sender(options_.authority_id);
  body.set_recipient(peer);
  body.set_sequence(sequence);
  *body.mutable_sent() = ToProtoTime(now);
  *body.mutable_event() = event;
  if (follows.has_value()) body.set_follows(*follows);
  return domain::SealEnvelope(body, *signer_);
}

absl::Status Outbox::StampPending(const std::string& peer) {
  absl::StatusOr<std::vector<storage::OutboxEntry>> pending =
      fed_->Pending(peer, options_.max_batch);
  if (!pending.ok()) return pending.status();
  if (pending->empty()) return absl::OkStatus();
  absl::StatusOr<storage::LinkRecord> link = fed_->Link(peer);
  if (!link.ok()) return link.status();
  pwx::v1::OutboxLink next = link->link;
  storage::WriteBatch batch;
  if (absl::Status s = Stamp(peer, *pending, *link, &next, &batch); !s.ok()) {
    return s;
  }
  return kv_->Write(std::move(batch));
}

absl::Status Outbox::Stamp(const std::string& peer,
                           std::vector<storage::OutboxEntry>& pending,
                           const storage::LinkRecord& link,
                           pwx::v1::OutboxLink* next_link,
                           storage::WriteBatch* batch) const {
  pwx::v1::OutboxLink& next = *next_link;
  const absl::Time now = absl::Now();
  for (storage::OutboxEntry& e : pending) {
    const uint64_t sequence = next.last_stamped() + 1;
    std::optional<uint64_t> follows;
    if (next.has_next_follows()) follows = next.next_follows();
    absl::StatusOr<pwx::v1::Envelope> envelope =
        Seal(peer, sequence, e.item.event(), follows, now);
    if (!envelope.ok()) return envelope.status();
    e.item.set_sequence(sequence);
    *e.item.mutable_envelope() = *std::move(envelope);
    next.set_last_stamped(sequence);
    next.clear_next_follows();
  }
  fed_->Stamp(peer, pending, link, next, batch);
  return absl::OkStatus();
}

absl::StatusOr<OutgoingBatch> Outbox::NextBatch(
    const std::string& peer, uint64_t from,
    const std::optional<pwx::v1::SignedTreeHead>& known_head) const {
  OutgoingBatch out;
  absl::StatusOr<storage::LinkRecord> link = fed_->Link(peer);
  if (!link.ok()) return link.status();
  const uint64_t first = std::max(from, link->link.acked() + 1);
  if (link->link.last_stamped() < first) return out;
  absl::StatusOr<std::vector<storage::OutboxEntry>> queued =
      fed_->Queued(peer, first, options_.max_batch);
  if (!queued.ok()) return queued.status();
  if (!queued->empty() && queued->front().item.sequence() != first) {
    return absl::DataLossError(
        absl::StrCat("the outbox for ", peer, " lacks envelope ", first,
                     " (it holds ", queued->front().item.sequence(), " next)"));
  }
  size_t bytes = 0;
  for (const storage::OutboxEntry& e : *queued) {
    bytes += e.item.envelope().ByteSizeLong();
    if (!out.sent.empty() && bytes > kMaxRequestBytes) break;
    *out.request.add_envelopes() = e.item.envelope();
    out.sent.push_back(
        {e.item.sequence(), domain::BodySha256(e.item.envelope().body())});
    out.objects.push_back(handlers_->Objects(e.item.event()));
  }
  if (known_head.has_value()) {
    out.known_head = known_head;
  } else {
    absl::StatusOr<std::optional<pwx::v1::SignedTreeHead>> known =
        fed_->PeerHead(peer);
    if (!known.ok()) return known.status();
    out.known_head = *std::move(known);
  }
  if (out.known_head.has_value()) {
    out.request.set_known_tree_size(out.known_head->tree_size());
  }
  return out;
}

absl::StatusOr<std::string> Outbox::Receipted(
    const PeerInfo& peer, const OutgoingBatch& batch,
    const pwx::v1::DeliverResponse& response, storage::WriteCallback done) {
  const std::string& id = peer.authority();
  absl::StatusOr<uint64_t> highest = domain::CheckReceiptsFor(
      batch.sent, response, options_.authority_id, id, *peer.signing_key);
  if (!highest.ok()) return highest.status();
  // The peer's log must extend the one it showed before.
  const pwx::v1::SignedTreeHead& head = response.tree_head();
  std::string fork;
  if (batch.known_head.has_value()) {
    const pwx::v1::SignedTreeHead& old = *batch.known_head;
    if (absl::Status s = domain::CheckConsistentHead(
            old, head, response.consistency_proof());
        !s.ok()) {
      fork = absl::StrCat("the log of ", id, " at ", head.tree_size(),
                          " entries is not consistent with its head at ",
                          old.tree_size(), " entries: ", s.message(),
                          "; its receipts are kept as evidence");
    }
  }
  absl::StatusOr<storage::LinkRecord> link = fed_->Link(id);
  if (!link.ok()) return link.status();
  const uint64_t last = batch.sent.back().sequence;
  const absl::Time now = absl::Now();
  storage::WriteBatch writes;
  fed_->Ack(id, *link, last, response, now, &writes);
  if (fork.empty()) fed_->PutPeerHead(id, head, &writes);
  absl::StatusOr<uint64_t> pruned = fed_->PruneDelivered(
      id, last, now - options_.keep_delivered, options_.max_batch, &writes);
  if (!pruned.ok()) return pruned.status();
  // What was queued while the peer worked is stamped in the same commit:
  // one fsync less before the next delivery can start.
  absl::StatusOr<std::vector<storage::OutboxEntry>> pending =
      fed_->Pending(id, options_.max_batch);
  if (!pending.ok()) return pending.status();
  if (!pending->empty()) {
    pwx::v1::OutboxLink next = link->link;
    next.set_acked(std::max(next.acked(), last));
    if (absl::Status s = Stamp(id, *pending, *link, &next, &writes); !s.ok()) {
      return s;
    }
  }
  const google::protobuf::Timestamp time = ToProtoTime(now);
  for (int i = 0; i < response.receipts_size(); ++i) {
    const pwx::v1::Receipt& r = response.receipts(i);
    writes.AppendAudit(
        AuditEntryBytes(time, options_.authority_id, "node", "envelope.receipt",
                        r.message_id(), absl::BytesToHexString(r.body_sha256()),
                        0, batch.objects[static_cast<size_t>(i)]));
  }
  if (!fork.empty()) {
    writes.AppendAudit(
        AuditEntryBytes(time, options_.authority_id, "node", "peer.fork", id,
                        domain::Sha256Hex(head.SerializeAsString())));
  }
  kv_->WriteAsync(std::move(writes), std::move(done));
  return fork;
}

absl::StatusOr<storage::LinkRecord> Outbox::Link(
    const std::string& peer) const {
  return fed_->Link(peer);
}

absl::StatusOr<storage::OutboxStats> Outbox::Stats(
    const std::string& peer) const {
  return fed_->Stats(peer);
}

absl::StatusOr<uint64_t> Outbox::FirstKept(const std::string& peer) const {
  absl::StatusOr<std::vector<storage::OutboxEntry>> first =
      fed_->Queued(peer, 0, 1);
  if (!first.ok()) return first.status();
  return first->empty() ? 0 : first->front().item.sequence();
}

absl::StatusOr<uint64_t> Outbox::LastReceived(const std::string& peer) const {
  return fed_->LastApplied(peer);
}

void Outbox::Commit(storage::WriteBatch batch, const std::string& peer,
                    pwx::v1::LinkRepairResponse response, RepairCallback done) {
  kv_->WriteAsync(std::move(batch), [this, peer, response = std::move(response),
                                     done = std::move(done)](absl::Status s) {
    if (absl::IsAborted(s)) {
      done(absl::AbortedError(
          absl::StrCat("the link to ", peer, " changed meanwhile; try again")));
      return;
    }
    if (!s.ok()) {
      done(s);
      return;
    }
    if (repaired_) repaired_(peer);
    done(response);
  });
}

void Outbox::Resend(const std::string& peer, uint64_t from,
                    const std::string& user, RepairCallback done) {
  absl::StatusOr<storage::LinkRecord> link = fed_->Link(peer);
  if (!link.ok()) {
    done(link.status());
    return;
  }
  const pwx::v1::OutboxLink& l = link->link;
  if (from == 0 || from > l.acked() + 1) {
    done(absl::FailedPreconditionError(absl::StrCat(
        "sequence: ", from, " is not a sequence ", peer, " receipted; ",
        l.acked() == 0 ? std::string("it has receipted none")
                       : absl::StrCat("it receipted 1 to ", l.acked()))));
    return;
  }
  absl::StatusOr<std::vector<storage::OutboxEntry>> first =
      fed_->Queued(peer, from, 1);
  if (!first.ok()) {
    done(first.status());
    return;
  }
  if (from <= l.acked() &&
      (first->empty() || first->front().item.sequence() != from)) {
    absl::StatusOr<uint64_t> kept = FirstKept(peer);
    if (!kept.ok()) {
      done(kept.status());
      return;
    }
    done(absl::FailedPreconditionError(
        absl::StrCat("sequence: envelope ", from, " to ", peer,
                     " is no longer kept (federation.keep_delivered_hours); ",
                     *kept == 0 || *kept > l.acked()
                         ? std::string("none of its receipted envelopes is")
                         : absl::StrCat("the first kept is ", *kept),
                     ". Use `pwx peer skip ", peer, " --to ", from,
                     "` to declare the rest withdrawn")));
    return;
  }
  pwx::v1::OutboxLink next = l;
  next.set_acked(from - 1);
  storage::WriteBatch batch;
  fed_->PutLink(peer, *link, next, &batch);
  // A peer that lost envelopes lost the log entries of their receipts too:
  // its next head is the new baseline.
  fed_->DeletePeerHead(peer, &batch);
  batch.AppendAudit(AuditEntryBytes(
      ToProtoTime(absl::Now()), options_.authority_id, user, "peer.resend",
      peer, domain::Sha256Hex(next.SerializeAsString()), l.acked() + 1 - from));
  pwx::v1::LinkRepairResponse response;
  response.set_envelopes(l.acked() + 1 - from);
  response.set_next_sequence(from);
  Commit(std::move(batch), peer, std::move(response), std::move(done));
}

void Outbox::Skip(const std::string& peer, uint64_t to, const std::string& user,
                  RepairCallback done) {
  if (to == 0) {
    done(absl::InvalidArgumentError("sequence: must be at least 1"));
    return;
  }
  absl::StatusOr<storage::LinkRecord> link = fed_->Link(peer);
  if (!link.ok()) {
    done(link.status());
    return;
  }
  const pwx::v1::OutboxLink& l = link->link;
  pwx::v1::OutboxLink next = l;
  storage::WriteBatch batch;
  pwx::v1::LinkRepairResponse response;
  std::vector<storage::OutboxEntry> queued;
  if (l.last_stamped() > l.acked()) {
    // At most what one link can have queued: stamping takes max_batch at a
    // time, and a peer that is down gathers them.
    absl::StatusOr<std::vector<storage::OutboxEntry>> q =
        fed_->Queued(peer, l.acked() + 1, l.last_stamped() - l.acked());
    if (!q.ok()) {
      done(q.status());
      return;
    }
    queued = *std::move(q);
  }
  const uint64_t base = std::max(to, l.last_stamped() + 1);
  // What the first envelope declares it follows: at most what the peer
  // has (to - 1), and never more than this node had receipted.
  const uint64_t follows = std::min(l.acked(), to - 1);
  const absl::Time now = absl::Now();
  for (size_t i = 0; i < queued.size(); ++i) {
    pwx::v1::OutboxItem item = queued[i].item;
    fed_->DeleteQueued(peer, item.sequence(), &batch);
    const uint64_t sequence = base + i;
    absl::StatusOr<pwx::v1::Envelope> envelope =
        Seal(peer, sequence, item.event(),
             i == 0 ? std::optional<uint64_t>(follows) : std::nullopt, now);
    if (!envelope.ok()) {
      done(envelope.status());
      return;
    }
    item.set_sequence(sequence);
    *item.mutable_envelope() = *std::move(envelope);
    fed_->PutQueued(peer, item, &batch);
  }
  // `acked` is the last sequence settled: receipted, or withdrawn by this
  // skip (the old numbers of what is renumbered never will be receipted).
  if (queued.empty()) {
    // Nothing queued means acked == last_stamped.
    next.set_last_stamped(std::max(l.last_stamped(), to - 1));
    next.set_acked(next.last_stamped());
    next.set_next_follows(follows);
    response.set_next_sequence(next.last_stamped() + 1);
  } else {
    next.set_last_stamped(base + queued.size() - 1);
    next.set_acked(base - 1);
    next.clear_next_follows();
    response.set_next_sequence(base);
  }
  response.set_envelopes(queued.size());
  fed_->PutLink(peer, *link, next, &batch);
  // Either side lost state: the peer's next head is the new baseline.
  fed_->DeletePeerHead(peer, &batch);
  batch.AppendAudit(AuditEntryBytes(
      ToProtoTime(now), options_.authority_id, user, "peer.skip", peer,
      domain::Sha256Hex(next.SerializeAsString()), queued.size()));
  spdlog::info("federation: {} skips the link to {} to sequence {}", user, peer,
               to);
  Commit(std::move(batch), peer, std::move(response), std::move(done));
}

}  // namespace pwx::server
