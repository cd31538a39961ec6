// A typed wrapper over the RequestService stub that speaks absl::Status and
// applies a per-call deadline.
#ifndef PWX_CLIENT_REQUEST_CLIENT_H_
#define PWX_CLIENT_REQUEST_CLIENT_H_

#include <istream>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "client/attachment_transfer.h"
#include "grpcpp/channel.h"
#include "pwx/v1/request.pb.h"
#include "pwx/v1/request_service.grpc.pb.h"

namespace pwx::client {

// Calls RequestService on one channel. Every call gets its own deadline of
// `timeout` from its start (none when timeout is absl::InfiniteDuration()).
// Thread-safe: calls may run concurrently.
class RequestClient {
 public:
  RequestClient(std::shared_ptr<grpc::Channel> channel, absl::Duration timeout);

  absl::StatusOr<pwx::v1::Request> CreateRequest(
      const pwx::v1::CreateRequestRequest& request) const;
  absl::StatusOr<pwx::v1::Request> GetRequest(
      const std::string& id, const std::string& language = "") const;
  absl::StatusOr<pwx::v1::Request> Act(
      const pwx::v1::ActRequest& request) const;
  // One page.
  absl::StatusOr<pwx::v1::ListRequestsResponse> ListRequests(
      const pwx::v1::ListRequestsRequest& request) const;
  // Every page from request.page_token on, merged into one response with an
  // empty next_page_token. Fails with INTERNAL if the server repeats a page
  // token, rather than looping forever.
  absl::StatusOr<pwx::v1::ListRequestsResponse> ListAllRequests(
      pwx::v1::ListRequestsRequest request) const;
  absl::StatusOr<pwx::v1::GetStatsResponse> GetStats(
      const pwx::v1::GetStatsRequest& request) const;
  // Streams `content` after `header` (client/attachment_transfer.h).
  // Returns the request with the new attachment.
  absl::StatusOr<pwx::v1::Request> UploadAttachment(
      const pwx::v1::RequestAttachmentHeader& header,
      std::istream& content) const;
  // Streams an attachment into `sink`; returns its metadata.
  absl::StatusOr<pwx::v1::RequestAttachment> DownloadAttachment(
      const std::string& request_id, const std::string& sha256,
      const DownloadSinkOf<pwx::v1::RequestAttachment>& sink) const;

 private:
  void SetDeadline(grpc::ClientContext* context) const;

  std::unique_ptr<pwx::v1::RequestService::Stub> stub_;
  absl::Duration timeout_;
};

}  // namespace pwx::client

#endif  // PWX_CLIENT_REQUEST_CLIENT_H_
