#include "server/web/web_gateway.h"

#include <httplib.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "server/domain/digest.h"
#include "server/logging.h"
#include "server/web/web_assets.h"
#include "server/web/web_attachments.h"
#include "server/web/web_http.h"

namespace pwx::server {
namespace {

constexpr char kJsonPath[] = "/api/v1/([A-Z][A-Za-z]*)/([A-Z][A-Za-z]*)";

// When this thread began the request it serves (cpp-httplib serves each
// request on one thread, from the pre-routing handler to the logger).
thread_local absl::Time request_start;

httplib::Headers SecurityHeaders() {
  return {
      {"Content-Security-Policy",
       "default-src 'none'; script-src 'self'; style-src 'self'; img-src "
       "'self' data:; connect-src 'self'; font-src 'self'; form-action "
       "'self'; frame-ancestors 'none'; base-uri 'none'"},
      {"Strict-Transport-Security", "max-age=31536000"},
      {"X-Frame-Options", "DENY"},
      {"X-Content-Type-Options", "nosniff"},
      {"Referrer-Policy", "no-referrer"},
      // Answers hold personal data: never kept by the browser or a proxy.
      {"Cache-Control", "no-store"},
  };
}

// An asset as served: index.html with a modulepreload link for every
// script module (so the browser fetches them all at once instead of one
// import level after the other), and an ETag from the bytes.
struct ServedAsset {
  std::string bytes;
  std::string content_type;
  std::string etag;
};

constexpr char kPreloadMarker[] = "<!-- pwx:modulepreload -->";

const ServedAsset* FindServedAsset(absl::string_view path) {
  static const auto* const served = [] {
    auto* assets = new absl::flat_hash_map<std::string, ServedAsset>();
    std::string preload;
    for (const WebAsset& asset : WebAssets()) {
      const absl::string_view path(asset.path.data(), asset.path.size());
      if (absl::EndsWith(path, ".js")) {
        absl::StrAppend(&preload, "<link rel=\"modulepreload\" href=\"/", path,
                        "\">\n");
      }
    }
    for (const WebAsset& asset : WebAssets()) {
      ServedAsset out;
      out.bytes = std::string(asset.bytes);
      out.content_type = std::string(asset.content_type);
      if (asset.path == "index.html") {
        out.bytes = absl::StrReplaceAll(out.bytes, {{kPreloadMarker, preload}});
      }
      // The first 16 bytes of the SHA-256 name the content well enough.
      out.etag =
          absl::StrCat("\"", domain::Sha256Hex(out.bytes).substr(0, 32), "\"");
      assets->emplace(std::string(asset.path), std::move(out));
    }
    return assets;
  }();
  auto it = served->find(path);
  return it == served->end() ? nullptr : &it->second;
}

JsonAnswer Refusal(int status, grpc::StatusCode code, std::string message) {
  JsonAnswer answer = ErrorAnswer(code, message);
  answer.status = status;
  return answer;
}

// True when `path` is /api/v1/<Service>/<Method> (kJsonPath).
bool IsJsonPath(absl::string_view path) {
  if (!absl::ConsumePrefix(&path, "/api/v1/")) return false;
  std::vector<absl::string_view> parts = absl::StrSplit(path, '/');
  if (parts.size() != 2) return false;
  for (absl::string_view part : parts) {
    if (part.empty() || !absl::ascii_isupper(part.front())) return false;
    for (char c : part) {
      if (!absl::ascii_isalpha(static_cast<unsigned char>(c))) return false;
    }
  }
  return true;
}

}  // namespace

// Browsers send the client certificate on cross-site requests too: a
// request that can change something must prove it comes from the node's
// own page.
std::optional<JsonAnswer> CheckRequest(const httplib::Request& req) {
  const bool api = absl::StartsWith(req.path, "/api/");
  const std::string site = req.get_header_value("Sec-Fetch-Site");
  if (req.method == "GET" || req.method == "HEAD") {
    // A foreign page's link or image to a download would be an audited
    // read of personal data the user never asked for.
    if (api && !site.empty() && site != "same-origin" && site != "none") {
      return Refusal(403, grpc::StatusCode::PERMISSION_DENIED,
                     absl::StrCat("cross-site request refused: Sec-Fetch-"
                                  "Site is '",
                                  site, "'"));
    }
    return std::nullopt;
  }
  if (req.get_header_value("X-PWX-Request") != "1") {
    return Refusal(403, grpc::StatusCode::PERMISSION_DENIED,
                   "cross-site request refused: the X-PWX-Request: 1 header "
                   "is missing (the node's page sends it)");
  }
  if (req.has_header("Origin")) {
    const std::string origin = req.get_header_value("Origin");
    if (origin != absl::StrCat("https://", req.get_header_value("Host"))) {
      return Refusal(403, grpc::StatusCode::PERMISSION_DENIED,
                     absl::StrCat("cross-site request refused: Origin '",
                                  origin, "' is not this node's page"));
    }
  }
  if (!site.empty() && site != "same-origin") {
    return Refusal(403, grpc::StatusCode::PERMISSION_DENIED,
                   absl::StrCat("cross-site request refused: Sec-Fetch-Site "
                                "is '",
                                site, "'"));
  }
  if (IsJsonPath(req.path)) {
    const std::string type = MediaType(req.get_header_value("Content-Type"));
    if (type != "application/json") {
      return Refusal(415, grpc::StatusCode::INVALID_ARGUMENT,
                     absl::StrCat("the JSON API takes application/json, not '",
                                  type, "'"));
    }
    uint64_t length = 0;
    if (req.has_header("Content-Length") &&
        absl::SimpleAtoi(req.get_header_value("Content-Length"), &length) &&
        length > WebGateway::kMaxJsonBytes) {
      return Refusal(413, grpc::StatusCode::INVALID_ARGUMENT,
                     absl::StrCat("the body has ", length,
                                  " bytes; the JSON API takes at most ",
                                  WebGateway::kMaxJsonBytes));
    }
  }
  return std::nullopt;
}

namespace {

// True when `req` has a body cpp-httplib has not read yet.
bool HasBody(const httplib::Request& req) {
  uint64_t length = 0;
  return req.has_header("Transfer-Encoding") ||
         (absl::SimpleAtoi(req.get_header_value("Content-Length"), &length) &&
          length > 0);
}

// Splits "host:port" (the host may be "[::1]").
bool SplitHostPort(const std::string& listen, std::string* host, int* port) {
  const size_t colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0) return false;
  *host = listen.substr(0, colon);
  if (host->size() > 2 && host->front() == '[' && host->back() == ']') {
    *host = host->substr(1, host->size() - 2);
  }
  return absl::SimpleAtoi(listen.substr(colon + 1), port) && *port >= 0 &&
         *port <= 65535;
}

}  // namespace

WebGateway::WebGateway(WebGatewayOptions options)
    : options_(std::move(options)),
      check_(options_.tls),
      api_(options_.channel) {}

absl::StatusOr<std::unique_ptr<WebGateway>> WebGateway::Start(
    WebGatewayOptions options) {
  std::string host;
  int port = 0;
  if (!SplitHostPort(options.listen, &host, &port)) {
    return absl::InvalidArgumentError(
        absl::StrCat("web.listen: '", options.listen, "' is not host:port"));
  }
  std::unique_ptr<WebGateway> gateway(new WebGateway(std::move(options)));
  absl::Status tls = absl::OkStatus();
  WebGateway* self = gateway.get();
  gateway->server_ =
      std::make_unique<httplib::SSLServer>([self, &tls](SSL_CTX& ctx) {
        tls = self->check_.Configure(&ctx, self->options_.tls);
        return tls.ok();
      });
  if (!tls.ok()) return tls;
  if (!gateway->server_->is_valid()) {
    return absl::InvalidArgumentError(
        "api.cert_file: no TLS context for the web listener");
  }
  gateway->AddRoutes();
  if (port == 0) {
    gateway->port_ = gateway->server_->bind_to_any_port(host);
  } else if (gateway->server_->bind_to_port(host, port)) {
    gateway->port_ = port;
  }
  if (gateway->port_ <= 0) {
    return absl::UnavailableError(absl::StrCat("web.listen: cannot listen on ",
                                               self->options_.listen,
                                               " (address in use?)"));
  }
  httplib::SSLServer* server = gateway->server_.get();
  auto ended = std::make_shared<std::atomic<bool>>(false);
  gateway->thread_ = std::thread([server, ended] {
    server->listen_after_bind();
    ended->store(true);
  });
  // cpp-httplib's stop() does nothing before the loop runs: Stop() right
  // after Start() would wait for ever. So Start returns once it runs.
  while (!server->is_running() && !ended->load()) {
    absl::SleepFor(absl::Milliseconds(1));
  }
  return gateway;
}

WebGateway::~WebGateway() { Stop(); }

void WebGateway::Stop() {
  if (stopped_) return;
  stopped_ = true;
  if (server_ != nullptr) server_->stop();
  if (thread_.joinable()) thread_.join();
}

void WebGateway::AddRoutes() {
  httplib::SSLServer& server = *server_;
  server.set_default_headers(SecurityHeaders());
  server.set_payload_max_length(
      std::max<uint64_t>(options_.max_attachment_bytes, kMaxJsonBytes) +
      (64 << 10));
  server.set_read_timeout(std::chrono::seconds(60));
  server.set_write_timeout(std::chrono::seconds(60));
  server.set_pre_routing_handler(
      [](const httplib::Request& req, httplib::Response& res) {
        request_start = absl::Now();
        if (WebUser(req).empty()) {
          Send(res, ErrorAnswer(grpc::StatusCode::UNAUTHENTICATED,
                                "the client certificate names no user"));
          return httplib::Server::HandlerResponse::Handled;
        }
        // cpp-httplib would read an unread body as the next request on
        // the connection: a request with one is refused by its handler,
        // once the body is read (and dropped).
        if (std::optional<JsonAnswer> refused = CheckRequest(req);
            refused && !HasBody(req)) {
          Send(res, *refused);
          return httplib::Server::HandlerResponse::Handled;
        }
        return httplib::Server::HandlerResponse::Unhandled;
      });
  server.set_logger(
      [](const httplib::Request& req, const httplib::Response& res) {
        if (req.method.empty()) {
          spdlog::info("web: an unreadable request status={}", res.status);
          return;
        }
        LogFields(spdlog::level::info,
                  {{"web", req.method},
                   {"path", req.path},
                   {"user", WebUser(req)},
                   {"status", absl::StrCat(res.status), true},
                   {"ms",
                    absl::StrFormat("%.2f", absl::ToDoubleMilliseconds(
                                                absl::Now() - request_start)),
                    true}});
      });
  // What cpp-httplib answers itself (no route, body too large) gets a JSON
  // error too; answers the handlers wrote are left as they are.
  server.set_error_handler(httplib::Server::HandlerWithResponse(
      [](const httplib::Request&, httplib::Response& res) {
        if (!res.body.empty()) {
          return httplib::Server::HandlerResponse::Unhandled;
        }
        grpc::StatusCode code = grpc::StatusCode::NOT_FOUND;
        std::string message = "nothing here";
        if (res.status == 413) {
          code = grpc::StatusCode::INVALID_ARGUMENT;
          message = "the body is too large";
        } else if (res.status == 405) {
          code = grpc::StatusCode::UNIMPLEMENTED;
          message = "method not allowed";
        } else if (res.status != 404) {
          code = grpc::StatusCode::INVALID_ARGUMENT;
          message = "bad request";
        }
        const int status = res.status;
        Send(res, Refusal(status, code, message));
        return httplib::Server::HandlerResponse::Handled;
      }));

  // The body is read here, not by cpp-httplib, which would parse a form
  // itself and refuse it before the checks.
  server.Post(
      kJsonPath, [this](const httplib::Request& req, httplib::Response& res,
                        const httplib::ContentReader& content_reader) {
        std::string body;
        bool too_large = false;
        if (req.is_multipart_form_data()) {
          DropBody(req, content_reader);  // refused below (415)
        } else {
          content_reader([&](const char* data, size_t length) {
            too_large |= body.size() + length > kMaxJsonBytes;
            if (!too_large) body.append(data, length);
            return true;
          });
        }
        if (std::optional<JsonAnswer> refused = CheckRequest(req)) {
          Send(res, *refused);
          return;
        }
        if (too_large) {
          Send(res, Refusal(413, grpc::StatusCode::INVALID_ARGUMENT,
                            absl::StrCat("the JSON API takes at most ",
                                         kMaxJsonBytes, " bytes")));
          return;
        }
        Send(res, api_.Call(std::string(req.matches[1]),
                            std::string(req.matches[2]), body, WebUser(req)));
      });
  AddAttachmentRoutes(&server, options_.channel);
  server.Get(
      "/api/.*", [](const httplib::Request& req, httplib::Response& res) {
        Send(res, ErrorAnswer(grpc::StatusCode::NOT_FOUND,
                              absl::StrCat("the JSON API has nothing at ",
                                           req.path, " (calls are POSTs)")));
      });
  server.Get("/(.*)", [](const httplib::Request& req, httplib::Response& res) {
    std::string path = req.matches[1];
    if (path.empty()) path = "index.html";
    const ServedAsset* asset = FindServedAsset(path);
    if (asset == nullptr) {
      Send(res, ErrorAnswer(grpc::StatusCode::NOT_FOUND,
                            absl::StrCat("no page at /", path)));
      return;
    }
    // The page's own files hold no personal data: the browser keeps them
    // and asks each time whether they changed.
    res.headers.erase("Cache-Control");
    res.set_header("Cache-Control", "no-cache");
    res.set_header("ETag", asset->etag);
    if (req.get_header_value("If-None-Match") == asset->etag) {
      res.status = 304;
      return;
    }
    res.set_content(asset->bytes.data(), asset->bytes.size(),
                    asset->content_type.c_str());
  });
}

}  // namespace pwx::server
