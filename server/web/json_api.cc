#include "server/web/json_api.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>
#include <google/protobuf/util/json_util.h>
#include <grpcpp/generic/generic_stub.h>

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "server/rpc_util.h"

namespace pwx::server {
namespace {

namespace pb = google::protobuf;

// The services of the API port (proto/pwx/v1/*_service.proto).
constexpr absl::string_view kServices[] = {
    "CaseService",     "RequestService", "PlanService",
    "UserService",     "AuditService",   "CatalogueService",
    "CalendarService", "PeerService",    "AdminService"};

// Longer than any unary call takes; the browser may give up earlier.
constexpr auto kCallTimeout = std::chrono::seconds(120);

// True when `text` reads as a field path: "workers[0].full_name".
bool IsFieldPath(absl::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '_' &&
        c != '.' && c != '[' && c != ']') {
      return false;
    }
  }
  return true;
}

}  // namespace

int HttpStatusOf(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK:
      return 200;
    case grpc::StatusCode::INVALID_ARGUMENT:
    case grpc::StatusCode::FAILED_PRECONDITION:
    case grpc::StatusCode::OUT_OF_RANGE:
      return 400;
    case grpc::StatusCode::UNAUTHENTICATED:
      return 401;
    case grpc::StatusCode::PERMISSION_DENIED:
      return 403;
    case grpc::StatusCode::NOT_FOUND:
      return 404;
    case grpc::StatusCode::ABORTED:
    case grpc::StatusCode::ALREADY_EXISTS:
      return 409;
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return 429;
    case grpc::StatusCode::CANCELLED:
      return 499;
    case grpc::StatusCode::UNIMPLEMENTED:
      return 501;
    case grpc::StatusCode::UNAVAILABLE:
      return 503;
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return 504;
    default:
      return 500;
  }
}

JsonAnswer ErrorAnswer(grpc::StatusCode code, absl::string_view message) {
  nlohmann::json body;
  body["code"] = absl::StatusCodeToString(static_cast<absl::StatusCode>(code));
  body["message"] = std::string(message);
  if (code == grpc::StatusCode::INVALID_ARGUMENT) {
    const size_t colon = message.find(": ");
    if (colon != absl::string_view::npos &&
        IsFieldPath(message.substr(0, colon))) {
      body["field"] = std::string(message.substr(0, colon));
    }
  }
  return {HttpStatusOf(code), body.dump()};
}

JsonAnswer MessageAnswer(const google::protobuf::Message& message) {
  JsonAnswer answer;
  pb::util::JsonPrintOptions print;
  if (auto s = pb::util::MessageToJsonString(message, &answer.body, print);
      !s.ok()) {
    return ErrorAnswer(grpc::StatusCode::INTERNAL,
                       absl::StrCat("the answer cannot be written as JSON: ",
                                    std::string(s.message())));
  }
  return answer;
}

void AddWebIdentity(grpc::ClientContext* context, const std::string& user) {
  context->AddMetadata(kWebUserMetadata, user);
  context->AddMetadata(kWebSecretMetadata, InProcessSecret());
}

JsonAnswer JsonApi::Call(absl::string_view service, absl::string_view method,
                         absl::string_view body,
                         const std::string& user) const {
  if (std::find(std::begin(kServices), std::end(kServices), service) ==
      std::end(kServices)) {
    return ErrorAnswer(
        grpc::StatusCode::NOT_FOUND,
        absl::StrCat("the JSON API has no service '", service, "'"));
  }
  const pb::ServiceDescriptor* descriptor =
      pb::DescriptorPool::generated_pool()->FindServiceByName(
          absl::StrCat("pwx.v1.", service));
  const pb::MethodDescriptor* rpc =
      descriptor == nullptr ? nullptr
                            : descriptor->FindMethodByName(std::string(method));
  if (rpc == nullptr) {
    return ErrorAnswer(grpc::StatusCode::NOT_FOUND,
                       absl::StrCat(service, " has no method '", method, "'"));
  }
  if (rpc->client_streaming() || rpc->server_streaming()) {
    return ErrorAnswer(
        grpc::StatusCode::NOT_FOUND,
        absl::StrCat(service, ".", method,
                     " streams: use the attachments URLs of the JSON API"));
  }
  pb::MessageFactory* factory = pb::MessageFactory::generated_factory();
  std::unique_ptr<pb::Message> request(
      factory->GetPrototype(rpc->input_type())->New());
  pb::util::JsonParseOptions parse;
  parse.ignore_unknown_fields = false;
  const std::string json = body.empty() ? "{}" : std::string(body);
  if (auto s = pb::util::JsonStringToMessage(json, request.get(), parse);
      !s.ok()) {
    return ErrorAnswer(
        grpc::StatusCode::INVALID_ARGUMENT,
        absl::StrCat("the body is not a ", rpc->input_type()->full_name(),
                     " in JSON: ", std::string(s.message())));
  }
  std::string bytes;
  if (!request->SerializeToString(&bytes)) {
    return ErrorAnswer(grpc::StatusCode::INTERNAL,
                       "the request cannot be serialized");
  }
  grpc::Slice slice(bytes);
  grpc::ByteBuffer request_buffer(&slice, 1);
  grpc::ByteBuffer response_buffer;
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + kCallTimeout);
  AddWebIdentity(&context, user);
  grpc::GenericStub stub(channel_);
  grpc::Status status;
  absl::Notification done;
  stub.UnaryCall(&context, absl::StrCat("/pwx.v1.", service, "/", method),
                 grpc::StubOptions(), &request_buffer, &response_buffer,
                 [&status, &done](grpc::Status s) {
                   status = std::move(s);
                   done.Notify();
                 });
  done.WaitForNotification();
  if (!status.ok()) {
    return ErrorAnswer(status.error_code(), status.error_message());
  }
  std::vector<grpc::Slice> slices;
  if (!response_buffer.Dump(&slices).ok()) {
    return ErrorAnswer(grpc::StatusCode::INTERNAL, "no answer to read");
  }
  std::string answer_bytes;
  for (const grpc::Slice& s : slices) {
    answer_bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
  }
  std::unique_ptr<pb::Message> response(
      factory->GetPrototype(rpc->output_type())->New());
  if (!response->ParseFromString(answer_bytes)) {
    return ErrorAnswer(grpc::StatusCode::INTERNAL,
                       "the answer cannot be parsed");
  }
  return MessageAnswer(*response);
}

}  // namespace pwx::server
