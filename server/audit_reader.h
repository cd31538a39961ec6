// Reading the node's audit log for auditors: signed tree heads, entries,
// RFC 9162 proofs, the export, the access log of a case and the signed
// receipts peers returned. Plain C++ over the storage interfaces (no gRPC):
// AuditServiceImpl only authorizes and translates.
//
// Reading the log leaves no audit entry of its own: entries hold metadata
// and hashes, never personal data, so reading them is not an access to
// personal data that the log must record, and an entry per page would make
// the log grow with every look at it.
#ifndef PWX_SERVER_AUDIT_READER_H_
#define PWX_SERVER_AUDIT_READER_H_

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "pwx/v1/audit_service.pb.h"
#include "server/tree_head_signer.h"
#include "storage/audit_log.h"
#include "storage/federation_store.h"
#include "storage/kv_store.h"
#include "storage/tree_head_store.h"

namespace pwx::server {

class AuditReader;

// The records of an export, one at a time, in the order documented on
// LogExportRecord: a header, the signing certificates, then the entries
// with each tree head right after the entry that completes its size.
// Memory does not grow with the log. Thread-compatible.
class LogExport {
 public:
  // The entries exported: those of the latest signed head.
  uint64_t entry_count() const { return count_; }
  // Fills `record` with the next record; false when the export is done.
  absl::StatusOr<bool> Next(pwx::v1::LogExportRecord* record);

 private:
  friend class AuditReader;
  explicit LogExport(const AuditReader* reader) : reader_(reader) {}
  absl::Status LoadNextHead(uint64_t after);

  const AuditReader* const reader_;
  uint64_t count_ = 0;
  bool header_sent_ = false;
  std::vector<pwx::v1::SignerCertificate> certificates_;
  size_t next_certificate_ = 0;
  // The next entry to export; entries below it are exported.
  uint64_t next_index_ = 0;
  std::deque<std::string> buffer_;
  // The head of the smallest size above the entries exported so far.
  std::optional<pwx::v1::SignedTreeHead> next_head_;
};

// Thread-safe. Every pointer must outlive the reader. Point reads and
// bounded scans; nothing is written or signed.
class AuditReader {
 public:
  AuditReader(std::string authority_id, const storage::KvStore* kv,
              const storage::FederationStore* federation,
              const TreeHeadSigner* signer);

  // The latest signed head with its signing certificate, and the log's
  // current size. DATA_LOSS when the head's certificate is not stored.
  absl::StatusOr<pwx::v1::GetTreeHeadResponse> TreeHead() const;

  // Entries in [from_index, to_index) matching the request's filters. With
  // filters a page may hold fewer than page_size entries (at most kMaxScan
  // entries are examined per call); the caller continues from next_index.
  // INVALID_ARGUMENT naming page_size, to_index or from_index.
  absl::StatusOr<pwx::v1::ListEntriesResponse> Entries(
      const pwx::v1::ListEntriesRequest& request) const;

  // Proofs for a tree size (0: the latest signed head's; FAILED_PRECONDITION
  // before the first head). OUT_OF_RANGE for a size beyond the log;
  // INVALID_ARGUMENT naming index or from_size.
  absl::StatusOr<pwx::v1::InclusionProof> InclusionProof(
      const pwx::v1::GetInclusionProofRequest& request) const;
  absl::StatusOr<pwx::v1::ConsistencyProof> ConsistencyProof(
      const pwx::v1::GetConsistencyProofRequest& request) const;

  // The entries about a case, in log order, a page at a time.
  // INVALID_ARGUMENT naming case_id, page_size or page_token.
  absl::StatusOr<pwx::v1::GetAccessLogResponse> AccessLog(
      const pwx::v1::GetAccessLogRequest& request) const;

  // A peer's stored receipt batches as it signed them, by first sequence,
  // with the signing certificates they name. Batches that share a first
  // sequence (a resend) stay on one page. INVALID_ARGUMENT naming peer or
  // page_size; NOT_FOUND when the node holds no receipts from the peer and
  // it is not a peer either (a mistyped id).
  absl::StatusOr<pwx::v1::ListReceiptsResponse> Receipts(
      const pwx::v1::ListReceiptsRequest& request) const;

  // An export of the log up to the latest signed head. FAILED_PRECONDITION
  // before the first head.
  absl::StatusOr<std::unique_ptr<LogExport>> Export() const;

  // The most entries Entries examines in one call.
  static constexpr uint64_t kMaxScan = 10000;

 private:
  friend class LogExport;

  // The size of the latest signed head; FAILED_PRECONDITION before the
  // first head.
  absl::StatusOr<uint64_t> SignedSize() const;

  const std::string authority_id_;
  const storage::FederationStore* const federation_;
  const TreeHeadSigner* const signer_;
  const storage::AuditLog log_;
  const storage::TreeHeadStore heads_;
};

}  // namespace pwx::server

#endif  // PWX_SERVER_AUDIT_READER_H_
