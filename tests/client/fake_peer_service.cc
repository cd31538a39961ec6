#include "tests/client/fake_peer_service.h"

#include "tests/client/fake_node.h"

namespace pwx::testing {

void FakePeerService::AddKnownPeer(const pwx::v1::Peer& peer) {
  absl::MutexLock lock(&mutex_);
  peers_[peer.card().authority_id()] = peer;
}

void FakePeerService::SetPeers(const pwx::v1::ListPeersResponse& peers) {
  absl::MutexLock lock(&mutex_);
  list_ = peers;
}

void FakePeerService::SetRepairResponse(
    const pwx::v1::LinkRepairResponse& response) {
  absl::MutexLock lock(&mutex_);
  repair_ = response;
}

void FakePeerService::FailWith(const grpc::Status& status) {
  absl::MutexLock lock(&mutex_);
  failure_ = status;
}

FakePeerService::Seen FakePeerService::seen() const {
  absl::MutexLock lock(&mutex_);
  return seen_;
}

grpc::Status FakePeerService::AddPeer(grpc::ServerContext* context,
                                      const pwx::v1::AddPeerRequest* request,
                                      pwx::v1::Peer* response) {
  absl::MutexLock lock(&mutex_);
  seen_.adds.push_back(*request);
  if (failure_.has_value()) return *failure_;
  const std::string& id = request->card().authority_id();
  if (peers_.count(id) != 0) {
    return grpc::Status(grpc::StatusCode::ALREADY_EXISTS,
                        "peer " + id + " is already known");
  }
  pwx::v1::Peer& peer = peers_[id];
  *peer.mutable_card() = request->card();
  peer.set_state(pwx::v1::Peer::ACTIVE);
  peer.mutable_added()->set_seconds(kAddedSeconds);
  peer.set_added_by(CallerName(*context));
  *response = peer;
  return grpc::Status::OK;
}

grpc::Status FakePeerService::UpdatePeer(grpc::ServerContext* context,
                                         const pwx::v1::AddPeerRequest* request,
                                         pwx::v1::Peer* response) {
  absl::MutexLock lock(&mutex_);
  seen_.updates.push_back(*request);
  if (failure_.has_value()) return *failure_;
  const std::string& id = request->card().authority_id();
  auto it = peers_.find(id);
  if (it == peers_.end()) {
    return grpc::Status(grpc::StatusCode::NOT_FOUND,
                        "peer " + id + " not found");
  }
  pwx::v1::Peer& peer = it->second;
  *peer.mutable_card() = request->card();
  peer.mutable_updated()->set_seconds(kUpdatedSeconds);
  peer.set_updated_by(CallerName(*context));
  *response = peer;
  return grpc::Status::OK;
}

grpc::Status FakePeerService::ListPeers(
    grpc::ServerContext* /*context*/,
    const pwx::v1::ListPeersRequest* /*request*/,
    pwx::v1::ListPeersResponse* response) {
  absl::MutexLock lock(&mutex_);
  ++seen_.lists;
  if (failure_.has_value()) return *failure_;
  *response = list_;
  return grpc::Status::OK;
}

grpc::Status FakePeerService::ResendToPeer(
    grpc::ServerContext* /*context*/, const pwx::v1::LinkRepairRequest* request,
    pwx::v1::LinkRepairResponse* response) {
  absl::MutexLock lock(&mutex_);
  seen_.resends.push_back(*request);
  if (failure_.has_value()) return *failure_;
  *response = repair_;
  return grpc::Status::OK;
}

grpc::Status FakePeerService::SkipToPeer(
    grpc::ServerContext* /*context*/, const pwx::v1::LinkRepairRequest* request,
    pwx::v1::LinkRepairResponse* response) {
  absl::MutexLock lock(&mutex_);
  seen_.skips.push_back(*request);
  if (failure_.has_value()) return *failure_;
  *response = repair_;
  return grpc::Status::OK;
}

}  // namespace pwx::testing
