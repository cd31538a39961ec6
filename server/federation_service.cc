#include "server/federation_service.h"

#include <spdlog/spdlog.h>

#include <memory>
#include <string>
#include <utility>
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
  // The TLS handshake and the certificate verifier have checked the
  // certificate already; this second check covers connections made before
  // the registry or the revocation lists changed, and suspended peers.
  std::string cert_pem;
  std::string chain_pem;
  if (std::shared_ptr<const grpc::AuthContext> auth = context->auth_context()) {
    for (auto [name, out] : {std::pair{"x509_pem_cert", &cert_pem},
                             std::pair{"x509_pem_cert_chain", &chain_pem}}) {
      std::vector<grpc::string_ref> values = auth->FindPropertyValues(name);
      if (!values.empty()) {
        out->assign(values.front().data(), values.front().size());
      }
    }
  }
  absl::StatusOr<std::string> sender =
      peers_->Authenticate(cert_pem, chain_pem);
  if (!sender.ok()) {
    spdlog::warn("federation: refused a delivery from {}: {}", context->peer(),
                 sender.status().ToString());
    finish(sender.status());
    return reactor;
  }
  log->set_peer(*sender);
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
