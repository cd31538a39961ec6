// A one-line progress bar for long commands (export, verify), drawn on a
// terminal only.
#ifndef PWX_CLIENT_PROGRESS_BAR_H_
#define PWX_CLIENT_PROGRESS_BAR_H_

#include <cstdint>
#include <ostream>
#include <string>

namespace pwx::client {

// Redraws "LABEL [=====>    ]  45%  450000/1000000 entries" in place with
// carriage returns. Draws nothing when `enabled` is false (output that is
// not a terminal gets only the command's final line). Not thread-safe.
class ProgressBar {
 public:
  ProgressBar(std::ostream& out, bool enabled, std::string label);
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;
  // Calls Finish().
  ~ProgressBar();

  // `done` of `total` items; total 0 means unknown. Redraws at most once
  // per percent.
  void Update(uint64_t done, uint64_t total);
  // Ends the bar's line, once.
  void Finish();

 private:
  std::ostream& out_;
  const bool enabled_;
  const std::string label_;
  bool drawn_ = false;
  int last_permille_ = -1;
  uint64_t last_done_ = 0;
};

}  // namespace pwx::client

#endif  // PWX_CLIENT_PROGRESS_BAR_H_
