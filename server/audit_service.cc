#include "server/audit_service.h"

#include <memory>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "server/rpc_util.h"

namespace pwx::server {
namespace {

// Runs one reader call for an allowed caller and finishes the RPC with it.
template <typename Response, typename Read>
grpc::ServerUnaryReactor* Serve(grpc::CallbackServerContext* context,
                                const Authorizer& authz, absl::string_view rpc,
                                absl::string_view object, Response* response,
                                Read read) {
  auto call = UnaryCall::Start(context, authz, Permission::kAudit, rpc, object);
  if (!call->allowed()) return call->reactor();
  call->FinishWith(response)(read());
  return call->reactor();
}

}  // namespace

// Writes the export records one at a time, reading the next one only when
// the previous write is done.
class AuditServiceImpl::ExportReactor final
    : public grpc::ServerWriteReactor<pwx::v1::LogExportRecord> {
 public:
  ExportReactor(const AuditServiceImpl* service, std::string user)
      : service_(service), log_("ExportLog", std::move(user)) {}

  // Checks the caller and starts writing; finishes at once on an error.
  void Start() {
    absl::Status s =
        service_->authz_->Check(log_.user(), Permission::kAudit, "ExportLog");
    if (s.ok()) {
      absl::StatusOr<std::unique_ptr<LogExport>> cursor =
          service_->reader_->Export();
      s = cursor.status();
      if (s.ok()) {
        export_ = *std::move(cursor);
        log_.set_object(absl::StrCat("entries 0..", export_->entry_count()));
      }
    }
    if (!s.ok()) {
      Stop(s);
      return;
    }
    WriteNext();
  }

  void OnWriteDone(bool ok) override {
    if (!ok) {
      Stop(absl::CancelledError("the client stopped reading the export"));
      return;
    }
    WriteNext();
  }

  void OnDone() override { delete this; }

 private:
  void WriteNext() {
    absl::StatusOr<bool> more = export_->Next(&record_);
    if (!more.ok()) {
      Stop(more.status());
    } else if (!*more) {
      Stop(absl::OkStatus());
    } else {
      StartWrite(&record_);
    }
  }

  void Stop(const absl::Status& status) {
    log_.Finish(status);
    Finish(ToGrpcStatus(status));
  }

  const AuditServiceImpl* const service_;
  CallLog log_;
  std::unique_ptr<LogExport> export_;
  pwx::v1::LogExportRecord record_;
};

grpc::ServerUnaryReactor* AuditServiceImpl::GetTreeHead(
    grpc::CallbackServerContext* context, const pwx::v1::GetTreeHeadRequest*,
    pwx::v1::GetTreeHeadResponse* response) {
  return Serve(context, *authz_, "GetTreeHead", "", response,
               [this] { return reader_->TreeHead(); });
}

grpc::ServerUnaryReactor* AuditServiceImpl::ListEntries(
    grpc::CallbackServerContext* context,
    const pwx::v1::ListEntriesRequest* request,
    pwx::v1::ListEntriesResponse* response) {
  return Serve(context, *authz_, "ListEntries",
               absl::StrCat("entries ", request->from_index(), "..",
                            request->to_index()),
               response,
               [this, request] { return reader_->Entries(*request); });
}

grpc::ServerUnaryReactor* AuditServiceImpl::GetInclusionProof(
    grpc::CallbackServerContext* context,
    const pwx::v1::GetInclusionProofRequest* request,
    pwx::v1::InclusionProof* response) {
  return Serve(
      context, *authz_, "GetInclusionProof",
      absl::StrCat("entry ", request->index(), " of ", request->tree_size()),
      response, [this, request] { return reader_->InclusionProof(*request); });
}

grpc::ServerUnaryReactor* AuditServiceImpl::GetConsistencyProof(
    grpc::CallbackServerContext* context,
    const pwx::v1::GetConsistencyProofRequest* request,
    pwx::v1::ConsistencyProof* response) {
  return Serve(
      context, *authz_, "GetConsistencyProof",
      absl::StrCat("sizes ", request->from_size(), "..", request->to_size()),
      response,
      [this, request] { return reader_->ConsistencyProof(*request); });
}

grpc::ServerWriteReactor<pwx::v1::LogExportRecord>* AuditServiceImpl::ExportLog(
    grpc::CallbackServerContext* context, const pwx::v1::ExportLogRequest*) {
  auto* reactor = new ExportReactor(this, CallerName(*context));
  reactor->Start();
  return reactor;
}

grpc::ServerUnaryReactor* AuditServiceImpl::GetAccessLog(
    grpc::CallbackServerContext* context,
    const pwx::v1::GetAccessLogRequest* request,
    pwx::v1::GetAccessLogResponse* response) {
  return Serve(context, *authz_, "GetAccessLog", request->case_id(), response,
               [this, request] { return reader_->AccessLog(*request); });
}

grpc::ServerUnaryReactor* AuditServiceImpl::ListReceipts(
    grpc::CallbackServerContext* context,
    const pwx::v1::ListReceiptsRequest* request,
    pwx::v1::ListReceiptsResponse* response) {
  return Serve(context, *authz_, "ListReceipts", request->peer(), response,
               [this, request] { return reader_->Receipts(*request); });
}

}  // namespace pwx::server
