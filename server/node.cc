#include "server/node.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "server/admin_service.h"
#include "server/audit_service.h"
#include "server/authorizer.h"
#include "server/case_manager.h"
#include "server/case_service.h"
#include "server/config.h"
#include "server/tls_check.h"
#include "server/tree_head_signer.h"
#include "server/user_service.h"
#include "storage/rocks_store.h"

namespace pwx::server {

absl::StatusOr<NodeOptions> LoadNodeOptions(pwx::v1::ServerConfig config) {
  NodeOptions options;
  absl::StatusOr<std::string> cert =
      ReadFileForKey("api.cert_file", config.api().cert_file());
  if (!cert.ok()) return cert.status();
  absl::StatusOr<std::string> key =
      ReadFileForKey("api.key_file", config.api().key_file());
  if (!key.ok()) return key.status();
  absl::StatusOr<std::string> ca =
      ReadFileForKey("api.client_ca_file", config.api().client_ca_file());
  if (!ca.ok()) return ca.status();
  // Unset signing files (a config without ApplyDefaults) mean the API pair.
  if (!config.audit().signing_cert_file().empty()) {
    absl::StatusOr<std::string> signing_cert = ReadFileForKey(
        "audit.signing_cert_file", config.audit().signing_cert_file());
    if (!signing_cert.ok()) return signing_cert.status();
    options.signing_cert_pem = *std::move(signing_cert);
  }
  if (!config.audit().signing_key_file().empty()) {
    absl::StatusOr<std::string> signing_key = ReadFileForKey(
        "audit.signing_key_file", config.audit().signing_key_file());
    if (!signing_key.ok()) return signing_key.status();
    options.signing_key_pem = *std::move(signing_key);
  }
  options.config = std::move(config);
  options.api_cert_pem = *std::move(cert);
  options.api_key_pem = *std::move(key);
  options.api_client_ca_pem = *std::move(ca);
  return options;
}

absl::StatusOr<std::unique_ptr<Node>> Node::Start(NodeOptions options) {
  const pwx::v1::ServerConfig& config = options.config;
  if (absl::Status s = CheckKeyPair("api.cert_file", options.api_cert_pem,
                                    "api.key_file", options.api_key_pem);
      !s.ok()) {
    return s;
  }
  if (absl::Status s =
          CheckCertificates("api.client_ca_file", options.api_client_ca_pem);
      !s.ok()) {
    return s;
  }
  if (options.signing_cert_pem.empty() && options.signing_key_pem.empty()) {
    options.signing_cert_pem = options.api_cert_pem;
    options.signing_key_pem = options.api_key_pem;
  }
  if (absl::Status s =
          CheckKeyPair("audit.signing_cert_file", options.signing_cert_pem,
                       "audit.signing_key_file", options.signing_key_pem);
      !s.ok()) {
    return s;
  }
  std::unique_ptr<Node> node(new Node());

  storage::RocksStoreOptions store_options;
  store_options.path = config.data_dir();
  store_options.max_group_size =
      static_cast<int>(config.storage().max_group_size());
  store_options.block_cache_bytes = config.storage().block_cache_bytes();
  absl::StatusOr<std::unique_ptr<storage::RocksStore>> store =
      storage::RocksStore::Open(store_options);
  if (!store.ok()) return store.status();
  node->store_ = *std::move(store);

  absl::StatusOr<std::unique_ptr<Authorizer>> authz =
      Authorizer::Open(node->store_.get(), config.authority_id(),
                       std::set<std::string>(config.admin_users().begin(),
                                             config.admin_users().end()));
  if (!authz.ok()) return authz.status();
  node->authz_ = *std::move(authz);

  TreeHeadSignerOptions signer_options;
  signer_options.authority_id = config.authority_id();
  signer_options.sign_every_entries =
      std::max<uint64_t>(1, config.audit().sign_every_entries());
  signer_options.sign_interval = absl::Milliseconds(
      std::max<uint32_t>(10, config.audit().sign_interval_ms()));
  signer_options.certificate_pem = options.signing_cert_pem;
  signer_options.key_pem = options.signing_key_pem;
  absl::StatusOr<std::unique_ptr<TreeHeadSigner>> signer =
      TreeHeadSigner::Open(node->store_.get(), std::move(signer_options));
  if (!signer.ok()) {
    if (absl::IsInvalidArgument(signer.status())) {
      return absl::InvalidArgumentError(
          absl::StrCat("audit.signing_key_file: ", signer.status().message()));
    }
    return signer.status();
  }
  node->signer_ = *std::move(signer);

  CaseManagerOptions case_options;
  case_options.authority_id = config.authority_id();
  case_options.max_attachment_bytes = config.attachments().max_bytes();
  case_options.read_entry_delay =
      absl::Milliseconds(config.audit().read_entry_delay_ms());
  node->cases_ = std::make_unique<CaseManager>(std::move(case_options),
                                               node->store_.get());
  node->case_service_ =
      std::make_unique<CaseServiceImpl>(node->cases_.get(), node->authz_.get());
  node->admin_service_ = std::make_unique<AdminServiceImpl>(
      config.authority_id(), node->store_.get(), node->authz_.get());
  node->user_service_ = std::make_unique<UserServiceImpl>(node->authz_.get());
  node->audit_service_ = std::make_unique<AuditServiceImpl>(
      config.authority_id(), node->store_.get(), node->authz_.get(),
      node->signer_.get());

  grpc::SslServerCredentialsOptions tls(
      GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  tls.pem_root_certs = options.api_client_ca_pem;
  tls.pem_key_cert_pairs.push_back({options.api_key_pem, options.api_cert_pem});

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  builder.AddListeningPort(config.api().listen(),
                           grpc::SslServerCredentials(tls), &node->api_port_);
  builder.RegisterService(node->case_service_.get());
  builder.RegisterService(node->admin_service_.get());
  builder.RegisterService(node->user_service_.get());
  builder.RegisterService(node->audit_service_.get());
  // Attachments travel in chunks; allow a little more than one chunk.
  builder.SetMaxReceiveMessageSize(4 << 20);
  node->server_ = builder.BuildAndStart();
  if (node->server_ == nullptr || node->api_port_ == 0) {
    return absl::UnavailableError(absl::StrCat(
        "api.listen: cannot listen on ", config.api().listen(),
        " (address in use, or the certificate and key do not match)"));
  }
  spdlog::info("node {} serving the API on port {} (data in {})",
               config.authority_id(), node->api_port_, config.data_dir());
  return node;
}

Node::~Node() { Shutdown(absl::ZeroDuration()); }

void Node::Shutdown(absl::Duration grace) {
  if (stopped_) return;
  stopped_ = true;
  if (server_ != nullptr) {
    if (auto* health = server_->GetHealthCheckService()) health->Shutdown();
    server_->Shutdown(absl::ToChronoTime(absl::Now() + grace));
    server_->Wait();
  }
  // Services first (a running backup finishes), then the final tree head
  // covers every entry written, then the writer drains and the database
  // closes.
  audit_service_.reset();
  user_service_.reset();
  admin_service_.reset();
  case_service_.reset();
  cases_.reset();
  if (signer_ != nullptr) {
    if (absl::Status s = signer_->Stop(); !s.ok()) {
      spdlog::error("audit: the final tree head was not signed: {}",
                    s.ToString());
    }
    signer_.reset();
  }
  authz_.reset();
  store_.reset();
  spdlog::info("node stopped; database closed");
}

}  // namespace pwx::server
