// AuditService on the API port: the node's audit log for auditors (role
// auditor): signed tree heads, entries, RFC 9162 proofs, the export stream
// the access log of a case, and the signed receipts peers returned.
//
// Reading the log leaves no audit entry of its own: entries hold metadata
// and hashes, never personal data, so reading them is not an access to
// personal data that the log must record, and an entry per page would make
// the log grow with every look at it. GetAccessLog reveals who read a case,
// which is about the inspectors' work, not the workers' data; it is not
// recorded either. A denied call is recorded (by Authorizer::Check) like
// every denial.
#ifndef PWX_SERVER_AUDIT_SERVICE_H_
#define PWX_SERVER_AUDIT_SERVICE_H_

#include <grpcpp/grpcpp.h>

#include <string>

#include "pwx/v1/audit_service.grpc.pb.h"
#include "server/authorizer.h"
#include "server/tree_head_signer.h"
#include "storage/audit_log.h"
#include "storage/federation_store.h"
#include "storage/kv_store.h"
#include "storage/tree_head_store.h"

namespace pwx::server {

// Thread-safe. `kv`, `federation`, `authz` and `signer` must outlive the
// service. Every RPC needs Permission::kAudit. Calls read the store on
// gRPC's callback threads (point reads and bounded scans); none of them
// signs or writes.
class AuditServiceImpl final : public pwx::v1::AuditService::CallbackService {
 public:
  AuditServiceImpl(std::string authority_id, const storage::KvStore* kv,
                   const storage::FederationStore* federation,
                   const Authorizer* authz, const TreeHeadSigner* signer);

  grpc::ServerUnaryReactor* GetTreeHead(
      grpc::CallbackServerContext* context,
      const pwx::v1::GetTreeHeadRequest* request,
      pwx::v1::GetTreeHeadResponse* response) override;
  // Entries in [from_index, to_index). With filters a page may hold fewer
  // than page_size entries (at most kMaxScan entries are examined per
  // call); the caller continues from next_index until done.
  grpc::ServerUnaryReactor* ListEntries(
      grpc::CallbackServerContext* context,
      const pwx::v1::ListEntriesRequest* request,
      pwx::v1::ListEntriesResponse* response) override;
  grpc::ServerUnaryReactor* GetInclusionProof(
      grpc::CallbackServerContext* context,
      const pwx::v1::GetInclusionProofRequest* request,
      pwx::v1::InclusionProof* response) override;
  grpc::ServerUnaryReactor* GetConsistencyProof(
      grpc::CallbackServerContext* context,
      const pwx::v1::GetConsistencyProofRequest* request,
      pwx::v1::ConsistencyProof* response) override;
  // Streams lazily, one record per write, in the order documented on
  // LogExportRecord: memory does not grow with the log.
  grpc::ServerWriteReactor<pwx::v1::LogExportRecord>* ExportLog(
      grpc::CallbackServerContext* context,
      const pwx::v1::ExportLogRequest* request) override;
  grpc::ServerUnaryReactor* GetAccessLog(
      grpc::CallbackServerContext* context,
      const pwx::v1::GetAccessLogRequest* request,
      pwx::v1::GetAccessLogResponse* response) override;
  // NOT_FOUND when the node holds no receipts from the peer and it is not a
  // peer either (a mistyped id).
  grpc::ServerUnaryReactor* ListReceipts(
      grpc::CallbackServerContext* context,
      const pwx::v1::ListReceiptsRequest* request,
      pwx::v1::ListReceiptsResponse* response) override;

  // The most entries ListEntries examines in one call.
  static constexpr uint64_t kMaxScan = 10000;

 private:
  class ExportReactor;

  // The size of the latest signed head; FAILED_PRECONDITION before the
  // first head.
  absl::StatusOr<uint64_t> SignedSize() const;

  const std::string authority_id_;
  const storage::FederationStore* const federation_;
  const Authorizer* const authz_;
  const TreeHeadSigner* const signer_;
  const storage::AuditLog log_;
  const storage::TreeHeadStore heads_;
};

}  // namespace pwx::server

#endif  // PWX_SERVER_AUDIT_SERVICE_H_
