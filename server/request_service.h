// RequestService on the API port: cross-border requests for inspectors,
// the scoreboard also for auditors and coordinators.
#ifndef PWX_SERVER_REQUEST_SERVICE_H_
#define PWX_SERVER_REQUEST_SERVICE_H_

#include <grpcpp/grpcpp.h>

#include "pwx/v1/request_service.grpc.pb.h"
#include "server/attachment_spool.h"
#include "server/authorizer.h"
#include "server/requests.h"

namespace pwx::server {

// Thread-safe. `requests` is null on a node without a federation listener:
// every call is then FAILED_PRECONDITION.
class RequestServiceImpl final
    : public pwx::v1::RequestService::CallbackService {
 public:
  // `spool` (null: uploads are refused) holds uploads while they arrive.
  RequestServiceImpl(Authorizer* authz, Requests* requests,
                     const AttachmentSpool* spool = nullptr)
      : authz_(authz), requests_(requests), spool_(spool) {}

  grpc::ServerUnaryReactor* CreateRequest(
      grpc::CallbackServerContext* context,
      const pwx::v1::CreateRequestRequest* request,
      pwx::v1::Request* response) override;
  grpc::ServerUnaryReactor* GetRequest(
      grpc::CallbackServerContext* context,
      const pwx::v1::GetRequestRequest* request,
      pwx::v1::Request* response) override;
  grpc::ServerUnaryReactor* Act(grpc::CallbackServerContext* context,
                                const pwx::v1::ActRequest* request,
                                pwx::v1::Request* response) override;
  grpc::ServerUnaryReactor* ListRequests(
      grpc::CallbackServerContext* context,
      const pwx::v1::ListRequestsRequest* request,
      pwx::v1::ListRequestsResponse* response) override;
  grpc::ServerReadReactor<pwx::v1::UploadRequestAttachmentRequest>*
  UploadRequestAttachment(grpc::CallbackServerContext* context,
                          pwx::v1::Request* response) override;
  grpc::ServerWriteReactor<pwx::v1::DownloadRequestAttachmentResponse>*
  DownloadRequestAttachment(
      grpc::CallbackServerContext* context,
      const pwx::v1::DownloadRequestAttachmentRequest* request) override;
  grpc::ServerUnaryReactor* GetStats(
      grpc::CallbackServerContext* context,
      const pwx::v1::GetStatsRequest* request,
      pwx::v1::GetStatsResponse* response) override;

 private:
  Authorizer* const authz_;
  Requests* const requests_;
  const AttachmentSpool* const spool_;
};

}  // namespace pwx::server

#endif  // PWX_SERVER_REQUEST_SERVICE_H_
