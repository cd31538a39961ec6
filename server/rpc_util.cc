#include "server/rpc_util.h"

#include <spdlog/spdlog.h>

#include <string>

#include "absl/time/clock.h"

namespace pwx::server {

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()),
                      std::string(status.message()));
}

std::string CallerName(const grpc::ServerContextBase& context) {
  std::shared_ptr<const grpc::AuthContext> auth = context.auth_context();
  if (auth == nullptr) return "";
  std::vector<grpc::string_ref> names =
      auth->FindPropertyValues("x509_common_name");
  if (names.empty()) return "";
  return std::string(names.front().data(), names.front().size());
}

CallLog::CallLog(absl::string_view method, std::string user)
    : method_(method), user_(std::move(user)), start_(absl::Now()) {}

void CallLog::Finish(const absl::Status& status) {
  const double ms = absl::ToDoubleMilliseconds(absl::Now() - start_);
  const std::string code = absl::StatusCodeToString(status.code());
  if (status.ok()) {
    spdlog::info("call={} user={} object={} status={} ms={:.2f}", method_,
                 user_, object_, code, ms);
  } else {
    // A validation message may quote the rejected value, which can be
    // personal data: log only the field it names.
    std::string message(status.message());
    if (absl::IsInvalidArgument(status)) {
      message.resize(std::min(message.size(), message.find(':')));
    }
    spdlog::warn("call={} user={} object={} status={} ms={:.2f} error=\"{}\"",
                 method_, user_, object_, code, ms, message);
  }
}

std::shared_ptr<UnaryCall> UnaryCall::Start(
    grpc::CallbackServerContext* context, const Authorizer& authz,
    Permission permission, absl::string_view method, absl::string_view object) {
  auto call = std::make_shared<UnaryCall>(context->DefaultReactor(), method,
                                          CallerName(*context));
  call->set_object(object);
  absl::Status allowed = authz.Check(call->user(), permission, method);
  call->allowed_ = allowed.ok();
  if (!call->allowed_) call->Finish(allowed);
  return call;
}

}  // namespace pwx::server
