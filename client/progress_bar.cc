#include "client/progress_bar.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_format.h"

namespace pwx::client {
namespace {

constexpr int kBarWidth = 30;

}  // namespace

ProgressBar::ProgressBar(std::ostream& out, bool enabled, std::string label)
    : out_(out), enabled_(enabled), label_(std::move(label)) {}

ProgressBar::~ProgressBar() { Finish(); }

void ProgressBar::Update(uint64_t done, uint64_t total) {
  if (!enabled_) return;
  if (total == 0) {
    // Unknown total: a counter, redrawn every 10000 items.
    if (drawn_ && done - last_done_ < 10000) return;
    last_done_ = done;
    drawn_ = true;
    out_ << absl::StrFormat("\r%s %d entries", label_, done) << std::flush;
    return;
  }
  const uint64_t clamped = std::min(done, total);
  const int permille = static_cast<int>(clamped * 1000 / total);
  if (drawn_ && permille / 10 == last_permille_ / 10) return;
  last_permille_ = permille;
  drawn_ = true;
  const int filled = permille * kBarWidth / 1000;
  std::string bar(static_cast<size_t>(filled), '=');
  if (filled < kBarWidth) bar.push_back('>');
  bar.resize(kBarWidth, ' ');
  out_ << absl::StrFormat("\r%s [%s] %3d%%  %d/%d entries", label_, bar,
                          permille / 10, done, total)
       << std::flush;
}

void ProgressBar::Finish() {
  if (!drawn_) return;
  drawn_ = false;
  out_ << '\n' << std::flush;
}

}  // namespace pwx::client
