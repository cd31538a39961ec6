// What a read of personal data costs: GetCase over real mTLS on loopback
// against a node on RocksDB in a temporary directory (this machine's disk),
// with `readers` clients calling at once, each over its own connection, as
// so many CLIs would. Every GetCase appends a case.read audit entry and
// answers once it is durable; the node's audit.read_entry_delay_ms, how
// long that entry may wait for a commit to share, is the benchmark's first
// argument.
//
// Counters: reads (calls measured), reads_per_s (all readers together),
// and the latency of one call as a client sees it: mean_ms, p50_ms, p99_ms. The
// node serves nothing else meanwhile, so a read's entry has no other write to
// share a commit with.
//
//   case_read_benchmark
//   case_read_benchmark --benchmark_filter='/100/'   # the default delay only
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "benchmark/benchmark.h"
#include "pwx/v1/case_service.grpc.pb.h"
#include "pwx/v1/user_service.grpc.pb.h"
#include "server/config.h"
#include "server/logging.h"
#include "server/node.h"
#include "tests/server/loopback_node.h"
#include "tests/testing/test_pki.h"

namespace pwx::server {
namespace {

using Clock = std::chrono::steady_clock;

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "case_read_benchmark: %s\n", what.c_str());
  std::abort();
}

std::chrono::system_clock::time_point Deadline() {
  return std::chrono::system_clock::now() + std::chrono::seconds(30);
}

// A posting case of the usual size: three workers, a subcontractor.
pwx::v1::Case Draft() {
  pwx::v1::Case c;
  c.set_title("Gros oeuvre, chantier Lyon Part-Dieu");
  c.mutable_undertaking()->set_name("Budimex Konstrukcje Sp. z o.o.");
  c.mutable_undertaking()->set_registration_number("PL7770002345");
  c.mutable_undertaking()->set_country_of_establishment("PL");
  c.mutable_service_recipient()->set_name("Rhône Habitat SA");
  c.mutable_service_recipient()->set_country("FR");
  c.set_sector_nace("F41.20");
  for (const char* name : {"Jan Kowalski", "Piotr Nowak", "Anna Zielińska"}) {
    pwx::v1::PostedWorker* w = c.add_workers();
    w->set_full_name(name);
    w->set_date_of_birth("1985-04-12");
    w->set_nationality("PL");
    w->set_a1_certificate_number("PL-A1-2026-000123");
    w->mutable_posting_period()->set_start_date("2026-02-01");
    w->mutable_posting_period()->set_end_date("2026-06-30");
    w->set_workplace("Lyon");
  }
  pwx::v1::Subcontractor* s = c.add_subcontracting_chain();
  s->set_name("Elewacje SC");
  s->set_registration_number("PL5550001111");
  s->set_country("PL");
  s->set_level(1);
  return c;
}

// A node with one case, read by an inspector, ines, whom the bootstrap
// admin alice made one.
class ReadBench {
 public:
  ReadBench(int read_entry_delay_ms, int readers)
      : ca_(testing::TestCa::Create("FR-DGT")),
        keys_(ca_.IssueNode("FR-DGT")),
        alice_(ca_.IssueUser("alice")),
        ines_(ca_.IssueUser("ines")),
        dir_(testing::MakeTempDir("case_read_bench")) {
    pwx::v1::ServerConfig config = LoopbackConfig("FR-DGT", dir_ + "/data");
    config.mutable_log()->set_level("warn");
    // The node leaves logging to main(): a line per call would be measured.
    if (absl::Status s = SetupLogging(config.log()); !s.ok()) {
      Die(s.ToString());
    }
    config.mutable_audit()->set_read_entry_delay_ms(read_entry_delay_ms);
    absl::StatusOr<std::unique_ptr<Node>> node =
        StartLoopbackNode(std::move(config), ca_, keys_);
    if (!node.ok()) Die(node.status().ToString());
    node_ = *std::move(node);

    grpc::ClientContext grant_context;
    grant_context.set_deadline(Deadline());
    pwx::v1::GrantRoleRequest grant;
    grant.set_name("ines");
    grant.set_role(pwx::v1::ROLE_INSPECTOR);
    pwx::v1::User user;
    grpc::Status s = pwx::v1::UserService::NewStub(
                         LoopbackChannel(node_->api_port(), ca_, &alice_))
                         ->GrantRole(&grant_context, grant, &user);
    if (!s.ok()) Die("grant: " + s.error_message());

    for (int i = 0; i < readers; ++i) {
      // A pool of its own: one TLS connection per reader, not one shared.
      grpc::ChannelArguments args;
      args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
      stubs_.push_back(pwx::v1::CaseService::NewStub(
          LoopbackChannel(node_->api_port(), ca_, &ines_, args)));
    }
    grpc::ClientContext create_context;
    create_context.set_deadline(Deadline());
    pwx::v1::CreateCaseRequest create;
    *create.mutable_case_() = Draft();
    pwx::v1::Case created;
    s = stubs_[0]->CreateCase(&create_context, create, &created);
    if (!s.ok()) Die("create: " + s.error_message());
    case_id_ = created.id();
  }

  ~ReadBench() { node_->Shutdown(absl::Seconds(5)); }

  // One GetCase by reader `reader`; aborts on an error.
  void Read(int reader) {
    grpc::ClientContext context;
    context.set_deadline(Deadline());
    pwx::v1::GetCaseRequest request;
    request.set_id(case_id_);
    pwx::v1::Case c;
    grpc::Status s = stubs_[reader]->GetCase(&context, request, &c);
    if (!s.ok() || c.id() != case_id_) Die("get: " + s.error_message());
  }

 private:
  testing::TestCa ca_;
  testing::KeyPair keys_;
  testing::KeyPair alice_;
  testing::KeyPair ines_;
  std::string dir_;
  std::unique_ptr<Node> node_;
  std::vector<std::unique_ptr<pwx::v1::CaseService::Stub>> stubs_;
  std::string case_id_;
};

double Percentile(std::vector<double>& sorted, double p) {
  const size_t i =
      std::min(sorted.size() - 1,
               static_cast<size_t>(p * static_cast<double>(sorted.size() - 1)));
  return sorted[i];
}

// How long each iteration keeps the readers calling.
constexpr auto kRound = std::chrono::seconds(2);

// range(0): audit.read_entry_delay_ms; range(1): concurrent readers. Each
// iteration, every reader calls GetCase one call after the other until
// kRound has passed (finishing the call it is in).
void BM_GetCase(benchmark::State& state) {
  const int delay_ms = static_cast<int>(state.range(0));
  const int readers = static_cast<int>(state.range(1));
  ReadBench bench(delay_ms, readers);
  for (int r = 0; r < readers; ++r) bench.Read(r);  // connect, warm up

  std::vector<double> latencies_ms;
  double seconds = 0;
  for (auto _ : state) {
    std::vector<std::vector<double>> per_reader(readers);
    const Clock::time_point start = Clock::now();
    const Clock::time_point end = start + kRound;
    std::vector<std::thread> threads;
    for (int r = 0; r < readers; ++r) {
      threads.emplace_back([&bench, &per_reader, r, end] {
        while (Clock::now() < end) {
          const Clock::time_point t0 = Clock::now();
          bench.Read(r);
          per_reader[r].push_back(
              std::chrono::duration<double, std::milli>(Clock::now() - t0)
                  .count());
        }
      });
    }
    for (std::thread& t : threads) t.join();
    const double elapsed =
        std::chrono::duration<double>(Clock::now() - start).count();
    state.SetIterationTime(elapsed);
    seconds += elapsed;
    for (const std::vector<double>& l : per_reader) {
      latencies_ms.insert(latencies_ms.end(), l.begin(), l.end());
    }
  }
  std::sort(latencies_ms.begin(), latencies_ms.end());
  double sum = 0;
  for (double l : latencies_ms) sum += l;
  state.counters["reads_per_s"] =
      static_cast<double>(latencies_ms.size()) / seconds;
  state.counters["mean_ms"] = sum / static_cast<double>(latencies_ms.size());
  state.counters["p50_ms"] = Percentile(latencies_ms, 0.50);
  state.counters["p99_ms"] = Percentile(latencies_ms, 0.99);
  state.counters["reads"] = static_cast<double>(latencies_ms.size());
}
BENCHMARK(BM_GetCase)
    ->ArgNames({"delay_ms", "readers"})
    ->ArgsProduct({{100, 10, 1}, {1, 64}})
    ->Iterations(3)
    ->UseManualTime()
    ->Unit(benchmark::kSecond);

}  // namespace
}  // namespace pwx::server
