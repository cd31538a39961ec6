// How a dispatcher reaches a peer's federation port. An interface so the
// outbox dispatcher is tested without sockets; GrpcPeerTransport is the real
// one: one long-lived mTLS channel per peer (TLS handshakes only when it
// connects) that checks the peer's server certificate, keepalive, and the
// call's deadline.
#ifndef PWX_SERVER_PEER_TRANSPORT_H_
#define PWX_SERVER_PEER_TRANSPORT_H_

#include <grpcpp/grpcpp.h>

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "pwx/v1/federation.grpc.pb.h"
#include "server/crl_set.h"
#include "server/peer_registry.h"
#include "server/tls_verifiers.h"

namespace pwx::server {

// Thread-safe.
class PeerTransport {
 public:
  virtual ~PeerTransport() = default;

  // Delivers `request` to `peer` and calls `done` once, on any thread, with
  // the outcome: OK with `response` filled, or the peer's status (a
  // domain::LinkRefusal keeps the sequence the peer expects), or
  // DEADLINE_EXCEEDED at `deadline`. `request` and `response` must stay
  // valid until then.
  virtual void Deliver(const PeerInfo& peer,
                       const pwx::v1::DeliverRequest& request,
                       pwx::v1::DeliverResponse* response, absl::Time deadline,
                       std::function<void(absl::Status)> done) = 0;

  // Cancels deliveries in flight; later ones fail with CANCELLED.
  virtual void Shutdown() = 0;
};

// The TLS identity the dispatchers present to peers, and what they check of
// the peers' server certificates.
struct GrpcPeerTransportOptions {
  // Client certificate chain and key (SAN URI pwx://authority/<this node>).
  std::string cert_pem;
  std::string key_pem;
  // federation.crl_files: a peer's server certificate listed in one is
  // refused. None when null; must outlive the transport.
  const CrlSet* crls = nullptr;
  // Longest wait between a channel's attempts to connect, so that a link
  // recovers soon after what broke it is fixed (federation.retry_max_ms).
  // Default: 60 s (gRPC's own is 120 s).
  absl::Duration max_reconnect_backoff = absl::Seconds(60);
};

// Before anything is sent, the peer's server certificate must chain to the
// CA on the peer's card (only that CA), be for TLS servers, name the peer
// in its SAN URI (not merely come from its CA) and the card endpoint's host,
// and not be revoked (PeerServerVerifier). A refusal fails the delivery
// with UNAUTHENTICATED saying which check failed; a peer that closes the
// connection right after the handshake (it refuses this node's certificate)
// with UNAVAILABLE saying so.
class GrpcPeerTransport final : public PeerTransport {
 public:
  explicit GrpcPeerTransport(GrpcPeerTransportOptions options)
      : options_(std::move(options)) {}
  ~GrpcPeerTransport() override { Shutdown(); }

  void Deliver(const PeerInfo& peer, const pwx::v1::DeliverRequest& request,
               pwx::v1::DeliverResponse* response, absl::Time deadline,
               std::function<void(absl::Status)> done) override;
  void Shutdown() override;

 private:
  struct Channel {
    std::string key;
    std::unique_ptr<pwx::v1::FederationService::Stub> stub;
    std::shared_ptr<ChannelLog> log;
  };

  // The channel for `peer`'s current card, made anew when its endpoint or
  // CA changes, or the revocation lists do (so its server certificate is
  // checked again).
  const Channel& ChannelFor(const PeerInfo& peer)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const GrpcPeerTransportOptions options_;
  absl::Mutex mu_;
  bool shut_down_ ABSL_GUARDED_BY(mu_) = false;
  std::map<std::string, Channel> channels_ ABSL_GUARDED_BY(mu_);
  std::set<grpc::ClientContext*> in_flight_ ABSL_GUARDED_BY(mu_);
};

// The trailing metadata key of a domain::LinkRefusal's expected sequence.
inline constexpr char kExpectsSequenceMetadata[] = "pwx-expects-sequence";

}  // namespace pwx::server

#endif  // PWX_SERVER_PEER_TRANSPORT_H_
