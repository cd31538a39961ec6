// Verifying a 1-million-entry audit export (heads every 1000 entries), as
// `pwx audit verify` does. The export is written to a temp file once.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "client/audit_verify.h"
#include "tests/client/audit_export_builder.h"
#include "tests/testing/test_pki.h"

namespace pwx::testing {
namespace {

constexpr uint64_t kEntries = 1'000'000;
constexpr uint64_t kHeadEvery = 1000;

const std::string& ExportFile() {
  static const std::string* const path = [] {
    auto* file =
        new std::string(MakeTempDir("audit_verify_bench") + "/export.pwxa");
    std::ofstream out(*file, std::ios::binary);
    AuditExportBuilder builder;
    builder.Write(kEntries, kHeadEvery,
                  [&out](const pwx::v1::LogExportRecord& record) {
                    out << SerializeExport({record});
                  });
    return file;
  }();
  return *path;
}

void BM_VerifyExport1M(benchmark::State& state) {
  const std::string& path = ExportFile();
  for (auto _ : state) {
    absl::StatusOr<client::AuditVerifyResult> result =
        client::VerifyAuditExportFile(path);
    if (!result.ok() || !result->ok) {
      state.SkipWithError("verification failed");
      return;
    }
    benchmark::DoNotOptimize(result->entries);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(kEntries));
}
BENCHMARK(BM_VerifyExport1M)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace pwx::testing

BENCHMARK_MAIN();
