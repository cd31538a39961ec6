#include "server/outbox_dispatcher.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <random>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "server/audit_trail.h"

namespace pwx::server {
namespace {

// A delay around `base`: half to one and a half times, so that peers that
// failed together do not retry together.
absl::Duration Jitter(absl::Duration base) {
  thread_local std::mt19937_64 rng(std::random_device{}());
  std::uniform_real_distribution<double> factor(0.5, 1.5);
  return base * factor(rng);
}

google::protobuf::Duration ToProtoDuration(absl::Duration d) {
  google::protobuf::Duration out;
  const int64_t seconds = absl::ToInt64Seconds(d);
  out.set_seconds(seconds);
  out.set_nanos(static_cast<int32_t>(
      absl::ToInt64Nanoseconds(d - absl::Seconds(seconds))));
  return out;
}

}  // namespace

struct OutboxDispatcher::Dispatcher {
  // The receipts of a delivered batch, while their record commits: the
  // next batch starts after that one's, and the answer to it must extend
  // that one's head.
  struct Receipt {
    absl::Notification committed;
    absl::Status status;
    std::string fork;
    uint64_t next_sequence = 0;
    std::optional<pwx::v1::SignedTreeHead> known_head;
  };

  std::string peer;
  bool wake = false;  // guarded by OutboxDispatcher::mu_
  std::thread thread;
  // Used by the dispatcher's thread only.
  std::unique_ptr<Receipt> receipt;
};

OutboxDispatcher::OutboxDispatcher(DispatcherOptions options, Outbox* outbox,
                                   PeerRegistry* peers,
                                   PeerTransport* transport)
    : options_(options), outbox_(outbox), peers_(peers), transport_(transport) {
  peers_->OnChange([this](const std::string& peer) { Wake(peer); });
  for (const pwx::v1::Peer& peer : peers_->List()) {
    Wake(peer.card().authority_id());
  }
}

OutboxDispatcher::~OutboxDispatcher() { Stop(); }

void OutboxDispatcher::Stop() {
  std::vector<std::thread> threads;
  {
    absl::MutexLock lock(&mu_);
    if (stopping_) return;
    stopping_ = true;
    for (auto& [peer, d] : dispatchers_)
      threads.push_back(std::move(d->thread));
  }
  transport_->Shutdown();
  for (std::thread& t : threads) t.join();
}

void OutboxDispatcher::Wake(const std::string& peer) {
  absl::MutexLock lock(&mu_);
  if (stopping_) return;
  auto [it, added] = dispatchers_.try_emplace(peer);
  if (added) {
    it->second = std::make_unique<Dispatcher>();
    it->second->peer = peer;
    Dispatcher* d = it->second.get();
    d->thread = std::thread([this, d] { Run(d); });
  }
  it->second->wake = true;
}

void OutboxDispatcher::Record(const std::string& peer,
                              const absl::Status& status) {
  absl::MutexLock lock(&mu_);
  Progress& p = progress_[peer];
  if (status.ok()) {
    p.last_success = absl::Now();
    p.last_error.clear();
    p.peer_expects = 0;
  } else {
    p.last_error = status.ToString(absl::StatusToStringMode::kWithNoExtraData);
    p.last_error_time = absl::Now();
    if (std::optional<uint64_t> expects = domain::ExpectedSequence(status)) {
      p.peer_expects = *expects;
    }
  }
}

void OutboxDispatcher::Run(Dispatcher* d) {
  absl::Duration backoff = options_.retry_initial;
  auto wait = [this, d](absl::Duration timeout, bool wakeable) {
    absl::MutexLock lock(&mu_);
    struct Args {
      OutboxDispatcher* self;
      Dispatcher* d;
      bool wakeable;
    } args{this, d, wakeable};
    mu_.AwaitWithTimeout(absl::Condition(
                             +[](Args* a) ABSL_NO_THREAD_SAFETY_ANALYSIS {
                               return a->self->stopping_ ||
                                      (a->wakeable && a->d->wake);
                             },
                             &args),
                         timeout);
    d->wake = false;
    return stopping_;
  };
  while (true) {
    bool stop = false;
    {
      absl::MutexLock lock(&mu_);
      stop = stopping_;
      d->wake = false;
    }
    if (stop) {
      // The store closes after Stop: nothing may still be committing.
      FinishReceipt(d).IgnoreError();
      return;
    }
    std::shared_ptr<const PeerInfo> info = peers_->Find(d->peer);
    if (info == nullptr || !info->active()) {
      // Removed or suspended: nothing goes out until it changes.
      if (wait(absl::Seconds(1), true)) return;
      continue;
    }
    absl::StatusOr<bool> sent = DeliverOnce(d, *info);
    if (!sent.ok()) {
      Record(d->peer, sent.status());
      spdlog::warn(
          "federation: delivery to {} failed, retrying in ~{}: {}", d->peer,
          absl::FormatDuration(backoff),
          sent.status().ToString(absl::StatusToStringMode::kWithNoExtraData));
      // A refused link needs a coordinator; a repair wakes the dispatcher.
      if (wait(Jitter(backoff),
               domain::ExpectedSequence(sent.status()).has_value())) {
        return;
      }
      backoff = std::min(backoff * 2, options_.retry_max);
      continue;
    }
    backoff = options_.retry_initial;
    if (*sent) continue;  // there may be more
    if (wait(absl::Seconds(1), true)) return;
  }
}

absl::Status OutboxDispatcher::FinishReceipt(Dispatcher* d) {
  if (d->receipt == nullptr) return absl::OkStatus();
  d->receipt->committed.WaitForNotification();
  std::unique_ptr<Dispatcher::Receipt> receipt = std::move(d->receipt);
  if (!receipt->status.ok()) return receipt->status;
  Record(d->peer, absl::OkStatus());
  // Delivered, and the fork recorded as evidence; deliveries go on.
  if (!receipt->fork.empty()) {
    Record(d->peer, absl::DataLossError(receipt->fork));
  }
  return absl::OkStatus();
}

absl::StatusOr<bool> OutboxDispatcher::DeliverOnce(Dispatcher* d,
                                                   const PeerInfo& peer) {
  absl::StatusOr<bool> sent = Send(d, peer);
  if (sent.ok() && *sent) return true;
  // Nothing was sent, or it failed: nothing stays committing. Receipts that
  // committed may have stamped more to send.
  const bool had_receipt = d->receipt != nullptr;
  absl::Status receipt = FinishReceipt(d);
  if (!sent.ok()) return sent;
  if (!receipt.ok()) return receipt;
  return had_receipt;
}

absl::StatusOr<bool> OutboxDispatcher::Send(Dispatcher* d,
                                            const PeerInfo& peer) {
  Dispatcher::Receipt* previous = d->receipt.get();
  // While receipts commit, they stamp what was queued; stamping now would
  // race them for the link.
  if (previous == nullptr) {
    if (absl::Status s = outbox_->StampPending(d->peer); !s.ok()) return s;
  }
  absl::StatusOr<OutgoingBatch> batch =
      previous == nullptr ? outbox_->NextBatch(d->peer)
                          : outbox_->NextBatch(d->peer, previous->next_sequence,
                                               previous->known_head);
  if (!batch.ok()) return batch.status();
  if (batch->sent.empty()) return false;

  pwx::v1::DeliverResponse response;
  absl::Status status;
  absl::Notification answered;
  {
    absl::MutexLock lock(&mu_);
    progress_[d->peer].in_flight_since = absl::Now();
  }
  transport_->Deliver(peer, batch->request, &response,
                      absl::Now() + options_.call_timeout,
                      [&status, &answered](absl::Status s) {
                        status = std::move(s);
                        answered.Notify();
                      });
  // While the peer works, the receipts of the batch before commit, and the
  // next batch is sealed: signing and verifying then overlap instead of
  // taking turns.
  absl::Status receipted = FinishReceipt(d);
  if (receipted.ok()) {
    if (absl::Status s = outbox_->StampPending(d->peer); !s.ok()) {
      spdlog::warn("federation: cannot stamp envelopes for {}: {}", d->peer,
                   s.ToString());
    }
  }
  answered.WaitForNotification();
  {
    absl::MutexLock lock(&mu_);
    progress_[d->peer].in_flight_since = absl::InfiniteFuture();
  }
  // The batch before is not receipted after all: everything from it goes
  // again (the peer takes a redelivery as one).
  if (!receipted.ok()) return receipted;
  if (absl::IsDeadlineExceeded(status)) {
    return absl::DeadlineExceededError(
        absl::StrCat(d->peer, " did not answer within ",
                     absl::FormatDuration(options_.call_timeout), " (",
                     status.message(), ")"));
  }
  if (!status.ok()) return status;
  auto receipt = std::make_unique<Dispatcher::Receipt>();
  Dispatcher::Receipt* r = receipt.get();
  absl::StatusOr<std::string> fork =
      outbox_->Receipted(peer, *batch, response, [r](absl::Status s) {
        r->status = std::move(s);
        r->committed.Notify();
      });
  if (!fork.ok()) return fork.status();
  if (!fork->empty()) spdlog::error("federation: {}", *fork);
  r->fork = *std::move(fork);
  r->next_sequence = batch->sent.back().sequence + 1;
  r->known_head =
      r->fork.empty() ? std::optional(response.tree_head()) : batch->known_head;
  d->receipt = std::move(receipt);
  return true;
}

std::string OutboxDispatcher::Problem(const std::string& peer,
                                      uint64_t expects) const {
  absl::StatusOr<storage::LinkRecord> link = outbox_->Link(peer);
  if (!link.ok()) return "";
  const uint64_t acked = link->link.acked();
  const uint64_t stamped = link->link.last_stamped();
  if (expects <= acked) {
    absl::StatusOr<uint64_t> kept = outbox_->FirstKept(peer);
    const bool can_resend = kept.ok() && *kept != 0 && *kept <= expects;
    return absl::StrCat(
        peer, " expects envelope ", expects, " but had receipted through ",
        acked, ": it lost what it received since (restored from a backup?). ",
        can_resend ? absl::StrCat("`pwx peer resend ", peer, " --from ",
                                  expects, "` sends them again; or ")
                   : "They are no longer kept here: ",
        "`pwx peer skip ", peer, " --to ", expects,
        "` declares them withdrawn");
  }
  if (expects > stamped + 1 || expects > acked + 1) {
    return absl::StrCat(
        peer, " has applied envelopes from this node through ", expects - 1,
        " and this node has sent through ", stamped,
        ": this node lost its link state (restored from a backup?). `pwx "
        "peer skip ",
        peer, " --to ", expects, "` continues after them");
  }
  return "";
}

pwx::v1::PeerHealth OutboxDispatcher::Health(const pwx::v1::Peer& peer) const {
  const std::string& id = peer.card().authority_id();
  pwx::v1::PeerHealth health;
  *health.mutable_peer() = peer;
  const absl::Time now = absl::Now();
  if (absl::StatusOr<storage::OutboxStats> stats = outbox_->Stats(id);
      stats.ok()) {
    health.set_queued(stats->pending + stats->queued);
    if (stats->oldest != absl::InfiniteFuture()) {
      *health.mutable_lag() = ToProtoDuration(now - stats->oldest);
    }
  }
  if (absl::StatusOr<storage::LinkRecord> link = outbox_->Link(id); link.ok()) {
    health.set_last_sequence(link->link.last_stamped());
    health.set_acked_sequence(link->link.acked());
  }
  if (absl::StatusOr<uint64_t> received = outbox_->LastReceived(id);
      received.ok()) {
    health.set_received_sequence(*received);
  }
  Progress progress;
  {
    absl::MutexLock lock(&mu_);
    if (auto it = progress_.find(id); it != progress_.end()) {
      progress = it->second;
    }
  }
  if (progress.last_success != absl::InfinitePast()) {
    *health.mutable_last_success() = ToProtoTime(progress.last_success);
  }
  health.set_last_error(progress.last_error);
  if (progress.last_error_time != absl::InfinitePast()) {
    *health.mutable_last_error_time() = ToProtoTime(progress.last_error_time);
  }
  if (progress.in_flight_since != absl::InfiniteFuture()) {
    *health.mutable_in_flight() =
        ToProtoDuration(now - progress.in_flight_since);
  }
  health.set_peer_expects(progress.peer_expects);
  if (progress.peer_expects != 0) {
    health.set_problem(Problem(id, progress.peer_expects));
  }
  return health;
}

}  // namespace pwx::server
