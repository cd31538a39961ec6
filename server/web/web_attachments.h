// Attachments over the web listener: the streaming RPCs of CaseService and
// RequestService as plain HTTP bodies.
//
// - GET /api/v1/cases/<case_id>/attachments/<sha256> and
//   GET /api/v1/requests/<request_id>/attachments/<sha256>: the bytes, as
//   application/octet-stream with Content-Disposition: attachment (the
//   stored file name, sanitized) and nosniff, so a browser never renders
//   them. Errors before the first byte are JSON errors; a failure later
//   cuts the connection (the Content-Length is then not reached).
// - POST /api/v1/cases/<case_id>/attachments and
//   POST /api/v1/requests/<request_id>/attachments: the body is the file's
//   bytes; Content-Type its media type (optional); X-PWX-File-Name its name,
//   percent-encoded UTF-8 (encodeURIComponent; required); Content-Length
//   the size, checked by the service; for requests, X-PWX-Expected-History
//   optionally the history length the request must still have. Answers the
//   case or the request as JSON. Multipart forms are refused (415).
#ifndef PWX_SERVER_WEB_WEB_ATTACHMENTS_H_
#define PWX_SERVER_WEB_WEB_ATTACHMENTS_H_

#include <grpcpp/grpcpp.h>

#include <cstdint>
#include <memory>
#include <string>

#include "absl/strings/string_view.h"

namespace httplib {
class Server;
}  // namespace httplib

namespace pwx::server {

// The Content-Disposition of a download of `file_name` (RFC 6266):
// attachment; filename="<ASCII, with control characters, quotes,
// backslashes, slashes and non-ASCII as '_'>"; filename*=UTF-8''<percent-
// encoded>. "attachment" with filename="attachment" when the name is empty.
// Pure.
std::string ContentDisposition(absl::string_view file_name);

// Adds the four routes to `server`, calling over `channel` (the node's
// in-process channel).
void AddAttachmentRoutes(httplib::Server* server,
                         std::shared_ptr<grpc::Channel> channel);

}  // namespace pwx::server

#endif  // PWX_SERVER_WEB_WEB_ATTACHMENTS_H_
