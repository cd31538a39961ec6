#include "server/web/web_attachments.h"

#include <chrono>
#include <string>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "pwx/v1/case_service.grpc.pb.h"
#include "pwx/v1/request_service.grpc.pb.h"
#include "server/web/json_api.h"
#include "server/web/web_http.h"

namespace pwx::server {
namespace {

// Bytes per upload message: well under the API's 4 MiB message limit.
constexpr size_t kChunkBytes = 256 * 1024;
// Attachments are large and browsers slow: more than any unary call.
constexpr auto kTransferTimeout = std::chrono::minutes(30);

constexpr char kIdPattern[] = "([A-Za-z0-9._-]+)";
constexpr char kShaPattern[] = "([0-9a-f]{64})";

bool Unreserved(unsigned char c) {
  return absl::ascii_isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

// One download in progress: the call and the bytes not yet sent.
template <typename Message>
struct Download {
  grpc::ClientContext context;
  std::unique_ptr<grpc::ClientReader<Message>> reader;
  std::string pending;
  // The size the metadata announced, and the bytes written so far.
  uint64_t size = 0;
  uint64_t sent = 0;
  bool finished = false;

  ~Download() {
    if (finished || reader == nullptr) return;
    // cpp-httplib stops asking once Content-Length bytes went out: the call
    // then ends by itself. Otherwise the browser went away: cancel it.
    if (sent >= size) {
      Message rest;
      while (reader->Read(&rest)) {
      }
    } else {
      context.TryCancel();
    }
    reader->Finish();
  }

  // Writes the next bytes to `sink`; false ends the connection (the call
  // failed or ended early).
  bool Next(httplib::DataSink& sink) {
    Message message;
    while (pending.empty()) {
      if (finished || !reader->Read(&message)) {
        if (!finished) {
          finished = true;
          reader->Finish();
        }
        return false;
      }
      pending = std::move(*message.mutable_chunk());
    }
    const bool written = sink.write(pending.data(), pending.size());
    sent += pending.size();
    pending.clear();
    return written;
  }
};

// Reads the first message of `download` and answers with its bytes, or
// with the error.
template <typename Message>
void Serve(std::shared_ptr<Download<Message>> download,
           httplib::Response& res) {
  Message first;
  if (!download->reader->Read(&first)) {
    download->finished = true;
    grpc::Status status = download->reader->Finish();
    if (status.ok()) {
      status = grpc::Status(grpc::StatusCode::INTERNAL,
                            "the download ended before its metadata");
    }
    Send(res, ErrorAnswer(status.error_code(), status.error_message()));
    return;
  }
  download->pending = std::move(*first.mutable_chunk());
  download->size = first.meta().size_bytes();
  res.set_header("Content-Disposition",
                 ContentDisposition(first.meta().file_name()));
  res.set_content_provider(
      first.meta().size_bytes(), "application/octet-stream",
      [download](size_t /*offset*/, size_t /*length*/,
                 httplib::DataSink& sink) { return download->Next(sink); });
}

// Sends `header`, then the body in chunks of kChunkBytes, to `writer`;
// answers with `result` (which the call fills) or the error.
template <typename Request, typename Result>
void Upload(grpc::ClientWriter<Request>* writer, const Request& header,
            const Result& result, const httplib::ContentReader& content_reader,
            httplib::Response& res) {
  bool open = writer->Write(header);
  std::string buffer;
  auto flush = [&] {
    Request chunk;
    chunk.set_chunk(std::move(buffer));
    buffer.clear();
    open = writer->Write(chunk);
  };
  // Once the service refused, the rest of the body (at most the payload
  // limit) is read and dropped, so that the browser gets the answer rather
  // than a connection reset while it is still sending.
  content_reader([&](const char* data, size_t length) {
    if (!open) return true;
    buffer.append(data, length);
    if (buffer.size() >= kChunkBytes) flush();
    return true;
  });
  if (open && !buffer.empty()) flush();
  if (open) writer->WritesDone();
  grpc::Status status = writer->Finish();
  if (!status.ok()) {
    Send(res, ErrorAnswer(status.error_code(), status.error_message()));
    return;
  }
  Send(res, MessageAnswer(result));
}

// The header fields every upload carries, or an error answer.
struct UploadHeader {
  std::string file_name;
  std::string media_type;
  uint64_t size_bytes = 0;
};
std::optional<JsonAnswer> ReadUploadHeader(const httplib::Request& req,
                                           UploadHeader* out) {
  const std::string type = MediaType(req.get_header_value("Content-Type"));
  if (absl::StartsWith(type, "multipart/") ||
      type == "application/x-www-form-urlencoded") {
    JsonAnswer refused = ErrorAnswer(
        grpc::StatusCode::INVALID_ARGUMENT,
        "the body must be the file's bytes, not a form (Content-Type " + type +
            ")");
    refused.status = 415;
    return refused;
  }
  if (!req.has_header("X-PWX-File-Name")) {
    return ErrorAnswer(grpc::StatusCode::INVALID_ARGUMENT,
                       "file_name: the X-PWX-File-Name header is required "
                       "(the file's name, percent-encoded UTF-8)");
  }
  // cpp-httplib percent-decodes header values as it reads them: this is
  // the UTF-8 name.
  out->file_name = req.get_header_value("X-PWX-File-Name");
  out->media_type = type;
  if (req.has_header("Content-Length")) {
    absl::SimpleAtoi(req.get_header_value("Content-Length"), &out->size_bytes);
  }
  return std::nullopt;
}

// Why an upload is refused before it reaches the service (its body is then
// read and dropped, see CheckRequest), or nullopt with `out` filled.
std::optional<JsonAnswer> RefuseUpload(
    const httplib::Request& req, const httplib::ContentReader& content_reader,
    UploadHeader* out) {
  std::optional<JsonAnswer> refused = CheckRequest(req);
  if (!refused) refused = ReadUploadHeader(req, out);
  if (refused) DropBody(req, content_reader);
  return refused;
}

// Opens a download with `open` (the stream's call, given its context) in
// the name of the page's user, and serves it.
template <typename Message, typename Open>
void StartDownload(const httplib::Request& req, httplib::Response& res,
                   Open open) {
  auto download = std::make_shared<Download<Message>>();
  download->context.set_deadline(std::chrono::system_clock::now() +
                                 kTransferTimeout);
  AddWebIdentity(&download->context, WebUser(req));
  download->reader = open(&download->context);
  Serve(std::move(download), res);
}

// Copies what the upload's headers said into `h`, an attachment header.
template <typename Header>
void FillUploadHeader(const UploadHeader& fields, Header* h) {
  h->set_file_name(fields.file_name);
  h->set_media_type(fields.media_type);
  h->set_size_bytes(fields.size_bytes);
}

// Opens an upload with `open` in the name of the page's user and feeds it
// `header`, then the body.
template <typename Result, typename Request, typename Open>
void StartUpload(const httplib::Request& req, httplib::Response& res,
                 const httplib::ContentReader& content_reader,
                 const Request& header, Open open) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + kTransferTimeout);
  AddWebIdentity(&context, WebUser(req));
  Result result;
  auto writer = open(&context, &result);
  Upload(writer.get(), header, result, content_reader, res);
}

}  // namespace

std::string ContentDisposition(absl::string_view file_name) {
  std::string ascii;
  std::string encoded;
  for (char ch : file_name) {
    const auto c = static_cast<unsigned char>(ch);
    const bool unsafe =
        c < 0x20 || c == 0x7f || c >= 0x80 || c == '"' || c == '\\' || c == '/';
    ascii.push_back(unsafe ? '_' : ch);
    if (Unreserved(c)) {
      encoded.push_back(ch);
    } else if (c < 0x20 || c == 0x7f || c == '/' || c == '\\') {
      encoded += "_";
    } else {
      constexpr char kHex[] = "0123456789ABCDEF";
      encoded += {'%', kHex[c >> 4], kHex[c & 0xf]};
    }
  }
  if (ascii.empty()) return "attachment; filename=\"attachment\"";
  return absl::StrCat("attachment; filename=\"", ascii, "\"; filename*=UTF-8''",
                      encoded);
}

void AddAttachmentRoutes(httplib::Server* server,
                         std::shared_ptr<grpc::Channel> channel) {
  const std::string cases =
      absl::StrCat("/api/v1/cases/", kIdPattern, "/attachments");
  const std::string requests =
      absl::StrCat("/api/v1/requests/", kIdPattern, "/attachments");
  server->Get(
      absl::StrCat(cases, "/", kShaPattern),
      [channel](const httplib::Request& req, httplib::Response& res) {
        v1::DownloadAttachmentRequest request;
        request.set_case_id(req.matches[1]);
        request.set_sha256(req.matches[2]);
        StartDownload<v1::DownloadAttachmentResponse>(
            req, res, [&](grpc::ClientContext* context) {
              return v1::CaseService::NewStub(channel)->DownloadAttachment(
                  context, request);
            });
      });
  server->Get(absl::StrCat(requests, "/", kShaPattern),
              [channel](const httplib::Request& req, httplib::Response& res) {
                v1::DownloadRequestAttachmentRequest request;
                request.set_request_id(req.matches[1]);
                request.set_sha256(req.matches[2]);
                StartDownload<v1::DownloadRequestAttachmentResponse>(
                    req, res, [&](grpc::ClientContext* context) {
                      return v1::RequestService::NewStub(channel)
                          ->DownloadRequestAttachment(context, request);
                    });
              });
  server->Post(
      cases, [channel](const httplib::Request& req, httplib::Response& res,
                       const httplib::ContentReader& content_reader) {
        UploadHeader fields;
        if (std::optional<JsonAnswer> refused =
                RefuseUpload(req, content_reader, &fields)) {
          Send(res, *refused);
          return;
        }
        v1::UploadAttachmentRequest header;
        header.mutable_header()->set_case_id(req.matches[1]);
        FillUploadHeader(fields, header.mutable_header());
        StartUpload<v1::Case>(
            req, res, content_reader, header,
            [&](grpc::ClientContext* context, v1::Case* result) {
              return v1::CaseService::NewStub(channel)->UploadAttachment(
                  context, result);
            });
      });
  server->Post(requests, [channel](
                             const httplib::Request& req,
                             httplib::Response& res,
                             const httplib::ContentReader& content_reader) {
    UploadHeader fields;
    if (std::optional<JsonAnswer> refused =
            RefuseUpload(req, content_reader, &fields)) {
      Send(res, *refused);
      return;
    }
    v1::UploadRequestAttachmentRequest header;
    v1::RequestAttachmentHeader* h = header.mutable_header();
    h->set_request_id(req.matches[1]);
    FillUploadHeader(fields, h);
    if (req.has_header("X-PWX-Expected-History")) {
      uint32_t expected = 0;
      if (!absl::SimpleAtoi(req.get_header_value("X-PWX-Expected-History"),
                            &expected)) {
        DropBody(req, content_reader);  // as every refusal does
        Send(res, ErrorAnswer(grpc::StatusCode::INVALID_ARGUMENT,
                              "expected_history: the X-PWX-Expected-History "
                              "header is not a number"));
        return;
      }
      h->set_expected_history(expected);
    }
    StartUpload<v1::Request>(
        req, res, content_reader, header,
        [&](grpc::ClientContext* context, v1::Request* result) {
          return v1::RequestService::NewStub(channel)->UploadRequestAttachment(
              context, result);
        });
  });
}

}  // namespace pwx::server
