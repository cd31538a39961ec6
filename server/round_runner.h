// A thread that runs a job in rounds, each a bounded piece of work: again
// at once while a round made progress, after `poll` while the work waits on
// something outside (or a round failed), and when woken once there is
// nothing left. Starts with a round, so work recorded before a restart is
// taken up.
#ifndef PWX_SERVER_ROUND_RUNNER_H_
#define PWX_SERVER_ROUND_RUNNER_H_

#include <spdlog/spdlog.h>

#include <functional>
#include <string>
#include <thread>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace pwx::server {

// Thread-safe.
class RoundRunner {
 public:
  enum class Round {
    // Nothing left to do: the next round runs when woken.
    kIdle,
    // Progress made: the next round runs at once.
    kMore,
    // Work left that cannot go on now: the next round runs after `poll`
    // or when woken.
    kWaiting,
  };

  // Starts the thread. `name` names the job in log lines; a failed round
  // is logged and counts as kWaiting.
  RoundRunner(std::string name, std::function<absl::StatusOr<Round>()> round,
              absl::Duration poll)
      : name_(std::move(name)),
        round_(std::move(round)),
        poll_(poll),
        thread_([this] { Run(); }) {}
  RoundRunner(const RoundRunner&) = delete;
  RoundRunner& operator=(const RoundRunner&) = delete;
  ~RoundRunner() { Stop(); }

  // Runs a round soon (after the one in progress, if any).
  void Wake() {
    absl::MutexLock lock(&mu_);
    woken_ = true;
  }

  // Ends the thread after the round in progress. Idempotent.
  void Stop() {
    {
      absl::MutexLock lock(&mu_);
      stopping_ = true;
    }
    if (thread_.joinable()) thread_.join();
  }

 private:
  void Run() {
    while (true) {
      {
        absl::MutexLock lock(&mu_);
        if (stopping_) return;
        woken_ = false;
      }
      absl::StatusOr<Round> r = round_();
      if (!r.ok()) {
        spdlog::warn("{}: {}", name_, r.status().ToString());
        r = Round::kWaiting;
      }
      if (*r == Round::kMore) continue;
      absl::MutexLock lock(&mu_);
      const absl::Condition ready(this, &RoundRunner::Ready);
      if (*r == Round::kIdle) {
        mu_.Await(ready);
      } else {
        mu_.AwaitWithTimeout(ready, poll_);
      }
    }
  }

  bool Ready() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return woken_ || stopping_;
  }

  const std::string name_;
  const std::function<absl::StatusOr<Round>()> round_;
  const absl::Duration poll_;
  absl::Mutex mu_;
  bool woken_ ABSL_GUARDED_BY(mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  // Last: starts once the rest is ready.
  std::thread thread_;
};

}  // namespace pwx::server

#endif  // PWX_SERVER_ROUND_RUNNER_H_
