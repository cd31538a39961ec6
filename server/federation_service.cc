#include "server/federation_service.h"

#include <spdlog/spdlog.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "server/domain/envelope.h"
#include "server/peer_transport.h"
#include "server/rpc_util.h"

namespace pwx::server {

grpc::ServerUnaryReactor* FederationServiceImpl::Deliver(
    grpc::CallbackServerContext* context,
    const pwx::v1::DeliverRequest* request,
    pwx::v1::DeliverResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  auto log = std::make_shared<CallLog>("Deliver", "");
  auto finish = [context, reactor, log](const absl::Status& status) {
    if (std::optional<uint64_t> expects = domain::ExpectedSequence(status)) {
      context->AddTrailingMetadata(kExpectsSequenceMetadata,
                                   absl::StrCat(*expects));
    }
    log->Finish(status);
    reactor->Finish(ToGrpcStatus(status));
  };
  std::string cert_pem;
  if (std::shared_ptr<const grpc::AuthContext> auth = context->auth_context()) {
    std::vector<grpc::string_ref> certs =
        auth->FindPropertyValues("x509_pem_cert");
    if (!certs.empty()) {
      cert_pem.assign(certs.front().data(), certs.front().size());
    }
  }
  absl::StatusOr<std::string> sender = peers_->Authenticate(cert_pem);
  if (!sender.ok()) {
    spdlog::warn("federation: refused a delivery from {}: {}", context->peer(),
                 sender.status().ToString());
    finish(sender.status());
    return reactor;
  }
  log->set_object(*sender);
  std::shared_ptr<const PeerInfo> peer = peers_->Find(*sender);
  if (peer == nullptr) {
    finish(absl::PermissionDeniedError(
        absl::StrCat(*sender, " is not a peer of this node")));
    return reactor;
  }
  // The call log names the sender and the refusal.
  inbox_->Deliver(*sender, *peer->signing_key, *request, response,
                  [peer, finish](absl::Status status) { finish(status); });
  return reactor;
}

}  // namespace pwx::server
