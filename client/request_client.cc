#include "client/request_client.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "client/unary_call.h"
#include "grpcpp/client_context.h"

namespace pwx::client {

RequestClient::RequestClient(std::shared_ptr<grpc::Channel> channel,
                             absl::Duration timeout)
    : stub_(pwx::v1::RequestService::NewStub(std::move(channel))),
      timeout_(timeout) {}

absl::StatusOr<pwx::v1::Request> RequestClient::CreateRequest(
    const pwx::v1::CreateRequestRequest& request) const {
  return CallUnary<pwx::v1::Request>(
      timeout_, [&](grpc::ClientContext* context, pwx::v1::Request* response) {
        return stub_->CreateRequest(context, request, response);
      });
}

absl::StatusOr<pwx::v1::Request> RequestClient::GetRequest(
    const std::string& id, const std::string& language) const {
  pwx::v1::GetRequestRequest request;
  request.set_id(id);
  request.set_language(language);
  return CallUnary<pwx::v1::Request>(
      timeout_, [&](grpc::ClientContext* context, pwx::v1::Request* response) {
        return stub_->GetRequest(context, request, response);
      });
}

absl::StatusOr<pwx::v1::Request> RequestClient::Act(
    const pwx::v1::ActRequest& request) const {
  return CallUnary<pwx::v1::Request>(
      timeout_, [&](grpc::ClientContext* context, pwx::v1::Request* response) {
        return stub_->Act(context, request, response);
      });
}

absl::StatusOr<pwx::v1::ListRequestsResponse> RequestClient::ListRequests(
    const pwx::v1::ListRequestsRequest& request) const {
  return CallUnary<pwx::v1::ListRequestsResponse>(
      timeout_, [&](grpc::ClientContext* context,
                    pwx::v1::ListRequestsResponse* response) {
        return stub_->ListRequests(context, request, response);
      });
}

absl::StatusOr<pwx::v1::ListRequestsResponse> RequestClient::ListAllRequests(
    pwx::v1::ListRequestsRequest request) const {
  return CollectPages<pwx::v1::ListRequestsRequest,
                      pwx::v1::ListRequestsResponse>(
      std::move(request),
      [this](const pwx::v1::ListRequestsRequest& r) { return ListRequests(r); },
      [](pwx::v1::ListRequestsResponse& r) { return r.mutable_requests(); });
}

absl::StatusOr<pwx::v1::GetStatsResponse> RequestClient::GetStats(
    const pwx::v1::GetStatsRequest& request) const {
  return CallUnary<pwx::v1::GetStatsResponse>(
      timeout_,
      [&](grpc::ClientContext* context, pwx::v1::GetStatsResponse* response) {
        return stub_->GetStats(context, request, response);
      });
}

void RequestClient::SetDeadline(grpc::ClientContext* context) const {
  ApplyDeadline(timeout_, context);
}

absl::StatusOr<pwx::v1::Request> RequestClient::UploadAttachment(
    const pwx::v1::RequestAttachmentHeader& header,
    std::istream& content) const {
  grpc::ClientContext context;
  SetDeadline(&context);
  pwx::v1::Request response;
  std::unique_ptr<grpc::ClientWriter<pwx::v1::UploadRequestAttachmentRequest>>
      writer = stub_->UploadRequestAttachment(&context, &response);
  absl::Status status = StreamUpload<pwx::v1::UploadRequestAttachmentRequest>(
      &context, writer.get(), header, header.file_name(), content);
  if (!status.ok()) return status;
  return response;
}

absl::StatusOr<pwx::v1::RequestAttachment> RequestClient::DownloadAttachment(
    const std::string& request_id, const std::string& sha256,
    const DownloadSinkOf<pwx::v1::RequestAttachment>& sink) const {
  pwx::v1::DownloadRequestAttachmentRequest request;
  request.set_request_id(request_id);
  request.set_sha256(sha256);
  grpc::ClientContext context;
  SetDeadline(&context);
  std::unique_ptr<
      grpc::ClientReader<pwx::v1::DownloadRequestAttachmentResponse>>
      reader = stub_->DownloadRequestAttachment(&context, request);
  return StreamDownload(&context, reader.get(), sink);
}

}  // namespace pwx::client
