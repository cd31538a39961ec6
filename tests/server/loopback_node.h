// Nodes started inside a test or benchmark process: the API on a free
// loopback port, certificates from a TestCa passed as PEM (the config's file
// names are never read), alice the bootstrap admin, an inspector and an
// auditor by the config. Shared by the server
// tests and the federation benchmark; no test framework needed.
#ifndef PWX_TESTS_SERVER_LOOPBACK_NODE_H_
#define PWX_TESTS_SERVER_LOOPBACK_NODE_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "pwx/v1/case.pb.h"
#include "pwx/v1/config.pb.h"
#include "server/config.h"
#include "server/node.h"
#include "tests/testing/test_pki.h"

namespace pwx::server {

// The config such a node starts from; callers add what their test needs.
inline pwx::v1::ServerConfig LoopbackConfig(const std::string& authority_id,
                                            const std::string& data_dir) {
  pwx::v1::ServerConfig config;
  config.set_authority_id(authority_id);
  config.set_data_dir(data_dir);
  config.mutable_api()->set_listen("127.0.0.1:0");
  config.mutable_api()->set_cert_file("unused");
  config.mutable_api()->set_key_file("unused");
  config.mutable_api()->set_client_ca_file("unused");
  config.add_admin_users("alice");
  // Nobody grants a role to themselves: the config gives alice hers.
  for (const char* role : {"inspector", "auditor"}) {
    pwx::v1::BootstrapRole* given = config.add_bootstrap_roles();
    given->set_user("alice");
    given->set_role(role);
  }
  return config;
}

// Applies the defaults to `config`, validates it, and starts the node with
// `node_keys` (issued by `ca`, which also verifies the API's clients).
// `crl_pems` are written to files that config.federation.crl_files names,
// after those it already names.
inline absl::StatusOr<std::unique_ptr<Node>> StartLoopbackNode(
    pwx::v1::ServerConfig config, const testing::TestCa& ca,
    const testing::KeyPair& node_keys,
    const std::vector<std::string>& crl_pems = {}) {
  if (!crl_pems.empty()) {
    const std::string dir = testing::MakeTempDir("crl");
    for (size_t i = 0; i < crl_pems.size(); ++i) {
      config.mutable_federation()->add_crl_files(
          testing::WriteFile(dir, absl::StrCat(i, ".crl.pem"), crl_pems[i]));
    }
  }
  ApplyDefaults(&config);
  if (absl::Status s = ValidateConfig(config); !s.ok()) return s;
  NodeOptions options;
  options.config = std::move(config);
  options.api_cert_pem = node_keys.cert_pem;
  options.api_key_pem = node_keys.key_pem;
  options.api_client_ca_pem = ca.cert_pem();
  return Node::Start(options);
}

// An mTLS channel to `port` on loopback that trusts `ca` and presents
// `client` (none when nullptr).
inline std::shared_ptr<grpc::Channel> LoopbackChannel(
    int port, const testing::TestCa& ca, const testing::KeyPair* client,
    const grpc::ChannelArguments& args = {}) {
  grpc::SslCredentialsOptions tls;
  tls.pem_root_certs = ca.cert_pem();
  if (client != nullptr) {
    tls.pem_cert_chain = client->cert_pem;
    tls.pem_private_key = client->key_pem;
  }
  return grpc::CreateCustomChannel(absl::StrCat("localhost:", port),
                                   grpc::SslCredentials(tls), args);
}

// A case an inspector files in the node tests: an undertaking and one
// posted worker.
inline pwx::v1::Case DemoCase() {
  pwx::v1::Case c;
  c.mutable_undertaking()->set_name("Demo Bau");
  c.mutable_undertaking()->set_country_of_establishment("PL");
  pwx::v1::PostedWorker* w = c.add_workers();
  w->set_full_name("Jan Kowalski");
  w->mutable_posting_period()->set_start_date("2026-01-05");
  return c;
}

}  // namespace pwx::server

#endif  // PWX_TESTS_SERVER_LOOPBACK_NODE_H_
