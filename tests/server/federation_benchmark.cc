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
#include "pwx/v1/peer_service.grpc.pb.h"
#include "pwx/v1/user_service.grpc.pb.h"
#include "server/audit_trail.h"
#include "server/config.h"
#include "server/node.h"
#include "storage/federation_store.h"
#include "storage/rocks_store.h"
#include "tests/server/loopback_node.h"
#include "tests/testing/test_pki.h"

namespace pwx::server {
namespace {

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "federation_benchmark: %s\n", what.c_str());
  std::abort();
}

class BenchNode {
 public:
  explicit BenchNode(std::string id)
      : id_(std::move(id)),
        ca_(testing::TestCa::Create(id_)),
        keys_(ca_.IssueNode(id_)),
        alice_(ca_.IssueUser("alice")),
        dir_(testing::MakeTempDir("federation_bench_" + id_)) {}

  void Start() {
    pwx::v1::ServerConfig config = LoopbackConfig(id_, data_dir());
    config.mutable_federation()->set_listen(
        absl::StrCat("127.0.0.1:", federation_port_));
    config.mutable_log()->set_level("warn");
    if (const char* batch = std::getenv("PWX_BENCH_MAX_BATCH")) {
      config.mutable_federation()->set_max_batch(std::atoi(batch));
    }
    absl::StatusOr<std::unique_ptr<Node>> node =
        StartLoopbackNode(std::move(config), ca_, keys_);
    if (!node.ok()) Die(node.status().ToString());
    node_ = *std::move(node);
    federation_port_ = node_->federation_port();
  }
  void Stop() {
    node_->Shutdown(absl::Seconds(5));
    node_.reset();
  }

  std::unique_ptr<pwx::v1::PeerService::Stub> Peers() {
    return pwx::v1::PeerService::NewStub(
        LoopbackChannel(node_->api_port(), ca_, &alice_));
  }
  pwx::v1::IdentityCard Card() {
    grpc::ClientContext context;
    pwx::v1::IdentityCard card;
    if (!Peers()->ExportIdentity(&context, {}, &card).ok()) Die("export");
    return card;
  }
  void AddPeer(const pwx::v1::IdentityCard& card) {
    grpc::ClientContext context;
    pwx::v1::AddPeerRequest request;
    *request.mutable_card() = card;
    pwx::v1::Peer peer;
    grpc::Status s = Peers()->AddPeer(&context, request, &peer);
    if (!s.ok()) Die(s.error_message());
  }
  pwx::v1::PeerHealth Health() {
    grpc::ClientContext context;
    pwx::v1::ListPeersResponse peers;
    if (!Peers()->ListPeers(&context, {}, &peers).ok() ||
        peers.peers_size() != 1) {
      Die("list peers");
    }
    return peers.peers(0);
  }

  std::string data_dir() const { return dir_ + "/data"; }
  int federation_port() const { return federation_port_; }

 private:
  std::string id_;
  testing::TestCa ca_;
  testing::KeyPair keys_;
  testing::KeyPair alice_;
  std::string dir_;
  int federation_port_ = 0;
  std::unique_ptr<Node> node_;
};

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
    BenchNode fr("FR-DGT");
    BenchNode pl("PL-PIP");
    fr.Start();
    pl.Start();
    fr.AddPeer(pl.Card());
    pl.AddPeer(fr.Card());
    fr.Stop();
    WriteBacklog(fr.data_dir(), "PL-PIP", n);
    const auto start = std::chrono::steady_clock::now();
    fr.Start();
    std::set<int> connections;
    while (pl.Health().received_sequence() < static_cast<uint64_t>(n)) {
      SampleConnectionsTo(pl.federation_port(), &connections);
      absl::SleepFor(absl::Milliseconds(20));
    }
    // ...and FR-DGT has stored the last receipts.
    while (fr.Health().queued() != 0) absl::SleepFor(absl::Milliseconds(5));
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

BENCHMARK_MAIN();
