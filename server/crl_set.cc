#include "server/crl_set.h"

#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <ctime>
#include <map>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "server/config.h"

namespace pwx::server {
namespace {

// OpenSSL compares nextUpdate with the time of each handshake; leaving a
// list out a little before it expires keeps a handshake from meeting it
// expired between two reloads.
constexpr absl::Duration kExpiryMargin = absl::Seconds(5);

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;

absl::Time ToTime(const ASN1_TIME* t, absl::Time absent) {
  if (t == nullptr) return absent;
  struct tm tm = {};
  if (ASN1_TIME_to_tm(t, &tm) != 1) return absl::InfinitePast();
  return absl::FromTimeT(timegm(&tm));
}

std::string UtcTime(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", t, absl::UTCTimeZone());
}

std::string NameDer(const X509_NAME* name) {
  unsigned char* der = nullptr;
  const int n = i2d_X509_NAME(name, &der);
  if (n <= 0) return "";
  std::string out(reinterpret_cast<const char*>(der), static_cast<size_t>(n));
  OPENSSL_free(der);
  return out;
}

std::string NameText(const X509_NAME* name) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (bio == nullptr ||
      X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253) < 0) {
    return "?";
  }
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(n));
}

std::string Where(const CrlFile& file) {
  return absl::StrCat(file.key, " (", file.path, ")");
}

// The lists in `bytes`, or INVALID_ARGUMENT naming `file` when there are
// none.
template <typename List>
absl::StatusOr<std::vector<List>> ParseLists(const CrlFile& file,
                                             const std::string& bytes) {
  std::vector<List> lists;
  BioPtr bio(BIO_new_mem_buf(bytes.data(), static_cast<int>(bytes.size())));
  while (bio != nullptr) {
    X509_CRL* crl = PEM_read_bio_X509_CRL(bio.get(), nullptr, nullptr, nullptr);
    if (crl == nullptr) break;
    List list;
    list.crl = std::shared_ptr<X509_CRL>(crl, X509_CRL_free);
    BioPtr out(BIO_new(BIO_s_mem()));
    if (out != nullptr && PEM_write_bio_X509_CRL(out.get(), crl) == 1) {
      char* data = nullptr;
      const long n = BIO_get_mem_data(out.get(), &data);
      list.pem.assign(data, static_cast<size_t>(n));
    }
    list.issuer_der = NameDer(X509_CRL_get_issuer(crl));
    list.issuer_text = NameText(X509_CRL_get_issuer(crl));
    list.this_update =
        ToTime(X509_CRL_get0_lastUpdate(crl), absl::InfinitePast());
    list.next_update =
        ToTime(X509_CRL_get0_nextUpdate(crl), absl::InfiniteFuture());
    lists.push_back(std::move(list));
  }
  if (lists.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(file.key, ": ", file.path,
                     " holds no PEM certificate revocation list"));
  }
  return lists;
}

// The CA among `cas` whose subject is `issuer_der`, or nullptr.
X509* CaNamed(const std::string& issuer_der, const std::vector<X509*>& cas) {
  for (X509* ca : cas) {
    if (ca != nullptr && SubjectNameDer(ca) == issuer_der) return ca;
  }
  return nullptr;
}

bool SignedBy(X509_CRL* crl, X509* ca) {
  EVP_PKEY* key = X509_get0_pubkey(ca);
  return key != nullptr && X509_CRL_verify(crl, key) == 1;
}

}  // namespace

std::string SubjectNameDer(X509* cert) {
  return cert == nullptr ? "" : NameDer(X509_get_subject_name(cert));
}

absl::StatusOr<std::unique_ptr<CrlSet>> CrlSet::Open(
    std::vector<CrlFile> files) {
  std::vector<FileState> states;
  for (CrlFile& file : files) {
    absl::StatusOr<std::string> bytes = ReadFileForKey(file.key, file.path);
    if (!bytes.ok()) return bytes.status();
    absl::StatusOr<std::vector<List>> lists = ParseLists<List>(file, *bytes);
    if (!lists.ok()) return lists.status();
    FileState state;
    state.file = std::move(file);
    state.bytes = *std::move(bytes);
    state.lists = *std::move(lists);
    state.read_at = absl::Now();
    states.push_back(std::move(state));
  }
  return std::unique_ptr<CrlSet>(new CrlSet(std::move(states)));
}

bool CrlSet::Reload() {
  std::vector<CrlFile> files;
  {
    absl::MutexLock lock(&mu_);
    for (const FileState& state : files_) files.push_back(state.file);
  }
  bool changed = false;
  for (size_t i = 0; i < files.size(); ++i) {
    // Read outside the lock: checks at the handshake never wait for a disk.
    absl::StatusOr<std::string> bytes =
        ReadFileForKey(files[i].key, files[i].path);
    absl::StatusOr<std::vector<List>> lists =
        bytes.ok() ? ParseLists<List>(files[i], *bytes)
                   : absl::StatusOr<std::vector<List>>(bytes.status());
    absl::MutexLock lock(&mu_);
    FileState& state = files_[i];
    if (!lists.ok()) {
      state.error = std::string(lists.status().message());
      continue;
    }
    state.error.clear();
    if (*bytes == state.bytes) continue;
    state.bytes = *std::move(bytes);
    state.lists = *std::move(lists);
    state.read_at = absl::Now();
    changed = true;
  }
  if (changed) generation_.fetch_add(1);
  return changed;
}

std::optional<std::string> CrlSet::RevokedBy(X509* cert, X509* issuer) const {
  if (cert == nullptr || issuer == nullptr) return std::nullopt;
  const std::string issuer_der = SubjectNameDer(issuer);
  absl::MutexLock lock(&mu_);
  for (const FileState& state : files_) {
    for (const List& list : state.lists) {
      if (list.issuer_der != issuer_der || !SignedBy(list.crl.get(), issuer)) {
        continue;
      }
      X509_REVOKED* entry = nullptr;
      if (X509_CRL_get0_by_cert(list.crl.get(), &entry, cert) == 1) {
        return Where(state.file);
      }
    }
  }
  return std::nullopt;
}

std::vector<HandshakeCrl> CrlSet::ForHandshake(
    absl::Time now, const std::vector<X509*>& cas) const {
  // The newest current list of each CA, by issuer name.
  std::map<std::string, const List*> newest;
  absl::MutexLock lock(&mu_);
  for (const FileState& state : files_) {
    for (const List& list : state.lists) {
      if (list.this_update > now || now + kExpiryMargin >= list.next_update) {
        continue;
      }
      X509* ca = CaNamed(list.issuer_der, cas);
      if (ca == nullptr || !SignedBy(list.crl.get(), ca)) continue;
      const List*& best = newest[list.issuer_der];
      if (best == nullptr || list.this_update > best->this_update) {
        best = &list;
      }
    }
  }
  std::vector<HandshakeCrl> out;
  for (const auto& [issuer, list] : newest) {
    out.push_back(
        {list->pem, X509_NAME_hash_ex(X509_CRL_get_issuer(list->crl.get()),
                                      nullptr, nullptr, nullptr)});
  }
  return out;
}

std::vector<CrlIssue> CrlSet::Issues(absl::Time now,
                                     const std::vector<X509*>& cas) const {
  std::vector<CrlIssue> issues;
  absl::MutexLock lock(&mu_);
  for (const FileState& state : files_) {
    const std::string where = Where(state.file);
    if (!state.error.empty()) {
      issues.push_back(
          {absl::StrCat(where, ": cannot be read again (", state.error,
                        "); the lists read from it at ", UtcTime(state.read_at),
                        " stay in force"),
           ""});
    }
    for (const List& list : state.lists) {
      X509* ca = CaNamed(list.issuer_der, cas);
      if (ca != nullptr && !SignedBy(list.crl.get(), ca)) {
        issues.push_back(
            {absl::StrCat(where, ": the list names CA '", list.issuer_text,
                          "' as its issuer but is not signed by that CA; it "
                          "is ignored"),
             list.issuer_der});
      } else if (now + kExpiryMargin >= list.next_update) {
        issues.push_back(
            {absl::StrCat(where, ": the list of CA '", list.issuer_text,
                          "' expired at ", UtcTime(list.next_update),
                          " (its nextUpdate); the certificates it lists "
                          "stay refused, but the others of that CA are no "
                          "longer checked against a current list: replace "
                          "the file with a fresh list from the CA "
                          "(deploy/pki.sh crl)"),
             list.issuer_der});
      } else if (list.this_update > now) {
        issues.push_back(
            {absl::StrCat(where, ": the list of CA '", list.issuer_text,
                          "' is not valid before ", UtcTime(list.this_update),
                          " (its thisUpdate; is this node's clock right?); "
                          "the certificates it lists are refused, but only "
                          "after the TLS handshake until then"),
             list.issuer_der});
      }
    }
  }
  return issues;
}

std::vector<std::string> CrlSet::Describe() const {
  std::vector<std::string> lines;
  absl::MutexLock lock(&mu_);
  for (const FileState& state : files_) {
    for (const List& list : state.lists) {
      const STACK_OF(X509_REVOKED)* revoked =
          X509_CRL_get_REVOKED(list.crl.get());
      lines.push_back(
          absl::StrCat(Where(state.file), ": ",
                       revoked == nullptr ? 0 : sk_X509_REVOKED_num(revoked),
                       " revoked by '", list.issuer_text, "', next update ",
                       list.next_update == absl::InfiniteFuture()
                           ? std::string("none")
                           : UtcTime(list.next_update)));
    }
  }
  return lines;
}

bool CrlSet::empty() const {
  absl::MutexLock lock(&mu_);
  return files_.empty();
}

}  // namespace pwx::server
