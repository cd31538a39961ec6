// Delivery throughput between two nodes in one process, over real mTLS on
// loopback: FR-DGT's outbox holds a backlog of N case shares for PL-PIP
// (written straight into its store while it is stopped), then FR-DGT starts
// and the benchmark times how long until PL-PIP has applied, durably, and
// receipted every one. Both nodes share this machine's cores. Targets: at
// least 5,000 envelopes per second; a backlog of 100,000 drains at that rate;
// TLS handshakes only at connection start. For the last, the benchmark
// samples this machine's TCP sockets every 20 ms during the drain and
// reports how many distinct connections to PL-PIP's federation port it saw
// (counter "connections"; one long-lived channel gives 1).
//
//   federation_benchmark                      # 10,000 and 100,000
//   federation_benchmark --benchmark_filter=/10000$
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "benchmark/benchmark.h"
#include "server/audit_trail.h"
#include "server/config.h"
#include "storage/federation_store.h"
#include "storage/rocks_store.h"
#include "tests/server/federation_node.h"

namespace pwx::server {
namespace {

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "federation_benchmark: %s\n", what.c_str());
  std::abort();
}

// The benchmark's nodes are the tests' (TestNode) with the default
// federation and audit settings instead of the tests' short ones, logging
// only warnings, with federation.max_batch from PWX_BENCH_MAX_BATCH when set.
void Configure(pwx::v1::ServerConfig* config) {
  config->mutable_log()->set_level("warn");
  config->mutable_audit()->clear_sign_interval_ms();
  config->mutable_federation()->clear_retry_initial_ms();
  config->mutable_federation()->clear_retry_max_ms();
  config->mutable_federation()->clear_max_message_bytes();
  if (const char* batch = std::getenv("PWX_BENCH_MAX_BATCH")) {
    config->mutable_federation()->set_max_batch(std::atoi(batch));
  }
}

void StartOrDie(TestNode& node) {
  node.Start();
  if (node.node() == nullptr) Die(node.id() + " does not start");
}

void AddPeerOrDie(TestNode& node, TestNode& peer) {
  grpc::Status s = node.AddPeer(peer.Card());
  if (!s.ok()) Die(s.error_message());
}

// Queues `n` shares of a small case for `peer` in the stopped node's store.
void WriteBacklog(const std::string& data_dir, const std::string& peer,
                  int64_t n) {
  absl::StatusOr<std::unique_ptr<storage::RocksStore>> store =
      storage::RocksStore::Open({.path = data_dir});
  if (!store.ok()) Die(store.status().ToString());
  absl::StatusOr<std::unique_ptr<storage::FederationStore>> fed =
      storage::FederationStore::Open(store->get());
  if (!fed.ok()) Die(fed.status().ToString());
  pwx::v1::OutboxItem item;
  pwx::v1::Case* c =
      item.mutable_event()->mutable_case_shared()->mutable_case_();
  c->set_owner_authority("FR-DGT");
  c->set_version(1);
  c->set_title("Gros oeuvre, chantier Lyon Part-Dieu");
  c->mutable_undertaking()->set_name("Budimex Konstrukcje Sp. z o.o.");
  c->mutable_undertaking()->set_country_of_establishment("PL");
  *item.mutable_queued() = ToProtoTime(absl::Now());
  item.set_queued_by("alice");
  for (int64_t i = 0; i < n;) {
    storage::WriteBatch batch;
    for (int64_t j = 0; j < 1000 && i < n; ++j, ++i) {
      c->set_id(absl::StrFormat("FR-DGT-2026-%06d", i + 1));
      (*fed)->Enqueue(peer, item, &batch);
    }
    if (absl::Status s = (*store)->Write(std::move(batch)); !s.ok()) {
      Die(s.ToString());
    }
  }
}

// Adds to `clients` the local port of every established TCP connection to
// `port` (from /proc/net/tcp and tcp6: "local rem st" as hex "addr:port").
void SampleConnectionsTo(int port, std::set<int>* clients) {
  for (const char* table : {"/proc/net/tcp", "/proc/net/tcp6"}) {
    std::ifstream in(table);
    std::string line;
    std::getline(in, line);  // the header
    while (std::getline(in, line)) {
      std::istringstream fields(line);
      std::string slot, local, remote, state;
      fields >> slot >> local >> remote >> state;
      if (state != "01") continue;  // TCP_ESTABLISHED
      const auto port_of = [](const std::string& address) {
        const size_t colon = address.rfind(':');
        return colon == std::string::npos
                   ? -1
                   : std::stoi(address.substr(colon + 1), nullptr, 16);
      };
      if (port_of(remote) == port) clients->insert(port_of(local));
    }
  }
}

void BM_DrainBacklog(benchmark::State& state) {
  const int64_t n = state.range(0);
  for (auto _ : state) {
    TestNode fr("FR-DGT");
    TestNode pl("PL-PIP");
    fr.set_configure(Configure);
    pl.set_configure(Configure);
    StartOrDie(fr);
    StartOrDie(pl);
    AddPeerOrDie(fr, pl);
    AddPeerOrDie(pl, fr);
    fr.Stop();
    WriteBacklog(fr.data_dir(), "PL-PIP", n);
    const auto start = std::chrono::steady_clock::now();
    StartOrDie(fr);
    std::set<int> connections;
    while (pl.Health("FR-DGT").received_sequence() < static_cast<uint64_t>(n)) {
      SampleConnectionsTo(pl.node()->federation_port(), &connections);
      absl::SleepFor(absl::Milliseconds(20));
    }
    // ...and FR-DGT has stored the last receipts.
    while (fr.Health("PL-PIP").queued() != 0)
      absl::SleepFor(absl::Milliseconds(5));
    const auto end = std::chrono::steady_clock::now();
    state.SetIterationTime(std::chrono::duration<double>(end - start).count());
    state.counters["connections"] = static_cast<double>(connections.size());
    fr.Stop();
    pl.Stop();
  }
  state.SetItemsProcessed(state.iterations() * n);
}
BENCHMARK(BM_DrainBacklog)
    ->Arg(10'000)
    ->Arg(100'000)
    ->Iterations(1)
    ->UseManualTime()
    ->Unit(benchmark::kSecond);

}  // namespace
}  // namespace pwx::server
