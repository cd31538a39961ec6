// PeerService on the API port: the node's identity card and its peer
// registry, for coordinators.
#ifndef PWX_SERVER_PEER_SERVICE_H_
#define PWX_SERVER_PEER_SERVICE_H_

#include <grpcpp/grpcpp.h>

#include "pwx/v1/peer_service.grpc.pb.h"
#include "server/authorizer.h"
#include "server/outbox.h"
#include "server/outbox_dispatcher.h"
#include "server/peer_registry.h"
#include "server/tls_trust.h"

namespace pwx::server {

// Thread-safe. Every pointer must outlive the service; `outbox` and
// `dispatcher` may be null (no federation listener): ListPeers then reports
// no delivery health and the link repairs are FAILED_PRECONDITION. `trust`
// (null: none) adds its warnings about revocation lists to ListPeers.
class PeerServiceImpl final : public pwx::v1::PeerService::CallbackService {
 public:
  PeerServiceImpl(pwx::v1::IdentityCard identity, Authorizer* authz,
                  PeerRegistry* peers, Outbox* outbox,
                  OutboxDispatcher* dispatcher,
                  const NodeTrust* trust = nullptr)
      : identity_(std::move(identity)),
        authz_(authz),
        peers_(peers),
        outbox_(outbox),
        dispatcher_(dispatcher),
        trust_(trust) {}

  grpc::ServerUnaryReactor* ExportIdentity(
      grpc::CallbackServerContext* context,
      const pwx::v1::ExportIdentityRequest* request,
      pwx::v1::IdentityCard* response) override;
  grpc::ServerUnaryReactor* AddPeer(grpc::CallbackServerContext* context,
                                    const pwx::v1::AddPeerRequest* request,
                                    pwx::v1::Peer* response) override;
  grpc::ServerUnaryReactor* UpdatePeer(grpc::CallbackServerContext* context,
                                       const pwx::v1::AddPeerRequest* request,
                                       pwx::v1::Peer* response) override;
  grpc::ServerUnaryReactor* ResendToPeer(
      grpc::CallbackServerContext* context,
      const pwx::v1::LinkRepairRequest* request,
      pwx::v1::LinkRepairResponse* response) override;
  grpc::ServerUnaryReactor* SkipToPeer(
      grpc::CallbackServerContext* context,
      const pwx::v1::LinkRepairRequest* request,
      pwx::v1::LinkRepairResponse* response) override;
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
      grpc::CallbackServerContext* context, const pwx::v1::PeerRequest* request,
      pwx::v1::RemovePeerResponse* response) override;

 private:
  grpc::ServerUnaryReactor* SetState(grpc::CallbackServerContext* context,
                                     const char* method,
                                     const pwx::v1::PeerRequest* request,
                                     pwx::v1::Peer::State state,
                                     pwx::v1::Peer* response);
  grpc::ServerUnaryReactor* Repair(grpc::CallbackServerContext* context,
                                   const char* method,
                                   const pwx::v1::LinkRepairRequest* request,
                                   pwx::v1::LinkRepairResponse* response);

  const pwx::v1::IdentityCard identity_;
  Authorizer* const authz_;
  PeerRegistry* const peers_;
  Outbox* const outbox_;
  OutboxDispatcher* const dispatcher_;
  const NodeTrust* const trust_;
};

}  // namespace pwx::server

#endif  // PWX_SERVER_PEER_SERVICE_H_
