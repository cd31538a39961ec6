#include "tests/client/fake_catalogue_service.h"

#include <utility>

namespace pwx::testing {

void FakeCatalogueService::SetQuestions(
    std::vector<pwx::v1::CatalogueQuestion> questions) {
  absl::MutexLock lock(&mutex_);
  questions_ = std::move(questions);
}

void FakeCatalogueService::SetPreference(std::string language) {
  absl::MutexLock lock(&mutex_);
  preference_ = std::move(language);
}

void FakeCatalogueService::FailWith(const grpc::Status& status) {
  absl::MutexLock lock(&mutex_);
  failure_ = status;
}

std::vector<pwx::v1::ListQuestionsRequest> FakeCatalogueService::seen() const {
  absl::MutexLock lock(&mutex_);
  return seen_;
}

grpc::Status FakeCatalogueService::ListQuestions(
    grpc::ServerContext* /*context*/,
    const pwx::v1::ListQuestionsRequest* request,
    pwx::v1::ListQuestionsResponse* response) {
  absl::MutexLock lock(&mutex_);
  seen_.push_back(*request);
  if (failure_.has_value()) return *failure_;
  response->set_version("test.1");
  // As a node does: the catalogue language of the tag, "pl" for "pl-PL".
  const std::string& tag =
      request->language().empty() ? preference_ : request->language();
  response->set_language(tag.substr(0, tag.find('-')));
  for (const pwx::v1::CatalogueQuestion& q : questions_) {
    *response->add_questions() = q;
  }
  return grpc::Status::OK;
}

}  // namespace pwx::testing
