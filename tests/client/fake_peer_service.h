// A PeerService stand-in for the CLI tests: records what the CLI sent and
// answers from what the test put in.
#ifndef PWX_TESTS_CLIENT_FAKE_PEER_SERVICE_H_
#define PWX_TESTS_CLIENT_FAKE_PEER_SERVICE_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "grpcpp/server_context.h"
#include "pwx/v1/peer_service.grpc.pb.h"

namespace pwx::testing {

// Keeps peers in memory: AddPeer adds one (ALREADY_EXISTS if known),
// UpdatePeer replaces a known peer's card and stamps the caller's CN and
// kUpdatedSeconds (NOT_FOUND for an unknown one). ListPeers, ResendToPeer
// and SkipToPeer answer with the canned responses. Thread-safe.
class FakePeerService final : public pwx::v1::PeerService::Service {
 public:
  // What the fake saw; tests read it after the CLI returned.
  struct Seen {
    std::vector<pwx::v1::AddPeerRequest> adds;
    std::vector<pwx::v1::AddPeerRequest> updates;
    std::vector<pwx::v1::LinkRepairRequest> resends;
    std::vector<pwx::v1::LinkRepairRequest> skips;
    int lists = 0;
  };

  // Peer.added of the peers AddPeer adds.
  static constexpr int64_t kAddedSeconds = 1767225600;  // 2026-01-01
  // Peer.updated of the peers UpdatePeer changes.
  static constexpr int64_t kUpdatedSeconds = 1767312000;  // 2026-01-02

  // A peer known before the test's command runs.
  void AddKnownPeer(const pwx::v1::Peer& peer);
  // What ListPeers answers.
  void SetPeers(const pwx::v1::ListPeersResponse& peers);
  // What ResendToPeer and SkipToPeer answer.
  void SetRepairResponse(const pwx::v1::LinkRepairResponse& response);
  // Every call fails with `status` from now on (after being recorded).
  void FailWith(const grpc::Status& status);
  Seen seen() const;

  grpc::Status AddPeer(grpc::ServerContext* context,
                       const pwx::v1::AddPeerRequest* request,
                       pwx::v1::Peer* response) override;
  grpc::Status UpdatePeer(grpc::ServerContext* context,
                          const pwx::v1::AddPeerRequest* request,
                          pwx::v1::Peer* response) override;
  grpc::Status ListPeers(grpc::ServerContext* context,
                         const pwx::v1::ListPeersRequest* request,
                         pwx::v1::ListPeersResponse* response) override;
  grpc::Status ResendToPeer(grpc::ServerContext* context,
                            const pwx::v1::LinkRepairRequest* request,
                            pwx::v1::LinkRepairResponse* response) override;
  grpc::Status SkipToPeer(grpc::ServerContext* context,
                          const pwx::v1::LinkRepairRequest* request,
                          pwx::v1::LinkRepairResponse* response) override;

 private:
  mutable absl::Mutex mutex_;
  std::map<std::string, pwx::v1::Peer> peers_ ABSL_GUARDED_BY(mutex_);
  pwx::v1::ListPeersResponse list_ ABSL_GUARDED_BY(mutex_);
  pwx::v1::LinkRepairResponse repair_ ABSL_GUARDED_BY(mutex_);
  std::optional<grpc::Status> failure_ ABSL_GUARDED_BY(mutex_);
  Seen seen_ ABSL_GUARDED_BY(mutex_);
};

}  // namespace pwx::testing

#endif  // PWX_TESTS_CLIENT_FAKE_PEER_SERVICE_H_
