// Posting cases, their secondary indexes and attachment contents, laid out
// on a KvStore. Knows keys and encodings only: the rules of what a valid case
// is live in server/domain.
//
// Layout:
//   cases  String(id)                                -> pwx.v1.Case
//   index  String("status")  Uint64(status) String(id)  -> ""
//          String("country") String(cc)     String(id)  -> ""
//          String("sector")  String(nace)   String(id)  -> ""
//   blobs  String(sha256)                            -> Uint64(size)
//          String(sha256) Uint64(chunk number)       -> bytes
#ifndef PWX_STORAGE_CASE_STORE_H_
#define PWX_STORAGE_CASE_STORE_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "pwx/v1/case.pb.h"
#include "storage/kv_store.h"

namespace pwx::storage {

// A case as read, with the exact bytes stored, so a later write can require
// that nobody changed it in between (optimistic concurrency).
struct StoredCase {
  pwx::v1::Case record;
  std::string bytes;
};

struct CaseQuery {
  pwx::v1::CaseStatus status = pwx::v1::CASE_STATUS_UNSPECIFIED;  // any
  std::string country_of_establishment;                           // any
  std::string sector_prefix;  // normalised NACE prefix, e.g. "F41"
  // Extra test applied to every candidate (e.g. a text match); may be empty.
  std::function<bool(const pwx::v1::Case&)> predicate;
};

struct CasePage {
  std::vector<pwx::v1::Case> cases;
  // Opaque; empty on the last page.
  std::string next_page_token;
};

// Size of the chunks attachment contents are stored and streamed in.
inline constexpr size_t kBlobChunkBytes = 256 * 1024;

// Thread-safe: stateless over a thread-safe KvStore.
class CaseStore {
 public:
  // `kv` must outlive the CaseStore.
  explicit CaseStore(KvStore* kv) : kv_(kv) {}

  // The case, std::nullopt if there is none, or an error (DATA_LOSS for a
  // record that does not parse).
  absl::StatusOr<std::optional<StoredCase>> Get(std::string_view id) const;

  // Default byte budget of a List page: well under gRPC's 4 MiB.
  static constexpr size_t kMaxPageBytes = size_t{2} << 20;

  // Adds to `batch` the writes that store `record` and keep the indexes in
  // step with it, with a precondition that the stored bytes are still
  // `previous->bytes` (or that no case exists, when `previous` is null).
  // Returns the bytes the record is stored as (what audit entries hash).
  std::string Put(const pwx::v1::Case& record, const StoredCase* previous,
                  WriteBatch* batch) const;

  // One page of the cases matching `query`, in a stable order (by id, or by
  // index key when a status, country or sector filter picks an index): at
  // most `page_size` cases and, unless one case alone is larger, at most
  // `max_page_bytes` of them (a response must stay under the clients'
  // message limit). INVALID_ARGUMENT naming "page_token" for a token that
  // was not issued for this query.
  absl::StatusOr<CasePage> List(const CaseQuery& query, int page_size,
                                std::string_view page_token,
                                size_t max_page_bytes = kMaxPageBytes) const;

  // The highest sequence number used by ids starting with `id_prefix`
  // ("FR-DGT-2026-"), 0 when there is none. Sequences must be zero-padded
  // to one width for this to hold.
  absl::StatusOr<uint64_t> LastSequence(std::string_view id_prefix) const;

  // Attachment contents are stored under their SHA-256 (lower-case hex) and
  // deduplicated: the chunks first, each batch of them as its own write, so
  // that no write holds a whole large content; then the size, in the batch
  // that adds the attachment to its case. A content is stored once its size
  // is; chunks without one are an unfinished upload's, rewritten with the
  // same bytes by the next upload of that content.

  // Adds to `batch` chunk `index` (0-based, kBlobChunkBytes each but the
  // last) of the content `sha256`.
  void PutBlobChunk(std::string_view sha256, uint64_t index,
                    std::string_view chunk, WriteBatch* batch) const;

  // Adds to `batch` the size of the content `sha256`, whose chunks are
  // stored, unless the content is stored already.
  absl::Status PutBlobSize(std::string_view sha256, uint64_t size,
                           WriteBatch* batch) const;

  // The size of a stored content, or std::nullopt.
  absl::StatusOr<std::optional<uint64_t>> BlobSize(
      std::string_view sha256) const;

  // Chunk `index` (0-based) of a stored content; NOT_FOUND past the end.
  absl::StatusOr<std::string> BlobChunk(std::string_view sha256,
                                        uint64_t index) const;

 private:
  KvStore* kv_;
};

}  // namespace pwx::storage

#endif  // PWX_STORAGE_CASE_STORE_H_
