// The Abseil the project builds against (Debian's) is configured with its own
// absl::string_view class rather than an alias of std::string_view, and the
// two do not convert into each other. Our interfaces take std::string_view;
// this bridges them where Abseil string functions are called.
#ifndef PWX_CLIENT_ABSL_VIEW_H_
#define PWX_CLIENT_ABSL_VIEW_H_

#include <string_view>

#include "absl/strings/string_view.h"

namespace pwx::client {

inline absl::string_view ToAbsl(std::string_view text) {
  return absl::string_view(text.data(), text.size());
}

}  // namespace pwx::client

#endif  // PWX_CLIENT_ABSL_VIEW_H_
