// The edge between gRPC and the rest of the server: status conversion, the
// caller's identity and the per-call log line.
#ifndef PWX_SERVER_RPC_UTIL_H_
#define PWX_SERVER_RPC_UTIL_H_

#include <grpcpp/grpcpp.h>

#include <functional>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "server/authorizer.h"

namespace pwx::server {

// The one place absl::Status becomes grpc::Status (the codes are the same).
grpc::Status ToGrpcStatus(const absl::Status& status);

// The user behind a call: the common name of the verified client
// certificate; for a call over the node's in-process channel (the web
// gateway, server/web), the user named in kWebUserMetadata when
// kWebSecretMetadata holds InProcessSecret(); otherwise empty. The metadata
// is ignored on any call that came through TLS, so an API-port client
// cannot claim another user with it.
std::string CallerName(const grpc::ServerContextBase& context);

// The metadata the web gateway sends the user it authenticated in (binary:
// a certificate's common name is passed as it is) and the proof that the
// call comes from inside this process.
inline constexpr char kWebUserMetadata[] = "x-pwx-web-user-bin";
inline constexpr char kWebSecretMetadata[] = "x-pwx-web-secret";

// 64 random hex digits made once per process, the first time it is asked
// for; never logged nor sent anywhere outside the process. Thread-safe.
const std::string& InProcessSecret();

// Logs one line of fields per call when it finishes (server/logging.h):
// call, user, the object it was about, the peer of a federation call, the
// status code, the duration in ms and, on failure, the error. Never logs
// request contents (they may hold personal data). Thread-compatible: one per
// call.
class CallLog {
 public:
  CallLog(absl::string_view method, std::string user);
  CallLog(const CallLog&) = delete;
  CallLog& operator=(const CallLog&) = delete;

  void set_object(absl::string_view object) { object_ = std::string(object); }
  // The peer authority a federation call came from.
  void set_peer(absl::string_view peer) { peer_ = std::string(peer); }
  const std::string& user() const { return user_; }

  // Writes the line; call once.
  void Finish(const absl::Status& status);

 private:
  std::string method_;
  std::string user_;
  std::string object_;
  std::string peer_;
  absl::Time start_;
};

// The prologue and epilogue every unary call of the API port shares: the
// caller's name, the permission check (a refusal finishes the call, logged
// and audited by the Authorizer), one log line and the status translation
// when it finishes. Held by shared_ptr so that callbacks on other threads
// can finish the call. Thread-compatible: finish once.
//
//   auto call = UnaryCall::Start(context, *authz_, Permission::kPeers,
//                                "AddPeer", request->card().authority_id());
//   if (!call->allowed()) return call->reactor();
//   peers_->Add(request->card(), call->user(), call->FinishWith(response));
//   return call->reactor();
class UnaryCall : public std::enable_shared_from_this<UnaryCall> {
 public:
  static std::shared_ptr<UnaryCall> Start(grpc::CallbackServerContext* context,
                                          const Authorizer& authz,
                                          Permission permission,
                                          absl::string_view method,
                                          absl::string_view object = "");

  UnaryCall(grpc::ServerUnaryReactor* reactor, absl::string_view method,
            std::string user)
      : reactor_(reactor), log_(method, std::move(user)) {}
  UnaryCall(const UnaryCall&) = delete;
  UnaryCall& operator=(const UnaryCall&) = delete;

  bool allowed() const { return allowed_; }
  grpc::ServerUnaryReactor* reactor() const { return reactor_; }
  const std::string& user() const { return log_.user(); }
  void set_object(absl::string_view object) { log_.set_object(object); }

  // Logs the call and finishes it with `status`.
  void Finish(const absl::Status& status) {
    log_.Finish(status);
    reactor_->Finish(ToGrpcStatus(status));
  }
  // A callback that stores a result's value in `response` and finishes.
  template <typename T>
  std::function<void(absl::StatusOr<T>)> FinishWith(T* response) {
    return [self = shared_from_this(), response](absl::StatusOr<T> r) {
      if (r.ok()) *response = *std::move(r);
      self->Finish(r.status());
    };
  }

 private:
  grpc::ServerUnaryReactor* const reactor_;
  CallLog log_;
  bool allowed_ = false;
};

}  // namespace pwx::server

#endif  // PWX_SERVER_RPC_UTIL_H_
