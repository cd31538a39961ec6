#include "storage/tree_head_store.h"

#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "absl/strings/str_cat.h"
#include "storage/key_codec.h"

namespace pwx::storage {
namespace {

constexpr char kHeadPrefix[] = "tree_head";
constexpr char kCertificatePrefix[] = "signer_cert";

std::string HeadPrefix() { return KeyBuilder().String(kHeadPrefix).Build(); }

std::string HeadKey(uint64_t size) {
  return KeyBuilder().String(kHeadPrefix).Uint64(size).Build();
}

std::string CertificatePrefix() {
  return KeyBuilder().String(kCertificatePrefix).Build();
}

std::string CertificateKey(std::string_view sha256) {
  return KeyBuilder().String(kCertificatePrefix).String(sha256).Build();
}

absl::StatusOr<pwx::v1::SignedTreeHead> ParseHead(std::string_view bytes) {
  pwx::v1::SignedTreeHead head;
  if (!head.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return absl::DataLossError("a stored tree head does not parse");
  }
  return head;
}

}  // namespace

absl::StatusOr<std::optional<pwx::v1::SignedTreeHead>> TreeHeadStore::Latest()
    const {
  const std::string prefix = HeadPrefix();
  std::unique_ptr<Iterator> it = kv_->NewIterator(Column::kMeta);
  it->SeekBefore(PrefixSuccessor(prefix));
  if (!it->Valid()) {
    if (absl::Status s = it->status(); !s.ok()) return s;
    return std::nullopt;
  }
  if (!it->key().starts_with(prefix)) return std::nullopt;
  return ParseHead(it->value());
}

absl::StatusOr<std::optional<pwx::v1::SignedTreeHead>> TreeHeadStore::NextAfter(
    uint64_t size) const {
  if (size == UINT64_MAX) return std::nullopt;
  const std::string prefix = HeadPrefix();
  std::unique_ptr<Iterator> it = kv_->NewIterator(Column::kMeta);
  it->Seek(HeadKey(size + 1));
  if (!it->Valid()) {
    if (absl::Status s = it->status(); !s.ok()) return s;
    return std::nullopt;
  }
  if (!it->key().starts_with(prefix)) return std::nullopt;
  return ParseHead(it->value());
}

absl::StatusOr<std::vector<pwx::v1::SignedTreeHead>> TreeHeadStore::Range(
    uint64_t after, uint64_t up_to) const {
  std::vector<pwx::v1::SignedTreeHead> heads;
  if (after >= up_to) return heads;
  const std::string end = HeadKey(up_to);
  std::unique_ptr<Iterator> it = kv_->NewIterator(Column::kMeta);
  for (it->Seek(HeadKey(after + 1)); it->Valid() && it->key() <= end;
       it->Next()) {
    absl::StatusOr<pwx::v1::SignedTreeHead> head = ParseHead(it->value());
    if (!head.ok()) return head.status();
    heads.push_back(*std::move(head));
  }
  if (absl::Status s = it->status(); !s.ok()) return s;
  return heads;
}

void TreeHeadStore::Put(const pwx::v1::SignedTreeHead& head,
                        WriteBatch* batch) {
  batch->Put(Column::kMeta, HeadKey(head.tree_size()),
             head.SerializeAsString());
}

absl::StatusOr<std::optional<std::string>> TreeHeadStore::Certificate(
    const std::string& sha256) const {
  return kv_->Get(Column::kMeta, CertificateKey(sha256));
}

absl::StatusOr<std::vector<pwx::v1::SignerCertificate>>
TreeHeadStore::Certificates() const {
  const std::string prefix = CertificatePrefix();
  std::vector<pwx::v1::SignerCertificate> certificates;
  std::unique_ptr<Iterator> it = kv_->NewIterator(Column::kMeta);
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix);
       it->Next()) {
    KeyReader key(it->key());
    absl::StatusOr<std::string> tag = key.String();
    absl::StatusOr<std::string> sha256 = tag.ok() ? key.String() : tag.status();
    if (!sha256.ok()) {
      return absl::DataLossError(
          absl::StrCat("a stored signer certificate key is malformed: ",
                       sha256.status().message()));
    }
    pwx::v1::SignerCertificate certificate;
    certificate.set_sha256(*std::move(sha256));
    certificate.set_pem(std::string(it->value()));
    certificates.push_back(std::move(certificate));
  }
  if (absl::Status s = it->status(); !s.ok()) return s;
  return certificates;
}

void TreeHeadStore::PutCertificate(
    const pwx::v1::SignerCertificate& certificate, WriteBatch* batch) {
  batch->Put(Column::kMeta, CertificateKey(certificate.sha256()),
             certificate.pem());
}

}  // namespace pwx::storage
