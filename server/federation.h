// Federation between nodes: the peer-facing FederationService (the inbox)
// and one dispatcher per peer (the outbox), over the peer registry.
//
// Outbound: a share is queued "pending" in the batch of its audit entry; the
// peer's dispatcher stamps pending items with the peer's next sequence
// numbers and seals their envelopes (durably, before the first attempt),
// delivers queued envelopes in order in batches of federation.max_batch,
// checks the signed receipts and the peer's tree head (consistent with the
// last one held), then deletes what was receipted and keeps the receipts, in
// one batch with an "envelope.receipt" audit entry each. Failures back off
// exponentially with jitter; a peer down for hours gets everything when back.
//
// Inbound: Deliver authenticates the peer by its certificate, opens every
// envelope (signature, sender, recipient), applies new ones in sequence
// order, answers redeliveries with their first receipt, refuses gaps, and
// writes the applied events, the inbox records and an "envelope.receive"
// audit entry each in one batch. The receipts carry a tree head covering
// those entries and a consistency proof from the head the sender holds.
#ifndef PWX_SERVER_FEDERATION_H_
#define PWX_SERVER_FEDERATION_H_

#include <grpcpp/grpcpp.h>

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "pwx/v1/case_service.pb.h"
#include "pwx/v1/federation.grpc.pb.h"
#include "pwx/v1/peer_service.pb.h"
#include "server/case_manager.h"
#include "server/domain/signing.h"
#include "server/peer_registry.h"
#include "server/tree_head_signer.h"
#include "storage/audit_log.h"
#include "storage/federation_store.h"
#include "storage/kv_store.h"

namespace pwx::server {

struct FederationOptions {
  // This node's authority. Required.
  std::string authority_id;
  // The TLS client certificate chain and key the dispatchers present to
  // peers (SAN URI pwx://authority/<authority_id>). Required.
  std::string cert_pem;
  std::string key_pem;
  // Envelopes per Deliver call.
  size_t max_batch = 1000;
  absl::Duration retry_initial = absl::Milliseconds(200);
  absl::Duration retry_max = absl::Seconds(60);
  // Deadline of one Deliver call.
  absl::Duration call_timeout = absl::Seconds(30);
};

using ShareCallback =
    std::function<void(absl::StatusOr<pwx::v1::ShareCaseResponse>)>;

// Thread-safe. Call Stop() (or destroy it) before the store closes.
class Federation final : public pwx::v1::FederationService::CallbackService {
 public:
  // Every pointer must outlive the Federation; `signer` signs envelopes and
  // receipts with the node's key. Starts a dispatcher for every peer.
  Federation(FederationOptions options, storage::KvStore* kv,
             storage::FederationStore* fed, PeerRegistry* peers,
             CaseManager* cases, TreeHeadSigner* heads,
             const domain::Signer* signer);
  Federation(const Federation&) = delete;
  Federation& operator=(const Federation&) = delete;
  ~Federation() override;

  // Stops the dispatchers (an attempt in flight is cancelled) and waits for
  // inbound calls being applied. Idempotent.
  void Stop();

  // Queues a copy of this node's case `case_id` for `peer`, on behalf of
  // `user`, with a "case.share" audit entry in the same batch.
  void ShareCase(const std::string& case_id, const std::string& peer,
                 const std::string& user, ShareCallback done);

  // The delivery health of `peer` (queue, progress, last success and error).
  pwx::v1::PeerHealth Health(const pwx::v1::Peer& peer) const;

  // FederationService.
  grpc::ServerUnaryReactor* Deliver(
      grpc::CallbackServerContext* context,
      const pwx::v1::DeliverRequest* request,
      pwx::v1::DeliverResponse* response) override;

 private:
  struct Dispatcher;
  struct Progress {
    absl::Time last_success = absl::InfinitePast();
    std::string last_error;
    absl::Time last_error_time = absl::InfinitePast();
  };

  // Starts the dispatcher of `peer` unless it runs; wakes it.
  void Wake(const std::string& peer);
  void RunDispatcher(Dispatcher* d);
  // Stamps up to max_batch pending items of `peer`.
  absl::Status StampPending(const std::string& peer);
  // Delivers up to max_batch queued envelopes; OK with false when there was
  // nothing to send.
  absl::StatusOr<bool> DeliverQueued(Dispatcher* d, const PeerInfo& peer);
  void RecordProgress(const std::string& peer, const absl::Status& status);

  // Finishes an inbound call whose batch has committed: audit indices (the
  // batch's first entry is `first_entry`; receipt i's entry is at position
  // entry_of_receipt[i] in the batch, -1 when applied earlier), tree head,
  // consistency proof, signature. Runs on the worker thread.
  absl::Status CompleteReceipts(const pwx::v1::DeliverRequest& request,
                                uint64_t first_entry,
                                const std::vector<int>& entry_of_receipt,
                                pwx::v1::DeliverResponse* response);
  void RunWorker();
  void Post(std::function<void()> task);

  const FederationOptions options_;
  storage::KvStore* const kv_;
  storage::FederationStore* const fed_;
  PeerRegistry* const peers_;
  CaseManager* const cases_;
  TreeHeadSigner* const heads_;
  const domain::Signer* const signer_;
  const storage::AuditLog log_;

  mutable absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::map<std::string, std::unique_ptr<Dispatcher>> dispatchers_
      ABSL_GUARDED_BY(mu_);
  std::map<std::string, Progress> progress_ ABSL_GUARDED_BY(mu_);
  std::deque<std::function<void()>> tasks_ ABSL_GUARDED_BY(mu_);
  int inbound_ ABSL_GUARDED_BY(mu_) = 0;
  std::thread worker_;
};

}  // namespace pwx::server

#endif  // PWX_SERVER_FEDERATION_H_
