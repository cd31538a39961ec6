// CaseService on the API port: translates gRPC calls to CaseManager calls
// and back. Holds no state of its own.
#ifndef PWX_SERVER_CASE_SERVICE_H_
#define PWX_SERVER_CASE_SERVICE_H_

#include <grpcpp/grpcpp.h>

#include "pwx/v1/case_service.grpc.pb.h"
#include "server/attachment_spool.h"
#include "server/authorizer.h"
#include "server/case_manager.h"
#include "server/case_sharing.h"
#include "server/requests.h"

namespace pwx::server {

// Thread-safe. `cases`, `spool` (where uploads are held while they arrive),
// `authz` and `sharing` must outlive the service; `sharing` may be null (the
// node does not federate: ShareCase is then FAILED_PRECONDITION). Every call
// needs the inspector role.
class CaseServiceImpl final : public pwx::v1::CaseService::CallbackService {
 public:
  // `requests` (null: none) fills in a case's request_ids on GetCase.
  CaseServiceImpl(CaseManager* cases, const AttachmentSpool* spool,
                  const Authorizer* authz, CaseSharing* sharing = nullptr,
                  const Requests* requests = nullptr)
      : cases_(cases),
        spool_(spool),
        authz_(authz),
        sharing_(sharing),
        requests_(requests) {}

  grpc::ServerUnaryReactor* CreateCase(
      grpc::CallbackServerContext* context,
      const pwx::v1::CreateCaseRequest* request,
      pwx::v1::Case* response) override;
  grpc::ServerUnaryReactor* GetCase(grpc::CallbackServerContext* context,
                                    const pwx::v1::GetCaseRequest* request,
                                    pwx::v1::Case* response) override;
  grpc::ServerUnaryReactor* UpdateCase(
      grpc::CallbackServerContext* context,
      const pwx::v1::UpdateCaseRequest* request,
      pwx::v1::Case* response) override;
  grpc::ServerUnaryReactor* ListCases(
      grpc::CallbackServerContext* context,
      const pwx::v1::ListCasesRequest* request,
      pwx::v1::ListCasesResponse* response) override;
  grpc::ServerUnaryReactor* AddNote(grpc::CallbackServerContext* context,
                                    const pwx::v1::AddNoteRequest* request,
                                    pwx::v1::Case* response) override;
  grpc::ServerReadReactor<pwx::v1::UploadAttachmentRequest>* UploadAttachment(
      grpc::CallbackServerContext* context, pwx::v1::Case* response) override;
  grpc::ServerWriteReactor<pwx::v1::DownloadAttachmentResponse>*
  DownloadAttachment(
      grpc::CallbackServerContext* context,
      const pwx::v1::DownloadAttachmentRequest* request) override;
  grpc::ServerUnaryReactor* ShareCase(
      grpc::CallbackServerContext* context,
      const pwx::v1::ShareCaseRequest* request,
      pwx::v1::ShareCaseResponse* response) override;

 private:
  CaseManager* const cases_;
  const AttachmentSpool* const spool_;
  const Authorizer* const authz_;
  CaseSharing* const sharing_;
  const Requests* const requests_;
};

}  // namespace pwx::server

#endif  // PWX_SERVER_CASE_SERVICE_H_
