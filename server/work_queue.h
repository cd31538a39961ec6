// A single thread running posted tasks in order, for work that must leave
// the thread that reports an event (a commit, an RPC's completion).
#ifndef PWX_SERVER_WORK_QUEUE_H_
#define PWX_SERVER_WORK_QUEUE_H_

#include <deque>
#include <functional>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace pwx::server {

// Thread-safe.
class WorkQueue {
 public:
  WorkQueue() : thread_([this] { Run(); }) {}
  WorkQueue(const WorkQueue&) = delete;
  WorkQueue& operator=(const WorkQueue&) = delete;
  // Runs what was posted, then ends the thread.
  ~WorkQueue() {
    Post(nullptr);
    thread_.join();
  }

  // Runs `task` after every task posted before it.
  void Post(std::function<void()> task) {
    absl::MutexLock lock(&mu_);
    tasks_.push_back(std::move(task));
  }

 private:
  void Run() {
    while (true) {
      std::function<void()> task;
      {
        absl::MutexLock lock(&mu_);
        mu_.Await(absl::Condition(
            +[](std::deque<std::function<void()>>* q) { return !q->empty(); },
            &tasks_));
        task = std::move(tasks_.front());
        tasks_.pop_front();
      }
      if (!task) return;
      task();
    }
  }

  absl::Mutex mu_;
  std::deque<std::function<void()>> tasks_ ABSL_GUARDED_BY(mu_);
  std::thread thread_;
};

}  // namespace pwx::server

#endif  // PWX_SERVER_WORK_QUEUE_H_
