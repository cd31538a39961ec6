// What the web listener's handlers share: the answer helpers over
// cpp-httplib. Internal to server/web.
#ifndef PWX_SERVER_WEB_WEB_HTTP_H_
#define PWX_SERVER_WEB_WEB_HTTP_H_

#include <httplib.h>

#include <optional>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/string_view.h"
#include "server/web/json_api.h"
#include "server/web/web_tls.h"

namespace pwx::server {

inline void Send(httplib::Response& res, const JsonAnswer& answer) {
  res.status = answer.status;
  res.set_content(answer.body, "application/json");
}

// Why `req` is refused, or nullopt: a request other than GET or HEAD
// without X-PWX-Request: 1 or from another origin (403), a JSON call that is
// not application/json (415) or larger than WebGateway::kMaxJsonBytes (413);
// a cross-site GET of the API (403). Defined in web_gateway.cc.
std::optional<JsonAnswer> CheckRequest(const httplib::Request& req);

// Reads and drops the rest of `req`'s body, so that it is not read as the
// next request on the connection. cpp-httplib parses a multipart form
// itself: it is read through its parser.
inline void DropBody(const httplib::Request& req,
                     const httplib::ContentReader& content_reader) {
  if (req.is_multipart_form_data()) {
    content_reader([](const httplib::MultipartFormData&) { return true; },
                   [](const char*, size_t) { return true; });
  } else {
    content_reader([](const char*, size_t) { return true; });
  }
}

// The user the handshake authenticated.
inline std::string WebUser(const httplib::Request& req) {
  return PeerCommonName(req.ssl);
}

// The media type of a Content-Type value, lower case, without parameters.
inline std::string MediaType(absl::string_view content_type) {
  const size_t semicolon = content_type.find(';');
  return absl::AsciiStrToLower(
      absl::StripAsciiWhitespace(content_type.substr(0, semicolon)));
}

}  // namespace pwx::server

#endif  // PWX_SERVER_WEB_WEB_HTTP_H_
