// An in-process stand-in for a pwx node's API port: CaseService,
// AdminService, UserService, PeerService, AuditService, CatalogueService,
// CalendarService, RequestService and PlanService fakes that record what the
// CLI sent and answer with canned data, served over mutual TLS with
// certificates made at test time.
#ifndef PWX_TESTS_CLIENT_FAKE_NODE_H_
#define PWX_TESTS_CLIENT_FAKE_NODE_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "grpcpp/server.h"
#include "pwx/v1/admin_service.grpc.pb.h"
#include "pwx/v1/audit_service.grpc.pb.h"
#include "pwx/v1/case_service.grpc.pb.h"
#include "pwx/v1/user_service.grpc.pb.h"
#include "server/domain/merkle.h"
#include "tests/client/fake_calendar_service.h"
#include "tests/client/fake_catalogue_service.h"
#include "tests/client/fake_peer_service.h"
#include "tests/client/fake_plan_service.h"
#include "tests/client/fake_request_service.h"

namespace pwx::testing {

// The x509_common_name of the caller's certificate, or "" without one.
std::string CallerName(const grpc::ServerContext& context);

// A stored attachment the fake serves from DownloadAttachment.
struct FakeAttachment {
  pwx::v1::AttachmentMeta meta;
  std::string content;
  // Bytes per DownloadAttachmentResponse.
  size_t chunk_bytes = 1000;
  // When set, the stream ends with this error after the first chunk.
  std::optional<grpc::Status> fail_after_first_chunk;
};

// Records requests and answers from the data tests put in. Thread-safe.
class FakeCaseService final : public pwx::v1::CaseService::Service {
 public:
  // What the fake saw; tests read it after the CLI returned.
  struct Seen {
    std::vector<pwx::v1::CreateCaseRequest> creates;
    std::vector<pwx::v1::GetCaseRequest> gets;
    std::vector<pwx::v1::UpdateCaseRequest> updates;
    std::vector<pwx::v1::ListCasesRequest> lists;
    std::vector<pwx::v1::AddNoteRequest> notes;
    std::vector<pwx::v1::AttachmentHeader> upload_headers;
    std::string upload_content;
    std::vector<size_t> upload_chunk_sizes;
    std::vector<pwx::v1::DownloadAttachmentRequest> downloads;
    // The x509_common_name of each caller's certificate.
    std::vector<std::string> peer_names;
  };

  void AddCase(const pwx::v1::Case& c);
  // ListCases answers a request with `page_token` with `page`.
  void SetPage(const std::string& page_token,
               const pwx::v1::ListCasesResponse& page);
  void AddAttachment(const FakeAttachment& attachment);
  Seen seen() const;

  grpc::Status CreateCase(grpc::ServerContext* context,
                          const pwx::v1::CreateCaseRequest* request,
                          pwx::v1::Case* response) override;
  grpc::Status GetCase(grpc::ServerContext* context,
                       const pwx::v1::GetCaseRequest* request,
                       pwx::v1::Case* response) override;
  grpc::Status UpdateCase(grpc::ServerContext* context,
                          const pwx::v1::UpdateCaseRequest* request,
                          pwx::v1::Case* response) override;
  grpc::Status ListCases(grpc::ServerContext* context,
                         const pwx::v1::ListCasesRequest* request,
                         pwx::v1::ListCasesResponse* response) override;
  grpc::Status AddNote(grpc::ServerContext* context,
                       const pwx::v1::AddNoteRequest* request,
                       pwx::v1::Case* response) override;
  grpc::Status UploadAttachment(
      grpc::ServerContext* context,
      grpc::ServerReader<pwx::v1::UploadAttachmentRequest>* reader,
      pwx::v1::Case* response) override;
  grpc::Status DownloadAttachment(
      grpc::ServerContext* context,
      const pwx::v1::DownloadAttachmentRequest* request,
      grpc::ServerWriter<pwx::v1::DownloadAttachmentResponse>* writer) override;

 private:
  void RecordPeer(const grpc::ServerContext& context)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);

  mutable absl::Mutex mutex_;
  std::map<std::string, pwx::v1::Case> cases_ ABSL_GUARDED_BY(mutex_);
  std::map<std::string, pwx::v1::ListCasesResponse> pages_
      ABSL_GUARDED_BY(mutex_);
  std::map<std::string, FakeAttachment> attachments_ ABSL_GUARDED_BY(mutex_);
  Seen seen_ ABSL_GUARDED_BY(mutex_);
};

// Records backup requests. Thread-safe.
class FakeAdminService final : public pwx::v1::AdminService::Service {
 public:
  std::vector<pwx::v1::CreateBackupRequest> seen() const;

  grpc::Status CreateBackup(grpc::ServerContext* context,
                            const pwx::v1::CreateBackupRequest* request,
                            pwx::v1::CreateBackupResponse* response) override;

 private:
  mutable absl::Mutex mutex_;
  std::vector<pwx::v1::CreateBackupRequest> seen_ ABSL_GUARDED_BY(mutex_);
};

// Keeps users in memory: GrantRole and RevokeRole change them (stamping the
// caller's CN and a fixed time), ListUsers returns them by name. Thread-safe.
class FakeUserService final : public pwx::v1::UserService::Service {
 public:
  // What the fake saw; tests read it after the CLI returned.
  struct Seen {
    std::vector<pwx::v1::GrantRoleRequest> grants;
    std::vector<pwx::v1::RevokeRoleRequest> revokes;
    int lists = 0;
    std::vector<pwx::v1::SetLanguageRequest> languages;
  };

  // Updated at by GrantRole and RevokeRole.
  static constexpr int64_t kUpdatedAtSeconds = 1767225600;  // 2026-01-01

  void AddUser(const pwx::v1::User& user);
  // Every call fails with `status` from now on.
  void FailWith(const grpc::Status& status);
  Seen seen() const;

  grpc::Status GrantRole(grpc::ServerContext* context,
                         const pwx::v1::GrantRoleRequest* request,
                         pwx::v1::User* response) override;
  grpc::Status RevokeRole(grpc::ServerContext* context,
                          const pwx::v1::RevokeRoleRequest* request,
                          pwx::v1::User* response) override;
  grpc::Status ListUsers(grpc::ServerContext* context,
                         const pwx::v1::ListUsersRequest* request,
                         pwx::v1::ListUsersResponse* response) override;
  // Sets the caller's language (creating the caller), returns the caller.
  grpc::Status SetLanguage(grpc::ServerContext* context,
                           const pwx::v1::SetLanguageRequest* request,
                           pwx::v1::User* response) override;

 private:
  mutable absl::Mutex mutex_;
  std::map<std::string, pwx::v1::User> users_ ABSL_GUARDED_BY(mutex_);
  std::optional<grpc::Status> failure_ ABSL_GUARDED_BY(mutex_);
  Seen seen_ ABSL_GUARDED_BY(mutex_);
};

// Serves an audit log taken from export records (see AuditExportBuilder):
// entries, the last signed head and its certificate; proofs are computed
// with the domain Merkle code. Thread-safe.
class FakeAuditService final : public pwx::v1::AuditService::Service {
 public:
  struct Seen {
    std::vector<pwx::v1::ListEntriesRequest> lists;
    std::vector<pwx::v1::GetInclusionProofRequest> inclusions;
    std::vector<pwx::v1::GetConsistencyProofRequest> consistencies;
    std::vector<pwx::v1::GetAccessLogRequest> access_logs;
    std::vector<pwx::v1::ListReceiptsRequest> receipts;
    int exports = 0;
  };

  // The log: what ExportLog streams, and where the entries, the latest head
  // and the certificate come from.
  void SetExport(std::vector<pwx::v1::LogExportRecord> records);
  // The receipts of `peer` (any other peer is NOT_FOUND), in pages of two
  // batches, with `certificates` (SHA-256 hex -> PEM) in every page.
  void SetReceipts(std::string peer,
                   std::vector<pwx::v1::DeliverResponse> batches,
                   std::map<std::string, std::string> certificates);
  // From now on every proof has one hash altered.
  void CorruptProofs();
  Seen seen() const;

  grpc::Status GetTreeHead(grpc::ServerContext* context,
                           const pwx::v1::GetTreeHeadRequest* request,
                           pwx::v1::GetTreeHeadResponse* response) override;
  grpc::Status ListEntries(grpc::ServerContext* context,
                           const pwx::v1::ListEntriesRequest* request,
                           pwx::v1::ListEntriesResponse* response) override;
  grpc::Status GetInclusionProof(
      grpc::ServerContext* context,
      const pwx::v1::GetInclusionProofRequest* request,
      pwx::v1::InclusionProof* response) override;
  grpc::Status GetConsistencyProof(
      grpc::ServerContext* context,
      const pwx::v1::GetConsistencyProofRequest* request,
      pwx::v1::ConsistencyProof* response) override;
  grpc::Status ExportLog(
      grpc::ServerContext* context, const pwx::v1::ExportLogRequest* request,
      grpc::ServerWriter<pwx::v1::LogExportRecord>* writer) override;
  grpc::Status GetAccessLog(grpc::ServerContext* context,
                            const pwx::v1::GetAccessLogRequest* request,
                            pwx::v1::GetAccessLogResponse* response) override;
  grpc::Status ListReceipts(grpc::ServerContext* context,
                            const pwx::v1::ListReceiptsRequest* request,
                            pwx::v1::ListReceiptsResponse* response) override;

 private:
  mutable absl::Mutex mutex_;
  std::string receipts_peer_ ABSL_GUARDED_BY(mutex_);
  std::vector<pwx::v1::DeliverResponse> receipts_ ABSL_GUARDED_BY(mutex_);
  std::map<std::string, std::string> receipt_certificates_
      ABSL_GUARDED_BY(mutex_);
  std::vector<pwx::v1::LogExportRecord> records_ ABSL_GUARDED_BY(mutex_);
  std::vector<pwx::v1::LoggedEntry> entries_ ABSL_GUARDED_BY(mutex_);
  domain::MemoryMerkleTree tree_ ABSL_GUARDED_BY(mutex_);
  std::optional<pwx::v1::SignedTreeHead> latest_ ABSL_GUARDED_BY(mutex_);
  std::string certificate_pem_ ABSL_GUARDED_BY(mutex_);
  bool corrupt_proofs_ ABSL_GUARDED_BY(mutex_) = false;
  Seen seen_ ABSL_GUARDED_BY(mutex_);
};

// The fakes served on 127.0.0.1 with a node certificate for FR-DGT, plus the
// PEM files a user "alice" of the same CA connects with.
class FakeNode {
 public:
  // Starts the server; aborts the test binary if it cannot.
  static std::unique_ptr<FakeNode> Start();
  ~FakeNode();

  // "localhost:<port>", matching the node certificate's DNS name.
  const std::string& address() const { return address_; }
  const std::string& ca_file() const { return ca_file_; }
  const std::string& cert_file() const { return cert_file_; }
  const std::string& key_file() const { return key_file_; }
  // A fresh directory for the test's own files.
  const std::string& dir() const { return dir_; }

  FakeCaseService& cases() { return cases_; }
  FakeAdminService& admin() { return admin_; }
  FakeUserService& users() { return users_; }
  FakePeerService& peers() { return peers_; }
  FakeAuditService& audit() { return audit_; }
  FakeCatalogueService& catalogue() { return catalogue_; }
  FakeCalendarService& calendars() { return calendars_; }
  FakeRequestService& requests() { return requests_; }
  FakePlanService& plans() { return plans_; }

 private:
  FakeNode() = default;

  FakeCaseService cases_;
  FakeAdminService admin_;
  FakeUserService users_;
  FakePeerService peers_;
  FakeAuditService audit_;
  FakeCatalogueService catalogue_;
  FakeCalendarService calendars_;
  FakeRequestService requests_;
  FakePlanService plans_;
  std::unique_ptr<grpc::Server> server_;
  std::string address_;
  std::string dir_;
  std::string ca_file_;
  std::string cert_file_;
  std::string key_file_;
};

}  // namespace pwx::testing

#endif  // PWX_TESTS_CLIENT_FAKE_NODE_H_
