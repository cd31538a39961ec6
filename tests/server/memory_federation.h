// Nodes' federation parts over in-memory stores, wired together by an
// in-process transport: the inbox, the outbox and the dispatchers tested
// directly, without sockets or RocksDB. A recording handler stands in for
// the payloads: it stores each CaseShared event's case id and version.
#ifndef PWX_TESTS_SERVER_MEMORY_FEDERATION_H_
#define PWX_TESTS_SERVER_MEMORY_FEDERATION_H_

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "pwx/v1/federation.pb.h"
#include "server/domain/signing.h"
#include "server/event_handler.h"
#include "server/inbox.h"
#include "server/outbox.h"
#include "server/outbox_dispatcher.h"
#include "server/peer_registry.h"
#include "server/peer_transport.h"
#include "server/plans.h"
#include "server/requests.h"
#include "server/tree_head_signer.h"
#include "storage/federation_store.h"
#include "storage/kv_store.h"
#include "tests/server/measured_store.h"
#include "tests/testing/test_pki.h"

namespace pwx::server::fed_testing {

// Applies CaseShared events by storing "<version>" under the case id in
// the cases column; refuses an empty case id (INVALID_ARGUMENT naming
// case.id).
class RecordingHandler final : public EventHandler {
 public:
  pwx::v1::Event::PayloadCase payload() const override {
    return pwx::v1::Event::kCaseShared;
  }
  std::vector<std::string> Objects(const pwx::v1::Event& event) const override {
    return {event.case_shared().case_().id()};
  }
  absl::Status Apply(const pwx::v1::Event& event, const std::string& sender,
                     storage::WriteBatch* batch) const override;
};

class MemoryNode;

// Delivers between MemoryNodes: the receiver authenticates the sender by
// its registry (a peer, active), then its inbox applies the delivery. A
// receiver can be made to hang (deliveries get DEADLINE_EXCEEDED at their
// deadline) or to be down (UNAVAILABLE at once).
class MemoryTransport final : public PeerTransport {
 public:
  MemoryTransport(std::string self, std::map<std::string, MemoryNode*>* nodes)
      : self_(std::move(self)), nodes_(nodes) {}
  ~MemoryTransport() override;

  void Deliver(const PeerInfo& peer, const pwx::v1::DeliverRequest& request,
               pwx::v1::DeliverResponse* response, absl::Time deadline,
               std::function<void(absl::Status)> done) override;
  void Shutdown() override;

 private:
  const std::string self_;
  std::map<std::string, MemoryNode*>* const nodes_;
  absl::Mutex mu_;
  bool shut_down_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> hung_ ABSL_GUARDED_BY(mu_);
};

struct MemoryNodeOptions {
  absl::Duration call_timeout = absl::Seconds(5);
  absl::Duration keep_delivered = absl::Hours(1);
  uint64_t max_queued_per_peer = 1000;
  // The inbox's quotas (0: unlimited), and the clock of the inbox and of
  // the requests' dates (default: absl::Now).
  uint64_t quota_events_per_hour = 0;
  uint64_t quota_bytes_per_hour = 0;
  std::function<absl::Time()> clock;
};

// One node's federation over a MemoryStore. Not thread-safe itself (its
// parts are).
class MemoryNode {
 public:
  // `nodes` maps authority ids to the nodes of the test; this one adds
  // itself. `ca` and `keys` are kept across a Restore.
  MemoryNode(std::string id, std::map<std::string, MemoryNode*>* nodes,
             MemoryNodeOptions options = {});
  ~MemoryNode();

  // Forgets everything stored, as a node restored from a backup taken
  // before anything happened (same authority, CA and keys).
  void Restore();
  // Stops every part and starts them again over the same store, as a
  // node process restarted (nothing stored is lost).
  void Restart();
  // What MemoryTransport calls to deliver to this node from `from`: safe
  // against a concurrent Restart.
  void Receive(const std::string& from, const pwx::v1::DeliverRequest& request,
               pwx::v1::DeliverResponse* response,
               std::function<void(absl::Status)> done);

  pwx::v1::IdentityCard Card() const;
  absl::Status AddPeer(const pwx::v1::IdentityCard& card);
  absl::Status UpdatePeer(const pwx::v1::IdentityCard& card);
  absl::StatusOr<uint64_t> RemovePeer(const std::string& peer);
  // Queues a CaseShared event of case `case_id` at `version` for `peer`.
  absl::Status Queue(const std::string& peer, const std::string& case_id,
                     uint64_t version = 1);
  absl::StatusOr<pwx::v1::LinkRepairResponse> Resend(const std::string& peer,
                                                     uint64_t from);
  absl::StatusOr<pwx::v1::LinkRepairResponse> Skip(const std::string& peer,
                                                   uint64_t to);
  pwx::v1::PeerHealth Health(const std::string& peer);
  // The version stored for a case the recording handler applied, 0 if none.
  uint64_t Applied(const std::string& case_id) const;
  uint64_t LastApplied(const std::string& sender) const;
  // The actions of the audit log, in order.
  std::vector<std::string> AuditActions() const;
  // How many entries with `action`, and the sum of their counts.
  int Count(const std::string& action) const;
  uint64_t CountSum(const std::string& action) const;

  // Test switches for the transport of peers delivering to this node.
  void set_hang(bool hang) { hang_ = hang; }
  bool hang() const { return hang_; }
  void set_down(bool down) { down_ = down; }
  bool down() const { return down_; }

  const std::string& id() const { return id_; }
  const ::pwx::testing::KeyPair& keys() const { return keys_; }
  Inbox* inbox() { return inbox_.get(); }
  Outbox* outbox() { return outbox_.get(); }
  PeerRegistry* peers() { return peers_.get(); }
  storage::FederationStore* fed() { return fed_.get(); }
  // The node's requests (server/requests.h), on a calendar of weekdays.
  Requests* requests() { return requests_.get(); }
  // The node's plans (server/plans.h); each start asks the leads of the
  // open plans held for what was missed, and a repair of a link (Resend,
  // Skip) sends the peer the open plans this node leads again.
  Plans* plans() { return plans_.get(); }
  storage::KvStore* kv() { return kv_.get(); }
  // The largest write of this node since it started over an empty store
  // (its store is measured), in bytes.
  size_t LargestWrite() const { return measured_->largest_write(); }

 private:
  // Starts the parts, over a new empty store unless `keep_store`.
  void Start(bool keep_store = false);
  void Stop(bool keep_store = false);

  const std::string id_;
  std::map<std::string, MemoryNode*>* const nodes_;
  const MemoryNodeOptions options_;
  ::pwx::testing::TestCa ca_;
  ::pwx::testing::KeyPair keys_;
  std::atomic<bool> hang_{false};
  std::atomic<bool> down_{false};
  // Held shared by deliveries to this node, exclusively by a restart.
  absl::Mutex life_;

  std::unique_ptr<storage::KvStore> kv_;
  // kv_, as the measuring store it is.
  ::pwx::testing::MeasuredStore* measured_ = nullptr;
  std::unique_ptr<storage::FederationStore> fed_;
  std::unique_ptr<PeerRegistry> peers_;
  std::unique_ptr<TreeHeadSigner> heads_;
  std::unique_ptr<domain::Signer> signer_;
  RecordingHandler handler_;
  EventHandlers handlers_;
  std::unique_ptr<Outbox> outbox_;
  std::unique_ptr<MemoryTransport> transport_;
  std::unique_ptr<OutboxDispatcher> dispatcher_;
  std::unique_ptr<Inbox> inbox_;
  std::unique_ptr<Requests> requests_;
  std::unique_ptr<Plans> plans_;
  std::atomic<OutboxDispatcher*> wake_target_{nullptr};
};

}  // namespace pwx::server::fed_testing

#endif  // PWX_TESTS_SERVER_MEMORY_FEDERATION_H_
