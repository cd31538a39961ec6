// Durable writes per second against RocksStore with 1, 8 and 64 concurrent
// writers. Every write is fsync'ed; with group commit, the rate should grow
// with the number of writers because one fsync serves a whole group.
// BM_DurableWritesWithAudit does the same writes with one audit entry each:
// with records this small, the entry is a third of the bytes written.
// BM_CaseWrites is the durable case write the audit target is about: a
// realistic case (three posted workers, a subcontracting chain, a note)
// stored by CaseStore with its indexes, and with /audit:1 also the audit
// entry CaseManager writes with it (hash of the stored record included).
// Target: /audit:1 under 10% slower than /audit:0; separate runs drift, so
// BM_CaseWriteAuditOverhead measures the two interleaved in one run.
// BM_CaseBatchCpu: the CPU a case write and its entry cost before the store.
//
//   storage_benchmark --benchmark_min_time=2
#include <stdlib.h>

#include <atomic>
#include <chrono>
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
#include "server/domain/digest.h"
#include "storage/audit_tree.h"
#include "storage/case_store.h"
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

// A case as an inspector files one: three posted workers, a subcontracting
// chain of two, a note.
pwx::v1::Case RealisticCase(const std::string& id) {
  pwx::v1::Case c;
  c.set_id(id);
  c.set_version(1);
  c.set_owner_authority("FR-DGT");
  c.set_title("Gros oeuvre, chantier Lyon Part-Dieu, lot 4");
  c.set_status(pwx::v1::CASE_STATUS_OPEN);
  auto* u = c.mutable_undertaking();
  u->set_name("Budimex Konstrukcje Sp. z o.o.");
  u->set_registration_number("PL5252344078");
  u->set_country_of_establishment("PL");
  u->set_address("ul. Siedmiogrodzka 9, 01-204 Warszawa");
  auto* r = c.mutable_service_recipient();
  r->set_name("Bâtiments du Rhône SAS");
  r->set_registration_number("FR40123456824");
  r->set_country("FR");
  r->set_address("12 rue de la République, 69002 Lyon");
  for (int i = 0; i < 3; ++i) {
    pwx::v1::PostedWorker* w = c.add_workers();
    w->set_full_name(absl::StrCat("Jan Kowalski-Nowak ", i));
    w->set_date_of_birth("1987-03-14");
    w->set_nationality("PL");
    w->set_a1_certificate_number(absl::StrCat("PL-A1-2026-00047", i));
    w->mutable_posting_period()->set_start_date("2026-09-01");
    w->mutable_posting_period()->set_end_date("2027-02-28");
    w->set_workplace("Chantier Part-Dieu, 69003 Lyon");
  }
  c.set_sector_nace("F41.20");
  c.set_declaration_reference("SIPSI-2026-FR-0042137");
  for (uint32_t level = 1; level <= 2; ++level) {
    pwx::v1::Subcontractor* s = c.add_subcontracting_chain();
    s->set_name(absl::StrCat("Sous-traitant ", level));
    s->set_registration_number(absl::StrCat("FR9912345678", level));
    s->set_country("FR");
    s->set_level(level);
  }
  pwx::v1::Note* note = c.add_notes();
  note->set_author("inspector.anna.nowak");
  *note->mutable_created_at() =
      google::protobuf::util::TimeUtil::GetCurrentTime();
  note->set_text(
      "Contrôle du 2026-10-12: trois salariés détachés présents, A1 "
      "présentés pour deux d'entre eux; demande d'information à suivre.");
  c.set_created_by("inspector.anna.nowak");
  *c.mutable_created_at() = google::protobuf::util::TimeUtil::GetCurrentTime();
  return c;
}

// The batch that files a new realistic case, with the audit entry
// CaseManager adds to it when `audit`.
WriteBatch CaseBatch(const CaseStore& cases, uint64_t n, bool audit) {
  const std::string id = absl::StrCat("FR-DGT-2026-", n);
  const pwx::v1::Case record = RealisticCase(id);
  WriteBatch batch;
  const std::string stored = cases.Put(record, nullptr, &batch);
  if (audit) {
    pwx::v1::AuditEntry entry;
    *entry.mutable_time() = record.created_at();
    entry.set_user(record.created_by());
    entry.set_action("case.create");
    entry.set_object_id(id);
    entry.set_content_sha256(domain::Sha256Hex(stored));
    entry.set_authority("FR-DGT");
    batch.AppendAudit(entry.SerializeAsString());
  }
  return batch;
}

// Files one realistic case durably, with its audit entry when `audit`.
absl::Status WriteCase(const CaseStore& cases, KvStore& store, bool audit) {
  return store.Write(CaseBatch(cases, next_key.fetch_add(1), audit));
}

void BM_CaseWrites(benchmark::State& state) {
  const bool audit = state.range(0) != 0;
  KvStore& store = BenchStore::Get().store();
  CaseStore cases(&store);
  for (auto _ : state) {
    if (absl::Status s = WriteCase(cases, store, audit); !s.ok()) {
      state.SkipWithError(s.ToString().c_str());
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CaseWrites)
    ->ArgNames({"audit"})
    ->Arg(0)
    ->Arg(1)
    ->Threads(1)
    ->Threads(8)
    ->Threads(64)
    ->UseRealTime();

// The audit target measured without the drift that separate runs suffer:
// fsync latency on a shared disk wanders by tens of percent within minutes,
// and a later run meets a bigger database and background flushes. Here all
// threads switch between plain and audited case writes every 50 ms of the
// same run, so both modes meet the same disk and the same database; each
// write's latency is charged to the mode it was issued in. With a fixed
// number of writers, throughput is inversely proportional to mean latency,
// so audit_overhead_pct = (audited latency / plain latency - 1) * 100.
// Target: audit_overhead_pct < 10 at every concurrency.
struct ModeTotals {
  std::atomic<uint64_t> writes{0};
  std::atomic<uint64_t> nanos{0};
};
ModeTotals mode_totals[2];

void BM_CaseWriteAuditOverhead(benchmark::State& state) {
  KvStore& store = BenchStore::Get().store();
  CaseStore cases(&store);
  if (state.thread_index() == 0) {
    for (ModeTotals& t : mode_totals) {
      t.writes = 0;
      t.nanos = 0;
    }
  }
  constexpr auto kPhase = std::chrono::milliseconds(50);
  const auto epoch = std::chrono::steady_clock::time_point();
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    const bool audit = ((start - epoch) / kPhase) % 2 == 1;
    if (absl::Status s = WriteCase(cases, store, audit); !s.ok()) {
      state.SkipWithError(s.ToString().c_str());
      break;
    }
    const auto nanos = std::chrono::duration_cast<std::chrono::nanoseconds>(
                           std::chrono::steady_clock::now() - start)
                           .count();
    mode_totals[audit].writes.fetch_add(1, std::memory_order_relaxed);
    mode_totals[audit].nanos.fetch_add(static_cast<uint64_t>(nanos),
                                       std::memory_order_relaxed);
  }
  state.SetItemsProcessed(state.iterations());
  // The loop ends at a barrier of all threads: the totals are complete.
  if (state.thread_index() == 0) {
    double mean_us[2] = {0, 0};
    for (int mode = 0; mode < 2; ++mode) {
      const uint64_t n = mode_totals[mode].writes;
      // Google Benchmark's first, one-iteration trial sizes the run; only
      // runs long enough to span both modes report.
      if (n == 0) return;
      mean_us[mode] = static_cast<double>(mode_totals[mode].nanos) / 1000.0 / n;
    }
    state.counters["plain_us"] = mean_us[0];
    state.counters["audited_us"] = mean_us[1];
    state.counters["audit_overhead_pct"] =
        (mean_us[1] / mean_us[0] - 1.0) * 100.0;
  }
}
BENCHMARK(BM_CaseWriteAuditOverhead)
    ->Threads(1)
    ->Threads(8)
    ->Threads(64)
    ->UseRealTime();

// CPU only, no store: what preparing a case write costs, and what its audit
// entry adds before RocksDB sees it (entry, content hash, leaf hash, and the
// committer's tree edge update and leaf record).
void BM_CaseBatchCpu(benchmark::State& state) {
  const bool audit = state.range(0) != 0;
  const CaseStore cases(&BenchStore::Get().store());
  domain::CompactRange frontier;
  uint64_t n = 0;
  for (auto _ : state) {
    WriteBatch batch = CaseBatch(cases, n++, audit);
    if (audit) {
      WriteBatch writes;
      AppendAuditEntries(batch.audit_entries(), batch.audit_leaf_hashes(),
                         &frontier, &writes);
      benchmark::DoNotOptimize(writes);
    }
    benchmark::DoNotOptimize(batch);
  }
}
BENCHMARK(BM_CaseBatchCpu)->ArgNames({"audit"})->Arg(0)->Arg(1);

}  // namespace
}  // namespace pwx::storage

BENCHMARK_MAIN();
