# Writes OUT, a C++ file defining `std::string_view pwx::data::NAME()` that
# returns the bytes of IN. Run by pwx_embed_data() at build time.
file(READ "${IN}" hex HEX)
string(LENGTH "${hex}" hex_length)
math(EXPR size "${hex_length} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "'\\\\x\\1'," bytes "${hex}")
file(WRITE "${OUT}.tmp"
  "// Generated from ${IN} by server/data/embed.cmake; do not edit.\n"
  "#include <string_view>\n"
  "namespace pwx::data {\n"
  "namespace {\n"
  "constexpr char kBytes[] = {${bytes} 0};\n"
  "}  // namespace\n"
  "std::string_view ${NAME}() { return {kBytes, ${size}}; }\n"
  "}  // namespace pwx::data\n")
file(RENAME "${OUT}.tmp" "${OUT}")
