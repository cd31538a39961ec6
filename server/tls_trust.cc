#include "server/tls_trust.h"

#include <dirent.h>
#include <fcntl.h>
#include <grpcpp/security/tls_certificate_provider.h>
#include <grpcpp/security/tls_credentials_options.h>
#include <openssl/bio.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "server/cert_verify.h"
#include "server/tls_verifiers.h"

namespace pwx::server {
namespace {

// How often gRPC's provider reads the files again.
constexpr unsigned int kProviderRefreshSeconds = 1;

constexpr char kRootsFile[] = "roots.pem";
constexpr char kCertFile[] = "identity.pem";
constexpr char kKeyFile[] = "identity.key";
constexpr char kCrlDir[] = "crl";

absl::Status FileError(const std::string& path, absl::string_view what) {
  return absl::InternalError(
      absl::StrCat("cannot ", what, " ", path, ": ", std::strerror(errno)));
}

// Writes `content` to `path` under a temporary name first, so that gRPC
// never reads half a file.
absl::Status WriteAtomically(const std::string& path,
                             const std::string& content, mode_t mode) {
  const std::string tmp = path + ".tmp";
  const int fd =
      ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return FileError(tmp, "create");
  size_t done = 0;
  while (done < content.size()) {
    const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      ::close(fd);
      return FileError(tmp, "write");
    }
    done += static_cast<size_t>(n);
  }
  if (::close(fd) != 0) return FileError(tmp, "write");
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    return FileError(path, "replace");
  }
  return absl::OkStatus();
}

absl::Status MakePrivateDir(const std::string& path) {
  if (::mkdir(path.c_str(), 0700) != 0 && errno != EEXIST) {
    return FileError(path, "create the directory");
  }
  if (::chmod(path.c_str(), 0700) != 0) return FileError(path, "chmod");
  return absl::OkStatus();
}

std::string CertToPem(X509* cert) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
  if (bio == nullptr || PEM_write_bio_X509(bio.get(), cert) != 1) return "";
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(n));
}

// A self-signed CA whose key is thrown away at once: trusting only it
// trusts nobody. Made once per process.
const std::string& PlaceholderCaPem() {
  static const std::string* const pem = [] {
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_EC_gen("P-256"),
                                                            EVP_PKEY_free);
    std::unique_ptr<X509, decltype(&X509_free)> cert(X509_new(), X509_free);
    std::string out;
    if (key != nullptr && cert != nullptr) {
      X509_set_version(cert.get(), 2);
      ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
      X509_gmtime_adj(X509_getm_notBefore(cert.get()), -86400);
      X509_gmtime_adj(X509_getm_notAfter(cert.get()), 100L * 365 * 86400);
      X509_NAME* name = X509_get_subject_name(cert.get());
      X509_NAME_add_entry_by_txt(
          name, "CN", MBSTRING_ASC,
          reinterpret_cast<const unsigned char*>("pwx: no peer is trusted"), -1,
          -1, 0);
      X509_set_issuer_name(cert.get(), name);
      X509_set_pubkey(cert.get(), key.get());
      X509V3_CTX ctx;
      X509V3_set_ctx(&ctx, cert.get(), cert.get(), nullptr, nullptr, 0);
      if (X509_EXTENSION* ext = X509V3_EXT_conf_nid(
              nullptr, &ctx, NID_basic_constraints, "critical,CA:TRUE")) {
        X509_add_ext(cert.get(), ext, -1);
        X509_EXTENSION_free(ext);
      }
      if (X509_sign(cert.get(), key.get(), EVP_sha256()) > 0) {
        out = CertToPem(cert.get());
      }
    }
    return new std::string(std::move(out));
  }();
  return *pem;
}

// The first certificate of `pem`, or nullptr.
X509Ptr FirstCertificate(const std::string& pem) {
  std::vector<X509Ptr> certs = ParseCertificates(pem);
  return certs.empty() ? nullptr : std::move(certs.front());
}

std::vector<X509*> Pointers(const std::vector<X509Ptr>& certs) {
  std::vector<X509*> out;
  for (const X509Ptr& cert : certs) out.push_back(cert.get());
  return out;
}

}  // namespace

absl::StatusOr<std::unique_ptr<ListenerTrust>> ListenerTrust::Create(
    std::string dir, const std::string& cert_pem, const std::string& key_pem) {
  if (absl::Status s = MakePrivateDir(dir); !s.ok()) return s;
  if (absl::Status s = MakePrivateDir(absl::StrCat(dir, "/", kCrlDir));
      !s.ok()) {
    return s;
  }
  for (auto [name, content] :
       {std::pair{kCertFile, &cert_pem}, std::pair{kKeyFile, &key_pem}}) {
    if (absl::Status s =
            WriteAtomically(absl::StrCat(dir, "/", name), *content, 0600);
        !s.ok()) {
      return s;
    }
  }
  std::unique_ptr<ListenerTrust> trust(new ListenerTrust(std::move(dir)));
  if (absl::Status s = trust->Set({}, {}); !s.ok()) return s;
  return trust;
}

absl::Status ListenerTrust::Set(const std::vector<std::string>& ca_pems,
                                const std::vector<HandshakeCrl>& crls) {
  absl::MutexLock lock(&mu_);
  // The lists first: a new SSL_CTX reads them when a handshake needs them,
  // which is after the roots file changed.
  const std::string crl_dir = absl::StrCat(dir_, "/", kCrlDir);
  std::set<std::string> wanted;
  std::map<unsigned long, int> next_suffix;
  for (const HandshakeCrl& crl : crls) {
    const std::string name = absl::StrFormat("%08lx.r%d", crl.issuer_hash,
                                             next_suffix[crl.issuer_hash]++);
    wanted.insert(name);
    if (absl::Status s =
            WriteAtomically(absl::StrCat(crl_dir, "/", name), crl.pem, 0600);
        !s.ok()) {
      return s;
    }
  }
  if (DIR* d = ::opendir(crl_dir.c_str())) {
    std::vector<std::string> stale;
    while (dirent* e = ::readdir(d)) {
      const std::string name = e->d_name;
      if (name != "." && name != ".." && wanted.count(name) == 0) {
        stale.push_back(name);
      }
    }
    ::closedir(d);
    for (const std::string& name : stale) {
      ::unlink(absl::StrCat(crl_dir, "/", name).c_str());
    }
  }
  std::string roots = absl::StrCat(
      "# pwx: the CAs this listener trusts; generation ", ++generation_,
      " (a new generation makes gRPC read the CRL directory again)\n");
  std::set<std::string> seen;
  for (const std::string& pem : ca_pems) {
    X509Ptr ca = FirstCertificate(pem);
    if (ca == nullptr) continue;
    std::string first = CertToPem(ca.get());
    if (seen.insert(first).second) absl::StrAppend(&roots, first);
  }
  if (seen.empty()) absl::StrAppend(&roots, PlaceholderCaPem());
  return WriteAtomically(absl::StrCat(dir_, "/", kRootsFile), roots, 0600);
}

std::shared_ptr<grpc::ServerCredentials> ListenerTrust::ServerCredentials(
    std::shared_ptr<grpc::experimental::CertificateVerifier> verifier) const {
  auto provider =
      std::make_shared<grpc::experimental::FileWatcherCertificateProvider>(
          absl::StrCat(dir_, "/", kKeyFile), absl::StrCat(dir_, "/", kCertFile),
          absl::StrCat(dir_, "/", kRootsFile), kProviderRefreshSeconds);
  grpc::experimental::TlsServerCredentialsOptions options(provider);
  options.watch_root_certs();
  options.watch_identity_key_cert_pairs();
  options.set_cert_request_type(
      GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  // Set even when empty: with it, gRPC logs the OpenSSL error of a refused
  // certificate, which TranslateGrpcLog (server/grpc_log.h) turns into a clear
  // line.
  options.set_crl_directory(absl::StrCat(dir_, "/", kCrlDir));
  options.set_certificate_verifier(std::move(verifier));
  return grpc::experimental::TlsServerCredentials(options);
}

void ListenerTrust::Remove() {
  absl::MutexLock lock(&mu_);
  const std::string crl_dir = absl::StrCat(dir_, "/", kCrlDir);
  if (DIR* d = ::opendir(crl_dir.c_str())) {
    std::vector<std::string> names;
    while (dirent* e = ::readdir(d)) names.push_back(e->d_name);
    ::closedir(d);
    for (const std::string& name : names) {
      if (name != "." && name != "..") {
        ::unlink(absl::StrCat(crl_dir, "/", name).c_str());
      }
    }
  }
  ::rmdir(crl_dir.c_str());
  for (const char* name : {kRootsFile, kCertFile, kKeyFile}) {
    ::unlink(absl::StrCat(dir_, "/", name).c_str());
  }
  ::rmdir(dir_.c_str());
}

// Lets the registry's listener outlive the NodeTrust safely.
struct NodeTrust::Guard {
  absl::Mutex mu;
  NodeTrust* trust ABSL_GUARDED_BY(mu) = nullptr;
};

NodeTrust::NodeTrust(NodeTrustOptions options)
    : options_(std::move(options)), guard_(std::make_shared<Guard>()) {}

NodeTrust::~NodeTrust() { Stop(); }

absl::StatusOr<std::unique_ptr<NodeTrust>> NodeTrust::Start(
    NodeTrustOptions options) {
  std::unique_ptr<NodeTrust> trust(new NodeTrust(std::move(options)));
  const NodeTrustOptions& o = trust->options_;
  if (absl::Status s = MakePrivateDir(o.dir); !s.ok()) return s;
  absl::StatusOr<std::unique_ptr<ListenerTrust>> api = ListenerTrust::Create(
      absl::StrCat(o.dir, "/api"), o.api_cert_pem, o.api_key_pem);
  if (!api.ok()) return api.status();
  trust->api_ = *std::move(api);
  trust->api_verifier_ = UserClientVerifier(o.api_client_ca_pem, o.api_crls);
  if (o.peers != nullptr) {
    absl::StatusOr<std::unique_ptr<ListenerTrust>> federation =
        ListenerTrust::Create(absl::StrCat(o.dir, "/federation"),
                              o.federation_cert_pem, o.federation_key_pem);
    if (!federation.ok()) return federation.status();
    trust->federation_ = *std::move(federation);
    trust->peer_verifier_ = PeerClientVerifier(o.peers);
  }
  for (const CrlSet* crls : {o.api_crls, o.federation_crls}) {
    if (crls == nullptr) continue;
    for (const std::string& line : crls->Describe()) {
      spdlog::info("tls: {}", line);
    }
  }
  trust->Refresh(/*reload=*/false);
  {
    absl::MutexLock lock(&trust->guard_->mu);
    trust->guard_->trust = trust.get();
  }
  if (o.peers != nullptr) {
    o.peers->OnChange([guard = trust->guard_](const std::string&) {
      absl::MutexLock lock(&guard->mu);
      if (guard->trust != nullptr) guard->trust->Refresh(/*reload=*/false);
    });
  }
  trust->thread_ = std::thread([t = trust.get()] { t->Run(); });
  return trust;
}

std::shared_ptr<grpc::ServerCredentials> NodeTrust::ApiCredentials() const {
  return api_->ServerCredentials(api_verifier_);
}

std::shared_ptr<grpc::ServerCredentials> NodeTrust::FederationCredentials()
    const {
  if (federation_ == nullptr) return nullptr;
  return federation_->ServerCredentials(peer_verifier_);
}

void NodeTrust::Run() {
  while (!stop_.WaitForNotificationWithTimeout(options_.reload_interval)) {
    Refresh(/*reload=*/true);
  }
}

void NodeTrust::Refresh(bool reload) {
  absl::MutexLock lock(&refresh_mu_);
  if (stopped_) return;
  const NodeTrustOptions& o = options_;
  if (reload) {
    for (CrlSet* crls : {o.api_crls, o.federation_crls}) {
      if (crls == nullptr || !crls->Reload()) continue;
      for (const std::string& line : crls->Describe()) {
        spdlog::info("tls: read again: {}", line);
      }
    }
  }
  const absl::Time now = absl::Now();
  std::vector<std::string> issues;
  auto add_issues = [&issues](const std::vector<CrlIssue>& found) {
    for (const CrlIssue& issue : found) issues.push_back(issue.text);
  };

  X509Ptr client_ca = FirstCertificate(o.api_client_ca_pem);
  std::vector<HandshakeCrl> api_crls =
      o.api_crls->ForHandshake(now, {client_ca.get()});
  std::vector<std::string> api_written = {o.api_client_ca_pem};
  for (const HandshakeCrl& crl : api_crls) api_written.push_back(crl.pem);
  if (api_written != api_written_) {
    if (absl::Status s = api_->Set({o.api_client_ca_pem}, api_crls); !s.ok()) {
      spdlog::error("tls: the API port's trust is not updated: {}",
                    std::string(s.message()));
    } else {
      api_written_ = std::move(api_written);
    }
  }
  add_issues(o.api_crls->Issues(now, {client_ca.get()}));

  if (federation_ != nullptr) {
    std::vector<std::string> cas;
    std::vector<X509Ptr> parsed;
    for (const pwx::v1::Peer& peer : o.peers->List()) {
      cas.push_back(peer.card().ca_certificate_pem());
      if (X509Ptr ca = FirstCertificate(cas.back())) {
        parsed.push_back(std::move(ca));
      }
    }
    std::vector<HandshakeCrl> crls =
        o.federation_crls->ForHandshake(now, Pointers(parsed));
    std::vector<std::string> written = cas;
    written.push_back("");  // the CAs end here
    for (const HandshakeCrl& crl : crls) written.push_back(crl.pem);
    if (written != federation_written_) {
      if (absl::Status s = federation_->Set(cas, crls); !s.ok()) {
        spdlog::error("tls: the federation port's trust is not updated: {}",
                      std::string(s.message()));
      } else {
        spdlog::info(
            "tls: federation port: from the next handshake, {} peer CA(s) "
            "trusted and {} current revocation list(s) enforced",
            cas.size(), crls.size());
        federation_written_ = std::move(written);
      }
    }
    add_issues(o.federation_crls->Issues(now, Pointers(parsed)));
  }
  for (const std::string& issue : issues) {
    if (std::find(logged_issues_.begin(), logged_issues_.end(), issue) ==
        logged_issues_.end()) {
      spdlog::warn("tls: {}", issue);
    }
  }
  logged_issues_ = std::move(issues);
}

std::vector<std::string> NodeTrust::IssuesOf(
    const pwx::v1::IdentityCard& card) const {
  std::vector<std::string> out;
  if (options_.federation_crls == nullptr) return out;
  X509Ptr ca = FirstCertificate(card.ca_certificate_pem());
  if (ca == nullptr) return out;
  const std::string subject = SubjectNameDer(ca.get());
  for (const CrlIssue& issue :
       options_.federation_crls->Issues(absl::Now(), {ca.get()})) {
    if (issue.issuer == subject) out.push_back(issue.text);
  }
  return out;
}

std::vector<std::string> NodeTrust::OtherIssues() const {
  std::vector<std::string> out;
  const absl::Time now = absl::Now();
  X509Ptr client_ca = FirstCertificate(options_.api_client_ca_pem);
  for (const CrlIssue& issue :
       options_.api_crls->Issues(now, {client_ca.get()})) {
    out.push_back(issue.text);
  }
  if (options_.federation_crls == nullptr || options_.peers == nullptr) {
    return out;
  }
  std::vector<X509Ptr> cas;
  std::set<std::string> subjects;
  for (const pwx::v1::Peer& peer : options_.peers->List()) {
    if (X509Ptr ca = FirstCertificate(peer.card().ca_certificate_pem())) {
      subjects.insert(SubjectNameDer(ca.get()));
      cas.push_back(std::move(ca));
    }
  }
  for (const CrlIssue& issue :
       options_.federation_crls->Issues(now, Pointers(cas))) {
    if (subjects.count(issue.issuer) == 0) out.push_back(issue.text);
  }
  return out;
}

void NodeTrust::Stop() {
  {
    absl::MutexLock lock(&guard_->mu);
    guard_->trust = nullptr;
  }
  {
    absl::MutexLock lock(&refresh_mu_);
    if (stopped_) return;
    stopped_ = true;
  }
  stop_.Notify();
  if (thread_.joinable()) thread_.join();
  if (federation_ != nullptr) federation_->Remove();
  if (api_ != nullptr) api_->Remove();
  ::rmdir(options_.dir.c_str());
}

}  // namespace pwx::server
