// AuditService on the API port: the node's audit log for auditors (role
// auditor), read by an AuditReader. The service checks the caller and
// translates; see audit_reader.h for what each call returns and why reading
// the log writes no entry of its own. GetAccessLog reveals who read a case,
// which is about the inspectors' work, not the workers' data; it is not
// recorded either. A denied call is recorded (by Authorizer::Check) like
// every denial.
#ifndef PWX_SERVER_AUDIT_SERVICE_H_
#define PWX_SERVER_AUDIT_SERVICE_H_

#include <grpcpp/grpcpp.h>

#include "pwx/v1/audit_service.grpc.pb.h"
#include "server/audit_reader.h"
#include "server/authorizer.h"

namespace pwx::server {

// Thread-safe. `reader` and `authz` must outlive the service. Every RPC
// needs Permission::kAudit. Calls read the store on gRPC's callback threads
// (point reads and bounded scans); none of them signs or writes.
class AuditServiceImpl final : public pwx::v1::AuditService::CallbackService {
 public:
  AuditServiceImpl(const AuditReader* reader, const Authorizer* authz)
      : reader_(reader), authz_(authz) {}

  grpc::ServerUnaryReactor* GetTreeHead(
      grpc::CallbackServerContext* context,
      const pwx::v1::GetTreeHeadRequest* request,
      pwx::v1::GetTreeHeadResponse* response) override;
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
  // Streams lazily, one record per write.
  grpc::ServerWriteReactor<pwx::v1::LogExportRecord>* ExportLog(
      grpc::CallbackServerContext* context,
      const pwx::v1::ExportLogRequest* request) override;
  grpc::ServerUnaryReactor* GetAccessLog(
      grpc::CallbackServerContext* context,
      const pwx::v1::GetAccessLogRequest* request,
      pwx::v1::GetAccessLogResponse* response) override;
  grpc::ServerUnaryReactor* ListReceipts(
      grpc::CallbackServerContext* context,
      const pwx::v1::ListReceiptsRequest* request,
      pwx::v1::ListReceiptsResponse* response) override;

 private:
  class ExportReactor;

  const AuditReader* const reader_;
  const Authorizer* const authz_;
};

}  // namespace pwx::server

#endif  // PWX_SERVER_AUDIT_SERVICE_H_
