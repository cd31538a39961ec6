#include "server/peer_service.h"

#include <memory>
#include <string>
#include <utility>

#include "absl/time/clock.h"
#include "server/audit_trail.h"
#include "server/rpc_util.h"

namespace pwx::server {
namespace {

// Checks the caller may manage peers; on refusal finishes the call.
bool Allowed(Authorizer* authz, grpc::ServerUnaryReactor* reactor, CallLog& log,
             const char* method) {
  absl::Status s = authz->Check(log.user(), Permission::kPeers, method);
  if (s.ok()) return true;
  log.Finish(s);
  reactor->Finish(ToGrpcStatus(s));
  return false;
}

}  // namespace

grpc::ServerUnaryReactor* PeerServiceImpl::ExportIdentity(
    grpc::CallbackServerContext* context, const pwx::v1::ExportIdentityRequest*,
    pwx::v1::IdentityCard* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  CallLog log("ExportIdentity", CallerName(*context));
  if (!Allowed(authz_, reactor, log, "ExportIdentity")) return reactor;
  absl::Status status;
  if (identity_.federation_endpoint().empty()) {
    status = absl::FailedPreconditionError(
        "this node does not federate: set federation.listen in its config");
  } else {
    *response = identity_;
    *response->mutable_exported() = ToProtoTime(absl::Now());
  }
  log.Finish(status);
  reactor->Finish(ToGrpcStatus(status));
  return reactor;
}

grpc::ServerUnaryReactor* PeerServiceImpl::AddPeer(
    grpc::CallbackServerContext* context,
    const pwx::v1::AddPeerRequest* request, pwx::v1::Peer* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  auto log = std::make_shared<CallLog>("AddPeer", CallerName(*context));
  log->set_object(request->card().authority_id());
  if (!Allowed(authz_, reactor, *log, "AddPeer")) return reactor;
  peers_->Add(request->card(), log->user(),
              [reactor, response, log](absl::StatusOr<pwx::v1::Peer> peer) {
                if (peer.ok()) *response = *std::move(peer);
                log->Finish(peer.status());
                reactor->Finish(ToGrpcStatus(peer.status()));
              });
  return reactor;
}

grpc::ServerUnaryReactor* PeerServiceImpl::UpdatePeer(
    grpc::CallbackServerContext* context,
    const pwx::v1::AddPeerRequest* request, pwx::v1::Peer* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  auto log = std::make_shared<CallLog>("UpdatePeer", CallerName(*context));
  log->set_object(request->card().authority_id());
  if (!Allowed(authz_, reactor, *log, "UpdatePeer")) return reactor;
  peers_->Update(request->card(), log->user(),
                 [reactor, response, log](absl::StatusOr<pwx::v1::Peer> peer) {
                   if (peer.ok()) *response = *std::move(peer);
                   log->Finish(peer.status());
                   reactor->Finish(ToGrpcStatus(peer.status()));
                 });
  return reactor;
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
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  auto log = std::make_shared<CallLog>(method, CallerName(*context));
  log->set_object(request->authority_id());
  if (!Allowed(authz_, reactor, *log, method)) return reactor;
  auto finish = [reactor, log](const absl::Status& status) {
    log->Finish(status);
    reactor->Finish(ToGrpcStatus(status));
  };
  if (outbox_ == nullptr || dispatcher_ == nullptr) {
    finish(absl::FailedPreconditionError(
        "this node does not federate: set federation.listen in its config"));
    return reactor;
  }
  const std::string peer = request->authority_id();
  if (peers_->Find(peer) == nullptr) {
    finish(absl::NotFoundError(
        absl::StrCat("authority_id: ", peer, " is not a peer")));
    return reactor;
  }
  auto done = [this, peer, response,
               finish](absl::StatusOr<pwx::v1::LinkRepairResponse> r) {
    if (r.ok()) {
      *response = *std::move(r);
      dispatcher_->Wake(peer);
    }
    finish(r.status());
  };
  if (std::string_view(method) == "ResendToPeer") {
    outbox_->Resend(peer, request->sequence(), log->user(), std::move(done));
  } else {
    outbox_->Skip(peer, request->sequence(), log->user(), std::move(done));
  }
  return reactor;
}

grpc::ServerUnaryReactor* PeerServiceImpl::ListPeers(
    grpc::CallbackServerContext* context, const pwx::v1::ListPeersRequest*,
    pwx::v1::ListPeersResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  CallLog log("ListPeers", CallerName(*context));
  if (!Allowed(authz_, reactor, log, "ListPeers")) return reactor;
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
  log.Finish(absl::OkStatus());
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

grpc::ServerUnaryReactor* PeerServiceImpl::SetState(
    grpc::CallbackServerContext* context, const char* method,
    const pwx::v1::PeerRequest* request, pwx::v1::Peer::State state,
    pwx::v1::Peer* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  auto log = std::make_shared<CallLog>(method, CallerName(*context));
  log->set_object(request->authority_id());
  if (!Allowed(authz_, reactor, *log, method)) return reactor;
  peers_->SetState(request->authority_id(), state, log->user(),
                   [reactor, response, log](absl::StatusOr<pwx::v1::Peer> p) {
                     if (p.ok()) *response = *std::move(p);
                     log->Finish(p.status());
                     reactor->Finish(ToGrpcStatus(p.status()));
                   });
  return reactor;
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
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  auto log = std::make_shared<CallLog>("RemovePeer", CallerName(*context));
  log->set_object(request->authority_id());
  if (!Allowed(authz_, reactor, *log, "RemovePeer")) return reactor;
  peers_->Remove(request->authority_id(), log->user(),
                 [reactor, response, log](absl::StatusOr<uint64_t> dropped) {
                   if (dropped.ok()) response->set_dropped(*dropped);
                   log->Finish(dropped.status());
                   reactor->Finish(ToGrpcStatus(dropped.status()));
                 });
  return reactor;
}

}  // namespace pwx::server
