# Writes OUT, a C++ file defining pwx::server::FindWebAsset (server/web/
# web_assets.h) over every file under DIR. Run at build time by the
# add_custom_command in server/CMakeLists.txt, which depends on each file, so
# an edited or added asset rebuilds pwx-server.
file(GLOB_RECURSE files RELATIVE "${DIR}" "${DIR}/*")
list(SORT files)
set(arrays "")
set(table "")
set(index 0)
foreach(path IN LISTS files)
  # Editors' and systems' leftovers are not pages.
  if(path MATCHES "(^|/)\\.|~$")
    continue()
  endif()
  get_filename_component(ext "${path}" LAST_EXT)
  string(TOLOWER "${ext}" ext)
  if(ext STREQUAL ".html")
    set(type "text/html; charset=utf-8")
  elseif(ext STREQUAL ".css")
    set(type "text/css; charset=utf-8")
  elseif(ext STREQUAL ".js" OR ext STREQUAL ".mjs")
    set(type "text/javascript; charset=utf-8")
  elseif(ext STREQUAL ".json")
    set(type "application/json")
  elseif(ext STREQUAL ".svg")
    set(type "image/svg+xml")
  elseif(ext STREQUAL ".png")
    set(type "image/png")
  elseif(ext STREQUAL ".ico")
    set(type "image/x-icon")
  elseif(ext STREQUAL ".woff2")
    set(type "font/woff2")
  elseif(ext STREQUAL ".txt")
    set(type "text/plain; charset=utf-8")
  else()
    set(type "application/octet-stream")
  endif()
  file(READ "${DIR}/${path}" hex HEX)
  string(LENGTH "${hex}" hex_length)
  math(EXPR size "${hex_length} / 2")
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "'\\\\x\\1'," bytes "${hex}")
  string(APPEND arrays "constexpr char kAsset${index}[] = {${bytes} 0};\n")
  string(APPEND table
    "    {\"${path}\", \"${type}\", {kAsset${index}, ${size}}},\n")
  math(EXPR index "${index} + 1")
endforeach()
file(WRITE "${OUT}.tmp"
  "// Generated from server/web/assets by server/web/embed_assets.cmake; do "
  "not edit.\n"
  "#include <algorithm>\n"
  "#include <iterator>\n"
  "#include \"server/web/web_assets.h\"\n"
  "namespace pwx::server {\n"
  "namespace {\n"
  "${arrays}"
  "constexpr WebAsset kAssets[] = {\n"
  "${table}"
  "    {\"\", \"\", {}},\n"
  "};\n"
  "}  // namespace\n"
  "const WebAsset* FindWebAsset(std::string_view path) {\n"
  "  for (const WebAsset& asset : kAssets) {\n"
  "    if (!asset.path.empty() && asset.path == path) return &asset;\n"
  "  }\n"
  "  return nullptr;\n"
  "}\n"
  "std::span<const WebAsset> WebAssets() {\n"
  "  return {kAssets, std::size(kAssets) - 1};\n"
  "}\n"
  "}  // namespace pwx::server\n")
file(RENAME "${OUT}.tmp" "${OUT}")
