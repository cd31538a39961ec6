// PeerService on the API port: the node's identity card and its peer
// registry, for coordinators.
#ifndef PWX_SERVER_PEER_SERVICE_H_
#define PWX_SERVER_PEER_SERVICE_H_

#include <grpcpp/grpcpp.h>

#include "pwx/v1/peer_service.grpc.pb.h"
#include "server/authorizer.h"
#include "server/federation.h"
#include "server/peer_registry.h"

namespace pwx::server {

// Thread-safe. Every pointer must outlive the service; `federation` may be
// null (no federation listener): ListPeers then reports no delivery health.
class PeerServiceImpl final : public pwx::v1::PeerService::CallbackService {
 public:
  PeerServiceImpl(pwx::v1::IdentityCard identity, Authorizer* authz,
                  PeerRegistry* peers, Federation* federation)
      : identity_(std::move(identity)),
        authz_(authz),
        peers_(peers),
        federation_(federation) {}

  grpc::ServerUnaryReactor* ExportIdentity(
      grpc::CallbackServerContext* context,
      const pwx::v1::ExportIdentityRequest* request,
      pwx::v1::IdentityCard* response) override;
  grpc::ServerUnaryReactor* AddPeer(grpc::CallbackServerContext* context,
                                    const pwx::v1::AddPeerRequest* request,
                                    pwx::v1::Peer* response) override;
  grpc::ServerUnaryReactor* ListPeers(
      grpc::CallbackServerContext* context,
      const pwx::v1::ListPeersRequest* request,
      pwx::v1::ListPeersResponse* response) override;
  grpc::ServerUnaryReactor* SuspendPeer(grpc::CallbackServerContext* context,
                                        const pwx::v1::PeerRequest* request,
                                        pwx::v1::Peer* response) override;
  grpc::ServerUnaryReactor* ResumePeer(grpc::CallbackServerContext* context,
                                       const pwx::v1::PeerRequest* request,
                                       pwx::v1::Peer* response) override;
  grpc::ServerUnaryReactor* RemovePeer(
      grpc::CallbackServerContext* context,
      const pwx::v1::PeerRequest* request,
      pwx::v1::RemovePeerResponse* response) override;

 private:
  grpc::ServerUnaryReactor* SetState(grpc::CallbackServerContext* context,
                                     const char* method,
                                     const pwx::v1::PeerRequest* request,
                                     pwx::v1::Peer::State state,
                                     pwx::v1::Peer* response);

  const pwx::v1::IdentityCard identity_;
  Authorizer* const authz_;
  PeerRegistry* const peers_;
  Federation* const federation_;
};

}  // namespace pwx::server

#endif  // PWX_SERVER_PEER_SERVICE_H_
