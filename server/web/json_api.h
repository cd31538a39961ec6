// The web page's JSON API: POST /api/v1/<Service>/<Method> with the request
// message in protobuf's JSON mapping, answered with the response message the
// same way. Every unary method of the API port's services is transcoded
// from the descriptors (no code per method) and called over the node's
// in-process channel on behalf of the user the web listener authenticated,
// so the services check, log and audit the call exactly as on the API port.
#ifndef PWX_SERVER_WEB_JSON_API_H_
#define PWX_SERVER_WEB_JSON_API_H_

#include <google/protobuf/message.h>
#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "absl/strings/string_view.h"

namespace pwx::server {

// An answer to send: the HTTP status and a JSON body.
struct JsonAnswer {
  int status = 200;
  std::string body;
};

// The HTTP status of a gRPC code, as grpc-gateway maps them:
// INVALID_ARGUMENT, FAILED_PRECONDITION and OUT_OF_RANGE 400,
// UNAUTHENTICATED 401, PERMISSION_DENIED 403, NOT_FOUND 404, ABORTED and
// ALREADY_EXISTS 409, RESOURCE_EXHAUSTED 429, CANCELLED 499, UNIMPLEMENTED
// 501, UNAVAILABLE 503, DEADLINE_EXCEEDED 504, the others 500.
int HttpStatusOf(grpc::StatusCode code);

// {"code":"INVALID_ARGUMENT","message":"...","field":"workers[0].full_name"}
// with the HTTP status of `code`. `field` is the field path an
// INVALID_ARGUMENT message starts with (the text before its first ": ", when
// that is a path); absent otherwise.
JsonAnswer ErrorAnswer(grpc::StatusCode code, absl::string_view message);

// 200 with `message` in protobuf's JSON mapping (lowerCamel names, fields
// at their default left out).
JsonAnswer MessageAnswer(const google::protobuf::Message& message);

// The metadata that names `user` to the services (server/rpc_util.h).
void AddWebIdentity(grpc::ClientContext* context, const std::string& user);

// Thread-safe.
class JsonApi {
 public:
  // `channel`: the node's in-process channel.
  explicit JsonApi(std::shared_ptr<grpc::Channel> channel)
      : channel_(std::move(channel)) {}

  // Calls `service` ("CaseService", a short name of one of the API port's
  // services; never the FederationService) method `method` with the JSON
  // `body` ("" means {}) as `user`, and waits for the answer. 404 NOT_FOUND
  // for an unknown service or method, or a streaming one; 400
  // INVALID_ARGUMENT naming what protobuf reports for a body that is not the
  // request message in JSON (unknown fields included); otherwise the
  // service's answer.
  JsonAnswer Call(absl::string_view service, absl::string_view method,
                  absl::string_view body, const std::string& user) const;

 private:
  const std::shared_ptr<grpc::Channel> channel_;
};

}  // namespace pwx::server

#endif  // PWX_SERVER_WEB_JSON_API_H_
