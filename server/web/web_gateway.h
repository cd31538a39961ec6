// The node's third listener: the web page for inspectors and auditors and
// its JSON API, over HTTPS with the user's client certificate (the API
// port's trust, server/web/web_tls.h). Every call goes to the API port's
// services over the in-process channel on behalf of the authenticated user,
// so roles, validation, the call log and the audit are the API's.
//
// What it serves (README.md, "Using the web page" and "The JSON API"):
// - POST /api/v1/<Service>/<Method>: the unary methods (json_api.h);
// - GET and POST /api/v1/cases/<case_id>/attachments[/<sha256>] and the
//   same under /api/v1/requests/<request_id>/: attachments
//   (web_attachments.h);
// - GET /<path>: the embedded assets (web_assets.h), / being index.html.
// Every answer carries a strict Content-Security-Policy, HSTS, frame denial,
// nosniff, no-referrer and no-store. A request other than GET or HEAD must
// carry "X-PWX-Request: 1" and, when it names them, a same-origin Origin and
// Sec-Fetch-Site (403 otherwise); a GET of the API a cross-site
// Sec-Fetch-Site. JSON calls must be application/json (415) of at most
// 1 MiB (413). One log line per request: method, path (ids only; never a
// query string or a body), user, status and milliseconds.
#ifndef PWX_SERVER_WEB_WEB_GATEWAY_H_
#define PWX_SERVER_WEB_WEB_GATEWAY_H_

#include <grpcpp/grpcpp.h>

#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "server/web/json_api.h"
#include "server/web/web_tls.h"

namespace httplib {
class SSLServer;
}  // namespace httplib

namespace pwx::server {

struct WebGatewayOptions {
  // host:port (web.listen); port 0 picks a free port.
  std::string listen;
  // The certificate, key, user CA and revocation lists (web_tls.h).
  WebTlsOptions tls;
  // The node's in-process channel to its API services. Required.
  std::shared_ptr<grpc::Channel> channel;
  // attachments.max_bytes: larger uploads are refused before they are read.
  uint64_t max_attachment_bytes = 16 << 20;
};

// Thread-safe.
class WebGateway {
 public:
  // The largest JSON body accepted.
  static constexpr size_t kMaxJsonBytes = 1 << 20;

  // Binds and starts serving. INVALID_ARGUMENT naming web.listen or the
  // api.* key whose key material cannot be used; UNAVAILABLE when the
  // address cannot be bound.
  static absl::StatusOr<std::unique_ptr<WebGateway>> Start(
      WebGatewayOptions options);

  WebGateway(const WebGateway&) = delete;
  WebGateway& operator=(const WebGateway&) = delete;
  // Stop()s.
  ~WebGateway();

  // The port bound.
  int port() const { return port_; }

  // Stops accepting connections and waits for the requests in progress.
  // Idempotent.
  void Stop();

 private:
  explicit WebGateway(WebGatewayOptions options);
  void AddRoutes();

  const WebGatewayOptions options_;
  const WebClientCheck check_;
  const JsonApi api_;
  std::unique_ptr<httplib::SSLServer> server_;
  std::thread thread_;
  int port_ = 0;
  bool stopped_ = false;
};

}  // namespace pwx::server

#endif  // PWX_SERVER_WEB_WEB_GATEWAY_H_
