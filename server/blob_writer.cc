#include "server/blob_writer.h"

#include <algorithm>
#include <memory>
#include <string>
#include <utility>

#include "storage/case_store.h"

namespace pwx::server {
namespace {

// Attachment chunks written per batch: an upload being stored holds at most
// this many chunks (1 MiB) in memory, whatever its size.
constexpr uint64_t kChunksPerWrite = 4;

struct Writing {
  storage::KvStore* kv;
  const SpoolFile* content;
  std::string sha256;
  uint64_t chunks;
  std::function<void(absl::Status)> done;
};

void WriteFrom(std::shared_ptr<Writing> w, uint64_t next) {
  if (next >= w->chunks) {
    w->done(absl::OkStatus());
    return;
  }
  const storage::CaseStore blobs(w->kv);
  storage::WriteBatch batch;
  const uint64_t end = std::min(w->chunks, next + kChunksPerWrite);
  for (uint64_t index = next; index < end; ++index) {
    absl::StatusOr<std::string> chunk = w->content->Read(
        index * storage::kBlobChunkBytes, storage::kBlobChunkBytes);
    if (!chunk.ok()) {
      w->done(chunk.status());
      return;
    }
    blobs.PutBlobChunk(w->sha256, index, *chunk, &batch);
  }
  storage::KvStore* kv = w->kv;
  kv->WriteAsync(std::move(batch), [w = std::move(w), end](absl::Status s) {
    if (!s.ok()) {
      w->done(s);
      return;
    }
    WriteFrom(w, end);
  });
}

}  // namespace

void WriteBlobChunks(storage::KvStore* kv, const SpoolFile* content,
                     std::function<void(absl::Status)> done) {
  auto w = std::make_shared<Writing>();
  w->kv = kv;
  w->content = content;
  w->sha256 = content->Sha256Hex();
  w->chunks = (content->size() + storage::kBlobChunkBytes - 1) /
              storage::kBlobChunkBytes;
  w->done = std::move(done);
  absl::StatusOr<std::optional<uint64_t>> stored =
      storage::CaseStore(kv).BlobSize(w->sha256);
  if (!stored.ok()) {
    w->done(stored.status());
    return;
  }
  // A content stored already (for this case, another, or a request) is not
  // written again.
  const uint64_t first = stored->has_value() ? w->chunks : 0;
  WriteFrom(std::move(w), first);
}

}  // namespace pwx::server
