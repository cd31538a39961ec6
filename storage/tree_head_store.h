// The audit log's signed tree heads and the certificates that signed them,
// in the meta column:
//   meta  String("tree_head") Uint64(tree_size)  -> pwx.v1.SignedTreeHead
//   meta  String("signer_cert") String(sha256)   -> PEM certificate
// Heads are keyed by size, so the latest is one backward seek and the heads
// of a range of sizes are one scan. Certificates are kept for ever, so heads
// signed before a key rotation stay verifiable.
#ifndef PWX_STORAGE_TREE_HEAD_STORE_H_
#define PWX_STORAGE_TREE_HEAD_STORE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "pwx/v1/audit_service.pb.h"
#include "storage/kv_store.h"

namespace pwx::storage {

// Thread-safe: stateless over a thread-safe KvStore. Reads return DATA_LOSS
// when a stored value does not parse.
class TreeHeadStore {
 public:
  // `kv` must outlive the TreeHeadStore.
  explicit TreeHeadStore(const KvStore* kv) : kv_(kv) {}
  TreeHeadStore(const TreeHeadStore&) = delete;
  TreeHeadStore& operator=(const TreeHeadStore&) = delete;

  // The head of the largest size, std::nullopt when none was stored.
  absl::StatusOr<std::optional<pwx::v1::SignedTreeHead>> Latest() const;

  // The head of the smallest size greater than `size`, std::nullopt when
  // there is none. One seek.
  absl::StatusOr<std::optional<pwx::v1::SignedTreeHead>> NextAfter(
      uint64_t size) const;

  // The heads with after < tree_size <= up_to, by size. The caller bounds
  // the range.
  absl::StatusOr<std::vector<pwx::v1::SignedTreeHead>> Range(
      uint64_t after, uint64_t up_to) const;

  // Adds to `batch` the write of `head`, keyed by its tree_size.
  static void Put(const pwx::v1::SignedTreeHead& head, WriteBatch* batch);

  // The PEM of the certificate whose DER has SHA-256 `sha256` (lower-case
  // hex), std::nullopt when unknown.
  absl::StatusOr<std::optional<std::string>> Certificate(
      const std::string& sha256) const;

  // Every stored certificate, by sha256.
  absl::StatusOr<std::vector<pwx::v1::SignerCertificate>> Certificates() const;

  // Adds to `batch` the write of a certificate (idempotent: the key is its
  // hash).
  static void PutCertificate(const pwx::v1::SignerCertificate& certificate,
                             WriteBatch* batch);

 private:
  const KvStore* const kv_;
};

}  // namespace pwx::storage

#endif  // PWX_STORAGE_TREE_HEAD_STORE_H_
