// Durable writes per second against RocksStore with 1, 8 and 64 concurrent
// writers. Every write is fsync'ed; with group commit, the rate should grow
// with the number of writers because one fsync serves a whole group.
// BM_DurableWritesWithAudit does the same writes with one audit entry each,
// as every case change does: the target is under 10% more than without.
//
//   storage_benchmark --benchmark_min_time=2
#include <stdlib.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "benchmark/benchmark.h"
#include "google/protobuf/util/time_util.h"
#include "pwx/v1/audit.pb.h"
#include "storage/rocks_store.h"

namespace pwx::storage {
namespace {

// One store for the whole run, in a temporary directory removed at exit.
class BenchStore {
 public:
  static BenchStore& Get() {
    static BenchStore* const instance = new BenchStore();
    return *instance;
  }
  KvStore& store() { return *store_; }

 private:
  BenchStore() {
    std::error_code ec;
    std::string pattern =
        (std::filesystem::temp_directory_path(ec) / "pwx_bench.XXXXXX")
            .string();
    std::vector<char> buffer(pattern.begin(), pattern.end());
    buffer.push_back('\0');
    if (mkdtemp(buffer.data()) == nullptr) {
      std::fprintf(stderr, "mkdtemp(%s) failed\n", pattern.c_str());
      std::abort();
    }
    dir_ = buffer.data();
    absl::StatusOr<std::unique_ptr<RocksStore>> store =
        RocksStore::Open({.path = dir_ + "/db"});
    if (!store.ok()) {
      std::fprintf(stderr, "%s\n", store.status().ToString().c_str());
      std::abort();
    }
    store_ = *std::move(store);
    std::atexit([] {
      BenchStore& self = Get();
      self.store_.reset();
      std::error_code ignored;
      std::filesystem::remove_all(self.dir_, ignored);
    });
  }

  std::string dir_;
  std::unique_ptr<KvStore> store_;
};

std::atomic<uint64_t> next_key{0};

// A serialized audit entry as CaseManager writes one for a change.
std::string AuditEntryFor(const std::string& key) {
  pwx::v1::AuditEntry entry;
  *entry.mutable_time() = google::protobuf::util::TimeUtil::GetCurrentTime();
  entry.set_user("inspector.anna.nowak");
  entry.set_action("case.update");
  entry.set_object_id(key);
  entry.set_content_sha256(std::string(64, 'e'));
  entry.set_authority("FR-DGT");
  return entry.SerializeAsString();
}

// Each iteration is one durable write of a ~200-byte case and an index
// entry, as filing a case does, plus an audit entry when `audit`.
void DurableWrites(benchmark::State& state, bool audit) {
  KvStore& store = BenchStore::Get().store();
  const std::string value(200, 'x');
  for (auto _ : state) {
    const std::string key = absl::StrCat("case-", next_key.fetch_add(1));
    WriteBatch batch;
    batch.Require(Column::kCases, key, std::nullopt);
    batch.Put(Column::kCases, key, value);
    batch.Put(Column::kIndex, "open/" + key, "");
    if (audit) batch.AppendAudit(AuditEntryFor(key));
    absl::Status s = store.Write(std::move(batch));
    if (!s.ok()) {
      state.SkipWithError(s.ToString().c_str());
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_DurableWrites(benchmark::State& state) { DurableWrites(state, false); }
BENCHMARK(BM_DurableWrites)->Threads(1)->Threads(8)->Threads(64)->UseRealTime();

void BM_DurableWritesWithAudit(benchmark::State& state) {
  DurableWrites(state, true);
}
BENCHMARK(BM_DurableWritesWithAudit)
    ->Threads(1)
    ->Threads(8)
    ->Threads(64)
    ->UseRealTime();

}  // namespace
}  // namespace pwx::storage

BENCHMARK_MAIN();
