// Inclusion proofs served from the RocksDB-backed audit log at 10 million
// entries: AuditLog::InclusionProof for a random entry (one read of the size,
// then one read per proof hash) plus verifying it against the root. Target:
// under 100 µs. The log is built once per run (about a minute, ~1.5 GB of
// temporary disk), in $PWX_BENCH_DIR if set (kept and reused), else in a
// temporary directory removed at exit.
//
//   audit_log_benchmark --benchmark_min_time=2
#include <stdlib.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "benchmark/benchmark.h"
#include "server/domain/merkle.h"
#include "storage/audit_log.h"
#include "storage/rocks_store.h"

namespace pwx::storage {
namespace {

constexpr uint64_t kEntries = 10'000'000;
constexpr uint64_t kEntriesPerWrite = 20'000;

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "%s\n", what.c_str());
  std::abort();
}

// As long as a real entry (about 130 bytes); the log never parses them.
std::string EntryBytes(uint64_t i) {
  return absl::StrCat("entry ", i, " inspector.anna.nowak case.read ",
                      "FR-DGT-2026-", 100000 + i % 900000, " ",
                      std::string(64, static_cast<char>('a' + i % 6)));
}

class BenchLog {
 public:
  static BenchLog& Get() {
    static BenchLog* const instance = new BenchLog();
    return *instance;
  }
  const AuditLog& log() const { return *log_; }
  const domain::Hash& root() const { return root_; }

 private:
  BenchLog() {
    std::error_code ec;
    if (const char* dir = std::getenv("PWX_BENCH_DIR"); dir != nullptr) {
      dir_ = dir;
      std::filesystem::create_directories(dir_, ec);
    } else {
      std::string pattern =
          (std::filesystem::temp_directory_path(ec) / "pwx_audit_bench.XXXXXX")
              .string();
      std::vector<char> buffer(pattern.begin(), pattern.end());
      buffer.push_back('\0');
      if (mkdtemp(buffer.data()) == nullptr) Die("mkdtemp failed");
      dir_ = buffer.data();
      std::atexit([] {
        BenchLog& self = Get();
        self.log_.reset();
        self.store_.reset();
        std::error_code ignored;
        std::filesystem::remove_all(self.dir_, ignored);
      });
    }
    absl::StatusOr<std::unique_ptr<RocksStore>> store =
        RocksStore::Open({.path = dir_ + "/db"});
    if (!store.ok()) Die(store.status().ToString());
    store_ = *std::move(store);
    log_ = std::make_unique<AuditLog>(store_.get());
    uint64_t size = *log_->Size();
    if (size != 0 && size != kEntries) Die(dir_ + " holds another log");
    while (size < kEntries) {
      WriteBatch batch;
      for (uint64_t i = 0; i < kEntriesPerWrite; ++i) {
        batch.AppendAudit(EntryBytes(size + i));
      }
      if (absl::Status s = store_->Write(std::move(batch)); !s.ok()) {
        Die(s.ToString());
      }
      size += kEntriesPerWrite;
      if (size % 1'000'000 == 0) {
        std::fprintf(stderr, "audit log: %llu entries\n",
                     static_cast<unsigned long long>(size));
      }
    }
    root_ = *log_->Root(kEntries);
  }

  std::string dir_;
  std::unique_ptr<RocksStore> store_;
  std::unique_ptr<AuditLog> log_;
  domain::Hash root_{};
};

void BM_RocksInclusionProofAndVerify(benchmark::State& state) {
  const BenchLog& bench = BenchLog::Get();
  std::mt19937_64 rng(1);
  std::uniform_int_distribution<uint64_t> pick(0, kEntries - 1);
  for (auto _ : state) {
    const uint64_t index = pick(rng);
    absl::StatusOr<std::vector<domain::Hash>> proof =
        bench.log().InclusionProof(index, kEntries);
    if (!proof.ok() ||
        !domain::VerifyInclusion(domain::LeafHash(EntryBytes(index)), index,
                                 kEntries, *proof, bench.root())
             .ok()) {
      state.SkipWithError("inclusion proof did not verify");
      return;
    }
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RocksInclusionProofAndVerify)
    ->Unit(benchmark::kMicrosecond)
    ->Threads(1)
    ->Threads(2)
    ->UseRealTime();

}  // namespace
}  // namespace pwx::storage

BENCHMARK_MAIN();
