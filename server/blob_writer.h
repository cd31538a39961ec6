// Stores a spooled upload's bytes in the content-addressed blob store
// (storage::CaseStore's blobs), a few chunks per write, so that memory
// stays bounded whatever the size. Shared by case and request attachments.
#ifndef PWX_SERVER_BLOB_WRITER_H_
#define PWX_SERVER_BLOB_WRITER_H_

#include <functional>

#include "absl/status/status.h"
#include "server/attachment_spool.h"
#include "storage/kv_store.h"

namespace pwx::server {

// Writes the chunks of `content` under its SHA-256, unless that content is
// stored already (its size is), then calls `done` with OK, or with the
// first error. The caller then records the size (CaseStore::PutBlobSize)
// in the batch that adds the attachment, which makes the content stored.
// `kv` and `content` must stay valid until `done` is called; `done` runs on
// the store's writer thread or the calling thread.
void WriteBlobChunks(storage::KvStore* kv, const SpoolFile* content,
                     std::function<void(absl::Status)> done);

}  // namespace pwx::server

#endif  // PWX_SERVER_BLOB_WRITER_H_
