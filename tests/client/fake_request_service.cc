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
