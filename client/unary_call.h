// The one way the client libraries make a unary call: a deadline of
// `timeout` from the call's start and the gRPC status turned into an
// absl::Status.
#ifndef PWX_CLIENT_UNARY_CALL_H_
#define PWX_CLIENT_UNARY_CALL_H_

#include <chrono>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "grpcpp/client_context.h"
#include "grpcpp/support/status.h"

namespace pwx::client {

// Converts a gRPC status to the absl::Status with the same code and message.
absl::Status FromGrpcStatus(const grpc::Status& status);

// Sets the deadline of `context` to `timeout` from now; none for
// absl::InfiniteDuration().
inline void ApplyDeadline(absl::Duration timeout,
                          grpc::ClientContext* context) {
  if (timeout == absl::InfiniteDuration()) return;
  context->set_deadline(std::chrono::system_clock::now() +
                        absl::ToChronoMilliseconds(timeout));
}

// Runs one unary call under `timeout` and converts its status; `rpc` calls
// the stub with the context and the response to fill.
template <typename Response, typename Rpc>
absl::StatusOr<Response> CallUnary(absl::Duration timeout, Rpc rpc) {
  grpc::ClientContext context;
  ApplyDeadline(timeout, &context);
  Response response;
  absl::Status status = FromGrpcStatus(rpc(&context, &response));
  if (!status.ok()) return status;
  return response;
}

}  // namespace pwx::client

#endif  // PWX_CLIENT_UNARY_CALL_H_
