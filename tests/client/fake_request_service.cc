#include "tests/client/fake_request_service.h"

#include "tests/client/fake_node.h"

namespace pwx::testing {

void FakeRequestService::AddRequest(const pwx::v1::Request& request) {
  absl::MutexLock lock(&mutex_);
  requests_[request.id()] = request;
}

void FakeRequestService::SetPage(const std::string& page_token,
                                 const pwx::v1::ListRequestsResponse& page) {
  absl::MutexLock lock(&mutex_);
  pages_[page_token] = page;
}

void FakeRequestService::SetStats(const pwx::v1::GetStatsResponse& stats) {
  absl::MutexLock lock(&mutex_);
  stats_ = stats;
}

void FakeRequestService::AddContent(const pwx::v1::RequestAttachment& meta,
                                    const std::string& content) {
  absl::MutexLock lock(&mutex_);
  contents_[meta.sha256()] = {meta, content};
}

grpc::Status FakeRequestService::UploadRequestAttachment(
    grpc::ServerContext* /*context*/,
    grpc::ServerReader<pwx::v1::UploadRequestAttachmentRequest>* reader,
    pwx::v1::Request* response) {
  pwx::v1::UploadRequestAttachmentRequest message;
  if (!reader->Read(&message) || !message.has_header()) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        "the first message must carry the header");
  }
  const pwx::v1::RequestAttachmentHeader header = message.header();
  std::string content;
  while (reader->Read(&message)) content += message.chunk();
  absl::MutexLock lock(&mutex_);
  seen_.upload_headers.push_back(header);
  seen_.upload_content = content;
  if (failure_.has_value()) return *failure_;
  auto it = requests_.find(header.request_id());
  if (it != requests_.end()) {
    *response = it->second;
  } else {
    response->set_id(header.request_id());
  }
  pwx::v1::RequestAttachment* a = response->add_attachments();
  a->set_file_name(header.file_name());
  a->set_media_type(header.media_type());
  a->set_size_bytes(content.size());
  a->set_authority("FR-DGT");
  a->set_side(pwx::v1::REQUEST_SIDE_REQUESTER);
  a->set_content_available(true);
  return grpc::Status::OK;
}

grpc::Status FakeRequestService::DownloadRequestAttachment(
    grpc::ServerContext* /*context*/,
    const pwx::v1::DownloadRequestAttachmentRequest* request,
    grpc::ServerWriter<pwx::v1::DownloadRequestAttachmentResponse>* writer) {
  std::pair<pwx::v1::RequestAttachment, std::string> found;
  {
    absl::MutexLock lock(&mutex_);
    seen_.downloads.push_back(*request);
    if (failure_.has_value()) return *failure_;
    auto it = contents_.find(request->sha256());
    if (it == contents_.end()) {
      return grpc::Status(grpc::StatusCode::NOT_FOUND,
                          "request " + request->request_id() +
                              " has no attachment " + request->sha256());
    }
    found = it->second;
  }
  pwx::v1::DownloadRequestAttachmentResponse message;
  *message.mutable_meta() = found.first;
  if (!writer->Write(message)) return grpc::Status::CANCELLED;
  message.clear_meta();
  std::string_view rest = found.second;
  while (!rest.empty()) {
    const size_t n = std::min<size_t>(1000, rest.size());
    message.set_chunk(std::string(rest.substr(0, n)));
    rest.remove_prefix(n);
    if (!writer->Write(message)) return grpc::Status::CANCELLED;
  }
  return grpc::Status::OK;
}

void FakeRequestService::FailWith(const grpc::Status& status) {
  absl::MutexLock lock(&mutex_);
  failure_ = status;
}

FakeRequestService::Seen FakeRequestService::seen() const {
  absl::MutexLock lock(&mutex_);
  return seen_;
}

grpc::Status FakeRequestService::CreateRequest(
    grpc::ServerContext* /*context*/,
    const pwx::v1::CreateRequestRequest* request, pwx::v1::Request* response) {
  absl::MutexLock lock(&mutex_);
  seen_.creates.push_back(*request);
  if (failure_.has_value()) return *failure_;
  pwx::v1::Request created;
  created.set_id(kCreatedId);
  created.set_requester("FR-DGT");
  created.set_recipient(request->recipient());
  *created.mutable_content() = request->content();
  created.set_state(pwx::v1::REQUEST_STATE_DRAFT);
  created.set_my_side(pwx::v1::REQUEST_SIDE_REQUESTER);
  created.set_next_actor(pwx::v1::REQUEST_SIDE_REQUESTER);
  requests_[created.id()] = created;
  *response = created;
  return grpc::Status::OK;
}

grpc::Status FakeRequestService::GetRequest(
    grpc::ServerContext* /*context*/, const pwx::v1::GetRequestRequest* request,
    pwx::v1::Request* response) {
  absl::MutexLock lock(&mutex_);
  seen_.gets.push_back(*request);
  if (failure_.has_value()) return *failure_;
  auto it = requests_.find(request->id());
  if (it == requests_.end()) {
    return grpc::Status(grpc::StatusCode::NOT_FOUND,
                        "request " + request->id() + " not found");
  }
  *response = it->second;
  return grpc::Status::OK;
}

grpc::Status FakeRequestService::Act(grpc::ServerContext* context,
                                     const pwx::v1::ActRequest* request,
                                     pwx::v1::Request* response) {
  absl::MutexLock lock(&mutex_);
  seen_.acts.push_back(*request);
  if (failure_.has_value()) return *failure_;
  auto it = requests_.find(request->id());
  if (it == requests_.end()) {
    return grpc::Status(grpc::StatusCode::NOT_FOUND,
                        "request " + request->id() + " not found");
  }
  pwx::v1::RequestEvent* event = it->second.add_history();
  *event = request->step();
  event->set_author("FR-DGT");
  event->set_user(CallerName(*context));
  *response = it->second;
  return grpc::Status::OK;
}

grpc::Status FakeRequestService::ListRequests(
    grpc::ServerContext* /*context*/,
    const pwx::v1::ListRequestsRequest* request,
    pwx::v1::ListRequestsResponse* response) {
  absl::MutexLock lock(&mutex_);
  seen_.lists.push_back(*request);
  if (failure_.has_value()) return *failure_;
  auto it = pages_.find(request->page_token());
  if (it != pages_.end()) *response = it->second;
  return grpc::Status::OK;
}

grpc::Status FakeRequestService::GetStats(
    grpc::ServerContext* /*context*/, const pwx::v1::GetStatsRequest* request,
    pwx::v1::GetStatsResponse* response) {
  absl::MutexLock lock(&mutex_);
  seen_.stats.push_back(*request);
  if (failure_.has_value()) return *failure_;
  *response = stats_;
  return grpc::Status::OK;
}

}  // namespace pwx::testing
