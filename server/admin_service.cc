#include "server/admin_service.h"

#include <memory>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "server/audit_trail.h"
#include "server/domain/digest.h"
#include "server/rpc_util.h"

namespace pwx::server {

AdminServiceImpl::AdminServiceImpl(std::string authority_id,
                                   storage::RocksStore* store,
                                   const Authorizer* authz)
    : authority_id_(std::move(authority_id)), store_(store), authz_(authz) {}

AdminServiceImpl::~AdminServiceImpl() {
  std::vector<std::thread> jobs;
  {
    absl::MutexLock lock(&mu_);
    jobs.swap(jobs_);
  }
  for (std::thread& job : jobs) job.join();
}

grpc::ServerUnaryReactor* AdminServiceImpl::CreateBackup(
    grpc::CallbackServerContext* context,
    const pwx::v1::CreateBackupRequest* request,
    pwx::v1::CreateBackupResponse* response) {
  auto call = UnaryCall::Start(context, *authz_, Permission::kBackup,
                               "CreateBackup", request->directory());
  if (!call->allowed()) return call->reactor();
  if (request->directory().empty() || request->directory()[0] != '/') {
    call->Finish(absl::InvalidArgumentError(
        "directory: must be an absolute path on the server"));
    return call->reactor();
  }
  absl::MutexLock lock(&mu_);
  // A backup takes a while: on a thread of its own, not a gRPC one.
  jobs_.emplace_back([this, call, response, directory = request->directory()] {
    absl::StatusOr<storage::BackupInfo> info = store_->Backup(directory);
    if (info.ok()) {
      response->set_backup_id(info->backup_id);
      response->set_size_bytes(info->size_bytes);
      response->set_directory(directory);
      // The content hash is of the response: backup id, size and
      // directory, which identify the backup made.
      AppendAuditAsync(
          store_,
          AuditEntryBytes(ToProtoTime(absl::Now()), authority_id_, call->user(),
                          "node.backup", directory,
                          domain::Sha256Hex(response->SerializeAsString())),
          "node.backup", call->user(), directory);
    }
    call->Finish(info.status());
  });
  return call->reactor();
}

}  // namespace pwx::server
