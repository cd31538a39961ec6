// Signs the audit log's tree heads: a background thread that watches the
// log's size and, when it has grown enough or for long enough, signs
// (authority, size, root, time) with the node's ECDSA P-256 key and stores
// the head durably (storage/tree_head_store.h).
#ifndef PWX_SERVER_TREE_HEAD_SIGNER_H_
#define PWX_SERVER_TREE_HEAD_SIGNER_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "pwx/v1/audit_service.pb.h"
#include "server/domain/signing.h"
#include "storage/audit_log.h"
#include "storage/kv_store.h"
#include "storage/tree_head_store.h"

namespace pwx::server {

struct TreeHeadSignerOptions {
  // The authority whose log this is, e.g. "FR-DGT". Required.
  std::string authority_id;
  // Sign once the log has grown by this many entries since the last head.
  // Default: 1000.
  uint64_t sign_every_entries = 1000;
  // ...or once this long has passed since the last head and the log grew
  // at all. Default: 1 s.
  absl::Duration sign_interval = absl::Seconds(1);
  // How often the thread reads the log's size (one point read). Default:
  // 20 ms, or sign_interval when that is shorter.
  absl::Duration poll_interval = absl::Milliseconds(20);
  // The signing certificate (the first one in the PEM is recorded) and its
  // private key (ECDSA P-256). Required.
  std::string certificate_pem;
  std::string key_pem;
  // The wall clock heads are dated by. Default: absl::Now. (When heads are
  // due is timed by a monotonic clock, which no clock step moves.)
  std::function<absl::Time()> clock;
};

// The SHA-256 (lower-case hex) of the DER of the first certificate in
// `pem`, and that certificate alone re-encoded as PEM. INVALID_ARGUMENT when
// `pem` holds no certificate.
absl::StatusOr<pwx::v1::SignerCertificate> SignerCertificateOf(
    const std::string& pem);

// Thread-safe. Signing runs only on the signer's own thread (and in Stop),
// never on the caller's: Latest() only copies the cached head.
//
// Heads' times never go backwards. When the clock reads earlier than the
// latest stored head's time (it was stepped back), the next heads are dated
// with that latest time instead, and a warning is logged once, until the
// clock catches up. Refusing to sign was the other choice, but receipts to
// peers need a head covering their entries (HeadCovering), so federation
// would stall for as long as the clock is behind.
class TreeHeadSigner {
 public:
  // Parses the key, records the certificate in `kv` (which must outlive the
  // signer), loads the latest stored head and starts the thread.
  // INVALID_ARGUMENT when the key is not an ECDSA P-256 key or the
  // certificate does not parse.
  static absl::StatusOr<std::unique_ptr<TreeHeadSigner>> Open(
      storage::KvStore* kv, TreeHeadSignerOptions options);

  TreeHeadSigner(const TreeHeadSigner&) = delete;
  TreeHeadSigner& operator=(const TreeHeadSigner&) = delete;
  // Calls Stop().
  ~TreeHeadSigner();

  // Stops the thread, then waits for every write queued before the call to
  // commit and signs a final head if the log grew since the last one, so
  // that a clean stop leaves no entry unsigned. Idempotent; the store must
  // still accept writes. Returns the final signing's error, if any.
  absl::Status Stop();

  // The latest signed head (stored, or signed since Open), std::nullopt
  // before the first.
  std::optional<pwx::v1::SignedTreeHead> Latest() const;

  // A stored signed head of at least `size` entries: the latest if it
  // covers them, else one of the log's current size signed now. For
  // receipts, which must cover the entries just committed. OUT_OF_RANGE
  // when the log has fewer than `size` entries. Blocks for one durable
  // write: never call it on the store's writer thread.
  absl::StatusOr<pwx::v1::SignedTreeHead> HeadCovering(uint64_t size);

 private:
  TreeHeadSigner(storage::KvStore* kv, TreeHeadSignerOptions options,
                 std::unique_ptr<domain::Signer> signer,
                 pwx::v1::SignerCertificate certificate);

  void Run();
  // Signs and stores a head of the current size when the log grew by
  // sign_every_entries, or when `force` or sign_interval has passed and the
  // log grew at all.
  absl::Status SignIfDue(bool force);
  // Signs and stores the head of the first `size` entries.
  absl::StatusOr<pwx::v1::SignedTreeHead> SignLocked(uint64_t size)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(sign_mu_);
  // The time to date the next head with: the clock's, at the nanosecond
  // precision heads carry, or the latest head's when the clock reads
  // earlier.
  absl::Time HeadTimeLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(sign_mu_);

  storage::KvStore* const kv_;
  const TreeHeadSignerOptions options_;
  const std::unique_ptr<domain::Signer> signer_;
  const pwx::v1::SignerCertificate certificate_;
  const storage::AuditLog log_;

  // Held while a head is signed and stored, so heads are stored in order.
  absl::Mutex sign_mu_ ABSL_ACQUIRED_BEFORE(mu_);
  // True while heads are dated with the latest head's time because the
  // clock reads earlier; a warning is logged when it becomes true.
  bool clock_behind_ ABSL_GUARDED_BY(sign_mu_) = false;
  mutable absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  bool stopped_ ABSL_GUARDED_BY(mu_) = false;
  std::optional<pwx::v1::SignedTreeHead> latest_ ABSL_GUARDED_BY(mu_);
  // When latest_ was signed (or Open, before the first head), by the
  // monotonic clock.
  std::chrono::steady_clock::time_point last_signed_ ABSL_GUARDED_BY(mu_);
  std::thread thread_;
};

}  // namespace pwx::server

#endif  // PWX_SERVER_TREE_HEAD_SIGNER_H_
