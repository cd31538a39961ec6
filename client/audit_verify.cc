#include "client/audit_verify.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "client/absl_view.h"
#include "google/protobuf/io/zero_copy_stream_impl.h"
#include "google/protobuf/util/delimited_message_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "pwx/v1/audit.pb.h"
#include "server/domain/digest.h"
#include "server/domain/envelope.h"
#include "server/domain/merkle.h"
#include "server/domain/signing.h"

namespace pwx::client {
namespace {

// How often, in entries, progress is reported.
constexpr uint64_t kProgressEvery = 4096;
// Read buffer of the export file.
constexpr int kReadBlockBytes = 1 << 20;

bool SameTime(const pwx::v1::AuditEntry& a, const pwx::v1::AuditEntry& b) {
  return a.has_time() == b.has_time() &&
         a.time().seconds() == b.time().seconds() &&
         a.time().nanos() == b.time().nanos();
}

// The number of AuditEntry fields SameEntry compares one by one. A newer
// AuditEntry with more fields is compared reflectively (slow but exact)
// until SameEntry learns them; tests/client/audit_verify_test.cc fails then.
constexpr int kComparedEntryFields = 8;

bool SameObjectIds(const pwx::v1::AuditEntry& a, const pwx::v1::AuditEntry& b) {
  if (a.object_ids_size() != b.object_ids_size()) return false;
  for (int i = 0; i < a.object_ids_size(); ++i) {
    if (a.object_ids(i) != b.object_ids(i)) return false;
  }
  return true;
}

// Field-by-field equality of every field: MessageDifferencer is reflective
// and would dominate the cost of verifying a large export. Unknown fields
// (written by a newer node) take the slow, exact path.
bool SameEntry(const pwx::v1::AuditEntry& a, const pwx::v1::AuditEntry& b) {
  static const bool fast_path_is_complete =
      pwx::v1::AuditEntry::descriptor()->field_count() == kComparedEntryFields;
  if (!fast_path_is_complete ||
      !a.GetReflection()->GetUnknownFields(a).empty() ||
      !b.GetReflection()->GetUnknownFields(b).empty()) {
    return google::protobuf::util::MessageDifferencer::Equals(a, b);
  }
  return SameTime(a, b) && a.user() == b.user() && a.action() == b.action() &&
         a.object_id() == b.object_id() &&
         a.content_sha256() == b.content_sha256() &&
         a.authority() == b.authority() && a.count() == b.count() &&
         SameObjectIds(a, b);
}

absl::Time HeadTime(const google::protobuf::Timestamp& timestamp) {
  return absl::FromUnixSeconds(timestamp.seconds()) +
         absl::Nanoseconds(timestamp.nanos());
}

// Checks the records of one export in file order; Check* return false after
// recording the first problem in result().
class ExportVerifier {
 public:
  explicit ExportVerifier(const AuditVerifyOptions& options)
      : options_(options), progress_(options.progress) {
    result_.signers_checked = !options.trusted_signers.empty();
  }

  bool CheckRecord(const pwx::v1::LogExportRecord& record) {
    ++records_;
    if (!have_header_ && !record.has_header()) {
      return Fail("not a pwx audit export: the first record is not a header");
    }
    switch (record.record_case()) {
      case pwx::v1::LogExportRecord::kHeader:
        return CheckHeader(record.header());
      case pwx::v1::LogExportRecord::kCertificate:
        return CheckCertificate(record.certificate());
      case pwx::v1::LogExportRecord::kEntry:
        return CheckEntry(record.entry());
      case pwx::v1::LogExportRecord::kTreeHead:
        return CheckHead(record.tree_head());
      case pwx::v1::LogExportRecord::RECORD_NOT_SET:
        break;
    }
    return Fail(absl::StrCat("record ", records_,
                             " is empty or of a kind this pwx does not know"));
  }

  // A record that cannot be parsed, after the records so far.
  void FailUnreadable() {
    Fail(absl::StrCat("file is truncated or corrupt: record ", records_ + 1,
                      " cannot be read (after ", range_.size(), " entries)"));
  }

  // The end of the file: the export must be complete.
  bool CheckEnd() {
    if (!have_header_) return Fail("not a pwx audit export: the file is empty");
    if (range_.size() != head_size_) {
      return Fail(absl::StrCat(
          "file ends after entry ", range_.size() - 1,
          " with no signed tree head covering it (the last head covers ",
          head_size_, " entries): the export is truncated"));
    }
    if (range_.size() != entry_count_) {
      return Fail(absl::StrCat("header announces ", entry_count_,
                               " entries but the file holds ", range_.size(),
                               ": the export is truncated or extended"));
    }
    if (result_.signers_checked && result_.tree_heads == 0) {
      return Fail(
          "the export holds no signed tree head, so nothing in it is signed "
          "by a trusted signer");
    }
    if (progress_) progress_(range_.size(), entry_count_);
    result_.ok = true;
    result_.entries = range_.size();
    return true;
  }

  AuditVerifyResult& result() { return result_; }

 private:
  bool Fail(std::string message,
            std::optional<uint64_t> entry_index = std::nullopt) {
    result_.ok = false;
    result_.entries = verified_entries_;
    result_.error = std::move(message);
    result_.entry_index = entry_index;
    return false;
  }

  bool CheckHeader(const pwx::v1::ExportHeader& header) {
    if (have_header_) {
      return Fail(absl::StrCat("record ", records_, " is a second header"));
    }
    if (header.format() != kExportFormat) {
      return Fail(absl::StrCat("not a pwx audit export: header format is '",
                               header.format(), "', expected '", kExportFormat,
                               "'"));
    }
    if (header.version() != kExportVersion) {
      return Fail(absl::StrCat("export version ", header.version(),
                               " is not supported; this pwx reads version ",
                               kExportVersion));
    }
    if (header.authority_id().empty()) {
      return Fail("export header names no authority");
    }
    have_header_ = true;
    entry_count_ = header.entry_count();
    result_.authority = header.authority_id();
    return true;
  }

  bool CheckCertificate(const pwx::v1::SignerCertificate& certificate) {
    absl::StatusOr<std::string> sha256 =
        domain::CertificateSha256(certificate.pem());
    if (!sha256.ok()) {
      return Fail(absl::StrCat("certificate ", certificate.sha256(),
                               " cannot be read: ", sha256.status().message()));
    }
    if (*sha256 != certificate.sha256()) {
      return Fail(absl::StrCat("certificate record claims sha256 ",
                               certificate.sha256(), " but its DER hashes to ",
                               *sha256));
    }
    absl::StatusOr<std::unique_ptr<domain::Verifier>> verifier =
        domain::Verifier::FromCertificatePem(certificate.pem());
    if (!verifier.ok()) {
      return Fail(absl::StrCat(
          "certificate ", *sha256,
          " holds no usable public key: ", verifier.status().message()));
    }
    verifiers_[*sha256] = *std::move(verifier);
    return true;
  }

  bool CheckEntry(const pwx::v1::LoggedEntry& logged) {
    const uint64_t expected = range_.size();
    if (logged.index() != expected) {
      const uint64_t found = logged.index();
      return Fail(
          found < expected
              ? absl::StrCat("entry ", found,
                             " appears again or out of order where entry ",
                             expected, " was expected")
              : absl::StrCat("entry ", expected,
                             " is missing or out of order: entry ", found,
                             " is in its place"),
          std::min(found, expected));
    }
    if (!decoded_.ParseFromString(logged.entry_bytes())) {
      return Fail(absl::StrCat("entry ", expected,
                               ": entry_bytes is not a valid AuditEntry"),
                  expected);
    }
    if (!SameEntry(decoded_, logged.entry())) {
      return Fail(absl::StrCat("entry ", expected,
                               ": the decoded entry differs from the logged "
                               "entry bytes"),
                  expected);
    }
    range_.Append(domain::LeafHash(logged.entry_bytes()));
    verified_entries_ = range_.size();
    if (progress_ && range_.size() % kProgressEvery == 0) {
      progress_(range_.size(), entry_count_);
    }
    return true;
  }

  bool CheckHead(const pwx::v1::SignedTreeHead& head) {
    const uint64_t size = head.tree_size();
    if (result_.tree_heads > 0 && size <= head_size_) {
      return Fail(absl::StrCat("tree head for size ", size,
                               " comes after the head for size ", head_size_,
                               ": heads must grow"));
    }
    if (size != range_.size()) {
      return Fail(absl::StrCat("tree head for size ", size,
                               " is out of place: it follows ", range_.size(),
                               " entries"));
    }
    if (head.authority_id() != result_.authority) {
      return Fail(absl::StrCat("tree head for size ", size,
                               " is for authority '", head.authority_id(),
                               "', the export for '", result_.authority, "'"));
    }
    const domain::Hash root = range_.Root();
    if (head.root_hash() != ToStd(domain::HashBytes(root))) {
      return Fail(absl::StrCat("entries in (", head_size_, ", ", size,
                               "]: root mismatch at size ", size));
    }
    auto verifier = verifiers_.find(head.signer_certificate_sha256());
    if (verifier == verifiers_.end()) {
      return Fail(absl::StrCat("tree head for size ", size,
                               " names signing certificate '",
                               head.signer_certificate_sha256(),
                               "', which the export does not carry"));
    }
    const absl::Time time = HeadTime(head.timestamp());
    const std::string signed_bytes = domain::TreeHeadSigningInput(
        head.authority_id(), size, head.root_hash(), time);
    if (!verifier->second->Verify(signed_bytes, head.signature()).ok()) {
      return Fail(absl::StrCat(
          "tree head for size ", size,
          ": signature does not verify with certificate ",
          head.signer_certificate_sha256(),
          " (the head's size, root, time or signature was altered)"));
    }
    const AuditSigner& signer = CountSigner(head);
    if (result_.signers_checked && !signer.trusted) {
      return Fail(absl::StrCat(
          "tree head for size ", size, " is signed by certificate ",
          signer.sha256, ", which is not a trusted signer (trusted: ",
          absl::StrJoin(options_.trusted_signers, ", "),
          "); if it is the node's, e.g. its key before a rotation, trust it "
          "too"));
    }
    if (result_.tree_heads > 0 && time < head_time_) {
      return Fail(absl::StrCat(
          "tree head for size ", size, " is dated ", FormatHeadTime(time),
          ", before the head for size ", head_size_, " (",
          FormatHeadTime(head_time_), "): a head's time never goes backwards"));
    }
    head_size_ = size;
    head_time_ = time;
    ++result_.tree_heads;
    result_.root_hex = domain::HashToHex(root);
    return true;
  }

  // Counts `head`, whose signature verified, for the certificate it names.
  const AuditSigner& CountSigner(const pwx::v1::SignedTreeHead& head) {
    const std::string& sha256 = head.signer_certificate_sha256();
    auto it = std::find_if(
        result_.signers.begin(), result_.signers.end(),
        [&sha256](const AuditSigner& s) { return s.sha256 == sha256; });
    if (it == result_.signers.end()) {
      AuditSigner signer;
      signer.sha256 = sha256;
      signer.first_size = head.tree_size();
      signer.trusted = options_.trusted_signers.count(sha256) > 0;
      result_.signers.push_back(std::move(signer));
      it = result_.signers.end() - 1;
    }
    ++it->tree_heads;
    it->last_size = head.tree_size();
    return *it;
  }

  static std::string FormatHeadTime(absl::Time time) {
    return absl::FormatTime("%Y-%m-%d %H:%M:%E9S UTC", time,
                            absl::UTCTimeZone());
  }

  static std::string_view ToStd(absl::string_view view) {
    return std::string_view(view.data(), view.size());
  }

  const AuditVerifyOptions& options_;
  const VerifyProgress& progress_;
  AuditVerifyResult result_;
  bool have_header_ = false;
  uint64_t entry_count_ = 0;
  uint64_t records_ = 0;
  uint64_t head_size_ = 0;
  // The time of the last verified head.
  absl::Time head_time_ = absl::InfinitePast();
  uint64_t verified_entries_ = 0;
  domain::CompactRange range_;
  pwx::v1::AuditEntry decoded_;
  absl::flat_hash_map<std::string, std::unique_ptr<domain::Verifier>>
      verifiers_;
};

}  // namespace

AuditVerifyResult VerifyAuditExport(
    google::protobuf::io::ZeroCopyInputStream& input,
    const AuditVerifyOptions& options) {
  ExportVerifier verifier(options);
  pwx::v1::LogExportRecord record;
  while (true) {
    bool clean_eof = false;
    // ParseDelimitedFromZeroCopyStream merges into the message.
    record.Clear();
    if (!google::protobuf::util::ParseDelimitedFromZeroCopyStream(
            &record, &input, &clean_eof)) {
      if (clean_eof) {
        verifier.CheckEnd();
      } else {
        verifier.FailUnreadable();
      }
      break;
    }
    if (!verifier.CheckRecord(record)) break;
  }
  return std::move(verifier.result());
}

absl::StatusOr<AuditVerifyResult> VerifyAuditExportFile(
    const std::string& path, const AuditVerifyOptions& options) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int error = errno;
    std::string message =
        absl::StrCat("cannot open ", path, ": ", std::strerror(error));
    if (error == ENOENT) return absl::NotFoundError(message);
    if (error == EACCES || error == EPERM) {
      return absl::PermissionDeniedError(message);
    }
    return absl::InternalError(message);
  }
  google::protobuf::io::FileInputStream input(fd, kReadBlockBytes);
  input.SetCloseOnDelete(true);
  AuditVerifyResult result = VerifyAuditExport(input, options);
  if (input.GetErrno() != 0) {
    return absl::InternalError(absl::StrCat("cannot read ", path, ": ",
                                            std::strerror(input.GetErrno())));
  }
  return result;
}

std::optional<std::string> NormalizeSha256Fingerprint(std::string_view text) {
  // "ab:cd:...": 32 pairs and 31 colons.
  const bool colons = text.find(':') != std::string_view::npos;
  if (text.size() != (colons ? 95u : 64u)) return std::nullopt;
  std::string hex;
  hex.reserve(64);
  for (size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (colons && i % 3 == 2) {
      if (c != ':') return std::nullopt;
      continue;
    }
    if (!absl::ascii_isxdigit(c)) return std::nullopt;
    hex.push_back(absl::ascii_tolower(c));
  }
  return hex;
}

absl::StatusOr<std::vector<std::string>> CertificateFingerprints(
    std::string_view pem) {
  static constexpr std::string_view kBegin = "-----BEGIN CERTIFICATE-----";
  std::vector<std::string> fingerprints;
  for (size_t at = pem.find(kBegin); at != std::string_view::npos;
       at = pem.find(kBegin, at + kBegin.size())) {
    // CertificateSha256 reads the first certificate of what it is given.
    absl::StatusOr<std::string> sha256 =
        domain::CertificateSha256(ToAbsl(pem.substr(at)));
    if (!sha256.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("certificate ", fingerprints.size() + 1,
                       " cannot be read: ", sha256.status().message()));
    }
    fingerprints.push_back(*std::move(sha256));
  }
  if (fingerprints.empty()) {
    return absl::InvalidArgumentError("holds no PEM certificate");
  }
  return fingerprints;
}

absl::StatusOr<pwx::v1::AuditEntry> DecodeLoggedEntry(
    const pwx::v1::LoggedEntry& logged) {
  pwx::v1::AuditEntry decoded;
  if (!decoded.ParseFromString(logged.entry_bytes())) {
    return absl::DataLossError(absl::StrCat(
        "entry ", logged.index(), ": entry_bytes is not a valid AuditEntry"));
  }
  if (!SameEntry(decoded, logged.entry())) {
    return absl::DataLossError(absl::StrCat(
        "entry ", logged.index(),
        ": the decoded entry the node sent differs from the logged entry "
        "bytes"));
  }
  return decoded;
}

absl::Status VerifyTreeHeadSignature(const pwx::v1::SignedTreeHead& head,
                                     std::string_view certificate_pem) {
  absl::StatusOr<std::string> sha256 =
      domain::CertificateSha256(ToAbsl(certificate_pem));
  if (!sha256.ok()) {
    return absl::DataLossError(absl::StrCat(
        "the signer certificate cannot be read: ", sha256.status().message()));
  }
  if (*sha256 != head.signer_certificate_sha256()) {
    return absl::DataLossError(
        absl::StrCat("tree head for size ", head.tree_size(),
                     " names certificate ", head.signer_certificate_sha256(),
                     " but the certificate sent is ", *sha256));
  }
  absl::StatusOr<std::unique_ptr<domain::Verifier>> verifier =
      domain::Verifier::FromCertificatePem(ToAbsl(certificate_pem));
  if (!verifier.ok()) {
    return absl::DataLossError(
        absl::StrCat("the signer certificate holds no usable public key: ",
                     verifier.status().message()));
  }
  const std::string signed_bytes = domain::TreeHeadSigningInput(
      head.authority_id(), head.tree_size(), head.root_hash(),
      HeadTime(head.timestamp()));
  if (!(*verifier)->Verify(signed_bytes, head.signature()).ok()) {
    return absl::DataLossError(
        absl::StrCat("tree head for size ", head.tree_size(),
                     ": signature does not verify with certificate ", *sha256));
  }
  return absl::OkStatus();
}

absl::Status VerifyReceiptBatch(
    const pwx::v1::DeliverResponse& batch, std::string_view peer,
    const google::protobuf::Map<std::string, std::string>& certificates) {
  const pwx::v1::SignedTreeHead& head = batch.tree_head();
  auto certificate = certificates.find(head.signer_certificate_sha256());
  if (certificate == certificates.end()) {
    return absl::NotFoundError(absl::StrCat(
        "the certificate ", head.signer_certificate_sha256(),
        " that signed the peer's tree head is not held, so the batch cannot "
        "be checked"));
  }
  if (head.authority_id() != peer) {
    return absl::DataLossError(absl::StrCat("the tree head is of \"",
                                            head.authority_id(), "\", not of ",
                                            ToAbsl(peer)));
  }
  if (absl::Status s = VerifyTreeHeadSignature(head, certificate->second);
      !s.ok()) {
    return s;
  }
  absl::StatusOr<std::unique_ptr<domain::Verifier>> verifier =
      domain::Verifier::FromCertificatePem(certificate->second);
  if (!verifier.ok()) return absl::DataLossError(verifier.status().message());
  if (!domain::VerifyReceipts(batch, ToAbsl(peer), **verifier).ok()) {
    return absl::DataLossError(
        absl::StrCat("the batch's signature does not verify with certificate ",
                     head.signer_certificate_sha256()));
  }
  for (const pwx::v1::Receipt& receipt : batch.receipts()) {
    if (receipt.audit_index() >= head.tree_size()) {
      return absl::DataLossError(
          absl::StrCat("receipt ", receipt.sequence(), " names entry ",
                       receipt.audit_index(),
                       " of the peer's log, outside its tree head of ",
                       head.tree_size(), " entries"));
    }
  }
  return absl::OkStatus();
}

std::string BytesToHex(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(bytes.size() * 2);
  for (char ch : bytes) {
    const auto byte = static_cast<unsigned char>(ch);
    hex.push_back(kHex[byte >> 4]);
    hex.push_back(kHex[byte & 0x0f]);
  }
  return hex;
}

}  // namespace pwx::client
