#include "server/rpc_util.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "server/logging.h"

namespace pwx::server {

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()),
                      std::string(status.message()));
}

namespace {

// The user the in-process metadata names, when its secret is right.
std::string InProcessCaller(const grpc::ServerContextBase& context) {
  const auto& metadata = context.client_metadata();
  auto user = metadata.find(kWebUserMetadata);
  auto secret = metadata.find(kWebSecretMetadata);
  if (user == metadata.end() || secret == metadata.end()) return "";
  const std::string& expected = InProcessSecret();
  if (secret->second.size() != expected.size() ||
      CRYPTO_memcmp(secret->second.data(), expected.data(), expected.size()) !=
          0) {
    return "";
  }
  return std::string(user->second.data(), user->second.size());
}

}  // namespace

const std::string& InProcessSecret() {
  static const std::string* const secret = [] {
    unsigned char bytes[32];
    if (RAND_bytes(bytes, sizeof(bytes)) != 1) {
      // Without randomness no secret can be trusted; a node must not run.
      spdlog::critical("no random bytes for the in-process secret");
      std::abort();
    }
    return new std::string(absl::BytesToHexString(absl::string_view(
        reinterpret_cast<const char*>(bytes), sizeof(bytes))));
  }();
  return *secret;
}

std::string CallerName(const grpc::ServerContextBase& context) {
  std::shared_ptr<const grpc::AuthContext> auth = context.auth_context();
  if (auth != nullptr) {
    std::vector<grpc::string_ref> names =
        auth->FindPropertyValues("x509_common_name");
    if (!names.empty()) {
      return std::string(names.front().data(), names.front().size());
    }
    // A TLS connection without a certificate name never carries a web user.
    for (const grpc::string_ref& type :
         auth->FindPropertyValues("transport_security_type")) {
      if (type == "ssl" || type == "tls") return "";
    }
  }
  return InProcessCaller(context);
}

CallLog::CallLog(absl::string_view method, std::string user)
    : method_(method), user_(std::move(user)), start_(absl::Now()) {}

void CallLog::Finish(const absl::Status& status) {
  const double ms = absl::ToDoubleMilliseconds(absl::Now() - start_);
  std::vector<LogField> fields = {{"call", method_}, {"user", user_}};
  fields.push_back({"object", object_});
  if (!peer_.empty()) fields.push_back({"peer", peer_});
  fields.push_back({"status", absl::StatusCodeToString(status.code())});
  fields.push_back({"ms", absl::StrFormat("%.2f", ms), true});
  if (status.ok()) {
    LogFields(spdlog::level::info, fields);
    return;
  }
  // A validation message may quote the rejected value, which can be
  // personal data: log only the field it names.
  std::string message(status.message());
  if (absl::IsInvalidArgument(status)) {
    message.resize(std::min(message.size(), message.find(':')));
  }
  fields.push_back({"error", std::move(message)});
  LogFields(spdlog::level::warn, fields);
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
