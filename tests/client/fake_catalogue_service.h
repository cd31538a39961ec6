// A CatalogueService stand-in for the CLI tests: records what the CLI sent
// and answers with the questions the test put in.
#ifndef PWX_TESTS_CLIENT_FAKE_CATALOGUE_SERVICE_H_
#define PWX_TESTS_CLIENT_FAKE_CATALOGUE_SERVICE_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "grpcpp/server_context.h"
#include "pwx/v1/catalogue_service.grpc.pb.h"

namespace pwx::testing {

// ListQuestions answers with `questions` set by the test, its `language`
// being the request's or, when the request names none, `preference` (the
// caller's, as a node would), without a region. Thread-safe.
class FakeCatalogueService final : public pwx::v1::CatalogueService::Service {
 public:
  void SetQuestions(std::vector<pwx::v1::CatalogueQuestion> questions);
  void SetPreference(std::string language);
  // Every call fails with `status` from now on.
  void FailWith(const grpc::Status& status);
  std::vector<pwx::v1::ListQuestionsRequest> seen() const;

  grpc::Status ListQuestions(grpc::ServerContext* context,
                             const pwx::v1::ListQuestionsRequest* request,
                             pwx::v1::ListQuestionsResponse* response) override;

 private:
  mutable absl::Mutex mutex_;
  std::vector<pwx::v1::CatalogueQuestion> questions_ ABSL_GUARDED_BY(mutex_);
  std::string preference_ ABSL_GUARDED_BY(mutex_) = "en";
  std::optional<grpc::Status> failure_ ABSL_GUARDED_BY(mutex_);
  std::vector<pwx::v1::ListQuestionsRequest> seen_ ABSL_GUARDED_BY(mutex_);
};

}  // namespace pwx::testing

#endif  // PWX_TESTS_CLIENT_FAKE_CATALOGUE_SERVICE_H_
