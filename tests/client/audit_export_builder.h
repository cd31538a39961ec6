// Audit log exports made in the test: entries, an RFC 6962 tree built with
// the domain code, tree heads signed with a key from a test CA.
#ifndef PWX_TESTS_CLIENT_AUDIT_EXPORT_BUILDER_H_
#define PWX_TESTS_CLIENT_AUDIT_EXPORT_BUILDER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "pwx/v1/audit.pb.h"
#include "pwx/v1/audit_service.pb.h"
#include "pwx/v1/federation.pb.h"
#include "server/domain/merkle.h"
#include "server/domain/signing.h"

namespace pwx::testing {

// The AuditEntry at `index`: times a second apart, a few users and actions;
// every fourth a case.list with two object_ids.
pwx::v1::AuditEntry MakeAuditEntry(uint64_t index,
                                   const std::string& authority);

// Makes exports for one authority, signed by one node key. Thread-compatible.
class AuditExportBuilder {
 public:
  explicit AuditExportBuilder(std::string authority = "FR-DGT");

  // Calls `sink` with each record of an export of `entries` entries with a
  // signed head after every `head_every`-th entry and one after the last.
  void Write(
      uint64_t entries, uint64_t head_every,
      const std::function<void(const pwx::v1::LogExportRecord&)>& sink) const;
  // The same records in a vector.
  std::vector<pwx::v1::LogExportRecord> Build(uint64_t entries,
                                              uint64_t head_every) const;

  // A head over `root` for `size` entries, signed with the node key (or
  // with `signer` when given) and naming the node certificate, dated `time`
  // (default: a second after entry `size`).
  pwx::v1::SignedTreeHead SignHead(
      uint64_t size, const domain::Hash& root,
      const domain::Signer* signer = nullptr,
      std::optional<absl::Time> time = std::nullopt) const;

  // A batch of receipts this authority signed for `sender`'s envelopes
  // [first, first + count), recorded as the last `count` entries of a log of
  // `tree_size` entries (or from entry `first_audit_index` on, when given),
  // with a head over a made-up root: what a node answers a delivery with.
  pwx::v1::DeliverResponse ReceiptBatch(
      const std::string& sender, uint64_t first, uint64_t count,
      uint64_t tree_size,
      std::optional<uint64_t> first_audit_index = std::nullopt) const;

  const std::string& authority() const { return authority_; }
  const std::string& cert_pem() const { return cert_pem_; }
  const std::string& cert_sha256() const { return cert_sha256_; }

 private:
  std::string authority_;
  std::string cert_pem_;
  std::string cert_sha256_;
  std::shared_ptr<domain::Signer> signer_;
};

// The records in the export file framing (varint length + message).
std::string SerializeExport(
    const std::vector<pwx::v1::LogExportRecord>& records);

// A key pair from a fresh test CA, for "signed by another key".
std::unique_ptr<domain::Signer> OtherSigner();

}  // namespace pwx::testing

#endif  // PWX_TESTS_CLIENT_AUDIT_EXPORT_BUILDER_H_
