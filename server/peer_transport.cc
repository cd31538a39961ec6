#include "server/peer_transport.h"

#include <grpcpp/security/credentials.h>
#include <grpcpp/security/tls_certificate_provider.h>
#include <grpcpp/security/tls_credentials_options.h>

#include <algorithm>
#include <optional>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "server/domain/envelope.h"

namespace pwx::server {

namespace {

// The host of a card's endpoint "host:port" or "[v6]:port".
std::string EndpointHost(const std::string& endpoint) {
  std::string host = endpoint.substr(0, endpoint.rfind(':'));
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  return host;
}

}  // namespace

const GrpcPeerTransport::Channel& GrpcPeerTransport::ChannelFor(
    const PeerInfo& peer) {
  const pwx::v1::IdentityCard& card = peer.peer.card();
  const std::string key = absl::StrCat(
      card.federation_endpoint(), "\n", card.ca_certificate_pem(), "\n",
      options_.crls == nullptr ? 0 : options_.crls->generation());
  Channel& channel = channels_[peer.authority()];
  if (channel.stub == nullptr || channel.key != key) {
    namespace tls = grpc::experimental;
    channel.log = std::make_shared<ChannelLog>();
    tls::TlsChannelCredentialsOptions options;
    options.set_certificate_provider(
        std::make_shared<tls::StaticDataCertificateProvider>(
            card.ca_certificate_pem(),
            std::vector<tls::IdentityKeyCertPair>{
                {options_.key_pem, options_.cert_pem}}));
    options.watch_root_certs();
    options.watch_identity_key_cert_pairs();
    // PeerServerVerifier checks the chain against the card's CA itself, so
    // that each refusal says which check failed; gRPC's own check would
    // only say "certificate verify failed".
    options.set_verify_server_certs(false);
    options.set_check_call_host(false);
    options.set_certificate_verifier(PeerServerVerifier(
        peer.authority(), card.ca_certificate_pem(),
        EndpointHost(card.federation_endpoint()), options_.crls, channel.log));
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, 30'000);
    args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 10'000);
    const int backoff = static_cast<int>(
        absl::ToInt64Milliseconds(options_.max_reconnect_backoff));
    args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, backoff);
    args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, std::min(backoff, 1000));
    args.SetMaxSendMessageSize(-1);
    channel.stub =
        pwx::v1::FederationService::NewStub(grpc::CreateCustomChannel(
            card.federation_endpoint(), tls::TlsCredentials(options), args));
    channel.key = key;
  }
  return channel;
}

void GrpcPeerTransport::Deliver(const PeerInfo& peer,
                                const pwx::v1::DeliverRequest& request,
                                pwx::v1::DeliverResponse* response,
                                absl::Time deadline,
                                std::function<void(absl::Status)> done) {
  auto context = std::make_shared<grpc::ClientContext>();
  context->set_deadline(absl::ToChronoTime(deadline));
  pwx::v1::FederationService::Stub* stub = nullptr;
  std::shared_ptr<ChannelLog> log;
  {
    absl::MutexLock lock(&mu_);
    if (shut_down_) {
      done(absl::CancelledError("stopping"));
      return;
    }
    const Channel& channel = ChannelFor(peer);
    stub = channel.stub.get();
    log = channel.log;
    in_flight_.insert(context.get());
  }
  stub->async()->Deliver(
      context.get(), &request, response,
      [this, context, log, peer_id = peer.authority(),
       done = std::move(done)](grpc::Status rpc) {
        {
          absl::MutexLock lock(&mu_);
          in_flight_.erase(context.get());
        }
        if (rpc.ok()) {
          log->CallSucceeded();
          done(absl::OkStatus());
          return;
        }
        // No connection: say why, when this node's checks know.
        if (rpc.error_code() == grpc::StatusCode::UNAVAILABLE &&
            absl::StartsWith(rpc.error_message(),
                             "failed to connect to all addresses")) {
          if (std::optional<std::string> refusal = log->Refusal()) {
            done(absl::UnauthenticatedError(
                absl::StrCat(*refusal, "; nothing was sent to ", peer_id)));
            return;
          }
          if (log->AcceptedSinceLastCall()) {
            done(absl::UnavailableError(absl::StrCat(
                peer_id,
                " closed the connection right after the TLS handshake: it "
                "most likely refuses this node's certificate (its CA is not "
                "the one on the card ",
                peer_id, " holds of this node, or it is expired or revoked; ",
                peer_id, "'s log says which) (", rpc.error_message(), ")")));
            return;
          }
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
