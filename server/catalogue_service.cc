#include "server/catalogue_service.h"

#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "server/rpc_util.h"

namespace pwx::server {

absl::StatusOr<std::string> ReaderLanguage(const Authorizer& authz,
                                           const std::string& user,
                                           const std::string& requested) {
  if (!requested.empty()) {
    if (absl::Status s = domain::ValidateLanguage("language", requested);
        !s.ok()) {
      return s;
    }
    return std::string(*domain::CatalogueLanguage(requested));
  }
  // A preference was valid when set; should the catalogue ever drop its
  // language, English is still an answer.
  std::optional<std::string_view> preferred =
      domain::CatalogueLanguage(authz.Language(user));
  return std::string(preferred.value_or(domain::kCatalogueLanguages[0]));
}

grpc::ServerUnaryReactor* CatalogueServiceImpl::ListQuestions(
    grpc::CallbackServerContext* context,
    const pwx::v1::ListQuestionsRequest* request,
    pwx::v1::ListQuestionsResponse* response) {
  auto call =
      UnaryCall::Start(context, *authz_, Permission::kAnyRole, "ListQuestions");
  if (!call->allowed()) return call->reactor();
  absl::StatusOr<std::string> language =
      ReaderLanguage(*authz_, call->user(), request->language());
  if (!language.ok()) {
    call->Finish(language.status());
    return call->reactor();
  }
  call->set_object(*language);
  response->set_version(catalogue_->version());
  response->set_language(*language);
  for (pwx::v1::CatalogueQuestion& question : catalogue_->List(*language)) {
    *response->add_questions() = std::move(question);
  }
  call->Finish(absl::OkStatus());
  return call->reactor();
}

}  // namespace pwx::server
