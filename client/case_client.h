// Typed wrappers over the CaseService, AdminService, UserService,
// PeerService and AuditService stubs that speak absl::Status and apply a
// per-call deadline.
#ifndef PWX_CLIENT_CASE_CLIENT_H_
#define PWX_CLIENT_CASE_CLIENT_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <istream>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "client/attachment_transfer.h"
#include "client/unary_call.h"
#include "grpcpp/channel.h"
#include "grpcpp/support/status.h"
#include "pwx/v1/admin_service.grpc.pb.h"
#include "pwx/v1/audit_service.grpc.pb.h"
#include "pwx/v1/case_service.grpc.pb.h"
#include "pwx/v1/peer_service.grpc.pb.h"
#include "pwx/v1/user_service.grpc.pb.h"

namespace pwx::client {

// Receives a case attachment's download (see DownloadSinkOf).
using DownloadSink = DownloadSinkOf<pwx::v1::AttachmentMeta>;

// Calls CaseService on one channel. Every call gets its own deadline of
// `timeout` from its start (none when timeout is absl::InfiniteDuration()).
// Thread-safe: calls may run concurrently.
class CaseClient {
 public:
  CaseClient(std::shared_ptr<grpc::Channel> channel, absl::Duration timeout);

  absl::StatusOr<pwx::v1::Case> CreateCase(const pwx::v1::Case& c) const;
  absl::StatusOr<pwx::v1::Case> GetCase(const std::string& id) const;
  absl::StatusOr<pwx::v1::Case> UpdateCase(
      const pwx::v1::UpdateCaseRequest& request) const;
  // One page.
  absl::StatusOr<pwx::v1::ListCasesResponse> ListCases(
      const pwx::v1::ListCasesRequest& request) const;
  // Every page from request.page_token on, merged into one response with an
  // empty next_page_token. Fails with INTERNAL if the server repeats a page
  // token, rather than looping forever.
  absl::StatusOr<pwx::v1::ListCasesResponse> ListAllCases(
      pwx::v1::ListCasesRequest request) const;
  absl::StatusOr<pwx::v1::Case> AddNote(const std::string& case_id,
                                        const std::string& text) const;
  // Streams `content` to the server after `header`, kUploadChunkBytes at a
  // time. Returns the case with the new attachment. A read error on
  // `content` cancels the upload and returns DATA_LOSS.
  absl::StatusOr<pwx::v1::Case> UploadAttachment(
      const pwx::v1::AttachmentHeader& header, std::istream& content) const;
  // Streams an attachment into `sink`; returns its metadata. Returns
  // DATA_LOSS when the stream carries no metadata.
  absl::StatusOr<pwx::v1::AttachmentMeta> DownloadAttachment(
      const std::string& case_id, const std::string& sha256,
      const DownloadSink& sink) const;
  // Queues a read-only copy of case `id` for the peer authority `with`.
  absl::StatusOr<pwx::v1::ShareCaseResponse> ShareCase(
      const std::string& id, const std::string& with) const;

 private:
  void SetDeadline(grpc::ClientContext* context) const;

  std::unique_ptr<pwx::v1::CaseService::Stub> stub_;
  absl::Duration timeout_;
};

// Calls AdminService on one channel; same deadline rule and thread safety
// as CaseClient.
class AdminClient {
 public:
  AdminClient(std::shared_ptr<grpc::Channel> channel, absl::Duration timeout);

  absl::StatusOr<pwx::v1::CreateBackupResponse> CreateBackup(
      const std::string& directory) const;

 private:
  std::unique_ptr<pwx::v1::AdminService::Stub> stub_;
  absl::Duration timeout_;
};

// Calls UserService on one channel; same deadline rule and thread safety as
// CaseClient. The server allows these calls to coordinators and admins only
// (PERMISSION_DENIED otherwise), but SetLanguage to any user with a role.
class UserClient {
 public:
  UserClient(std::shared_ptr<grpc::Channel> channel, absl::Duration timeout);

  // Grants `role` to the user `name` (the CN of their certificate), creating
  // the user. Returns the user as it now stands.
  absl::StatusOr<pwx::v1::User> GrantRole(const std::string& name,
                                          pwx::v1::Role role) const;
  // Revokes `role` from `name`; ROLE_UNSPECIFIED revokes every role. Returns
  // the user as it now stands.
  absl::StatusOr<pwx::v1::User> RevokeRole(const std::string& name,
                                           pwx::v1::Role role) const;
  absl::StatusOr<pwx::v1::ListUsersResponse> ListUsers() const;
  // Sets the caller's own language preference ("" clears it). Returns the
  // caller as they now stand.
  absl::StatusOr<pwx::v1::User> SetLanguage(const std::string& language) const;

 private:
  std::unique_ptr<pwx::v1::UserService::Stub> stub_;
  absl::Duration timeout_;
};

// Calls PeerService on one channel; same deadline rule and thread safety as
// CaseClient. The server allows these calls to coordinators and admins only.
class PeerClient {
 public:
  PeerClient(std::shared_ptr<grpc::Channel> channel, absl::Duration timeout);

  absl::StatusOr<pwx::v1::IdentityCard> ExportIdentity() const;
  absl::StatusOr<pwx::v1::Peer> AddPeer(
      const pwx::v1::IdentityCard& card) const;
  // Replaces the card of the known peer card.authority_id(), keeping its
  // state, queue and link; NOT_FOUND for an unknown peer.
  absl::StatusOr<pwx::v1::Peer> UpdatePeer(
      const pwx::v1::IdentityCard& card) const;
  absl::StatusOr<pwx::v1::ListPeersResponse> ListPeers() const;
  absl::StatusOr<pwx::v1::Peer> SuspendPeer(const std::string& id) const;
  absl::StatusOr<pwx::v1::Peer> ResumePeer(const std::string& id) const;
  absl::StatusOr<pwx::v1::RemovePeerResponse> RemovePeer(
      const std::string& id) const;
  // Sends the envelopes from `sequence` on to the peer `id` again (it lost
  // them); FAILED_PRECONDITION when the node no longer keeps them.
  absl::StatusOr<pwx::v1::LinkRepairResponse> ResendToPeer(
      const std::string& id, uint64_t sequence) const;
  // Continues the link to the peer `id` at `sequence`, withdrawing the
  // envelopes in between.
  absl::StatusOr<pwx::v1::LinkRepairResponse> SkipToPeer(
      const std::string& id, uint64_t sequence) const;

 private:
  std::unique_ptr<pwx::v1::PeerService::Stub> stub_;
  absl::Duration timeout_;
};

// Calls AuditService on one channel; same deadline rule and thread safety as
// CaseClient, except ExportLog, which has no deadline: a large log takes as
// long as it takes, and the user can interrupt it. The server allows these
// calls to auditors (PERMISSION_DENIED otherwise).
class AuditClient {
 public:
  AuditClient(std::shared_ptr<grpc::Channel> channel, absl::Duration timeout);

  absl::StatusOr<pwx::v1::GetTreeHeadResponse> GetTreeHead() const;
  // One page.
  absl::StatusOr<pwx::v1::ListEntriesResponse> ListEntries(
      const pwx::v1::ListEntriesRequest& request) const;
  // Every page from request.from_index on, merged into one response with
  // done set. Fails with INTERNAL if the server does not advance next_index,
  // rather than looping forever.
  absl::StatusOr<pwx::v1::ListEntriesResponse> ListAllEntries(
      pwx::v1::ListEntriesRequest request) const;
  // tree_size 0 means the latest signed head's size.
  absl::StatusOr<pwx::v1::InclusionProof> GetInclusionProof(
      uint64_t index, uint64_t tree_size) const;
  // to_size 0 means the latest signed head's size.
  absl::StatusOr<pwx::v1::ConsistencyProof> GetConsistencyProof(
      uint64_t from_size, uint64_t to_size) const;
  // Streams the export records into `sink` in the order the server sends
  // them. A non-OK status from `sink` cancels the export and is returned.
  absl::Status ExportLog(
      const std::function<absl::Status(const pwx::v1::LogExportRecord&)>& sink)
      const;
  // Every page of the case's access log, as one response.
  absl::StatusOr<pwx::v1::GetAccessLogResponse> GetAccessLog(
      const std::string& case_id) const;
  // One page of the receipts `request.peer` returned.
  absl::StatusOr<pwx::v1::ListReceiptsResponse> ListReceipts(
      const pwx::v1::ListReceiptsRequest& request) const;

 private:
  std::unique_ptr<pwx::v1::AuditService::Stub> stub_;
  absl::Duration timeout_;
};

}  // namespace pwx::client

#endif  // PWX_CLIENT_CASE_CLIENT_H_
