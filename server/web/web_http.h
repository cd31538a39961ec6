// What the web listener's handlers share: the answer helpers over
// cpp-httplib. Internal to server/web.
#ifndef PWX_SERVER_WEB_WEB_HTTP_H_
#define PWX_SERVER_WEB_WEB_HTTP_H_

#include <httplib.h>

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
