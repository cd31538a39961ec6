// The web page's files (server/web/assets), compiled into pwx-server at
// build time by server/web/embed_assets.cmake, so a node serves its pages
// with no files to install and no front-end build step.
#ifndef PWX_SERVER_WEB_WEB_ASSETS_H_
#define PWX_SERVER_WEB_WEB_ASSETS_H_

#include <span>
#include <string_view>

namespace pwx::server {

struct WebAsset {
  // Relative to server/web/assets, '/'-separated: "index.html", "js/app.js".
  std::string_view path;
  // From the extension: "text/html; charset=utf-8", "text/javascript;
  // charset=utf-8", "image/svg+xml", ...; application/octet-stream for
  // others.
  std::string_view content_type;
  std::string_view bytes;
};

// The asset at `path` (relative, no leading '/'), or null. Pure.
const WebAsset* FindWebAsset(std::string_view path);

// Every asset, in the order of their paths. Pure.
std::span<const WebAsset> WebAssets();

}  // namespace pwx::server

#endif  // PWX_SERVER_WEB_WEB_ASSETS_H_
