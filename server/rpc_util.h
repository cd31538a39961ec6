// The edge between gRPC and the rest of the server: status conversion, the
// caller's identity and the per-call log line.
#ifndef PWX_SERVER_RPC_UTIL_H_
#define PWX_SERVER_RPC_UTIL_H_

#include <grpcpp/grpcpp.h>

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace pwx::server {

// The one place absl::Status becomes grpc::Status (the codes are the same).
grpc::Status ToGrpcStatus(const absl::Status& status);

// The user behind a call: the common name of the verified client
// certificate, or empty when there is none (never on an mTLS port).
std::string CallerName(const grpc::ServerContextBase& context);

// Logs one line per call when it finishes: method, user, the object it was
// about, the status code and the duration. Never logs request contents (they
// may hold personal data). Thread-compatible: one per call.
class CallLog {
 public:
  CallLog(absl::string_view method, std::string user);
  CallLog(const CallLog&) = delete;
  CallLog& operator=(const CallLog&) = delete;

  void set_object(absl::string_view object) { object_ = std::string(object); }
  const std::string& user() const { return user_; }

  // Writes the line; call once.
  void Finish(const absl::Status& status);

 private:
  std::string method_;
  std::string user_;
  std::string object_;
  absl::Time start_;
};

}  // namespace pwx::server

#endif  // PWX_SERVER_RPC_UTIL_H_
