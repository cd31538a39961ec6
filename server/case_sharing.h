// The first federated payload: a node shares a read-only copy of one of its
// cases with a peer (CaseShared events). Outgoing, Share queues the event
// in the outbox with a "case.share" audit entry; incoming, the handler
// stores the copy after the same checks as a local case.
#ifndef PWX_SERVER_CASE_SHARING_H_
#define PWX_SERVER_CASE_SHARING_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "pwx/v1/case_service.pb.h"
#include "server/case_manager.h"
#include "server/event_handler.h"
#include "server/outbox.h"
#include "server/peer_registry.h"
#include "storage/kv_store.h"

namespace pwx::server {

using ShareCallback =
    std::function<void(absl::StatusOr<pwx::v1::ShareCaseResponse>)>;

// Thread-safe.
class CaseSharing final : public EventHandler {
 public:
  // Every pointer must outlive this. `wake` is called with the peer's id
  // once a share is committed (it wakes the peer's dispatcher).
  CaseSharing(std::string authority_id, storage::KvStore* kv,
              CaseManager* cases, PeerRegistry* peers, Outbox* outbox,
              std::function<void(const std::string&)> wake);

  // Queues a copy of this node's case `case_id` for `peer`, on behalf of
  // `user`. NOT_FOUND for an unknown peer or case; FAILED_PRECONDITION for
  // a copy a peer shared (only the owner shares) or a case too large for
  // an envelope; ABORTED when the peer changed meanwhile.
  void Share(const std::string& case_id, const std::string& peer,
             const std::string& user, ShareCallback done);

  // EventHandler.
  pwx::v1::Event::PayloadCase payload() const override {
    return pwx::v1::Event::kCaseShared;
  }
  std::vector<std::string> Objects(const pwx::v1::Event& event) const override;
  absl::Status Apply(const pwx::v1::Event& event, const std::string& sender,
                     storage::WriteBatch* batch) const override;

 private:
  const std::string authority_id_;
  storage::KvStore* const kv_;
  CaseManager* const cases_;
  PeerRegistry* const peers_;
  Outbox* const outbox_;
  const std::function<void(const std::string&)> wake_;
};

}  // namespace pwx::server

#endif  // PWX_SERVER_CASE_SHARING_H_
