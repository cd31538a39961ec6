#include "client/case_client.h"

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "client/unary_call.h"
#include "grpcpp/client_context.h"
#include "grpcpp/support/sync_stream.h"

namespace pwx::client {

absl::Status FromGrpcStatus(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                      status.error_message());
}

CaseClient::CaseClient(std::shared_ptr<grpc::Channel> channel,
                       absl::Duration timeout)
    : stub_(pwx::v1::CaseService::NewStub(std::move(channel))),
      timeout_(timeout) {}

void CaseClient::SetDeadline(grpc::ClientContext* context) const {
  ApplyDeadline(timeout_, context);
}

absl::StatusOr<pwx::v1::Case> CaseClient::CreateCase(
    const pwx::v1::Case& c) const {
  pwx::v1::CreateCaseRequest request;
  *request.mutable_case_() = c;
  return CallUnary<pwx::v1::Case>(
      timeout_, [&](grpc::ClientContext* context, pwx::v1::Case* response) {
        return stub_->CreateCase(context, request, response);
      });
}

absl::StatusOr<pwx::v1::Case> CaseClient::GetCase(const std::string& id) const {
  pwx::v1::GetCaseRequest request;
  request.set_id(id);
  return CallUnary<pwx::v1::Case>(
      timeout_, [&](grpc::ClientContext* context, pwx::v1::Case* response) {
        return stub_->GetCase(context, request, response);
      });
}

absl::StatusOr<pwx::v1::Case> CaseClient::UpdateCase(
    const pwx::v1::UpdateCaseRequest& request) const {
  return CallUnary<pwx::v1::Case>(
      timeout_, [&](grpc::ClientContext* context, pwx::v1::Case* response) {
        return stub_->UpdateCase(context, request, response);
      });
}

absl::StatusOr<pwx::v1::ListCasesResponse> CaseClient::ListCases(
    const pwx::v1::ListCasesRequest& request) const {
  return CallUnary<pwx::v1::ListCasesResponse>(
      timeout_,
      [&](grpc::ClientContext* context, pwx::v1::ListCasesResponse* response) {
        return stub_->ListCases(context, request, response);
      });
}

absl::StatusOr<pwx::v1::ListCasesResponse> CaseClient::ListAllCases(
    pwx::v1::ListCasesRequest request) const {
  return CollectPages<pwx::v1::ListCasesRequest, pwx::v1::ListCasesResponse>(
      std::move(request),
      [this](const pwx::v1::ListCasesRequest& r) { return ListCases(r); },
      [](pwx::v1::ListCasesResponse& r) { return r.mutable_cases(); });
}

absl::StatusOr<pwx::v1::Case> CaseClient::AddNote(
    const std::string& case_id, const std::string& text) const {
  pwx::v1::AddNoteRequest request;
  request.set_case_id(case_id);
  request.set_text(text);
  return CallUnary<pwx::v1::Case>(
      timeout_, [&](grpc::ClientContext* context, pwx::v1::Case* response) {
        return stub_->AddNote(context, request, response);
      });
}

absl::StatusOr<pwx::v1::Case> CaseClient::UploadAttachment(
    const pwx::v1::AttachmentHeader& header, std::istream& content) const {
  grpc::ClientContext context;
  SetDeadline(&context);
  pwx::v1::Case response;
  std::unique_ptr<grpc::ClientWriter<pwx::v1::UploadAttachmentRequest>> writer =
      stub_->UploadAttachment(&context, &response);
  absl::Status status = StreamUpload<pwx::v1::UploadAttachmentRequest>(
      &context, writer.get(), header, header.file_name(), content);
  if (!status.ok()) return status;
  return response;
}

absl::StatusOr<pwx::v1::AttachmentMeta> CaseClient::DownloadAttachment(
    const std::string& case_id, const std::string& sha256,
    const DownloadSink& sink) const {
  pwx::v1::DownloadAttachmentRequest request;
  request.set_case_id(case_id);
  request.set_sha256(sha256);
  grpc::ClientContext context;
  SetDeadline(&context);
  std::unique_ptr<grpc::ClientReader<pwx::v1::DownloadAttachmentResponse>>
      reader = stub_->DownloadAttachment(&context, request);
  return StreamDownload(&context, reader.get(), sink);
}

AdminClient::AdminClient(std::shared_ptr<grpc::Channel> channel,
                         absl::Duration timeout)
    : stub_(pwx::v1::AdminService::NewStub(std::move(channel))),
      timeout_(timeout) {}

absl::StatusOr<pwx::v1::CreateBackupResponse> AdminClient::CreateBackup(
    const std::string& directory) const {
  pwx::v1::CreateBackupRequest request;
  request.set_directory(directory);
  return CallUnary<pwx::v1::CreateBackupResponse>(
      timeout_, [&](grpc::ClientContext* context,
                    pwx::v1::CreateBackupResponse* response) {
        return stub_->CreateBackup(context, request, response);
      });
}

absl::StatusOr<pwx::v1::ShareCaseResponse> CaseClient::ShareCase(
    const std::string& id, const std::string& with) const {
  pwx::v1::ShareCaseRequest request;
  request.set_id(id);
  request.set_with(with);
  return CallUnary<pwx::v1::ShareCaseResponse>(
      timeout_,
      [&](grpc::ClientContext* context, pwx::v1::ShareCaseResponse* response) {
        return stub_->ShareCase(context, request, response);
      });
}

PeerClient::PeerClient(std::shared_ptr<grpc::Channel> channel,
                       absl::Duration timeout)
    : stub_(pwx::v1::PeerService::NewStub(std::move(channel))),
      timeout_(timeout) {}

absl::StatusOr<pwx::v1::IdentityCard> PeerClient::ExportIdentity() const {
  return CallUnary<pwx::v1::IdentityCard>(
      timeout_,
      [&](grpc::ClientContext* context, pwx::v1::IdentityCard* response) {
        return stub_->ExportIdentity(context, {}, response);
      });
}

absl::StatusOr<pwx::v1::Peer> PeerClient::AddPeer(
    const pwx::v1::IdentityCard& card) const {
  pwx::v1::AddPeerRequest request;
  *request.mutable_card() = card;
  return CallUnary<pwx::v1::Peer>(
      timeout_, [&](grpc::ClientContext* context, pwx::v1::Peer* response) {
        return stub_->AddPeer(context, request, response);
      });
}

absl::StatusOr<pwx::v1::Peer> PeerClient::UpdatePeer(
    const pwx::v1::IdentityCard& card) const {
  pwx::v1::AddPeerRequest request;
  *request.mutable_card() = card;
  return CallUnary<pwx::v1::Peer>(
      timeout_, [&](grpc::ClientContext* context, pwx::v1::Peer* response) {
        return stub_->UpdatePeer(context, request, response);
      });
}

absl::StatusOr<pwx::v1::ListPeersResponse> PeerClient::ListPeers() const {
  return CallUnary<pwx::v1::ListPeersResponse>(
      timeout_,
      [&](grpc::ClientContext* context, pwx::v1::ListPeersResponse* response) {
        return stub_->ListPeers(context, {}, response);
      });
}

absl::StatusOr<pwx::v1::Peer> PeerClient::SuspendPeer(
    const std::string& id) const {
  pwx::v1::PeerRequest request;
  request.set_authority_id(id);
  return CallUnary<pwx::v1::Peer>(
      timeout_, [&](grpc::ClientContext* context, pwx::v1::Peer* response) {
        return stub_->SuspendPeer(context, request, response);
      });
}

absl::StatusOr<pwx::v1::Peer> PeerClient::ResumePeer(
    const std::string& id) const {
  pwx::v1::PeerRequest request;
  request.set_authority_id(id);
  return CallUnary<pwx::v1::Peer>(
      timeout_, [&](grpc::ClientContext* context, pwx::v1::Peer* response) {
        return stub_->ResumePeer(context, request, response);
      });
}

absl::StatusOr<pwx::v1::RemovePeerResponse> PeerClient::RemovePeer(
    const std::string& id) const {
  pwx::v1::PeerRequest request;
  request.set_authority_id(id);
  return CallUnary<pwx::v1::RemovePeerResponse>(
      timeout_,
      [&](grpc::ClientContext* context, pwx::v1::RemovePeerResponse* response) {
        return stub_->RemovePeer(context, request, response);
      });
}

absl::StatusOr<pwx::v1::LinkRepairResponse> PeerClient::ResendToPeer(
    const std::string& id, uint64_t sequence) const {
  pwx::v1::LinkRepairRequest request;
  request.set_authority_id(id);
  request.set_sequence(sequence);
  return CallUnary<pwx::v1::LinkRepairResponse>(
      timeout_,
      [&](grpc::ClientContext* context, pwx::v1::LinkRepairResponse* response) {
        return stub_->ResendToPeer(context, request, response);
      });
}

absl::StatusOr<pwx::v1::LinkRepairResponse> PeerClient::SkipToPeer(
    const std::string& id, uint64_t sequence) const {
  pwx::v1::LinkRepairRequest request;
  request.set_authority_id(id);
  request.set_sequence(sequence);
  return CallUnary<pwx::v1::LinkRepairResponse>(
      timeout_,
      [&](grpc::ClientContext* context, pwx::v1::LinkRepairResponse* response) {
        return stub_->SkipToPeer(context, request, response);
      });
}

UserClient::UserClient(std::shared_ptr<grpc::Channel> channel,
                       absl::Duration timeout)
    : stub_(pwx::v1::UserService::NewStub(std::move(channel))),
      timeout_(timeout) {}

absl::StatusOr<pwx::v1::User> UserClient::GrantRole(const std::string& name,
                                                    pwx::v1::Role role) const {
  pwx::v1::GrantRoleRequest request;
  request.set_name(name);
  request.set_role(role);
  return CallUnary<pwx::v1::User>(
      timeout_, [&](grpc::ClientContext* context, pwx::v1::User* response) {
        return stub_->GrantRole(context, request, response);
      });
}

absl::StatusOr<pwx::v1::User> UserClient::RevokeRole(const std::string& name,
                                                     pwx::v1::Role role) const {
  pwx::v1::RevokeRoleRequest request;
  request.set_name(name);
  request.set_role(role);
  return CallUnary<pwx::v1::User>(
      timeout_, [&](grpc::ClientContext* context, pwx::v1::User* response) {
        return stub_->RevokeRole(context, request, response);
      });
}

absl::StatusOr<pwx::v1::ListUsersResponse> UserClient::ListUsers() const {
  return CallUnary<pwx::v1::ListUsersResponse>(
      timeout_,
      [&](grpc::ClientContext* context, pwx::v1::ListUsersResponse* response) {
        return stub_->ListUsers(context, pwx::v1::ListUsersRequest(), response);
      });
}

absl::StatusOr<pwx::v1::User> UserClient::SetLanguage(
    const std::string& language) const {
  pwx::v1::SetLanguageRequest request;
  request.set_language(language);
  return CallUnary<pwx::v1::User>(
      timeout_, [&](grpc::ClientContext* context, pwx::v1::User* response) {
        return stub_->SetLanguage(context, request, response);
      });
}

AuditClient::AuditClient(std::shared_ptr<grpc::Channel> channel,
                         absl::Duration timeout)
    : stub_(pwx::v1::AuditService::NewStub(std::move(channel))),
      timeout_(timeout) {}

absl::StatusOr<pwx::v1::GetTreeHeadResponse> AuditClient::GetTreeHead() const {
  return CallUnary<pwx::v1::GetTreeHeadResponse>(
      timeout_, [&](grpc::ClientContext* context,
                    pwx::v1::GetTreeHeadResponse* response) {
        return stub_->GetTreeHead(context, pwx::v1::GetTreeHeadRequest(),
                                  response);
      });
}

absl::StatusOr<pwx::v1::ListEntriesResponse> AuditClient::ListEntries(
    const pwx::v1::ListEntriesRequest& request) const {
  return CallUnary<pwx::v1::ListEntriesResponse>(
      timeout_, [&](grpc::ClientContext* context,
                    pwx::v1::ListEntriesResponse* response) {
        return stub_->ListEntries(context, request, response);
      });
}

absl::StatusOr<pwx::v1::ListEntriesResponse> AuditClient::ListAllEntries(
    pwx::v1::ListEntriesRequest request) const {
  pwx::v1::ListEntriesResponse all;
  while (true) {
    absl::StatusOr<pwx::v1::ListEntriesResponse> page = ListEntries(request);
    if (!page.ok()) return page.status();
    for (pwx::v1::LoggedEntry& entry : *page->mutable_entries()) {
      *all.add_entries() = std::move(entry);
    }
    all.set_next_index(page->next_index());
    if (page->done()) {
      all.set_done(true);
      return all;
    }
    if (page->next_index() <= request.from_index()) {
      return absl::InternalError(absl::StrCat(
          "server did not advance past entry ", request.from_index(),
          " (next_index ", page->next_index(), "); stopping"));
    }
    request.set_from_index(page->next_index());
  }
}

absl::StatusOr<pwx::v1::InclusionProof> AuditClient::GetInclusionProof(
    uint64_t index, uint64_t tree_size) const {
  pwx::v1::GetInclusionProofRequest request;
  request.set_index(index);
  request.set_tree_size(tree_size);
  return CallUnary<pwx::v1::InclusionProof>(
      timeout_,
      [&](grpc::ClientContext* context, pwx::v1::InclusionProof* response) {
        return stub_->GetInclusionProof(context, request, response);
      });
}

absl::StatusOr<pwx::v1::ConsistencyProof> AuditClient::GetConsistencyProof(
    uint64_t from_size, uint64_t to_size) const {
  pwx::v1::GetConsistencyProofRequest request;
  request.set_from_size(from_size);
  request.set_to_size(to_size);
  return CallUnary<pwx::v1::ConsistencyProof>(
      timeout_,
      [&](grpc::ClientContext* context, pwx::v1::ConsistencyProof* response) {
        return stub_->GetConsistencyProof(context, request, response);
      });
}

absl::Status AuditClient::ExportLog(
    const std::function<absl::Status(const pwx::v1::LogExportRecord&)>& sink)
    const {
  grpc::ClientContext context;
  std::unique_ptr<grpc::ClientReader<pwx::v1::LogExportRecord>> reader =
      stub_->ExportLog(&context, pwx::v1::ExportLogRequest());
  pwx::v1::LogExportRecord record;
  absl::Status sink_status;
  while (sink_status.ok() && reader->Read(&record)) {
    sink_status = sink(record);
  }
  if (!sink_status.ok()) {
    context.TryCancel();
    reader->Finish();
    return sink_status;
  }
  return FromGrpcStatus(reader->Finish());
}

absl::StatusOr<pwx::v1::GetAccessLogResponse> AuditClient::GetAccessLog(
    const std::string& case_id) const {
  pwx::v1::GetAccessLogRequest request;
  request.set_case_id(case_id);
  pwx::v1::GetAccessLogResponse all;
  do {
    absl::StatusOr<pwx::v1::GetAccessLogResponse> page =
        CallUnary<pwx::v1::GetAccessLogResponse>(
            timeout_, [&](grpc::ClientContext* context,
                          pwx::v1::GetAccessLogResponse* response) {
              return stub_->GetAccessLog(context, request, response);
            });
    if (!page.ok()) return page.status();
    for (pwx::v1::LoggedEntry& e : *page->mutable_entries()) {
      *all.add_entries() = std::move(e);
    }
    request.set_page_token(page->next_page_token());
  } while (!request.page_token().empty());
  return all;
}

absl::StatusOr<pwx::v1::ListReceiptsResponse> AuditClient::ListReceipts(
    const pwx::v1::ListReceiptsRequest& request) const {
  return CallUnary<pwx::v1::ListReceiptsResponse>(
      timeout_, [&](grpc::ClientContext* context,
                    pwx::v1::ListReceiptsResponse* response) {
        return stub_->ListReceipts(context, request, response);
      });
}

}  // namespace pwx::client
