// FederationService on the federation port: authenticates the calling peer
// by its TLS certificate, hands the delivery to the Inbox and translates
// the outcome (a link refusal's expected sequence travels as trailing
// metadata). Holds no state of its own.
#ifndef PWX_SERVER_FEDERATION_SERVICE_H_
#define PWX_SERVER_FEDERATION_SERVICE_H_

#include <grpcpp/grpcpp.h>

#include "pwx/v1/federation.grpc.pb.h"
#include "server/inbox.h"
#include "server/peer_registry.h"

namespace pwx::server {

// Thread-safe. `peers` and `inbox` must outlive the service.
class FederationServiceImpl final
    : public pwx::v1::FederationService::CallbackService {
 public:
  FederationServiceImpl(const PeerRegistry* peers, Inbox* inbox)
      : peers_(peers), inbox_(inbox) {}

  grpc::ServerUnaryReactor* Deliver(
      grpc::CallbackServerContext* context,
      const pwx::v1::DeliverRequest* request,
      pwx::v1::DeliverResponse* response) override;

 private:
  const PeerRegistry* const peers_;
  Inbox* const inbox_;
};

}  // namespace pwx::server

#endif  // PWX_SERVER_FEDERATION_SERVICE_H_
