// Full request lifecycles between two nodes in one process, over real mTLS
// on loopback, each node on RocksDB in a temporary directory (fsync on):
// FR-DGT's inspector creates an information request to PL-PIP and sends it;
// once PL-PIP has it, PL-PIP's inspector accepts and answers it; once FR-DGT
// has the answer, FR-DGT closes it. Target: 1,000 lifecycles per second
// sustained on this 2-core machine (both nodes and the clients share it).
//
// The nodes are the federation tests' TestNode (tests/server/federation_node.h)
// with the default federation and audit settings, as in
// federation_benchmark. `in_flight` client threads each run lifecycles one
// after the other for kRound, through the public RequestService as a CLI
// would; when the round ends, no new lifecycle starts and the clock stops
// once the last close has reached PL-PIP (both outboxes empty). A node
// offers no notification of a request's changes to its clients, so one
// watcher per node polls ListRequests every kPollInterval (no history, no
// personal data, so no read audit entries): PL-PIP's inbox for requests
// awaiting acceptance, FR-DGT's outbox for answered ones. Each poll serves
// every lifecycle waiting on that node.
//
// Counters: lifecycles, per_s (lifecycles per second), and per step the
// p50 and p99 in milliseconds: create, send, deliver (send returned → PL-PIP
// lists it awaiting acceptance), accept, answer, back (answer returned →
// FR-DGT lists it answered), close, and total (create called → close
// returned); polls_per_s, the watchers' ListRequests calls.
//
//   request_benchmark
//   request_benchmark --benchmark_filter=/64$
//   PWX_BENCH_POLL_MS=5 request_benchmark
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "benchmark/benchmark.h"
#include "pwx/v1/request_service.grpc.pb.h"
#include "server/config.h"
#include "tests/domain/request_samples.h"
#include "tests/server/federation_node.h"

namespace pwx::server {
namespace {

using Clock = std::chrono::steady_clock;

constexpr auto kRound = std::chrono::seconds(10);

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "request_benchmark: %s\n", what.c_str());
  std::abort();
}

absl::Duration PollInterval() {
  if (const char* ms = std::getenv("PWX_BENCH_POLL_MS")) {
    return absl::Milliseconds(std::atoi(ms));
  }
  return absl::Milliseconds(2);
}

void Configure(pwx::v1::ServerConfig* config) {
  config->mutable_log()->set_level("warn");
  config->mutable_audit()->clear_sign_interval_ms();
  config->mutable_federation()->clear_retry_initial_ms();
  config->mutable_federation()->clear_retry_max_ms();
  config->mutable_federation()->clear_max_message_bytes();
}

double Ms(Clock::duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

// Polls one node's ListRequests for requests of one box in one state, and
// wakes whoever waits for one of them.
class Watcher {
 public:
  Watcher(std::shared_ptr<grpc::Channel> channel, pwx::v1::RequestBox box,
          pwx::v1::RequestState state)
      : stub_(pwx::v1::RequestService::NewStub(std::move(channel))),
        box_(box),
        state_(state),
        thread_([this] { Run(); }) {}
  ~Watcher() {
    stop_.Notify();
    thread_.join();
  }

  // Blocks until the node lists `id` in the watched state.
  void Await(const std::string& id) {
    absl::Notification seen;
    {
      absl::MutexLock lock(&mu_);
      waiting_[id] = &seen;
    }
    seen.WaitForNotification();
  }

  uint64_t polls() const { return polls_.load(); }

 private:
  void Run() {
    const absl::Duration interval = PollInterval();
    while (!stop_.WaitForNotificationWithTimeout(interval)) {
      {
        absl::MutexLock lock(&mu_);
        if (waiting_.empty()) continue;
      }
      pwx::v1::ListRequestsRequest request;
      request.set_box(box_);
      request.set_state(state_);
      request.set_page_size(500);
      std::string token;
      do {
        request.set_page_token(token);
        pwx::v1::ListRequestsResponse response;
        grpc::Status s =
            stub_->ListRequests(Context().get(), request, &response);
        polls_.fetch_add(1);
        if (!s.ok()) Die("ListRequests: " + s.error_message());
        absl::MutexLock lock(&mu_);
        for (const pwx::v1::Request& r : response.requests()) {
          auto it = waiting_.find(r.id());
          if (it == waiting_.end()) continue;
          it->second->Notify();
          waiting_.erase(it);
        }
        token = response.next_page_token();
      } while (!token.empty());
    }
  }

  std::unique_ptr<pwx::v1::RequestService::Stub> stub_;
  const pwx::v1::RequestBox box_;
  const pwx::v1::RequestState state_;
  absl::Mutex mu_;
  std::map<std::string, absl::Notification*> waiting_ ABSL_GUARDED_BY(mu_);
  std::atomic<uint64_t> polls_{0};
  absl::Notification stop_;
  std::thread thread_;
};

enum Step {
  kCreate,
  kSend,
  kDeliver,
  kAccept,
  kAnswer,
  kBack,
  kClose,
  kTotal,
  kSteps
};
constexpr const char* kStepNames[kSteps] = {
    "create", "send", "deliver", "accept", "answer", "back", "close", "total"};

using Latencies = std::vector<std::vector<double>>;  // [step][sample]

pwx::v1::Request ActOrDie(pwx::v1::RequestService::Stub& stub,
                          const std::string& id, pwx::v1::RequestEvent step) {
  pwx::v1::ActRequest act;
  act.set_id(id);
  *act.mutable_step() = std::move(step);
  pwx::v1::Request r;
  grpc::Status s = stub.Act(Context().get(), act, &r);
  if (!s.ok()) Die(absl::StrCat("act on ", id, ": ", s.error_message()));
  return r;
}

// One lifecycle; adds each step's latency to `out`.
void Lifecycle(pwx::v1::RequestService::Stub& fr,
               pwx::v1::RequestService::Stub& pl, Watcher& pl_awaiting,
               Watcher& fr_answered, uint64_t n, Latencies* out) {
  const Clock::time_point t0 = Clock::now();
  pwx::v1::CreateRequestRequest create;
  create.set_recipient("PL-PIP");
  *create.mutable_content() = testing::SampleInformation(n);
  create.mutable_content()->clear_case_id();
  pwx::v1::Request draft;
  grpc::Status s = fr.CreateRequest(Context().get(), create, &draft);
  if (!s.ok()) Die("create: " + s.error_message());
  const std::string& id = draft.id();
  const Clock::time_point t1 = Clock::now();

  pwx::v1::RequestEvent step;
  step.mutable_send();
  ActOrDie(fr, id, step);
  const Clock::time_point t2 = Clock::now();
  pl_awaiting.Await(id);
  const Clock::time_point t3 = Clock::now();

  step.Clear();
  step.mutable_accept();
  ActOrDie(pl, id, step);
  const Clock::time_point t4 = Clock::now();
  step.Clear();
  step.mutable_answer()->set_text(
      "Registered in Warsaw since 2019; recruited directly, no agency.");
  ActOrDie(pl, id, step);
  const Clock::time_point t5 = Clock::now();
  fr_answered.Await(id);
  const Clock::time_point t6 = Clock::now();

  step.Clear();
  step.mutable_close()->mutable_rating()->set_timeliness(
      pwx::v1::Rating::POSITIVE);
  const pwx::v1::Request closed = ActOrDie(fr, id, step);
  if (closed.state() != pwx::v1::REQUEST_STATE_CLOSED) Die(id + " not closed");
  const Clock::time_point t7 = Clock::now();

  const Clock::time_point at[] = {t0, t1, t2, t3, t4, t5, t6, t7};
  for (int i = 0; i < kTotal; ++i) (*out)[i].push_back(Ms(at[i + 1] - at[i]));
  (*out)[kTotal].push_back(Ms(t7 - t0));
}

double Percentile(std::vector<double>& v, double p) {
  std::sort(v.begin(), v.end());
  const size_t i = std::min(
      v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size() - 1)));
  return v[i];
}

// Closed requests in PL-PIP's inbox.
int CountClosed(pwx::v1::RequestService::Stub& pl) {
  pwx::v1::ListRequestsRequest request;
  request.set_box(pwx::v1::REQUEST_BOX_INBOX);
  request.set_state(pwx::v1::REQUEST_STATE_CLOSED);
  request.set_page_size(500);
  int n = 0;
  std::string token;
  do {
    request.set_page_token(token);
    pwx::v1::ListRequestsResponse response;
    grpc::Status s = pl.ListRequests(Context().get(), request, &response);
    if (!s.ok()) Die("ListRequests: " + s.error_message());
    n += response.requests_size();
    token = response.next_page_token();
  } while (!token.empty());
  return n;
}

// range(0): lifecycles in flight (client threads).
void BM_Lifecycle(benchmark::State& state) {
  const int in_flight = static_cast<int>(state.range(0));
  TestNode fr("FR-DGT");
  TestNode pl("PL-PIP");
  fr.set_configure(Configure);
  pl.set_configure(Configure);
  fr.Start();
  pl.Start();
  if (fr.node() == nullptr || pl.node() == nullptr) Die("nodes do not start");
  if (!fr.AddPeer(pl.Card()).ok() || !pl.AddPeer(fr.Card()).ok()) {
    Die("peering");
  }
  // A channel per node, shared by every client thread (HTTP/2 streams).
  auto fr_stub = pwx::v1::RequestService::NewStub(fr.Api());
  auto pl_stub = pwx::v1::RequestService::NewStub(pl.Api());
  Watcher pl_awaiting(pl.Api(), pwx::v1::REQUEST_BOX_INBOX,
                      pwx::v1::REQUEST_STATE_AWAITING_ACCEPTANCE);
  Watcher fr_answered(fr.Api(), pwx::v1::REQUEST_BOX_OUTBOX,
                      pwx::v1::REQUEST_STATE_ANSWERED);
  {
    Latencies warm(kSteps);  // connections, first batches
    Lifecycle(*fr_stub, *pl_stub, pl_awaiting, fr_answered, 0, &warm);
  }

  Latencies all(kSteps);
  double seconds = 0;
  uint64_t polls = 0;
  std::atomic<uint64_t> next{1};
  for (auto _ : state) {
    std::vector<Latencies> per_thread(in_flight, Latencies(kSteps));
    const uint64_t polls_before = pl_awaiting.polls() + fr_answered.polls();
    const Clock::time_point start = Clock::now();
    const Clock::time_point end = start + kRound;
    std::vector<std::thread> threads;
    for (int t = 0; t < in_flight; ++t) {
      threads.emplace_back([&, t] {
        while (Clock::now() < end) {
          Lifecycle(*fr_stub, *pl_stub, pl_awaiting, fr_answered,
                    next.fetch_add(1), &per_thread[t]);
        }
      });
    }
    for (std::thread& t : threads) t.join();
    // The last closes (and their receipts) delivered.
    while (fr.Health("PL-PIP").queued() != 0 ||
           pl.Health("FR-DGT").queued() != 0) {
      absl::SleepFor(absl::Milliseconds(5));
    }
    const double elapsed =
        std::chrono::duration<double>(Clock::now() - start).count();
    state.SetIterationTime(elapsed);
    seconds += elapsed;
    polls += pl_awaiting.polls() + fr_answered.polls() - polls_before;
    for (const Latencies& l : per_thread) {
      for (int i = 0; i < kSteps; ++i) {
        all[i].insert(all[i].end(), l[i].begin(), l[i].end());
      }
    }
  }
  const int closed_at_pl = CountClosed(*pl_stub);
  const size_t n = all[kTotal].size();
  if (closed_at_pl != static_cast<int>(n) + 1) {
    Die(absl::StrCat(closed_at_pl, " closed at PL-PIP, ", n + 1, " made"));
  }
  state.counters["lifecycles"] = static_cast<double>(n);
  state.counters["per_s"] = static_cast<double>(n) / seconds;
  state.counters["polls_per_s"] = static_cast<double>(polls) / seconds;
  for (int i = 0; i < kSteps; ++i) {
    state.counters[absl::StrCat(kStepNames[i], "_p50_ms")] =
        Percentile(all[i], 0.50);
    state.counters[absl::StrCat(kStepNames[i], "_p99_ms")] =
        Percentile(all[i], 0.99);
  }
  fr.Stop();
  pl.Stop();
}
BENCHMARK(BM_Lifecycle)
    ->ArgName("in_flight")
    ->Arg(1)
    ->Arg(16)
    ->Arg(64)
    ->Arg(128)
    ->Iterations(1)
    ->UseManualTime()
    ->Unit(benchmark::kSecond);

}  // namespace
}  // namespace pwx::server
