// RequestStore::List over a RocksDB store of N requests (default 100,000,
// about 20 s in all; --requests=1000000 for the target's million, whose load
// took 7.5 minutes on a loaded 2-core machine). Target: the 50 most overdue
// out of 1 million under 5 ms.
//
// The store is FR-DGT's: half its inbox, half its outbox, with eight peers
// (PL-PIP and DE-FKS the busiest), each request folded by domain::FoldHistory
// from the events a node makes (tests/domain/request_samples.h): sent and
// received (the due date 25 working days on the recipient's shipped
// calendar, 2 for the 3% urgent), and for most also accepted, answered or
// closed. Open requests were received up to 50 days ago, so about a third of
// them are overdue; answered and closed ones up to 400 days ago. The
// requests are written through RequestStore::Put in batches of 5,000, then
// the store is closed and opened again, so that lists read from disk files,
// not the memtable. Counters on every benchmark: requests, load_s (building
// and writing them), disk_mb (the database directory after reopening), and
// found (requests in the page).
//
//   BM_Overdue            due_before today, both boxes: `pwx request overdue`
//   BM_OverdueInbox       the same, inbox only
//   BM_OverduePages       successive overdue pages through the page token,
//                         from the first to the last and round again
//   BM_State              state ACCEPTED, both boxes, by id
//   BM_Peer               peer PL-PIP
//   BM_StateAndPeer       state ACCEPTED and peer CZ-SUIP (a small peer),
//                         from the index of that combination
//
//   request_store_benchmark                        # 100,000 requests
//   request_store_benchmark --requests=1000000
//   PWX_BENCH_DIR=/var/tmp/rq request_store_benchmark   # keep and reuse
//
// The database is built in $PWX_BENCH_DIR if set (kept, and reused by a
// later run with the same --requests and the same day), else in a temporary
// directory removed at exit.
#include <stdlib.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "benchmark/benchmark.h"
#include "server/domain/calendar.h"
#include "server/domain/request_rules.h"
#include "storage/request_store.h"
#include "storage/rocks_store.h"
#include "tests/domain/request_samples.h"

namespace pwx::storage {
namespace {

constexpr char kSelf[] = "FR-DGT";
constexpr int kPerBatch = 5000;
constexpr int kPageSize = 50;

int64_t g_requests = 100'000;

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "request_store_benchmark: %s\n", what.c_str());
  std::abort();
}

// The peers, the first ones busiest.
const std::vector<std::string>& Peers() {
  static const std::vector<std::string> peers = {"PL-PIP",  "DE-FKS", "RO-ITM",
                                                 "ES-ITSS", "IT-INL", "PT-ACT",
                                                 "BE-SPF",  "CZ-SUIP"};
  return peers;
}

// An index into Peers(): 30%, 20%, then fewer. Single-threaded.
size_t PickPeer(std::mt19937_64& rng) {
  static std::discrete_distribution<size_t> weights(
      {30, 20, 12, 10, 9, 8, 7, 4});
  return weights(rng);
}

absl::CivilDay Today() {
  return absl::ToCivilDay(absl::Now(), absl::UTCTimeZone());
}

// Request `i` of the store, folded from its events.
pwx::v1::Request MakeRequest(int64_t i, std::mt19937_64& rng,
                             const domain::Calendars& calendars,
                             absl::CivilDay today,
                             std::vector<uint64_t>* numbers) {
  const size_t p = PickPeer(rng);
  const std::string& peer = Peers()[p];
  const bool outbox = rng() % 2 == 0;
  const std::string requester = outbox ? kSelf : peer;
  const std::string recipient = outbox ? peer : kSelf;
  // 25% awaiting acceptance, 35% accepted, 15% answered, 25% closed.
  const int stage = static_cast<int>(rng() % 100);
  const bool open = stage < 60;
  const absl::CivilDay received =
      today - (open ? static_cast<int>(rng() % 51)
                    : 30 + static_cast<int>(rng() % 371));
  pwx::v1::RequestContent content =
      testing::SampleInformation(static_cast<uint64_t>(i));
  if (rng() % 100 < 3) {
    content.set_urgent(true);
    content.set_urgency_reason("the site closes on Friday");
  }
  const int days = domain::PeriodDays(content);
  const absl::CivilDay due =
      calendars.For(recipient)->AddWorkingDays(received, days);
  const absl::Time sent = absl::FromCivil(
      absl::CivilSecond(received.year(), received.month(), received.day(), 8,
                        static_cast<int>(rng() % 60), 0),
      absl::UTCTimeZone());

  testing::SampleHistory h(requester, recipient);
  h.Send(content, sent);
  h.Receive(received, due, calendars.version(), sent + absl::Seconds(3));
  if (stage >= 25) h.Accept(due - 3, sent + absl::Hours(26));
  if (stage >= 60) h.Answer(sent + absl::Hours(24 * 12));
  if (stage >= 75) h.Close(sent + absl::Hours(24 * 13));

  // FR-DGT's numbers, and each peer's.
  uint64_t& number = (*numbers)[outbox ? Peers().size() : p];
  const std::string id =
      domain::FormatRequestId(requester, received.year(), ++number);
  absl::StatusOr<pwx::v1::Request> r = domain::FoldHistory(id, h.events());
  if (!r.ok()) Die(r.status().ToString());
  return *std::move(r);
}

uint64_t DirectoryBytes(const std::string& dir) {
  uint64_t total = 0;
  std::error_code ec;
  for (const auto& entry :
       std::filesystem::recursive_directory_iterator(dir, ec)) {
    if (entry.is_regular_file(ec)) total += entry.file_size(ec);
  }
  return total;
}

// Writes g_requests requests, two batches in flight so that building the
// next overlaps writing the last.
void Load(RocksStore* kv) {
  const absl::StatusOr<domain::Calendars> calendars =
      domain::Calendars::Shipped();
  if (!calendars.ok()) Die(calendars.status().ToString());
  const RequestStore store(kv, kSelf);
  const absl::CivilDay today = Today();
  std::mt19937_64 rng(20260202);
  std::vector<uint64_t> numbers(Peers().size() + 1, 0);

  std::mutex mu;
  std::condition_variable cv;
  int in_flight = 0;
  absl::Status failed;
  for (int64_t i = 0; i < g_requests;) {
    WriteBatch batch;
    for (int j = 0; j < kPerBatch && i < g_requests; ++j, ++i) {
      store.Put(MakeRequest(i, rng, *calendars, today, &numbers), nullptr,
                &batch);
    }
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return in_flight < 2; });
    if (!failed.ok()) Die(failed.ToString());
    ++in_flight;
    lock.unlock();
    kv->WriteAsync(std::move(batch), [&](absl::Status s) {
      std::lock_guard<std::mutex> done(mu);
      if (!s.ok()) failed = s;
      --in_flight;
      cv.notify_all();
    });
  }
  std::unique_lock<std::mutex> lock(mu);
  cv.wait(lock, [&] { return in_flight == 0; });
  if (!failed.ok()) Die(failed.ToString());
}

class BenchStore {
 public:
  static BenchStore& Get() {
    static BenchStore* const instance = new BenchStore();
    return *instance;
  }
  const RequestStore& store() const { return *store_; }
  void Count(benchmark::State& state, size_t found) const {
    state.counters["requests"] = static_cast<double>(g_requests);
    state.counters["load_s"] = load_s_;
    state.counters["disk_mb"] = disk_mb_;
    state.counters["found"] = static_cast<double>(found);
  }

 private:
  BenchStore() {
    std::error_code ec;
    bool keep = false;
    if (const char* dir = std::getenv("PWX_BENCH_DIR"); dir != nullptr) {
      dir_ = dir;
      keep = true;
      std::filesystem::create_directories(dir_, ec);
    } else {
      std::string pattern =
          (std::filesystem::temp_directory_path(ec) / "pwx_rq_bench.XXXXXX")
              .string();
      std::vector<char> buffer(pattern.begin(), pattern.end());
      buffer.push_back('\0');
      if (mkdtemp(buffer.data()) == nullptr) Die("mkdtemp " + pattern);
      dir_ = buffer.data();
    }
    // What a kept database holds: its size and the day its dates are
    // relative to.
    const std::string marker = dir_ + "/built";
    const std::string want =
        absl::StrCat(g_requests, " ", absl::FormatCivilTime(Today()));
    std::string have;
    std::string have_load;
    if (keep) {
      std::ifstream in(marker);
      std::getline(in, have);
      std::getline(in, have_load);
    }
    if (have != want) {
      std::filesystem::remove_all(dir_ + "/db", ec);
      std::filesystem::remove(marker, ec);
      const auto start = std::chrono::steady_clock::now();
      {
        absl::StatusOr<std::unique_ptr<RocksStore>> kv =
            RocksStore::Open({.path = dir_ + "/db"});
        if (!kv.ok()) Die(kv.status().ToString());
        Load(kv->get());
      }
      load_s_ = std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                              start)
                    .count();
      std::fprintf(stderr, "request_store_benchmark: %lld requests in %.1f s\n",
                   static_cast<long long>(g_requests), load_s_);
      std::ofstream(marker) << want << "\n" << load_s_ << "\n";
    } else if (!absl::SimpleAtod(have_load, &load_s_)) {
      load_s_ = 0;
    }
    absl::StatusOr<std::unique_ptr<RocksStore>> kv =
        RocksStore::Open({.path = dir_ + "/db"});
    if (!kv.ok()) Die(kv.status().ToString());
    kv_ = *std::move(kv);
    disk_mb_ = static_cast<double>(DirectoryBytes(dir_ + "/db")) / (1 << 20);
    store_ = std::make_unique<RequestStore>(kv_.get(), kSelf);
    if (!keep) {
      std::atexit([] {
        BenchStore& self = Get();
        self.store_.reset();
        self.kv_.reset();
        std::error_code ignored;
        std::filesystem::remove_all(self.dir_, ignored);
      });
    }
  }

  std::string dir_;
  double load_s_ = 0;
  double disk_mb_ = 0;
  std::unique_ptr<RocksStore> kv_;
  std::unique_ptr<RequestStore> store_;
};

RequestPage ListOrDie(const RequestQuery& q, std::string_view token = "") {
  absl::StatusOr<RequestPage> page =
      BenchStore::Get().store().List(q, kPageSize, token);
  if (!page.ok()) Die(page.status().ToString());
  return *std::move(page);
}

void Run(benchmark::State& state, const RequestQuery& q) {
  const BenchStore& bench = BenchStore::Get();
  size_t found = 0;
  for (auto _ : state) {
    RequestPage page = ListOrDie(q);
    found = page.requests.size();
    benchmark::DoNotOptimize(page);
  }
  bench.Count(state, found);
}

RequestQuery Overdue(pwx::v1::RequestBox box) {
  RequestQuery q;
  q.box = box;
  q.due_before = absl::FormatCivilTime(Today());
  return q;
}

void BM_Overdue(benchmark::State& state) {
  const RequestQuery q = Overdue(pwx::v1::REQUEST_BOX_UNSPECIFIED);
  // Most overdue first, and every one of them overdue.
  const RequestPage page = ListOrDie(q);
  for (size_t i = 0; i < page.requests.size(); ++i) {
    if (page.requests[i].due_date() >= q.due_before ||
        (i > 0 &&
         page.requests[i].due_date() < page.requests[i - 1].due_date())) {
      Die("the overdue page is not the most overdue, in order");
    }
  }
  Run(state, q);
}
BENCHMARK(BM_Overdue)->Unit(benchmark::kMicrosecond);

void BM_OverdueInbox(benchmark::State& state) {
  Run(state, Overdue(pwx::v1::REQUEST_BOX_INBOX));
}
BENCHMARK(BM_OverdueInbox)->Unit(benchmark::kMicrosecond);

void BM_OverduePages(benchmark::State& state) {
  const RequestQuery q = Overdue(pwx::v1::REQUEST_BOX_UNSPECIFIED);
  std::string token;
  size_t found = 0;
  int64_t pages = 0;
  for (auto _ : state) {
    RequestPage page = ListOrDie(q, token);
    found = page.requests.size();
    token = std::move(page.next_page_token);
    ++pages;
  }
  BenchStore::Get().Count(state, found);
  state.counters["pages"] = static_cast<double>(pages);
}
BENCHMARK(BM_OverduePages)->Unit(benchmark::kMicrosecond);

void BM_State(benchmark::State& state) {
  RequestQuery q;
  q.state = pwx::v1::REQUEST_STATE_ACCEPTED;
  Run(state, q);
}
BENCHMARK(BM_State)->Unit(benchmark::kMicrosecond);

void BM_Peer(benchmark::State& state) {
  RequestQuery q;
  q.peer = "PL-PIP";
  Run(state, q);
}
BENCHMARK(BM_Peer)->Unit(benchmark::kMicrosecond);

void BM_StateAndPeer(benchmark::State& state) {
  RequestQuery q;
  q.state = pwx::v1::REQUEST_STATE_ACCEPTED;
  q.peer = "CZ-SUIP";
  Run(state, q);
}
BENCHMARK(BM_StateAndPeer)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace pwx::storage

// --requests=N (taken out before Google Benchmark reads the rest).
int main(int argc, char** argv) {
  int kept = 1;
  for (int i = 1; i < argc; ++i) {
    constexpr char kFlag[] = "--requests=";
    if (std::strncmp(argv[i], kFlag, sizeof(kFlag) - 1) == 0) {
      int64_t n = 0;
      if (!absl::SimpleAtoi(argv[i] + sizeof(kFlag) - 1, &n) || n < 1) {
        std::fprintf(stderr, "--requests: a positive number, not \"%s\"\n",
                     argv[i] + sizeof(kFlag) - 1);
        return 2;
      }
      pwx::storage::g_requests = n;
    } else {
      argv[kept++] = argv[i];
    }
  }
  argc = kept;
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
