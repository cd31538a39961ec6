// Certificates generated at test time (ECDSA P-256, OpenSSL), so no key
// material lives in the repository and nothing expires between runs.
#ifndef PWX_TESTS_TESTING_TEST_PKI_H_
#define PWX_TESTS_TESTING_TEST_PKI_H_

#include <string>
#include <string_view>
#include <vector>

namespace pwx::testing {

struct KeyPair {
  std::string cert_pem;
  std::string key_pem;  // PKCS#8 PEM
};

// A throw-away certificate authority. Thread-compatible.
class TestCa {
 public:
  // A self-signed CA with CN "<name> test CA", valid from an hour ago for
  // ten years. Aborts the test binary on an OpenSSL failure.
  static TestCa Create(std::string_view name);

  // A node certificate: CN = authority_id, SAN URI
  // "pwx://authority/<authority_id>", DNS "localhost", IP 127.0.0.1,
  // extended key usage serverAuth and clientAuth.
  KeyPair IssueNode(std::string_view authority_id) const;
  // A node certificate as above but naming `san_authority` in its SAN URI
  // (none when empty), and, when `expired`, valid only until an hour ago.
  KeyPair IssueNodeWith(std::string_view common_name,
                        std::string_view san_authority, bool expired) const;
  // A PEM CRL signed by this CA that revokes `revoked` (certificate PEMs),
  // issued an hour ago and due for renewal in 30 days; when `expired`,
  // issued 40 days ago and due 10 days ago.
  std::string Crl(const std::vector<std::string>& revoked,
                  bool expired = false) const;
  // A user certificate: CN = common_name, extended key usage clientAuth.
  KeyPair IssueUser(std::string_view common_name) const;

  const std::string& cert_pem() const { return ca_.cert_pem; }

  // A self-signed node certificate (no CA issued it) naming
  // `authority_id` like IssueNode's.
  static KeyPair SelfSignedNode(std::string_view authority_id);

 private:
  KeyPair ca_;
};

// A fresh empty directory under the test temp dir, distinct per call, and
// removed with its contents when the process that made it exits normally
// (kept when PWX_KEEP_TEST_DIRS is set, to look at after a failure).
std::string MakeTempDir(std::string_view prefix);

// Writes `content` to dir/name and returns the path. Aborts on failure.
std::string WriteFile(const std::string& dir, std::string_view name,
                      std::string_view content);

}  // namespace pwx::testing

#endif  // PWX_TESTS_TESTING_TEST_PKI_H_
