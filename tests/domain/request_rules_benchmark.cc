// The CPU cost of the request rules a node runs on every transition, on a
// typical information request (tests/domain/request_samples.h): six events,
// sent, received, a clarification asked and replied to, accepted,
// answered.
//   BM_FoldHistory6       FoldHistory of the six events (from a copy of
//                         them, as a node folds a stored history);
//   BM_MergeOneEvent      MergeEvents of one new event (the close) into the
//                         folded request, from a copy of it: subtract
//                         BM_CopyRequest for the merge alone;
//   BM_CopyRequest        that copy alone;
//   BM_ApplyTransition    ApplyTransition of the close to a copy of the
//                         folded request (it copies the request itself
//                         too, to leave it unchanged on error): subtract
//                         BM_CopyRequest for the transition alone.
// The due-date computation is in tests/domain/calendar_benchmark.cc.
//
//   request_rules_benchmark
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "server/domain/request_rules.h"
#include "tests/domain/request_samples.h"

namespace pwx::domain {
namespace {

constexpr char kId[] = "FR-DGT-R-2026-000001";

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "request_rules_benchmark: %s\n", what.c_str());
  std::abort();
}

pwx::v1::Request Folded() {
  absl::StatusOr<pwx::v1::Request> r =
      FoldHistory(kId, testing::SixEventHistory().events());
  if (!r.ok()) Die(r.status().ToString());
  if (r->state() != pwx::v1::REQUEST_STATE_ANSWERED) Die("not answered");
  return *std::move(r);
}

void BM_FoldHistory6(benchmark::State& state) {
  const std::vector<pwx::v1::RequestEvent> events =
      testing::SixEventHistory().events();
  for (auto _ : state) {
    absl::StatusOr<pwx::v1::Request> r = FoldHistory(kId, events);
    benchmark::DoNotOptimize(r);
  }
  state.counters["bytes"] =
      static_cast<double>(Folded().SerializeAsString().size());
}
BENCHMARK(BM_FoldHistory6);

void BM_MergeOneEvent(benchmark::State& state) {
  const pwx::v1::Request base = Folded();
  pwx::v1::RequestEvent close = NextEvent(base, "FR-DGT");
  close.mutable_at()->set_seconds(base.history(5).at().seconds() + 3600);
  close.mutable_close()->mutable_rating()->set_timeliness(
      pwx::v1::Rating::POSITIVE);
  const std::vector<pwx::v1::RequestEvent> incoming = {close};
  for (auto _ : state) {
    pwx::v1::Request r = base;
    absl::StatusOr<int> added = MergeEvents(incoming, &r);
    if (!added.ok() || *added != 1) Die("the close does not merge");
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_MergeOneEvent);

void BM_CopyRequest(benchmark::State& state) {
  const pwx::v1::Request base = Folded();
  for (auto _ : state) {
    pwx::v1::Request r = base;
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_CopyRequest);

void BM_ApplyTransition(benchmark::State& state) {
  const pwx::v1::Request base = Folded();
  pwx::v1::RequestEvent close = NextEvent(base, "FR-DGT");
  close.mutable_close()->mutable_rating()->set_timeliness(
      pwx::v1::Rating::POSITIVE);
  for (auto _ : state) {
    pwx::v1::Request r = base;
    if (absl::Status s = ApplyTransition(close, &r); !s.ok()) {
      Die(s.ToString());
    }
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_ApplyTransition);

}  // namespace
}  // namespace pwx::domain

BENCHMARK_MAIN();
