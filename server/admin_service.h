// AdminService on the API port: node administration for coordinators and
// admins.
#ifndef PWX_SERVER_ADMIN_SERVICE_H_
#define PWX_SERVER_ADMIN_SERVICE_H_

#include <grpcpp/grpcpp.h>

#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "pwx/v1/admin_service.grpc.pb.h"
#include "server/authorizer.h"
#include "storage/rocks_store.h"

namespace pwx::server {

// Thread-safe. Backups run on their own threads (they copy files for a
// while), never on gRPC's; the destructor waits for running ones.
class AdminServiceImpl final : public pwx::v1::AdminService::CallbackService {
 public:
  // `store` and `authz` must outlive the service. Successful backups are
  // recorded in the audit log as entries of `authority_id`.
  AdminServiceImpl(std::string authority_id, storage::RocksStore* store,
                   const Authorizer* authz);
  ~AdminServiceImpl() override;

  grpc::ServerUnaryReactor* CreateBackup(
      grpc::CallbackServerContext* context,
      const pwx::v1::CreateBackupRequest* request,
      pwx::v1::CreateBackupResponse* response) override;

 private:
  const std::string authority_id_;
  storage::RocksStore* const store_;
  const Authorizer* const authz_;
  absl::Mutex mu_;
  std::vector<std::thread> jobs_ ABSL_GUARDED_BY(mu_);
};

}  // namespace pwx::server

#endif  // PWX_SERVER_ADMIN_SERVICE_H_
