// CatalogueService on the API port: the question catalogue, in the caller's
// language. Open to every user holding a role; reading it writes nothing.
#ifndef PWX_SERVER_CATALOGUE_SERVICE_H_
#define PWX_SERVER_CATALOGUE_SERVICE_H_

#include <grpcpp/grpcpp.h>

#include <string>

#include "pwx/v1/catalogue_service.grpc.pb.h"
#include "server/authorizer.h"
#include "server/domain/catalogue.h"

namespace pwx::server {

// The catalogue language to show `user` texts in: `requested` when given
// (INVALID_ARGUMENT naming "language" when the catalogue does not have it),
// else the user's preference (Authorizer::Language), else "en".
absl::StatusOr<std::string> ReaderLanguage(const Authorizer& authz,
                                           const std::string& user,
                                           const std::string& requested);

// Thread-safe. `catalogue` and `authz` must outlive the service. Every RPC
// needs Permission::kAnyRole.
class CatalogueServiceImpl final
    : public pwx::v1::CatalogueService::CallbackService {
 public:
  CatalogueServiceImpl(const domain::QuestionCatalogue* catalogue,
                       const Authorizer* authz)
      : catalogue_(catalogue), authz_(authz) {}

  grpc::ServerUnaryReactor* ListQuestions(
      grpc::CallbackServerContext* context,
      const pwx::v1::ListQuestionsRequest* request,
      pwx::v1::ListQuestionsResponse* response) override;

 private:
  const domain::QuestionCatalogue* const catalogue_;
  const Authorizer* const authz_;
};

}  // namespace pwx::server

#endif  // PWX_SERVER_CATALOGUE_SERVICE_H_
