#include "server/peer_service.h"

#include <memory>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "server/audit_trail.h"
#include "server/rpc_util.h"

namespace pwx::server {
namespace {

absl::Status NotFederating() {
  return absl::FailedPreconditionError(
      "this node does not federate: set federation.listen in its config");
}

}  // namespace

grpc::ServerUnaryReactor* PeerServiceImpl::ExportIdentity(
    grpc::CallbackServerContext* context, const pwx::v1::ExportIdentityRequest*,
    pwx::v1::IdentityCard* response) {
  auto call =
      UnaryCall::Start(context, *authz_, Permission::kPeers, "ExportIdentity");
  if (!call->allowed()) return call->reactor();
  if (identity_.federation_endpoint().empty()) {
    call->Finish(NotFederating());
    return call->reactor();
  }
  *response = identity_;
  *response->mutable_exported() = ToProtoTime(absl::Now());
  call->Finish(absl::OkStatus());
  return call->reactor();
}

grpc::ServerUnaryReactor* PeerServiceImpl::AddPeer(
    grpc::CallbackServerContext* context,
    const pwx::v1::AddPeerRequest* request, pwx::v1::Peer* response) {
  auto call = UnaryCall::Start(context, *authz_, Permission::kPeers, "AddPeer",
                               request->card().authority_id());
  if (!call->allowed()) return call->reactor();
  peers_->Add(request->card(), call->user(), call->FinishWith(response));
  return call->reactor();
}

grpc::ServerUnaryReactor* PeerServiceImpl::UpdatePeer(
    grpc::CallbackServerContext* context,
    const pwx::v1::AddPeerRequest* request, pwx::v1::Peer* response) {
  auto call = UnaryCall::Start(context, *authz_, Permission::kPeers,
                               "UpdatePeer", request->card().authority_id());
  if (!call->allowed()) return call->reactor();
  peers_->Update(request->card(), call->user(), call->FinishWith(response));
  return call->reactor();
}

grpc::ServerUnaryReactor* PeerServiceImpl::ResendToPeer(
    grpc::CallbackServerContext* context,
    const pwx::v1::LinkRepairRequest* request,
    pwx::v1::LinkRepairResponse* response) {
  return Repair(context, "ResendToPeer", request, response);
}

grpc::ServerUnaryReactor* PeerServiceImpl::SkipToPeer(
    grpc::CallbackServerContext* context,
    const pwx::v1::LinkRepairRequest* request,
    pwx::v1::LinkRepairResponse* response) {
  return Repair(context, "SkipToPeer", request, response);
}

grpc::ServerUnaryReactor* PeerServiceImpl::Repair(
    grpc::CallbackServerContext* context, const char* method,
    const pwx::v1::LinkRepairRequest* request,
    pwx::v1::LinkRepairResponse* response) {
  const std::string peer = request->authority_id();
  auto call =
      UnaryCall::Start(context, *authz_, Permission::kPeers, method, peer);
  if (!call->allowed()) return call->reactor();
  if (outbox_ == nullptr || dispatcher_ == nullptr) {
    call->Finish(NotFederating());
    return call->reactor();
  }
  if (peers_->Find(peer) == nullptr) {
    call->Finish(absl::NotFoundError(
        absl::StrCat("authority_id: ", peer, " is not a peer")));
    return call->reactor();
  }
  auto done = [this, peer, response,
               call](absl::StatusOr<pwx::v1::LinkRepairResponse> r) {
    if (r.ok()) {
      *response = *std::move(r);
      dispatcher_->Wake(peer);
    }
    call->Finish(r.status());
  };
  if (std::string_view(method) == "ResendToPeer") {
    outbox_->Resend(peer, request->sequence(), call->user(), std::move(done));
  } else {
    outbox_->Skip(peer, request->sequence(), call->user(), std::move(done));
  }
  return call->reactor();
}

grpc::ServerUnaryReactor* PeerServiceImpl::ListPeers(
    grpc::CallbackServerContext* context, const pwx::v1::ListPeersRequest*,
    pwx::v1::ListPeersResponse* response) {
  auto call =
      UnaryCall::Start(context, *authz_, Permission::kPeers, "ListPeers");
  if (!call->allowed()) return call->reactor();
  for (const pwx::v1::Peer& peer : peers_->List()) {
    pwx::v1::PeerHealth* health = response->add_peers();
    if (dispatcher_ != nullptr) {
      *health = dispatcher_->Health(peer);
    } else {
      *health->mutable_peer() = peer;
    }
    if (trust_ != nullptr) {
      for (std::string& warning : trust_->IssuesOf(peer.card())) {
        health->add_warnings(std::move(warning));
      }
    }
  }
  if (trust_ != nullptr) {
    for (std::string& warning : trust_->OtherIssues()) {
      response->add_warnings(std::move(warning));
    }
  }
  call->Finish(absl::OkStatus());
  return call->reactor();
}

grpc::ServerUnaryReactor* PeerServiceImpl::SetState(
    grpc::CallbackServerContext* context, const char* method,
    const pwx::v1::PeerRequest* request, pwx::v1::Peer::State state,
    pwx::v1::Peer* response) {
  auto call = UnaryCall::Start(context, *authz_, Permission::kPeers, method,
                               request->authority_id());
  if (!call->allowed()) return call->reactor();
  peers_->SetState(request->authority_id(), state, call->user(),
                   call->FinishWith(response));
  return call->reactor();
}

grpc::ServerUnaryReactor* PeerServiceImpl::SuspendPeer(
    grpc::CallbackServerContext* context, const pwx::v1::PeerRequest* request,
    pwx::v1::Peer* response) {
  return SetState(context, "SuspendPeer", request, pwx::v1::Peer::SUSPENDED,
                  response);
}

grpc::ServerUnaryReactor* PeerServiceImpl::ResumePeer(
    grpc::CallbackServerContext* context, const pwx::v1::PeerRequest* request,
    pwx::v1::Peer* response) {
  return SetState(context, "ResumePeer", request, pwx::v1::Peer::ACTIVE,
                  response);
}

grpc::ServerUnaryReactor* PeerServiceImpl::RemovePeer(
    grpc::CallbackServerContext* context, const pwx::v1::PeerRequest* request,
    pwx::v1::RemovePeerResponse* response) {
  auto call = UnaryCall::Start(context, *authz_, Permission::kPeers,
                               "RemovePeer", request->authority_id());
  if (!call->allowed()) return call->reactor();
  peers_->Remove(request->authority_id(), call->user(),
                 [call, response](absl::StatusOr<uint64_t> dropped) {
                   if (dropped.ok()) response->set_dropped(*dropped);
                   call->Finish(dropped.status());
                 });
  return call->reactor();
}

}  // namespace pwx::server
