#include "tests/client/fake_node.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "grpcpp/security/auth_context.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server_builder.h"
#include "grpcpp/server_context.h"
#include "tests/testing/test_pki.h"

namespace pwx::testing {

void FakeCaseService::AddCase(const pwx::v1::Case& c) {
  absl::MutexLock lock(&mutex_);
  cases_[c.id()] = c;
}

void FakeCaseService::SetPage(const std::string& page_token,
                              const pwx::v1::ListCasesResponse& page) {
  absl::MutexLock lock(&mutex_);
  pages_[page_token] = page;
}

void FakeCaseService::AddAttachment(const FakeAttachment& attachment) {
  absl::MutexLock lock(&mutex_);
  attachments_[attachment.meta.sha256()] = attachment;
}

FakeCaseService::Seen FakeCaseService::seen() const {
  absl::MutexLock lock(&mutex_);
  return seen_;
}

void FakeCaseService::RecordPeer(const grpc::ServerContext& context) {
  for (const grpc::string_ref& name :
       context.auth_context()->FindPropertyValues("x509_common_name")) {
    seen_.peer_names.emplace_back(name.data(), name.size());
  }
}

grpc::Status FakeCaseService::CreateCase(
    grpc::ServerContext* context, const pwx::v1::CreateCaseRequest* request,
    pwx::v1::Case* response) {
  absl::MutexLock lock(&mutex_);
  RecordPeer(*context);
  seen_.creates.push_back(*request);
  *response = request->case_();
  response->set_id("FR-DGT-2026-000001");
  response->set_version(1);
  response->set_owner_authority("FR-DGT");
  return grpc::Status::OK;
}

grpc::Status FakeCaseService::GetCase(grpc::ServerContext* context,
                                      const pwx::v1::GetCaseRequest* request,
                                      pwx::v1::Case* response) {
  absl::MutexLock lock(&mutex_);
  RecordPeer(*context);
  seen_.gets.push_back(*request);
  auto it = cases_.find(request->id());
  if (it == cases_.end()) {
    return grpc::Status(grpc::StatusCode::NOT_FOUND,
                        "case " + request->id() + " not found");
  }
  *response = it->second;
  return grpc::Status::OK;
}

grpc::Status FakeCaseService::UpdateCase(
    grpc::ServerContext* context, const pwx::v1::UpdateCaseRequest* request,
    pwx::v1::Case* response) {
  absl::MutexLock lock(&mutex_);
  RecordPeer(*context);
  seen_.updates.push_back(*request);
  *response = request->case_();
  response->set_id(request->id());
  response->set_version(request->expected_version() + 1);
  return grpc::Status::OK;
}

grpc::Status FakeCaseService::ListCases(
    grpc::ServerContext* context, const pwx::v1::ListCasesRequest* request,
    pwx::v1::ListCasesResponse* response) {
  absl::MutexLock lock(&mutex_);
  RecordPeer(*context);
  seen_.lists.push_back(*request);
  auto it = pages_.find(request->page_token());
  if (it == pages_.end()) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        "page_token: unknown token");
  }
  *response = it->second;
  return grpc::Status::OK;
}

grpc::Status FakeCaseService::AddNote(grpc::ServerContext* context,
                                      const pwx::v1::AddNoteRequest* request,
                                      pwx::v1::Case* response) {
  absl::MutexLock lock(&mutex_);
  RecordPeer(*context);
  seen_.notes.push_back(*request);
  response->set_id(request->case_id());
  response->add_notes()->set_text(request->text());
  return grpc::Status::OK;
}

grpc::Status FakeCaseService::UploadAttachment(
    grpc::ServerContext* context,
    grpc::ServerReader<pwx::v1::UploadAttachmentRequest>* reader,
    pwx::v1::Case* response) {
  pwx::v1::UploadAttachmentRequest message;
  if (!reader->Read(&message) || !message.has_header()) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        "the first message must carry the header");
  }
  pwx::v1::AttachmentHeader header = message.header();
  std::string content;
  std::vector<size_t> chunk_sizes;
  while (reader->Read(&message)) {
    if (message.has_header()) {
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                          "header sent twice");
    }
    chunk_sizes.push_back(message.chunk().size());
    content += message.chunk();
  }
  absl::MutexLock lock(&mutex_);
  RecordPeer(*context);
  seen_.upload_headers.push_back(header);
  seen_.upload_content = content;
  seen_.upload_chunk_sizes = chunk_sizes;
  response->set_id(header.case_id());
  pwx::v1::AttachmentMeta* meta = response->add_attachments();
  meta->set_file_name(header.file_name());
  meta->set_media_type(header.media_type());
  meta->set_size_bytes(content.size());
  return grpc::Status::OK;
}

grpc::Status FakeCaseService::DownloadAttachment(
    grpc::ServerContext* context,
    const pwx::v1::DownloadAttachmentRequest* request,
    grpc::ServerWriter<pwx::v1::DownloadAttachmentResponse>* writer) {
  FakeAttachment attachment;
  {
    absl::MutexLock lock(&mutex_);
    RecordPeer(*context);
    seen_.downloads.push_back(*request);
    auto it = attachments_.find(request->sha256());
    if (it == attachments_.end()) {
      return grpc::Status(grpc::StatusCode::NOT_FOUND,
                          "attachment " + request->sha256() + " not found");
    }
    attachment = it->second;
  }
  pwx::v1::DownloadAttachmentResponse message;
  *message.mutable_meta() = attachment.meta;
  std::string_view rest = attachment.content;
  bool first = true;
  do {
    const size_t n = std::min(attachment.chunk_bytes, rest.size());
    message.set_chunk(std::string(rest.substr(0, n)));
    rest.remove_prefix(n);
    if (!writer->Write(message)) return grpc::Status::CANCELLED;
    message.clear_meta();
    if (first && attachment.fail_after_first_chunk.has_value()) {
      return *attachment.fail_after_first_chunk;
    }
    first = false;
  } while (!rest.empty());
  return grpc::Status::OK;
}

std::vector<pwx::v1::CreateBackupRequest> FakeAdminService::seen() const {
  absl::MutexLock lock(&mutex_);
  return seen_;
}

grpc::Status FakeAdminService::CreateBackup(
    grpc::ServerContext* /*context*/,
    const pwx::v1::CreateBackupRequest* request,
    pwx::v1::CreateBackupResponse* response) {
  absl::MutexLock lock(&mutex_);
  seen_.push_back(*request);
  response->set_backup_id(7);
  response->set_size_bytes(uint64_t{3} * 1024 * 1024);
  response->set_directory(request->directory());
  return grpc::Status::OK;
}

std::string CallerName(const grpc::ServerContext& context) {
  for (const grpc::string_ref& name :
       context.auth_context()->FindPropertyValues("x509_common_name")) {
    return std::string(name.data(), name.size());
  }
  return "";
}

namespace {

void Stamp(const grpc::ServerContext& context, pwx::v1::User* user) {
  user->set_updated_by(CallerName(context));
  user->mutable_updated_at()->set_seconds(FakeUserService::kUpdatedAtSeconds);
  user->mutable_updated_at()->set_nanos(0);
}

}  // namespace

void FakeUserService::AddUser(const pwx::v1::User& user) {
  absl::MutexLock lock(&mutex_);
  users_[user.name()] = user;
}

void FakeUserService::FailWith(const grpc::Status& status) {
  absl::MutexLock lock(&mutex_);
  failure_ = status;
}

FakeUserService::Seen FakeUserService::seen() const {
  absl::MutexLock lock(&mutex_);
  return seen_;
}

grpc::Status FakeUserService::GrantRole(
    grpc::ServerContext* context, const pwx::v1::GrantRoleRequest* request,
    pwx::v1::User* response) {
  absl::MutexLock lock(&mutex_);
  seen_.grants.push_back(*request);
  if (failure_.has_value()) return *failure_;
  pwx::v1::User& user = users_[request->name()];
  user.set_name(request->name());
  if (std::find(user.roles().begin(), user.roles().end(), request->role()) ==
      user.roles().end()) {
    user.add_roles(request->role());
  }
  Stamp(*context, &user);
  *response = user;
  return grpc::Status::OK;
}

grpc::Status FakeUserService::RevokeRole(
    grpc::ServerContext* context, const pwx::v1::RevokeRoleRequest* request,
    pwx::v1::User* response) {
  absl::MutexLock lock(&mutex_);
  seen_.revokes.push_back(*request);
  if (failure_.has_value()) return *failure_;
  auto it = users_.find(request->name());
  if (it == users_.end()) {
    return grpc::Status(grpc::StatusCode::NOT_FOUND,
                        "user " + request->name() + " not found");
  }
  pwx::v1::User& user = it->second;
  google::protobuf::RepeatedField<int> kept;
  for (int role : user.roles()) {
    if (request->role() != pwx::v1::ROLE_UNSPECIFIED &&
        role != request->role()) {
      kept.Add(role);
    }
  }
  *user.mutable_roles() = kept;
  Stamp(*context, &user);
  *response = user;
  return grpc::Status::OK;
}

grpc::Status FakeUserService::ListUsers(
    grpc::ServerContext* /*context*/,
    const pwx::v1::ListUsersRequest* /*request*/,
    pwx::v1::ListUsersResponse* response) {
  absl::MutexLock lock(&mutex_);
  ++seen_.lists;
  if (failure_.has_value()) return *failure_;
  for (const auto& [name, user] : users_) *response->add_users() = user;
  return grpc::Status::OK;
}

grpc::Status FakeUserService::SetLanguage(
    grpc::ServerContext* context, const pwx::v1::SetLanguageRequest* request,
    pwx::v1::User* response) {
  absl::MutexLock lock(&mutex_);
  seen_.languages.push_back(*request);
  if (failure_.has_value()) return *failure_;
  const std::string name = CallerName(*context);
  pwx::v1::User& user = users_[name];
  user.set_name(name);
  user.set_language(request->language());
  *response = user;
  return grpc::Status::OK;
}

void FakeAuditService::SetExport(
    std::vector<pwx::v1::LogExportRecord> records) {
  absl::MutexLock lock(&mutex_);
  entries_.clear();
  tree_ = domain::MemoryMerkleTree();
  latest_.reset();
  for (const pwx::v1::LogExportRecord& record : records) {
    if (record.has_entry()) {
      entries_.push_back(record.entry());
      tree_.AppendEntry(record.entry().entry_bytes());
    }
    if (record.has_tree_head()) latest_ = record.tree_head();
    if (record.has_certificate()) certificate_pem_ = record.certificate().pem();
  }
  records_ = std::move(records);
}

void FakeAuditService::CorruptProofs() {
  absl::MutexLock lock(&mutex_);
  corrupt_proofs_ = true;
}

FakeAuditService::Seen FakeAuditService::seen() const {
  absl::MutexLock lock(&mutex_);
  return seen_;
}

grpc::Status FakeAuditService::GetTreeHead(
    grpc::ServerContext* /*context*/,
    const pwx::v1::GetTreeHeadRequest* /*request*/,
    pwx::v1::GetTreeHeadResponse* response) {
  absl::MutexLock lock(&mutex_);
  if (latest_.has_value()) *response->mutable_latest() = *latest_;
  response->set_current_size(entries_.size());
  response->set_signer_certificate_pem(certificate_pem_);
  return grpc::Status::OK;
}

grpc::Status FakeAuditService::ListEntries(
    grpc::ServerContext* /*context*/,
    const pwx::v1::ListEntriesRequest* request,
    pwx::v1::ListEntriesResponse* response) {
  absl::MutexLock lock(&mutex_);
  seen_.lists.push_back(*request);
  const uint64_t end =
      request->to_index() == 0
          ? entries_.size()
          : std::min<uint64_t>(request->to_index(), entries_.size());
  const int page_size = request->page_size() == 0 ? 100 : request->page_size();
  uint64_t i = request->from_index();
  for (; i < end && response->entries_size() < page_size; ++i) {
    const pwx::v1::AuditEntry& e = entries_[i].entry();
    if ((!request->user().empty() && e.user() != request->user()) ||
        (!request->action().empty() && e.action() != request->action()) ||
        (!request->object_id().empty() &&
         e.object_id() != request->object_id())) {
      continue;
    }
    *response->add_entries() = entries_[i];
  }
  response->set_next_index(i);
  response->set_done(i >= end);
  return grpc::Status::OK;
}

namespace {

std::string Bytes(const domain::Hash& hash) {
  return std::string(domain::HashBytes(hash));
}

void Corrupt(std::string* hash) {
  if (!hash->empty()) (*hash)[0] = static_cast<char>((*hash)[0] ^ 0x01);
}

}  // namespace

grpc::Status FakeAuditService::GetInclusionProof(
    grpc::ServerContext* /*context*/,
    const pwx::v1::GetInclusionProofRequest* request,
    pwx::v1::InclusionProof* response) {
  absl::MutexLock lock(&mutex_);
  seen_.inclusions.push_back(*request);
  const uint64_t size = request->tree_size() == 0 && latest_.has_value()
                            ? latest_->tree_size()
                            : request->tree_size();
  absl::StatusOr<std::vector<domain::Hash>> path =
      domain::InclusionProof(tree_, request->index(), size);
  if (!path.ok()) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        std::string(path.status().message()));
  }
  response->set_index(request->index());
  response->set_tree_size(size);
  response->set_leaf_hash(Bytes(*tree_.Subtree(0, request->index())));
  for (const domain::Hash& hash : *path) response->add_hashes(Bytes(hash));
  response->set_root_hash(Bytes(*domain::RootAt(tree_, size)));
  if (corrupt_proofs_ && response->hashes_size() > 0) {
    Corrupt(response->mutable_hashes(0));
  }
  return grpc::Status::OK;
}

grpc::Status FakeAuditService::GetConsistencyProof(
    grpc::ServerContext* /*context*/,
    const pwx::v1::GetConsistencyProofRequest* request,
    pwx::v1::ConsistencyProof* response) {
  absl::MutexLock lock(&mutex_);
  seen_.consistencies.push_back(*request);
  const uint64_t size = request->to_size() == 0 && latest_.has_value()
                            ? latest_->tree_size()
                            : request->to_size();
  absl::StatusOr<std::vector<domain::Hash>> path =
      domain::ConsistencyProof(tree_, request->from_size(), size);
  if (!path.ok()) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        std::string(path.status().message()));
  }
  response->set_from_size(request->from_size());
  response->set_to_size(size);
  for (const domain::Hash& hash : *path) response->add_hashes(Bytes(hash));
  response->set_from_root(Bytes(*domain::RootAt(tree_, request->from_size())));
  response->set_to_root(Bytes(*domain::RootAt(tree_, size)));
  if (corrupt_proofs_ && response->hashes_size() > 0) {
    Corrupt(response->mutable_hashes(0));
  }
  return grpc::Status::OK;
}

grpc::Status FakeAuditService::ExportLog(
    grpc::ServerContext* /*context*/,
    const pwx::v1::ExportLogRequest* /*request*/,
    grpc::ServerWriter<pwx::v1::LogExportRecord>* writer) {
  std::vector<pwx::v1::LogExportRecord> records;
  {
    absl::MutexLock lock(&mutex_);
    ++seen_.exports;
    records = records_;
  }
  for (const pwx::v1::LogExportRecord& record : records) {
    if (!writer->Write(record)) return grpc::Status::CANCELLED;
  }
  return grpc::Status::OK;
}

void FakeAuditService::SetReceipts(
    std::string peer, std::vector<pwx::v1::DeliverResponse> batches,
    std::map<std::string, std::string> certificates) {
  absl::MutexLock lock(&mutex_);
  receipts_peer_ = std::move(peer);
  receipts_ = std::move(batches);
  receipt_certificates_ = std::move(certificates);
}

grpc::Status FakeAuditService::ListReceipts(
    grpc::ServerContext* /*context*/,
    const pwx::v1::ListReceiptsRequest* request,
    pwx::v1::ListReceiptsResponse* response) {
  absl::MutexLock lock(&mutex_);
  seen_.receipts.push_back(*request);
  if (request->peer() != receipts_peer_) {
    return grpc::Status(grpc::StatusCode::NOT_FOUND,
                        "peer: " + request->peer() + " is not a peer");
  }
  // Pages of two, so that clients must follow next_sequence.
  constexpr int kPage = 2;
  for (const pwx::v1::DeliverResponse& batch : receipts_) {
    const uint64_t first = batch.receipts(0).sequence();
    if (first < request->from_sequence()) continue;
    if (response->batches_size() == kPage) {
      response->set_next_sequence(first);
      break;
    }
    *response->add_batches() = batch;
  }
  response->mutable_certificates()->insert(receipt_certificates_.begin(),
                                           receipt_certificates_.end());
  return grpc::Status::OK;
}

grpc::Status FakeAuditService::GetAccessLog(
    grpc::ServerContext* /*context*/,
    const pwx::v1::GetAccessLogRequest* request,
    pwx::v1::GetAccessLogResponse* response) {
  absl::MutexLock lock(&mutex_);
  seen_.access_logs.push_back(*request);
  // Pages of two, so that clients must follow next_page_token.
  constexpr int kPage = 2;
  int skip = 0;
  if (!request->page_token().empty() &&
      !absl::SimpleAtoi(request->page_token(), &skip)) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "page_token");
  }
  int matched = 0;
  for (const pwx::v1::LoggedEntry& entry : entries_) {
    if (entry.entry().object_id() != request->case_id()) continue;
    if (matched++ < skip) continue;
    if (response->entries_size() == kPage) {
      response->set_next_page_token(absl::StrCat(skip + kPage));
      break;
    }
    *response->add_entries() = entry;
  }
  return grpc::Status::OK;
}

std::unique_ptr<FakeNode> FakeNode::Start() {
  std::unique_ptr<FakeNode> node(new FakeNode());
  const TestCa ca = TestCa::Create("pwx client test");
  const KeyPair server_pair = ca.IssueNode("FR-DGT");
  const KeyPair user = ca.IssueUser("alice");
  node->dir_ = MakeTempDir("pwx_client_test");
  node->ca_file_ = WriteFile(node->dir_, "ca.pem", ca.cert_pem());
  node->cert_file_ = WriteFile(node->dir_, "alice.pem", user.cert_pem);
  node->key_file_ = WriteFile(node->dir_, "alice.key", user.key_pem);

  grpc::SslServerCredentialsOptions tls(
      GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  tls.pem_root_certs = ca.cert_pem();
  tls.pem_key_cert_pairs.push_back({server_pair.key_pem, server_pair.cert_pem});
  int port = 0;
  grpc::ServerBuilder builder;
  builder.AddListeningPort("127.0.0.1:0", grpc::SslServerCredentials(tls),
                           &port);
  builder.RegisterService(&node->cases_);
  builder.RegisterService(&node->admin_);
  builder.RegisterService(&node->users_);
  builder.RegisterService(&node->peers_);
  builder.RegisterService(&node->audit_);
  builder.RegisterService(&node->catalogue_);
  builder.RegisterService(&node->calendars_);
  builder.RegisterService(&node->requests_);
  builder.RegisterService(&node->plans_);
  node->server_ = builder.BuildAndStart();
  if (node->server_ == nullptr || port == 0) {
    std::fprintf(stderr, "fake node: cannot listen on 127.0.0.1:0\n");
    std::abort();
  }
  node->address_ = "localhost:" + std::to_string(port);
  return node;
}

FakeNode::~FakeNode() {
  if (server_ != nullptr) server_->Shutdown();
}

}  // namespace pwx::testing
