#include "tests/testing/test_pki.h"

#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdlib.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <string>
#include <system_error>
#include <vector>

namespace pwx::testing {
namespace {

constexpr long kOneHourSeconds = 3600;
constexpr int kValidityDays = 10 * 365;

struct BioFree {
  void operator()(BIO* p) const { BIO_free_all(p); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct X509Free {
  void operator()(X509* p) const { X509_free(p); }
};
struct X509ExtFree {
  void operator()(X509_EXTENSION* p) const { X509_EXTENSION_free(p); }
};
struct BnFree {
  void operator()(BIGNUM* p) const { BN_free(p); }
};

using BioPtr = std::unique_ptr<BIO, BioFree>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;
using X509Ptr = std::unique_ptr<X509, X509Free>;
using X509ExtPtr = std::unique_ptr<X509_EXTENSION, X509ExtFree>;
using BnPtr = std::unique_ptr<BIGNUM, BnFree>;

// Test set-up cannot continue without certificates, so a failure ends the
// binary with OpenSSL's error queue on stderr.
[[noreturn]] void Die(const char* what) {
  std::fprintf(stderr, "test_pki: %s failed\n", what);
  ERR_print_errors_fp(stderr);
  std::abort();
}

void Check(bool ok, const char* what) {
  if (!ok) Die(what);
}

PkeyPtr NewP256Key() {
  PkeyPtr key(EVP_EC_gen("P-256"));
  Check(key != nullptr, "EVP_EC_gen(P-256)");
  return key;
}

std::string BioToString(BIO* bio) {
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(len));
}

std::string CertToPem(X509* cert) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  Check(bio != nullptr, "BIO_new");
  Check(PEM_write_bio_X509(bio.get(), cert) == 1, "PEM_write_bio_X509");
  return BioToString(bio.get());
}

// PEM_write_bio_PrivateKey writes the PKCS#8 "PRIVATE KEY" form.
std::string KeyToPem(EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  Check(bio != nullptr, "BIO_new");
  Check(PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr,
                                 nullptr) == 1,
        "PEM_write_bio_PrivateKey");
  return BioToString(bio.get());
}

X509Ptr CertFromPem(const std::string& pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  Check(bio != nullptr, "BIO_new_mem_buf");
  X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  Check(cert != nullptr, "PEM_read_bio_X509");
  return cert;
}

PkeyPtr KeyFromPem(const std::string& pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  Check(bio != nullptr, "BIO_new_mem_buf");
  PkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  Check(key != nullptr, "PEM_read_bio_PrivateKey");
  return key;
}

void SetRandomSerial(X509* cert) {
  // 159 random bits: positive and within RFC 5280's 20-octet limit.
  BnPtr bn(BN_new());
  Check(bn != nullptr, "BN_new");
  Check(BN_rand(bn.get(), 159, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) == 1,
        "BN_rand");
  Check(BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(cert)) != nullptr,
        "BN_to_ASN1_INTEGER");
}

void SetCommonName(X509* cert, std::string_view common_name) {
  X509_NAME* name = X509_get_subject_name(cert);
  const std::string cn(common_name);
  Check(X509_NAME_add_entry_by_txt(
            name, "CN", MBSTRING_UTF8,
            reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0) == 1,
        "X509_NAME_add_entry_by_txt");
}

// Adds one extension given in openssl.cnf syntax; `issuer` is needed for
// the authority key identifier.
void AddExtension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509ExtPtr ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str()));
  Check(ext != nullptr, "X509V3_EXT_conf_nid");
  Check(X509_add_ext(cert, ext.get(), -1) == 1, "X509_add_ext");
}

// A certificate for `key` named `common_name`, valid from an hour ago for
// ten years, issued by `issuer` (self-signed when `issuer` is null). The
// caller adds extensions and signs.
X509Ptr NewCert(EVP_PKEY* key, std::string_view common_name, X509* issuer) {
  X509Ptr cert(X509_new());
  Check(cert != nullptr, "X509_new");
  Check(X509_set_version(cert.get(), X509_VERSION_3) == 1, "X509_set_version");
  SetRandomSerial(cert.get());
  Check(X509_gmtime_adj(X509_getm_notBefore(cert.get()), -kOneHourSeconds) !=
            nullptr,
        "X509_gmtime_adj");
  Check(X509_time_adj_ex(X509_getm_notAfter(cert.get()), kValidityDays, 0,
                         nullptr) != nullptr,
        "X509_time_adj_ex");
  SetCommonName(cert.get(), common_name);
  X509_NAME* issuer_name = issuer != nullptr
                               ? X509_get_subject_name(issuer)
                               : X509_get_subject_name(cert.get());
  Check(X509_set_issuer_name(cert.get(), issuer_name) == 1,
        "X509_set_issuer_name");
  Check(X509_set_pubkey(cert.get(), key) == 1, "X509_set_pubkey");
  return cert;
}

void Sign(X509* cert, EVP_PKEY* signer) {
  Check(X509_sign(cert, signer, EVP_sha256()) > 0, "X509_sign");
}

KeyPair IssueLeaf(const KeyPair& ca, std::string_view common_name,
                  const std::string& extended_key_usage,
                  const std::string& subject_alt_name, bool expired = false) {
  X509Ptr ca_cert = CertFromPem(ca.cert_pem);
  PkeyPtr ca_key = KeyFromPem(ca.key_pem);
  PkeyPtr key = NewP256Key();
  X509Ptr cert = NewCert(key.get(), common_name, ca_cert.get());
  if (expired) {
    Check(X509_gmtime_adj(X509_getm_notBefore(cert.get()),
                          -2 * kOneHourSeconds) != nullptr,
          "X509_gmtime_adj");
    Check(X509_gmtime_adj(X509_getm_notAfter(cert.get()), -kOneHourSeconds) !=
              nullptr,
          "X509_gmtime_adj");
  }
  AddExtension(cert.get(), ca_cert.get(), NID_basic_constraints,
               "critical,CA:FALSE");
  AddExtension(cert.get(), ca_cert.get(), NID_key_usage,
               "critical,digitalSignature");
  AddExtension(cert.get(), ca_cert.get(), NID_ext_key_usage,
               extended_key_usage);
  AddExtension(cert.get(), ca_cert.get(), NID_subject_key_identifier, "hash");
  AddExtension(cert.get(), ca_cert.get(), NID_authority_key_identifier,
               "keyid:always");
  if (!subject_alt_name.empty()) {
    AddExtension(cert.get(), ca_cert.get(), NID_subject_alt_name,
                 subject_alt_name);
  }
  Sign(cert.get(), ca_key.get());
  return KeyPair{CertToPem(cert.get()), KeyToPem(key.get())};
}

}  // namespace

TestCa TestCa::Create(std::string_view name) {
  PkeyPtr key = NewP256Key();
  const std::string common_name = std::string(name) + " test CA";
  X509Ptr cert = NewCert(key.get(), common_name, nullptr);
  AddExtension(cert.get(), cert.get(), NID_basic_constraints,
               "critical,CA:TRUE");
  AddExtension(cert.get(), cert.get(), NID_key_usage,
               "critical,keyCertSign,cRLSign");
  AddExtension(cert.get(), cert.get(), NID_subject_key_identifier, "hash");
  Sign(cert.get(), key.get());
  TestCa ca;
  ca.ca_ = KeyPair{CertToPem(cert.get()), KeyToPem(key.get())};
  return ca;
}

KeyPair TestCa::SelfSignedNode(std::string_view authority_id) {
  PkeyPtr key = NewP256Key();
  X509Ptr cert = NewCert(key.get(), authority_id, nullptr);
  AddExtension(cert.get(), cert.get(), NID_ext_key_usage,
               "serverAuth,clientAuth");
  AddExtension(cert.get(), cert.get(), NID_subject_alt_name,
               "URI:pwx://authority/" + std::string(authority_id) +
                   ",DNS:localhost,IP:127.0.0.1");
  Sign(cert.get(), key.get());
  return KeyPair{CertToPem(cert.get()), KeyToPem(key.get())};
}

KeyPair TestCa::IssueNode(std::string_view authority_id) const {
  const std::string id(authority_id);
  return IssueLeaf(ca_, authority_id, "serverAuth,clientAuth",
                   "URI:pwx://authority/" + id + ",DNS:localhost,IP:127.0.0.1");
}

KeyPair TestCa::IssueNodeWith(std::string_view common_name,
                              std::string_view san_authority,
                              bool expired) const {
  const std::string san = san_authority.empty()
                              ? std::string("DNS:localhost,IP:127.0.0.1")
                              : "URI:pwx://authority/" +
                                    std::string(san_authority) +
                                    ",DNS:localhost,IP:127.0.0.1";
  return IssueLeaf(ca_, common_name, "serverAuth,clientAuth", san, expired);
}

std::string TestCa::Crl(const std::vector<std::string>& revoked,
                        bool expired) const {
  X509Ptr ca_cert = CertFromPem(ca_.cert_pem);
  PkeyPtr ca_key = KeyFromPem(ca_.key_pem);
  std::unique_ptr<X509_CRL, decltype(&X509_CRL_free)> crl(X509_CRL_new(),
                                                          X509_CRL_free);
  Check(crl != nullptr, "X509_CRL_new");
  Check(X509_CRL_set_version(crl.get(), 1) == 1, "X509_CRL_set_version");
  Check(X509_CRL_set_issuer_name(crl.get(),
                                 X509_get_subject_name(ca_cert.get())) == 1,
        "X509_CRL_set_issuer_name");
  constexpr long kDay = 24 * kOneHourSeconds;
  std::unique_ptr<ASN1_TIME, decltype(&ASN1_TIME_free)> now(
      X509_gmtime_adj(nullptr, expired ? -40 * kDay : -kOneHourSeconds),
      ASN1_TIME_free);
  std::unique_ptr<ASN1_TIME, decltype(&ASN1_TIME_free)> next(
      X509_gmtime_adj(nullptr, expired ? -10 * kDay : 30 * kDay),
      ASN1_TIME_free);
  Check(X509_CRL_set1_lastUpdate(crl.get(), now.get()) == 1, "lastUpdate");
  Check(X509_CRL_set1_nextUpdate(crl.get(), next.get()) == 1, "nextUpdate");
  for (const std::string& pem : revoked) {
    X509Ptr cert = CertFromPem(pem);
    X509_REVOKED* entry = X509_REVOKED_new();
    Check(entry != nullptr, "X509_REVOKED_new");
    Check(X509_REVOKED_set_serialNumber(entry,
                                        X509_get_serialNumber(cert.get())) == 1,
          "X509_REVOKED_set_serialNumber");
    Check(X509_REVOKED_set_revocationDate(entry, now.get()) == 1,
          "X509_REVOKED_set_revocationDate");
    Check(X509_CRL_add0_revoked(crl.get(), entry) == 1,
          "X509_CRL_add0_revoked");
  }
  X509_CRL_sort(crl.get());
  Check(X509_CRL_sign(crl.get(), ca_key.get(), EVP_sha256()) > 0,
        "X509_CRL_sign");
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
  Check(PEM_write_bio_X509_CRL(bio.get(), crl.get()) == 1,
        "PEM_write_bio_X509_CRL");
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(n));
}

KeyPair TestCa::IssueUser(std::string_view common_name) const {
  return IssueLeaf(ca_, common_name, "clientAuth", "");
}

namespace {

// The directories MakeTempDir made, with the process that made them: a child
// forked by a test exits without removing its parent's.
struct TempDirs {
  std::mutex mu;
  pid_t owner = getpid();
  std::vector<std::string> paths;
};

TempDirs& Made() {
  static TempDirs* const made = [] {
    auto* m = new TempDirs;
    std::atexit([] {
      TempDirs& dirs = Made();
      const std::lock_guard lock(dirs.mu);
      if (getpid() != dirs.owner || std::getenv("PWX_KEEP_TEST_DIRS")) return;
      for (const std::string& path : dirs.paths) {
        std::error_code ignored;
        std::filesystem::remove_all(path, ignored);
      }
    });
    return m;
  }();
  return *made;
}

}  // namespace

std::string MakeTempDir(std::string_view prefix) {
  TempDirs& made = Made();
  std::string pattern = ::testing::TempDir() + std::string(prefix) + "XXXXXX";
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  if (mkdtemp(buffer.data()) == nullptr) {
    std::fprintf(stderr, "test_pki: mkdtemp(%s): %s\n", pattern.c_str(),
                 std::strerror(errno));
    std::abort();
  }
  std::string path(buffer.data());
  const std::lock_guard lock(made.mu);
  made.paths.push_back(path);
  return path;
}

std::string WriteFile(const std::string& dir, std::string_view name,
                      std::string_view content) {
  std::string path = dir + "/" + std::string(name);
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  file.write(content.data(), static_cast<std::streamsize>(content.size()));
  file.close();
  if (!file) {
    std::fprintf(stderr, "test_pki: cannot write %s\n", path.c_str());
    std::abort();
  }
  return path;
}

}  // namespace pwx::testing
