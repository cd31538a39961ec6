// Offline verification of an audit log export (`pwx audit export FILE`):
// no server, no network. Recomputes the RFC 6962 tree from the exported
// entry bytes and checks every signed tree head against it.
#ifndef PWX_CLIENT_AUDIT_VERIFY_H_
#define PWX_CLIENT_AUDIT_VERIFY_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "google/protobuf/io/zero_copy_stream.h"
#include "pwx/v1/audit_service.pb.h"
#include "pwx/v1/federation.pb.h"

namespace pwx::client {

// The format name and version an export header must carry.
inline constexpr char kExportFormat[] = "pwx-audit-export";
inline constexpr uint32_t kExportVersion = 1;

// A certificate that signed tree heads of an export.
struct AuditSigner {
  // Lower-case hex SHA-256 of its DER: how tree heads name it, and the
  // fingerprint an auditor compares with the one the node's coordinator
  // published.
  std::string sha256;
  // The heads it signed whose signature verified, and the tree sizes of the
  // first and the last of them.
  uint64_t tree_heads = 0;
  uint64_t first_size = 0;
  uint64_t last_size = 0;
  // True when it is one of AuditVerifyOptions::trusted_signers.
  bool trusted = false;
};

// What verifying an export found.
struct AuditVerifyResult {
  // True when every check passed.
  bool ok = false;
  // Entries whose index, decoding and leaf hash were checked, and (when ok)
  // all covered by a verified head.
  uint64_t entries = 0;
  // Signed tree heads whose root, authority, signature, time and (when
  // asked) signer were verified.
  uint64_t tree_heads = 0;
  // The header's authority and the last verified head's root (lower-case
  // hex); empty until known.
  std::string authority;
  std::string root_hex;
  // The certificates whose signatures on heads verified, in the order of
  // their first head (several after a key rotation). Also filled when the
  // check fails, up to the head at fault, so that the fingerprint can be
  // shown either way.
  std::vector<AuditSigner> signers;
  // True when the heads were held to trusted signers (the options named
  // some); false when only to the certificates the export carries.
  bool signers_checked = false;
  // The first problem, one line; empty when ok.
  std::string error;
  // The index of the entry the problem is in, when it is known exactly.
  std::optional<uint64_t> entry_index;
};

// Called with (entries checked so far, entries the header announces) every
// few thousand entries and once at the end, e.g. to draw a progress bar.
using VerifyProgress = std::function<void(uint64_t done, uint64_t total)>;

struct AuditVerifyOptions {
  // The SHA-256 fingerprints (lower-case hex of the DER) of the certificates
  // the auditor trusts to sign the node's tree heads. When not empty, every
  // head must be signed by one of them: after a key rotation, name the
  // earlier key too, or the heads it signed fail. When empty, heads are
  // checked against the certificates the export carries, which proves that
  // the log matches those keys, not whose keys they are. Default: empty.
  std::set<std::string> trusted_signers;
  // Default: none.
  VerifyProgress progress;
};

// Verifies the export read from `input` (delimited LogExportRecord messages,
// see proto/pwx/v1/audit_service.proto), stopping at the first problem:
//  - the header is first, with format "pwx-audit-export" and version 1, and
//    its entry_count equals the number of entries;
//  - entries are numbered 0, 1, 2, ... (a gap, duplicate or reordering is
//    reported with the index);
//  - each entry's decoded `entry` equals the parse of its entry_bytes in
//    every field, object_ids included (a changed byte in either, or a field
//    shown that the bytes do not hold, is reported with the entry's index);
//  - each signed tree head comes right after the entry that completes it, in
//    increasing size, names the header's authority, has the root the
//    entries give, and is signed by the certificate it names, which the
//    export carries and whose DER has that SHA-256;
//  - no head is dated before the head before it;
//  - with options.trusted_signers, each head's certificate is one of them;
//  - the last head covers the last entry (anything else is truncation).
// An entry whose bytes and decoded form were altered consistently can only
// be located to the entries between two heads; the error says which.
// Streams: memory does not grow with the number of entries. Returns a
// non-OK status only when `input` cannot be read; problems with the content
// are in the result. Not thread-safe with respect to `input`.
AuditVerifyResult VerifyAuditExport(
    google::protobuf::io::ZeroCopyInputStream& input,
    const AuditVerifyOptions& options = {});

// VerifyAuditExport() over the file at `path`. NOT_FOUND or
// PERMISSION_DENIED naming `path` when it cannot be opened.
absl::StatusOr<AuditVerifyResult> VerifyAuditExportFile(
    const std::string& path, const AuditVerifyOptions& options = {});

// `text` as a SHA-256 fingerprint in lower-case hex: 64 hex digits, either
// case, optionally in pairs separated by colons (as `openssl x509
// -fingerprint -sha256` prints them). std::nullopt when it is not one.
std::optional<std::string> NormalizeSha256Fingerprint(std::string_view text);

// The SHA-256 fingerprint (lower-case hex of the DER) of every certificate
// in the PEM text `pem`, in order. INVALID_ARGUMENT when it holds none or
// one does not parse. Thread-safe.
absl::StatusOr<std::vector<std::string>> CertificateFingerprints(
    std::string_view pem);

// The entry `logged` carries, as its entry_bytes (the bytes the log hashed)
// say: the `entry` sent alongside them must say exactly the same in every
// field, object_ids included. DATA_LOSS naming the index otherwise. What the
// CLI shows of an entry comes from here, never from `entry` unchecked.
// Thread-safe.
absl::StatusOr<pwx::v1::AuditEntry> DecodeLoggedEntry(
    const pwx::v1::LoggedEntry& logged);

// Checks that `head` is signed by the certificate `certificate_pem` and that
// the certificate is the one the head names (signer_certificate_sha256).
// DATA_LOSS saying which check failed otherwise. Thread-safe.
absl::Status VerifyTreeHeadSignature(const pwx::v1::SignedTreeHead& head,
                                     std::string_view certificate_pem);

// Checks one batch of receipts that `peer` signed (ListReceiptsResponse):
// the certificate its tree head names is in `certificates` (keyed by
// SHA-256 hex, as ListReceiptsResponse carries them) and hashes to that
// name; the head is of `peer` and signed by it; the batch's signature
// verifies with the same key; and every receipt's audit_index lies inside
// the head's tree. DATA_LOSS saying which check failed, or NOT_FOUND when
// the certificate is not there (the batch cannot be checked).
absl::Status VerifyReceiptBatch(
    const pwx::v1::DeliverResponse& batch, std::string_view peer,
    const google::protobuf::Map<std::string, std::string>& certificates);

// Lower-case hex of arbitrary bytes.
std::string BytesToHex(std::string_view bytes);

}  // namespace pwx::client

#endif  // PWX_CLIENT_AUDIT_VERIFY_H_
