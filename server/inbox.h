// The receiving side of federation: a delivery of envelopes from a peer,
// already authenticated by its certificate, is opened and verified,
// deduplicated and ordered, applied by the payloads' handlers and answered
// with signed receipts. Plain C++ over the storage interfaces: the gRPC
// service in front of it only authenticates and translates.
//
// Ordering: envelopes of one sender are applied in sequence order; each
// must follow the last one applied (sequence - 1, or the lower `follows` of
// an envelope that declares the ones between withdrawn). A redelivery (a
// sequence already applied with the same body) is answered with its first
// receipt and applies nothing. Everything one delivery applies — the
// handlers' writes, the inbox records and an "envelope.receive" audit entry
// per envelope ("envelope.gap" for a declared gap) — is one batch.
#ifndef PWX_SERVER_INBOX_H_
#define PWX_SERVER_INBOX_H_

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "pwx/v1/federation.pb.h"
#include "server/domain/quota.h"
#include "server/domain/signing.h"
#include "server/event_handler.h"
#include "server/tree_head_signer.h"
#include "server/work_queue.h"
#include "storage/audit_log.h"
#include "storage/federation_store.h"
#include "storage/kv_store.h"

namespace pwx::server {

struct InboxOptions {
  // This node's authority: the recipient every envelope must name. Required.
  std::string authority_id;
  // What one sender may deliver in any hour (domain::HourlyQuota; 0:
  // unlimited). Defaults: federation.quota_events_per_hour and
  // federation.quota_bytes_per_hour.
  uint64_t quota_events_per_hour = 1'000'000;
  uint64_t quota_bytes_per_hour = uint64_t{4} << 30;
  // The time, for the quotas. Default: absl::Now.
  std::function<absl::Time()> clock = [] { return absl::Now(); };
};

// Thread-safe. Call Stop() (or destroy it) before the store closes.
class Inbox {
 public:
  // Every pointer must outlive the inbox; `signer` signs the receipts.
  Inbox(InboxOptions options, storage::KvStore* kv,
        storage::FederationStore* fed, const EventHandlers* handlers,
        TreeHeadSigner* heads, const domain::Signer* signer);
  Inbox(const Inbox&) = delete;
  Inbox& operator=(const Inbox&) = delete;
  ~Inbox();

  // Applies `request` from `sender`, whose signing key is `sender_key`,
  // and calls `done` once, on another thread, with `response` filled with
  // the signed receipts when OK. `request`, `response` and `sender_key`
  // must stay valid until then. Errors (nothing is stored):
  //   INVALID_ARGUMENT    no envelopes; a malformed envelope or event, or a
  //                       sequence repeated within the request, naming it;
  //   PERMISSION_DENIED   a signature, sender or recipient that is wrong, or
  //                       an event the sender may not make;
  //   FAILED_PRECONDITION an envelope that does not continue the link (a
  //                       gap, or a sequence applied before with another
  //                       body): a domain::LinkRefusal carrying the
  //                       sequence expected;
  //   RESOURCE_EXHAUSTED  the sender is over its hourly quota (retry later);
  //   UNAVAILABLE         stopping, or another delivery from the same
  //                       sender committed meanwhile (retry).
  void Deliver(const std::string& sender, const domain::Verifier& sender_key,
               const pwx::v1::DeliverRequest& request,
               pwx::v1::DeliverResponse* response,
               std::function<void(absl::Status)> done);

  // Refuses new deliveries and waits for those being applied. Idempotent.
  void Stop();

 private:
  // Numbers the receipts' audit entries (the batch's first entry is
  // `first_entry`; receipt i's entry is at position entry_of_receipt[i],
  // -1 when applied by an earlier delivery), adds the tree head, the
  // consistency proof and the signature.
  absl::Status CompleteReceipts(const pwx::v1::DeliverRequest& request,
                                uint64_t first_entry,
                                const std::vector<int>& entry_of_receipt,
                                pwx::v1::DeliverResponse* response);

  const InboxOptions options_;
  storage::KvStore* const kv_;
  storage::FederationStore* const fed_;
  const EventHandlers* const handlers_;
  TreeHeadSigner* const heads_;
  const domain::Signer* const signer_;
  const storage::AuditLog log_;

  // Takes the delivery's envelopes and bytes from `sender`'s quota, or
  // returns RESOURCE_EXHAUSTED saying which limit it is over.
  absl::Status TakeQuota(const std::string& sender,
                         const pwx::v1::DeliverRequest& request);

  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  int in_flight_ ABSL_GUARDED_BY(mu_) = 0;
  std::map<std::string, domain::HourlyQuota> quotas_ ABSL_GUARDED_BY(mu_);
  // Receipts are signed here: the writer thread that reports the commit
  // must not wait.
  WorkQueue worker_;
};

}  // namespace pwx::server

#endif  // PWX_SERVER_INBOX_H_
