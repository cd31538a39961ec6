#include "tests/client/fake_calendar_service.h"

namespace pwx::testing {

void FakeCalendarService::SetShow(
    const pwx::v1::ShowCalendarResponse& response) {
  absl::MutexLock lock(&mutex_);
  show_ = response;
}

void FakeCalendarService::SetAdd(
    const pwx::v1::AddWorkingDaysResponse& response) {
  absl::MutexLock lock(&mutex_);
  add_ = response;
}

void FakeCalendarService::FailWith(const grpc::Status& status) {
  absl::MutexLock lock(&mutex_);
  failure_ = status;
}

FakeCalendarService::Seen FakeCalendarService::seen() const {
  absl::MutexLock lock(&mutex_);
  return seen_;
}

grpc::Status FakeCalendarService::ShowCalendar(
    grpc::ServerContext*, const pwx::v1::ShowCalendarRequest* request,
    pwx::v1::ShowCalendarResponse* response) {
  absl::MutexLock lock(&mutex_);
  seen_.shows.push_back(*request);
  if (failure_.has_value()) return *failure_;
  *response = show_;
  return grpc::Status::OK;
}

grpc::Status FakeCalendarService::AddWorkingDays(
    grpc::ServerContext*, const pwx::v1::AddWorkingDaysRequest* request,
    pwx::v1::AddWorkingDaysResponse* response) {
  absl::MutexLock lock(&mutex_);
  seen_.adds.push_back(*request);
  if (failure_.has_value()) return *failure_;
  *response = add_;
  return grpc::Status::OK;
}

}  // namespace pwx::testing
