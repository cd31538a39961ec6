// One dispatcher thread per peer drains the outbox: stamps what is pending,
// delivers the next batch through a PeerTransport, records the receipts
// (while the next batch goes out: one delivery in flight, and the receipts
// of the one before committing), and on failure backs off exponentially with
// jitter, so a peer down for days gets everything, in order, when it comes
// back. It also keeps what `pwx peer list` shows of each link: progress, the
// last error, the attempt in flight, and, when the peer refused the link, why
// and what repairs it.
#ifndef PWX_SERVER_OUTBOX_DISPATCHER_H_
#define PWX_SERVER_OUTBOX_DISPATCHER_H_

#include <map>
#include <memory>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "pwx/v1/peer_service.pb.h"
#include "server/outbox.h"
#include "server/peer_registry.h"
#include "server/peer_transport.h"

namespace pwx::server {

struct DispatcherOptions {
  // First and longest wait between failed deliveries. Defaults: 200 ms and
  // 60 s (federation.retry_initial_ms, federation.retry_max_ms).
  absl::Duration retry_initial = absl::Milliseconds(200);
  absl::Duration retry_max = absl::Seconds(60);
  // Deadline of one delivery. Default: 10 s (federation.call_timeout_ms).
  absl::Duration call_timeout = absl::Seconds(10);
};

// Thread-safe. Call Stop() (or destroy it) before the store closes.
class OutboxDispatcher {
 public:
  // Every pointer must outlive the dispatcher. Starts a dispatcher for
  // every peer, and for every peer added later.
  OutboxDispatcher(DispatcherOptions options, Outbox* outbox,
                   PeerRegistry* peers, PeerTransport* transport);
  OutboxDispatcher(const OutboxDispatcher&) = delete;
  OutboxDispatcher& operator=(const OutboxDispatcher&) = delete;
  ~OutboxDispatcher();

  // Stops the dispatchers (a delivery in flight is cancelled). Idempotent.
  void Stop();

  // Makes `peer`'s dispatcher look at its outbox now (after a commit that
  // queued something, or a link repair).
  void Wake(const std::string& peer);

  // The delivery health of `peer`: queue, progress, last success and
  // error, the attempt in flight, and the link's problem with its remedy.
  pwx::v1::PeerHealth Health(const pwx::v1::Peer& peer) const;

 private:
  struct Dispatcher;
  struct Progress {
    absl::Time last_success = absl::InfinitePast();
    std::string last_error;
    absl::Time last_error_time = absl::InfinitePast();
    // When the delivery in flight started; InfiniteFuture() when none is.
    absl::Time in_flight_since = absl::InfiniteFuture();
    // The sequence the peer expects, from its last refusal of the link
    // (0: it has not refused).
    uint64_t peer_expects = 0;
  };

  void Run(Dispatcher* d);
  // One round: stamp, deliver one batch, check its receipts and start
  // recording them; the next round's delivery starts while they commit.
  // OK with false when there was nothing to send (and nothing is left
  // committing).
  absl::StatusOr<bool> DeliverOnce(Dispatcher* d, const PeerInfo& peer);
  absl::StatusOr<bool> Send(Dispatcher* d, const PeerInfo& peer);
  // Waits for the receipts of the last batch to commit, if they are still
  // committing; their write's status.
  absl::Status FinishReceipt(Dispatcher* d);
  void Record(const std::string& peer, const absl::Status& status);
  // Why the link to `peer` cannot continue by itself, and the command that
  // repairs it; empty when it can.
  std::string Problem(const std::string& peer, uint64_t expects) const;

  const DispatcherOptions options_;
  Outbox* const outbox_;
  PeerRegistry* const peers_;
  PeerTransport* const transport_;

  mutable absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::map<std::string, std::unique_ptr<Dispatcher>> dispatchers_
      ABSL_GUARDED_BY(mu_);
  std::map<std::string, Progress> progress_ ABSL_GUARDED_BY(mu_);
};

}  // namespace pwx::server

#endif  // PWX_SERVER_OUTBOX_DISPATCHER_H_
