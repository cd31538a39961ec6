#include "server/peer_transport.h"

#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "server/domain/envelope.h"

namespace pwx::server {

pwx::v1::FederationService::Stub* GrpcPeerTransport::Stub(
    const PeerInfo& peer) {
  const pwx::v1::IdentityCard& card = peer.peer.card();
  const std::string key =
      absl::StrCat(card.federation_endpoint(), "\n", card.ca_certificate_pem());
  Channel& channel = channels_[peer.authority()];
  if (channel.stub == nullptr || channel.key != key) {
    grpc::SslCredentialsOptions tls;
    tls.pem_root_certs = card.ca_certificate_pem();
    tls.pem_private_key = options_.key_pem;
    tls.pem_cert_chain = options_.cert_pem;
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, 30'000);
    args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 10'000);
    args.SetMaxSendMessageSize(-1);
    channel.stub =
        pwx::v1::FederationService::NewStub(grpc::CreateCustomChannel(
            card.federation_endpoint(), grpc::SslCredentials(tls), args));
    channel.key = key;
  }
  return channel.stub.get();
}

void GrpcPeerTransport::Deliver(const PeerInfo& peer,
                                const pwx::v1::DeliverRequest& request,
                                pwx::v1::DeliverResponse* response,
                                absl::Time deadline,
                                std::function<void(absl::Status)> done) {
  auto context = std::make_shared<grpc::ClientContext>();
  context->set_deadline(absl::ToChronoTime(deadline));
  pwx::v1::FederationService::Stub* stub = nullptr;
  {
    absl::MutexLock lock(&mu_);
    if (shut_down_) {
      done(absl::CancelledError("stopping"));
      return;
    }
    stub = Stub(peer);
    in_flight_.insert(context.get());
  }
  stub->async()->Deliver(
      context.get(), &request, response,
      [this, context, peer_id = peer.authority(),
       done = std::move(done)](grpc::Status rpc) {
        {
          absl::MutexLock lock(&mu_);
          in_flight_.erase(context.get());
        }
        if (rpc.ok()) {
          done(absl::OkStatus());
          return;
        }
        const std::string message =
            absl::StrCat(peer_id, " answered: ", rpc.error_message());
        const auto& trailers = context->GetServerTrailingMetadata();
        uint64_t expects = 0;
        if (auto it = trailers.find(kExpectsSequenceMetadata);
            it != trailers.end() &&
            absl::SimpleAtoi(
                absl::string_view(it->second.data(), it->second.size()),
                &expects)) {
          done(domain::LinkRefusal(message, expects));
          return;
        }
        done(absl::Status(static_cast<absl::StatusCode>(rpc.error_code()),
                          message));
      });
}

void GrpcPeerTransport::Shutdown() {
  absl::MutexLock lock(&mu_);
  shut_down_ = true;
  for (grpc::ClientContext* context : in_flight_) context->TryCancel();
}

}  // namespace pwx::server
