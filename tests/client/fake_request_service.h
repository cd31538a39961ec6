// A RequestService stand-in for the CLI tests: records what the CLI sent and
// answers from what the test put in.
#ifndef PWX_TESTS_CLIENT_FAKE_REQUEST_SERVICE_H_
#define PWX_TESTS_CLIENT_FAKE_REQUEST_SERVICE_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "grpcpp/server_context.h"
#include "pwx/v1/request_service.grpc.pb.h"

namespace pwx::testing {

// Keeps requests in memory. CreateRequest answers with a draft
// kCreatedId from FR-DGT holding what was sent; GetRequest with a known
// request (NOT_FOUND otherwise); Act with the known request, the step
// appended to its history as FR-DGT's; ListRequests with the page set for
// the request's page token (an empty page otherwise); GetStats with the
// canned scoreboard. Thread-safe.
class FakeRequestService final : public pwx::v1::RequestService::Service {
 public:
  // What the fake saw; tests read it after the CLI returned.
  struct Seen {
    std::vector<pwx::v1::CreateRequestRequest> creates;
    std::vector<pwx::v1::GetRequestRequest> gets;
    std::vector<pwx::v1::ActRequest> acts;
    std::vector<pwx::v1::ListRequestsRequest> lists;
    std::vector<pwx::v1::GetStatsRequest> stats;
    std::vector<pwx::v1::RequestAttachmentHeader> upload_headers;
    std::string upload_content;
    std::vector<pwx::v1::DownloadRequestAttachmentRequest> downloads;
  };

  static constexpr char kCreatedId[] = "FR-DGT-R-2026-000001";

  // A request known before the test's command runs.
  void AddRequest(const pwx::v1::Request& request);
  // ListRequests answers a request with `page_token` with `page`.
  void SetPage(const std::string& page_token,
               const pwx::v1::ListRequestsResponse& page);
  void SetStats(const pwx::v1::GetStatsResponse& stats);
  // DownloadRequestAttachment serves `content` with `meta` for its sha256
  // (NOT_FOUND for another), in chunks of 1000 bytes.
  void AddContent(const pwx::v1::RequestAttachment& meta,
                  const std::string& content);
  // Every call fails with `status` from now on (after being recorded).
  void FailWith(const grpc::Status& status);
  Seen seen() const;

  grpc::Status CreateRequest(grpc::ServerContext* context,
                             const pwx::v1::CreateRequestRequest* request,
                             pwx::v1::Request* response) override;
  grpc::Status GetRequest(grpc::ServerContext* context,
                          const pwx::v1::GetRequestRequest* request,
                          pwx::v1::Request* response) override;
  grpc::Status Act(grpc::ServerContext* context,
                   const pwx::v1::ActRequest* request,
                   pwx::v1::Request* response) override;
  grpc::Status ListRequests(grpc::ServerContext* context,
                            const pwx::v1::ListRequestsRequest* request,
                            pwx::v1::ListRequestsResponse* response) override;
  // Answers with the known request (an empty one with the header's id
  // otherwise) and the upload appended to its attachments, authored by
  // FR-DGT.
  grpc::Status UploadRequestAttachment(
      grpc::ServerContext* context,
      grpc::ServerReader<pwx::v1::UploadRequestAttachmentRequest>* reader,
      pwx::v1::Request* response) override;
  grpc::Status DownloadRequestAttachment(
      grpc::ServerContext* context,
      const pwx::v1::DownloadRequestAttachmentRequest* request,
      grpc::ServerWriter<pwx::v1::DownloadRequestAttachmentResponse>* writer)
      override;
  grpc::Status GetStats(grpc::ServerContext* context,
                        const pwx::v1::GetStatsRequest* request,
                        pwx::v1::GetStatsResponse* response) override;

 private:
  mutable absl::Mutex mutex_;
  std::map<std::string, pwx::v1::Request> requests_ ABSL_GUARDED_BY(mutex_);
  std::map<std::string, pwx::v1::ListRequestsResponse> pages_
      ABSL_GUARDED_BY(mutex_);
  pwx::v1::GetStatsResponse stats_ ABSL_GUARDED_BY(mutex_);
  std::map<std::string, std::pair<pwx::v1::RequestAttachment, std::string>>
      contents_ ABSL_GUARDED_BY(mutex_);
  std::optional<grpc::Status> failure_ ABSL_GUARDED_BY(mutex_);
  Seen seen_ ABSL_GUARDED_BY(mutex_);
};

}  // namespace pwx::testing

#endif  // PWX_TESTS_CLIENT_FAKE_REQUEST_SERVICE_H_
