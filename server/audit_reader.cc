#include "server/audit_reader.h"

#include <algorithm>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "server/audit_trail.h"
#include "server/domain/merkle.h"

namespace pwx::server {
namespace {

constexpr int32_t kDefaultPageSize = 100;
constexpr int32_t kMaxPageSize = 1000;
// Entries read per scan of the store.
constexpr uint64_t kChunk = 256;
constexpr uint32_t kDefaultAccessLogPage = 1000;
constexpr uint32_t kMaxAccessLogPage = 10000;
constexpr uint32_t kDefaultReceiptsPage = 100;
constexpr uint32_t kMaxReceiptsPage = 1000;

std::string Bytes(const domain::Hash& hash) {
  return std::string(domain::HashBytes(hash));
}

absl::StatusOr<pwx::v1::LoggedEntry> Logged(uint64_t index, std::string bytes) {
  pwx::v1::LoggedEntry logged;
  logged.set_index(index);
  if (!logged.mutable_entry()->ParseFromString(bytes)) {
    return absl::DataLossError(
        absl::StrCat("audit log entry ", index, " does not parse"));
  }
  logged.set_entry_bytes(std::move(bytes));
  return logged;
}

// The page size a request asks for: `fallback` for 0, INVALID_ARGUMENT
// above `max`.
absl::StatusOr<uint32_t> PageSize(uint32_t requested, uint32_t fallback,
                                  uint32_t max) {
  if (requested == 0) return fallback;
  if (requested > max) {
    return absl::InvalidArgumentError(
        absl::StrCat("page_size: at most ", max, ", got ", requested));
  }
  return requested;
}

}  // namespace

absl::Status LogExport::LoadNextHead(uint64_t after) {
  absl::StatusOr<std::optional<pwx::v1::SignedTreeHead>> head =
      reader_->heads_.NextAfter(after);
  if (!head.ok()) return head.status();
  next_head_ = *std::move(head);
  return absl::OkStatus();
}

absl::StatusOr<bool> LogExport::Next(pwx::v1::LogExportRecord* record) {
  record->Clear();
  if (!header_sent_) {
    header_sent_ = true;
    pwx::v1::ExportHeader* header = record->mutable_header();
    header->set_format("pwx-audit-export");
    header->set_version(1);
    header->set_authority_id(reader_->authority_id_);
    header->set_entry_count(count_);
    *header->mutable_exported_at() = ToProtoTime(absl::Now());
    return true;
  }
  if (next_certificate_ < certificates_.size()) {
    *record->mutable_certificate() =
        std::move(certificates_[next_certificate_++]);
    return true;
  }
  if (next_head_.has_value() && next_head_->tree_size() == next_index_) {
    *record->mutable_tree_head() = *std::move(next_head_);
    if (absl::Status s = LoadNextHead(next_index_); !s.ok()) return s;
    return true;
  }
  if (next_index_ >= count_) return false;
  if (buffer_.empty()) {
    absl::StatusOr<std::vector<std::string>> entries = reader_->log_.Entries(
        next_index_, std::min(count_, next_index_ + kChunk));
    if (!entries.ok()) return entries.status();
    for (std::string& e : *entries) buffer_.push_back(std::move(e));
  }
  absl::StatusOr<pwx::v1::LoggedEntry> logged =
      Logged(next_index_, std::move(buffer_.front()));
  buffer_.pop_front();
  if (!logged.ok()) return logged.status();
  *record->mutable_entry() = *std::move(logged);
  ++next_index_;
  return true;
}

AuditReader::AuditReader(std::string authority_id, const storage::KvStore* kv,
                         const storage::FederationStore* federation,
                         const TreeHeadSigner* signer)
    : authority_id_(std::move(authority_id)),
      federation_(federation),
      signer_(signer),
      log_(kv),
      heads_(kv) {}

absl::StatusOr<uint64_t> AuditReader::SignedSize() const {
  std::optional<pwx::v1::SignedTreeHead> latest = signer_->Latest();
  if (!latest.has_value()) {
    return absl::FailedPreconditionError(
        "no tree head has been signed yet (the log is empty or the first "
        "head is due within audit.sign_interval_ms); try again shortly");
  }
  return latest->tree_size();
}

absl::StatusOr<std::unique_ptr<LogExport>> AuditReader::Export() const {
  absl::StatusOr<uint64_t> count = SignedSize();
  if (!count.ok()) return count.status();
  std::unique_ptr<LogExport> out(new LogExport(this));
  out->count_ = *count;
  absl::StatusOr<std::vector<pwx::v1::SignerCertificate>> certificates =
      heads_.Certificates();
  if (!certificates.ok()) return certificates.status();
  out->certificates_ = *std::move(certificates);
  if (absl::Status s = out->LoadNextHead(0); !s.ok()) return s;
  return out;
}

absl::StatusOr<pwx::v1::GetTreeHeadResponse> AuditReader::TreeHead() const {
  pwx::v1::GetTreeHeadResponse response;
  // The head first: the size read after it is never smaller.
  std::optional<pwx::v1::SignedTreeHead> latest = signer_->Latest();
  absl::StatusOr<uint64_t> size = log_.Size();
  if (!size.ok()) return size.status();
  response.set_current_size(*size);
  if (latest.has_value()) {
    absl::StatusOr<std::optional<std::string>> pem =
        heads_.Certificate(latest->signer_certificate_sha256());
    if (!pem.ok()) return pem.status();
    if (!pem->has_value()) {
      return absl::DataLossError(
          absl::StrCat("the certificate ", latest->signer_certificate_sha256(),
                       " of the latest tree head is not stored"));
    }
    response.set_signer_certificate_pem(**std::move(pem));
    *response.mutable_latest() = *std::move(latest);
  }
  return response;
}

absl::StatusOr<pwx::v1::ListEntriesResponse> AuditReader::Entries(
    const pwx::v1::ListEntriesRequest& request) const {
  pwx::v1::ListEntriesResponse response;
  if (request.page_size() < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("page_size: ", request.page_size(), " is negative"));
  }
  const int32_t page_size = request.page_size() == 0
                                ? kDefaultPageSize
                                : std::min(request.page_size(), kMaxPageSize);
  absl::StatusOr<uint64_t> size = log_.Size();
  if (!size.ok()) return size.status();
  const uint64_t from = request.from_index();
  const uint64_t to = request.to_index() == 0 ? *size : request.to_index();
  if (to > *size) {
    return absl::InvalidArgumentError(absl::StrCat("to_index: ", to,
                                                   " is beyond the audit log "
                                                   "of ",
                                                   *size, " entries"));
  }
  if (from > to) {
    return absl::InvalidArgumentError(
        absl::StrCat("from_index: ", from, " is after to_index ", to));
  }
  const uint64_t scan_end = std::min(to, from + kMaxScan);
  uint64_t next = from;
  while (next < scan_end && response.entries_size() < page_size) {
    const uint64_t chunk_end = std::min(
        {scan_end, next + kChunk,
         next + static_cast<uint64_t>(page_size - response.entries_size())});
    absl::StatusOr<std::vector<std::string>> entries =
        log_.Entries(next, chunk_end);
    if (!entries.ok()) return entries.status();
    for (std::string& bytes : *entries) {
      absl::StatusOr<pwx::v1::LoggedEntry> logged =
          Logged(next++, std::move(bytes));
      if (!logged.ok()) return logged.status();
      const pwx::v1::AuditEntry& e = logged->entry();
      if ((request.user().empty() || e.user() == request.user()) &&
          (request.action().empty() || e.action() == request.action()) &&
          (request.object_id().empty() ||
           e.object_id() == request.object_id())) {
        *response.add_entries() = *std::move(logged);
      }
    }
  }
  response.set_next_index(next);
  response.set_done(next == to);
  return response;
}

absl::StatusOr<pwx::v1::InclusionProof> AuditReader::InclusionProof(
    const pwx::v1::GetInclusionProofRequest& request) const {
  pwx::v1::InclusionProof response;
  uint64_t tree_size = request.tree_size();
  if (tree_size == 0) {
    absl::StatusOr<uint64_t> signed_size = SignedSize();
    if (!signed_size.ok()) return signed_size.status();
    tree_size = *signed_size;
  }
  const uint64_t index = request.index();
  absl::StatusOr<uint64_t> size = log_.Size();
  if (!size.ok()) return size.status();
  if (tree_size > *size) {
    return absl::OutOfRangeError(absl::StrCat("tree_size: ", tree_size,
                                              " is beyond the "
                                              "audit log of ",
                                              *size, " entries"));
  }
  if (index >= tree_size) {
    return absl::InvalidArgumentError(
        absl::StrCat("index: ", index, " is not below tree_size ", tree_size,
                     " (entries are numbered from 0)"));
  }
  absl::StatusOr<std::string> entry = log_.Entry(index);
  if (!entry.ok()) return entry.status();
  absl::StatusOr<std::vector<domain::Hash>> proof =
      log_.InclusionProof(index, tree_size);
  if (!proof.ok()) return proof.status();
  absl::StatusOr<domain::Hash> root = log_.Root(tree_size);
  if (!root.ok()) return root.status();
  response.set_index(index);
  response.set_tree_size(tree_size);
  response.set_leaf_hash(Bytes(domain::LeafHash(*entry)));
  for (const domain::Hash& h : *proof) response.add_hashes(Bytes(h));
  response.set_root_hash(Bytes(*root));
  return response;
}

absl::StatusOr<pwx::v1::ConsistencyProof> AuditReader::ConsistencyProof(
    const pwx::v1::GetConsistencyProofRequest& request) const {
  pwx::v1::ConsistencyProof response;
  uint64_t to_size = request.to_size();
  if (to_size == 0) {
    absl::StatusOr<uint64_t> signed_size = SignedSize();
    if (!signed_size.ok()) return signed_size.status();
    to_size = *signed_size;
  }
  const uint64_t from_size = request.from_size();
  absl::StatusOr<uint64_t> size = log_.Size();
  if (!size.ok()) return size.status();
  if (to_size > *size) {
    return absl::OutOfRangeError(absl::StrCat("to_size: ", to_size,
                                              " is beyond the audit "
                                              "log of ",
                                              *size, " entries"));
  }
  if (from_size > to_size) {
    return absl::InvalidArgumentError(absl::StrCat(
        "from_size: ", from_size, " is larger than to_size ", to_size));
  }
  absl::StatusOr<std::vector<domain::Hash>> proof =
      log_.ConsistencyProof(from_size, to_size);
  if (!proof.ok()) return proof.status();
  absl::StatusOr<domain::Hash> from_root = log_.Root(from_size);
  if (!from_root.ok()) return from_root.status();
  absl::StatusOr<domain::Hash> to_root = log_.Root(to_size);
  if (!to_root.ok()) return to_root.status();
  response.set_from_size(from_size);
  response.set_to_size(to_size);
  for (const domain::Hash& h : *proof) response.add_hashes(Bytes(h));
  response.set_from_root(Bytes(*from_root));
  response.set_to_root(Bytes(*to_root));
  return response;
}

absl::StatusOr<pwx::v1::GetAccessLogResponse> AuditReader::AccessLog(
    const pwx::v1::GetAccessLogRequest& request) const {
  pwx::v1::GetAccessLogResponse response;
  if (request.case_id().empty()) {
    return absl::InvalidArgumentError("case_id: is required");
  }
  absl::StatusOr<uint32_t> page_size =
      PageSize(request.page_size(), kDefaultAccessLogPage, kMaxAccessLogPage);
  if (!page_size.ok()) return page_size.status();
  uint64_t from = 0;
  if (!request.page_token().empty() &&
      !absl::SimpleAtoi(request.page_token(), &from)) {
    return absl::InvalidArgumentError(
        "page_token: not a token this service issued");
  }
  // One more than a page tells whether another page follows.
  absl::StatusOr<std::vector<uint64_t>> indices =
      log_.ObjectEntries(request.case_id(), from, *page_size + 1);
  if (!indices.ok()) return indices.status();
  for (size_t i = 0; i < indices->size() && i < *page_size; ++i) {
    const uint64_t index = (*indices)[i];
    absl::StatusOr<std::string> bytes = log_.Entry(index);
    if (!bytes.ok()) return bytes.status();
    absl::StatusOr<pwx::v1::LoggedEntry> logged =
        Logged(index, *std::move(bytes));
    if (!logged.ok()) return logged.status();
    *response.add_entries() = *std::move(logged);
  }
  if (indices->size() > *page_size) {
    response.set_next_page_token(absl::StrCat((*indices)[*page_size]));
  }
  return response;
}

absl::StatusOr<pwx::v1::ListReceiptsResponse> AuditReader::Receipts(
    const pwx::v1::ListReceiptsRequest& request) const {
  pwx::v1::ListReceiptsResponse response;
  if (request.peer().empty()) {
    return absl::InvalidArgumentError("peer: is required");
  }
  absl::StatusOr<uint32_t> page_size =
      PageSize(request.page_size(), kDefaultReceiptsPage, kMaxReceiptsPage);
  if (!page_size.ok()) return page_size.status();
  const auto first_sequence = [](const pwx::v1::DeliverResponse& batch) {
    return batch.receipts().empty() ? uint64_t{0}
                                    : batch.receipts(0).sequence();
  };
  // One more than a page tells where the next page starts; batches that
  // share the page's last first sequence (a resend) join the page, so that
  // the next page's start always moves on.
  size_t limit = *page_size + 1;
  size_t keep = 0;
  absl::StatusOr<std::vector<pwx::v1::DeliverResponse>> batches;
  while (true) {
    batches =
        federation_->Receipts(request.peer(), request.from_sequence(), limit);
    if (!batches.ok()) return batches.status();
    keep = std::min<size_t>(*page_size, batches->size());
    while (keep > 0 && keep < batches->size() &&
           first_sequence((*batches)[keep]) ==
               first_sequence((*batches)[keep - 1])) {
      ++keep;
    }
    if (keep < batches->size() || batches->size() < limit) break;
    limit *= 2;
  }
  if (batches->empty() && request.from_sequence() <= 1) {
    absl::StatusOr<std::optional<std::string>> peer =
        federation_->PeerBytes(request.peer());
    if (!peer.ok()) return peer.status();
    if (!peer->has_value()) {
      return absl::NotFoundError(absl::StrCat(
          "peer: ", request.peer(),
          " is not a peer and this node holds no receipts from it"));
    }
  }
  if (batches->size() > keep) {
    response.set_next_sequence(first_sequence((*batches)[keep]));
    batches->resize(keep);
  }
  auto& certificates = *response.mutable_certificates();
  for (pwx::v1::DeliverResponse& batch : *batches) {
    const std::string& sha256 = batch.tree_head().signer_certificate_sha256();
    if (!certificates.contains(sha256)) {
      absl::StatusOr<std::optional<std::string>> pem =
          federation_->PeerCertificate(sha256);
      if (!pem.ok()) return pem.status();
      if (pem->has_value()) certificates[sha256] = **std::move(pem);
    }
    *response.add_batches() = std::move(batch);
  }
  return response;
}

}  // namespace pwx::server
