// The one way the client libraries make a unary call: a deadline of
// `timeout` from the call's start and the gRPC status turned into an
// absl::Status.
#ifndef PWX_CLIENT_UNARY_CALL_H_
#define PWX_CLIENT_UNARY_CALL_H_

#include <chrono>
#include <string>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
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

// Every page of a listing: calls `list` with `request` and each next page
// token until the last page, moving each page's items (the repeated field
// `items` returns, e.g. the response's mutable_cases()) into one response.
// INTERNAL when the server hands out a token twice (it would loop for ever).
template <typename Request, typename Response, typename List, typename Items>
absl::StatusOr<Response> CollectPages(Request request, List list, Items items) {
  Response all;
  absl::flat_hash_set<std::string> seen_tokens;
  while (true) {
    absl::StatusOr<Response> page = list(request);
    if (!page.ok()) return page.status();
    for (auto& item : *items(*page)) *items(all)->Add() = std::move(item);
    const std::string& next = page->next_page_token();
    if (next.empty()) return all;
    if (!seen_tokens.insert(next).second) {
      return absl::InternalError(absl::StrCat("server returned page token '",
                                              next, "' twice; stopping"));
    }
    request.set_page_token(next);
  }
}

}  // namespace pwx::client

#endif  // PWX_CLIENT_UNARY_CALL_H_
