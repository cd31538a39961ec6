// Certificate revocation lists read from PEM files, and read again on
// request so that a replaced file takes effect while the node runs. Plain
// OpenSSL, no gRPC: the TLS trust (server/tls_trust.h) puts the lists in
// force into the handshake, and the certificate checks (server/
// cert_verify.h) consult all of them.
//
// An expired list is never allowed to lock a CA's certificates out: it is
// left out of the handshake (where OpenSSL would refuse every certificate of
// its CA), the certificates it lists stay refused, and Issues reports it.
#ifndef PWX_SERVER_CRL_SET_H_
#define PWX_SERVER_CRL_SET_H_

#include <openssl/x509.h>

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace pwx::server {

// One configured file: the config key that names it (for errors and
// reports, e.g. "federation.crl_files[0]") and its path.
struct CrlFile {
  std::string key;
  std::string path;
};

// A list to enforce at the TLS handshake: its PEM, and OpenSSL's hash of its
// issuer's name (what a hashed CRL directory names its files by).
struct HandshakeCrl {
  std::string pem;
  unsigned long issuer_hash = 0;
};

// Something a coordinator should fix about one file or list.
struct CrlIssue {
  // One sentence naming the file, e.g. "federation.crl_files[0]
  // (/etc/pwx/crl/PL-PIP.pem): the list of CA 'CN=PL-PIP CA' expired at
  // 2026-11-21T08:43:36Z (its nextUpdate); ...".
  std::string text;
  // DER of the list's issuer name (compare with SubjectNameDer of a CA);
  // empty when the issue is that the file cannot be read.
  std::string issuer;
};

// DER of `cert`'s subject name, to match CrlIssue::issuer.
std::string SubjectNameDer(X509* cert);

// Thread-safe.
class CrlSet {
 public:
  // Reads every file. NOT_FOUND naming the key and path when one cannot be
  // read; INVALID_ARGUMENT when one holds no PEM revocation list. Expired
  // lists are accepted (Issues reports them).
  static absl::StatusOr<std::unique_ptr<CrlSet>> Open(
      std::vector<CrlFile> files);

  CrlSet(const CrlSet&) = delete;
  CrlSet& operator=(const CrlSet&) = delete;

  // Reads every file again; true when the lists of one changed. A file that
  // cannot be read or holds no list keeps the lists last read from it, and
  // Issues says so until it is fixed.
  bool Reload();

  // Where `cert`, issued by `issuer`, is listed as revoked (the file's key
  // and path, "federation.crl_files[0] (/etc/pwx/crl/PL-PIP.pem)"), or
  // nullopt. Only lists named after and signed by `issuer` count; their
  // nextUpdate does not: an expired list still revokes.
  std::optional<std::string> RevokedBy(X509* cert, X509* issuer) const;

  // The lists to enforce at the TLS handshake at `now`: for each CA among
  // `cas`, the newest list signed by it that is within its validity
  // (thisUpdate <= now and now a few seconds before nextUpdate).
  std::vector<HandshakeCrl> ForHandshake(absl::Time now,
                                         const std::vector<X509*>& cas) const;

  // What is wrong at `now`: files that could not be read again, lists
  // expired or not valid yet, lists not signed by the CA among `cas` that
  // they name.
  std::vector<CrlIssue> Issues(absl::Time now,
                               const std::vector<X509*>& cas) const;

  // A summary for the log: "federation.crl_files[0] (PATH): 2 revoked by
  // 'CN=PL-PIP CA', next update 2026-12-31T08:41:19Z", one per list.
  std::vector<std::string> Describe() const;

  // Incremented by every change Reload finds.
  uint64_t generation() const { return generation_.load(); }
  bool empty() const;

 private:
  struct List {
    std::shared_ptr<X509_CRL> crl;
    std::string pem;
    std::string issuer_der;
    std::string issuer_text;
    absl::Time this_update;
    absl::Time next_update;  // InfiniteFuture() when the list has none
  };
  struct FileState {
    CrlFile file;
    std::string bytes;
    std::vector<List> lists;
    absl::Time read_at;
    // Why the last reading failed; empty when it did not.
    std::string error;
  };

  explicit CrlSet(std::vector<FileState> files) : files_(std::move(files)) {}

  mutable absl::Mutex mu_;
  std::vector<FileState> files_ ABSL_GUARDED_BY(mu_);
  std::atomic<uint64_t> generation_{0};
};

}  // namespace pwx::server

#endif  // PWX_SERVER_CRL_SET_H_
