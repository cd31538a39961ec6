#include "server/tree_head_signer.h"

#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "server/audit_trail.h"
#include "server/cert_verify.h"
#include "server/domain/digest.h"
#include "server/domain/merkle.h"

namespace pwx::server {
namespace {

struct SignerBioFree {
  void operator()(BIO* bio) const { BIO_free(bio); }
};

absl::Time TimestampTime(const google::protobuf::Timestamp& t) {
  return absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos());
}

}  // namespace

absl::StatusOr<pwx::v1::SignerCertificate> SignerCertificateOf(
    const std::string& pem) {
  std::unique_ptr<BIO, SignerBioFree> in(
      BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  X509Ptr cert(in == nullptr
                   ? nullptr
                   : PEM_read_bio_X509(in.get(), nullptr, nullptr, nullptr));
  if (cert == nullptr) {
    return absl::InvalidArgumentError("certificate: not a PEM certificate");
  }
  unsigned char* der = nullptr;
  const int der_size = i2d_X509(cert.get(), &der);
  if (der_size <= 0) {
    return absl::InvalidArgumentError("certificate: cannot be DER-encoded");
  }
  const std::string der_bytes(reinterpret_cast<const char*>(der),
                              static_cast<size_t>(der_size));
  OPENSSL_free(der);
  std::unique_ptr<BIO, SignerBioFree> out(BIO_new(BIO_s_mem()));
  if (out == nullptr || PEM_write_bio_X509(out.get(), cert.get()) != 1) {
    return absl::InternalError("certificate: cannot be PEM-encoded");
  }
  char* data = nullptr;
  const long length = BIO_get_mem_data(out.get(), &data);
  pwx::v1::SignerCertificate certificate;
  certificate.set_sha256(domain::Sha256Hex(der_bytes));
  certificate.set_pem(std::string(data, static_cast<size_t>(length)));
  return certificate;
}

absl::StatusOr<std::unique_ptr<TreeHeadSigner>> TreeHeadSigner::Open(
    storage::KvStore* kv, TreeHeadSignerOptions options) {
  if (options.authority_id.empty()) {
    return absl::InvalidArgumentError("authority_id: is required");
  }
  absl::StatusOr<std::unique_ptr<domain::Signer>> signer =
      domain::Signer::FromPem(options.key_pem);
  if (!signer.ok()) return signer.status();
  absl::StatusOr<pwx::v1::SignerCertificate> certificate =
      SignerCertificateOf(options.certificate_pem);
  if (!certificate.ok()) return certificate.status();
  // Check that key and certificate belong together before the first head
  // is signed with a certificate that cannot verify it.
  absl::StatusOr<std::unique_ptr<domain::Verifier>> verifier =
      domain::Verifier::FromCertificatePem(certificate->pem());
  if (!verifier.ok()) return verifier.status();
  absl::StatusOr<std::string> probe = (*signer)->Sign("pwx key check");
  if (!probe.ok()) return probe.status();
  if (!(*verifier)->Verify("pwx key check", *probe).ok()) {
    return absl::InvalidArgumentError(
        "signing key: does not belong to the signing certificate");
  }

  storage::WriteBatch batch;
  storage::TreeHeadStore::PutCertificate(*certificate, &batch);
  if (absl::Status s = kv->Write(std::move(batch)); !s.ok()) return s;
  absl::StatusOr<std::optional<pwx::v1::SignedTreeHead>> latest =
      storage::TreeHeadStore(kv).Latest();
  if (!latest.ok()) return latest.status();

  std::unique_ptr<TreeHeadSigner> head_signer(new TreeHeadSigner(
      kv, std::move(options), *std::move(signer), *std::move(certificate)));
  {
    absl::MutexLock lock(&head_signer->mu_);
    head_signer->latest_ = *std::move(latest);
  }
  head_signer->thread_ = std::thread([s = head_signer.get()] { s->Run(); });
  return head_signer;
}

TreeHeadSigner::TreeHeadSigner(storage::KvStore* kv,
                               TreeHeadSignerOptions options,
                               std::unique_ptr<domain::Signer> signer,
                               pwx::v1::SignerCertificate certificate)
    : kv_(kv),
      options_(std::move(options)),
      signer_(std::move(signer)),
      certificate_(std::move(certificate)),
      log_(kv),
      last_signed_(std::chrono::steady_clock::now()) {}

TreeHeadSigner::~TreeHeadSigner() {
  if (absl::Status s = Stop(); !s.ok()) {
    spdlog::error("audit: the final tree head was not signed: {}",
                  s.ToString());
  }
}

absl::Status TreeHeadSigner::Stop() {
  {
    absl::MutexLock lock(&mu_);
    if (stopped_) return absl::OkStatus();
    stopped_ = true;
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
  // An empty write commits after every write queued before it (the writer
  // commits in order), so audit entries appended asynchronously by calls
  // that already finished are in the final head.
  if (absl::Status s = kv_->Write(storage::WriteBatch()); !s.ok()) return s;
  return SignIfDue(/*force=*/true);
}

std::optional<pwx::v1::SignedTreeHead> TreeHeadSigner::Latest() const {
  absl::MutexLock lock(&mu_);
  return latest_;
}

void TreeHeadSigner::Run() {
  const absl::Duration poll =
      std::min(options_.poll_interval, options_.sign_interval);
  absl::Status last_error;
  while (true) {
    {
      absl::MutexLock lock(&mu_);
      if (mu_.AwaitWithTimeout(absl::Condition(&stopping_), poll)) return;
    }
    absl::Status s = SignIfDue(/*force=*/false);
    // Log a failure once, not once per poll, until signing works again.
    if (!s.ok() && s != last_error) {
      spdlog::error("audit: signing a tree head failed: {}", s.ToString());
    }
    last_error = s;
  }
}

absl::Status TreeHeadSigner::SignIfDue(bool force) {
  absl::MutexLock signing(&sign_mu_);
  absl::StatusOr<uint64_t> size = log_.Size();
  if (!size.ok()) return size.status();
  uint64_t signed_size = 0;
  std::chrono::steady_clock::time_point last_signed;
  {
    absl::MutexLock lock(&mu_);
    if (latest_.has_value()) signed_size = latest_->tree_size();
    last_signed = last_signed_;
  }
  if (*size <= signed_size) return absl::OkStatus();
  const bool due = force ||
                   *size - signed_size >= options_.sign_every_entries ||
                   std::chrono::steady_clock::now() - last_signed >=
                       absl::ToChronoNanoseconds(options_.sign_interval);
  if (!due) return absl::OkStatus();
  return SignLocked(*size).status();
}

absl::StatusOr<pwx::v1::SignedTreeHead> TreeHeadSigner::HeadCovering(
    uint64_t size) {
  absl::MutexLock signing(&sign_mu_);
  {
    absl::MutexLock lock(&mu_);
    if (latest_.has_value() && latest_->tree_size() >= size) return *latest_;
  }
  absl::StatusOr<uint64_t> current = log_.Size();
  if (!current.ok()) return current.status();
  if (*current < size) {
    return absl::OutOfRangeError(absl::StrCat(
        "size: ", size, " is beyond the audit log of ", *current, " entries"));
  }
  return SignLocked(*current);
}

absl::StatusOr<pwx::v1::SignedTreeHead> TreeHeadSigner::SignLocked(
    uint64_t size) {
  absl::StatusOr<domain::Hash> root = log_.Root(size);
  if (!root.ok()) return root.status();
  const absl::Time now = HeadTimeLocked();
  pwx::v1::SignedTreeHead head;
  head.set_authority_id(options_.authority_id);
  head.set_tree_size(size);
  head.set_root_hash(std::string(domain::HashBytes(*root)));
  *head.mutable_timestamp() = ToProtoTime(now);
  absl::StatusOr<std::string> signature =
      signer_->Sign(domain::TreeHeadSigningInput(
          options_.authority_id, size, domain::HashBytes(*root), now));
  if (!signature.ok()) return signature.status();
  head.set_signature(*std::move(signature));
  head.set_signer_certificate_sha256(certificate_.sha256());

  storage::WriteBatch batch;
  storage::TreeHeadStore::Put(head, &batch);
  if (absl::Status s = kv_->Write(std::move(batch)); !s.ok()) return s;
  spdlog::debug("audit: signed the tree head of {} entries of {}", size,
                options_.authority_id);
  absl::MutexLock lock(&mu_);
  latest_ = head;
  last_signed_ = std::chrono::steady_clock::now();
  return head;
}

absl::Time TreeHeadSigner::HeadTimeLocked() {
  // At the nanosecond precision a head is signed and sent with, so that
  // its Timestamp and its signed bytes agree.
  const absl::Time now = absl::FromUnixNanos(
      absl::ToUnixNanos(options_.clock ? options_.clock() : absl::Now()));
  std::optional<absl::Time> latest;
  {
    absl::MutexLock lock(&mu_);
    if (latest_.has_value()) latest = TimestampTime(latest_->timestamp());
  }
  if (!latest.has_value() || now >= *latest) {
    if (clock_behind_) {
      spdlog::info(
          "audit: the clock has caught up with the latest tree head of {}; "
          "heads carry its time again",
          options_.authority_id);
      clock_behind_ = false;
    }
    return now;
  }
  if (!clock_behind_) {
    spdlog::warn(
        "audit: the clock reads {}, {} before the latest tree head of {} "
        "({}): it was stepped back; heads keep that head's time until the "
        "clock catches up",
        absl::FormatTime(now), absl::FormatDuration(*latest - now),
        options_.authority_id, absl::FormatTime(*latest));
    clock_behind_ = true;
  }
  return *latest;
}

}  // namespace pwx::server
