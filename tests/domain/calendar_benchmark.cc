// AddWorkingDays(from, 25), the due date of an information request (target:
// under 1 microsecond), over start days spread across two years so that
// weekends, holidays and year ends all occur; the year tables are built
// before timing starts. BM_DueDateAsANodeDoes adds what a node does around
// it for each receipt (server/requests.cc, CalendarWorkingDays): the
// calendar looked up by authority id, TryAddWorkingDays.
#include <benchmark/benchmark.h>

#include <vector>

#include "server/domain/calendar.h"

namespace pwx::domain {
namespace {

void BM_AddWorkingDays25(benchmark::State& state) {
  absl::StatusOr<Calendars> calendars = Calendars::Shipped();
  if (!calendars.ok()) {
    state.SkipWithError("cannot load the shipped calendars");
    return;
  }
  const WorkingCalendar& pl = *calendars->For("PL");
  std::vector<absl::CivilDay> starts;
  for (absl::CivilDay d(2026, 1, 1); d < absl::CivilDay(2028, 1, 1); ++d) {
    starts.push_back(d);
  }
  for (absl::CivilDay d : starts)
    benchmark::DoNotOptimize(pl.AddWorkingDays(d, 25));
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(pl.AddWorkingDays(starts[i], 25));
    if (++i == starts.size()) i = 0;
  }
}
BENCHMARK(BM_AddWorkingDays25);

void BM_DueDateAsANodeDoes(benchmark::State& state) {
  absl::StatusOr<Calendars> calendars = Calendars::Shipped();
  if (!calendars.ok()) {
    state.SkipWithError("cannot load the shipped calendars");
    return;
  }
  std::vector<absl::CivilDay> starts;
  for (absl::CivilDay d(2026, 1, 1); d < absl::CivilDay(2028, 1, 1); ++d) {
    starts.push_back(d);
  }
  for (absl::CivilDay d : starts)
    benchmark::DoNotOptimize(calendars->For("PL-PIP")->AddWorkingDays(d, 25));
  size_t i = 0;
  for (auto _ : state) {
    const WorkingCalendar* pl = calendars->For("PL-PIP");
    absl::StatusOr<absl::CivilDay> due = pl->TryAddWorkingDays(starts[i], 25);
    benchmark::DoNotOptimize(due);
    if (++i == starts.size()) i = 0;
  }
}
BENCHMARK(BM_DueDateAsANodeDoes);

void BM_IsWorkingDay(benchmark::State& state) {
  const Calendars calendars = *Calendars::Shipped();
  const WorkingCalendar& se = *calendars.For("SE");
  absl::CivilDay d(2026, 1, 1);
  for (auto _ : state) {
    benchmark::DoNotOptimize(se.IsWorkingDay(d));
    d = d.day() == 28 ? absl::CivilDay(2026, 1, 1) : d + 1;
  }
}
BENCHMARK(BM_IsWorkingDay);

}  // namespace
}  // namespace pwx::domain

BENCHMARK_MAIN();
