#include "tests/client/audit_export_builder.h"

#include <array>
#include <cstdio>
#include <cstdlib>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "client/audit_verify.h"
#include "server/domain/digest.h"
#include "server/domain/envelope.h"
#include "server/domain/signing.h"
#include "tests/testing/test_pki.h"

namespace pwx::testing {
namespace {

constexpr int64_t kBaseSeconds = 1767225600;  // 2026-01-01

std::unique_ptr<domain::Signer> SignerOrDie(const std::string& key_pem) {
  absl::StatusOr<std::unique_ptr<domain::Signer>> signer =
      domain::Signer::FromPem(key_pem);
  if (!signer.ok()) {
    std::fprintf(stderr, "audit export builder: %s\n",
                 std::string(signer.status().message()).c_str());
    std::abort();
  }
  return *std::move(signer);
}

}  // namespace

pwx::v1::AuditEntry MakeAuditEntry(uint64_t index,
                                   const std::string& authority) {
  static const char* const kUsers[] = {"alice", "bob", "node"};
  static const char* const kActions[] = {"case.read", "case.update",
                                         "case.create", "case.list"};
  pwx::v1::AuditEntry entry;
  entry.mutable_time()->set_seconds(kBaseSeconds + static_cast<int64_t>(index));
  entry.mutable_time()->set_nanos(static_cast<int32_t>(index % 1000) * 1000);
  entry.set_user(kUsers[index % 3]);
  entry.set_action(kActions[index % 4]);
  if (index % 4 != 3) {
    entry.set_object_id(absl::StrCat(authority, "-2026-",
                                     100000 + static_cast<int>(index % 50)));
  } else {
    // A list page: the ids of the cases it showed.
    entry.set_count(2);
    for (int i = 0; i < 2; ++i) {
      entry.add_object_ids(absl::StrCat(
          authority, "-2026-", 200000 + static_cast<int>((index + i) % 50)));
    }
  }
  entry.set_content_sha256(std::string(64, "0123456789abcdef"[index % 16]));
  entry.set_authority(authority);
  return entry;
}

AuditExportBuilder::AuditExportBuilder(std::string authority)
    : authority_(std::move(authority)) {
  const TestCa ca = TestCa::Create("audit export");
  const KeyPair node = ca.IssueNode(authority_);
  cert_pem_ = node.cert_pem;
  cert_sha256_ = *domain::CertificateSha256(cert_pem_);
  signer_ = SignerOrDie(node.key_pem);
}

pwx::v1::SignedTreeHead AuditExportBuilder::SignHead(
    uint64_t size, const domain::Hash& root, const domain::Signer* signer,
    std::optional<absl::Time> time) const {
  pwx::v1::SignedTreeHead head;
  head.set_authority_id(authority_);
  head.set_tree_size(size);
  head.set_root_hash(std::string(domain::HashBytes(root)));
  const absl::Time at = time.value_or(
      absl::FromUnixSeconds(kBaseSeconds + static_cast<int64_t>(size) + 1) +
      absl::Nanoseconds(500));
  const int64_t nanos = absl::ToUnixNanos(at);
  head.mutable_timestamp()->set_seconds(nanos / 1000000000);
  head.mutable_timestamp()->set_nanos(static_cast<int32_t>(nanos % 1000000000));
  const std::string input = domain::TreeHeadSigningInput(
      authority_, size, domain::HashBytes(root), at);
  const domain::Signer& by = signer != nullptr ? *signer : *signer_;
  head.set_signature(*by.Sign(input));
  head.set_signer_certificate_sha256(cert_sha256_);
  return head;
}

pwx::v1::DeliverResponse AuditExportBuilder::ReceiptBatch(
    const std::string& sender, uint64_t first, uint64_t count,
    uint64_t tree_size, std::optional<uint64_t> first_audit_index) const {
  pwx::v1::DeliverResponse batch;
  for (uint64_t i = 0; i < count; ++i) {
    pwx::v1::Receipt* receipt = batch.add_receipts();
    receipt->set_sequence(first + i);
    receipt->set_sender(sender);
    receipt->set_message_id(
        domain::EnvelopeMessageId(sender, authority_, first + i));
    const std::array<uint8_t, 32> body =
        domain::Sha256({receipt->message_id()});
    receipt->set_body_sha256(std::string(body.begin(), body.end()));
    receipt->set_audit_index(first_audit_index.value_or(tree_size - count) + i);
  }
  *batch.mutable_tree_head() =
      SignHead(tree_size, domain::LeafHash(absl::StrCat("root ", tree_size)));
  if (!domain::SignReceipts(*signer_, &batch).ok()) std::abort();
  return batch;
}

void AuditExportBuilder::Write(
    uint64_t entries, uint64_t head_every,
    const std::function<void(const pwx::v1::LogExportRecord&)>& sink) const {
  pwx::v1::LogExportRecord record;
  pwx::v1::ExportHeader* header = record.mutable_header();
  header->set_format("pwx-audit-export");
  header->set_version(1);
  header->set_authority_id(authority_);
  header->set_entry_count(entries);
  header->mutable_exported_at()->set_seconds(kBaseSeconds + 1000000000);
  sink(record);

  record.Clear();
  record.mutable_certificate()->set_sha256(cert_sha256_);
  record.mutable_certificate()->set_pem(cert_pem_);
  sink(record);

  domain::CompactRange range;
  for (uint64_t i = 0; i < entries; ++i) {
    record.Clear();
    pwx::v1::LoggedEntry* logged = record.mutable_entry();
    logged->set_index(i);
    *logged->mutable_entry() = MakeAuditEntry(i, authority_);
    logged->set_entry_bytes(logged->entry().SerializeAsString());
    range.Append(domain::LeafHash(logged->entry_bytes()));
    sink(record);
    if (range.size() % head_every == 0 || i + 1 == entries) {
      record.Clear();
      *record.mutable_tree_head() = SignHead(range.size(), range.Root());
      sink(record);
    }
  }
}

std::vector<pwx::v1::LogExportRecord> AuditExportBuilder::Build(
    uint64_t entries, uint64_t head_every) const {
  std::vector<pwx::v1::LogExportRecord> records;
  Write(entries, head_every, [&records](const pwx::v1::LogExportRecord& r) {
    records.push_back(r);
  });
  return records;
}

std::string SerializeExport(
    const std::vector<pwx::v1::LogExportRecord>& records) {
  std::string out;
  for (const pwx::v1::LogExportRecord& record : records) {
    const std::string bytes = record.SerializeAsString();
    uint64_t size = bytes.size();
    while (size >= 0x80) {
      out.push_back(static_cast<char>((size & 0x7f) | 0x80));
      size >>= 7;
    }
    out.push_back(static_cast<char>(size));
    out += bytes;
  }
  return out;
}

std::unique_ptr<domain::Signer> OtherSigner() {
  const TestCa ca = TestCa::Create("other");
  return SignerOrDie(ca.IssueNode("FR-DGT").key_pem);
}

}  // namespace pwx::testing
