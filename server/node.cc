#include "server/node.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "server/admin_service.h"
#include "server/audit_reader.h"
#include "server/audit_service.h"
#include "server/authorizer.h"
#include "server/calendar_service.h"
#include "server/case_manager.h"
#include "server/case_service.h"
#include "server/case_sharing.h"
#include "server/catalogue_service.h"
#include "server/config.h"
#include "server/crl_set.h"
#include "server/domain/calendar.h"
#include "server/domain/catalogue.h"
#include "server/domain/signing.h"
#include "server/event_handler.h"
#include "server/federation_service.h"
#include "server/inbox.h"
#include "server/outbox.h"
#include "server/outbox_dispatcher.h"
#include "server/peer_registry.h"
#include "server/peer_service.h"
#include "server/peer_transport.h"
#include "server/plan_service.h"
#include "server/plans.h"
#include "server/request_service.h"
#include "server/requests.h"
#include "server/tls_check.h"
#include "server/tls_trust.h"
#include "server/tree_head_signer.h"
#include "server/user_service.h"
#include "server/web/web_gateway.h"
#include "storage/audit_index.h"
#include "storage/federation_store.h"
#include "storage/plan_store.h"
#include "storage/request_store.h"
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
  if (!config.federation().listen().empty()) {
    const pwx::v1::FederationConfig& fed = config.federation();
    for (auto [key, path, out] :
         {std::tuple{"federation.cert_file", &fed.cert_file(),
                     &options.federation_cert_pem},
          std::tuple{"federation.key_file", &fed.key_file(),
                     &options.federation_key_pem},
          std::tuple{"federation.ca_file", &fed.ca_file(),
                     &options.federation_ca_pem}}) {
      if (path->empty()) continue;
      absl::StatusOr<std::string> pem = ReadFileForKey(key, *path);
      if (!pem.ok()) return pem.status();
      *out = *std::move(pem);
    }
  }
  if (!config.calendar().data_file().empty()) {
    absl::StatusOr<std::string> calendar_data =
        ReadFileForKey("calendar.data_file", config.calendar().data_file());
    if (!calendar_data.ok()) return calendar_data.status();
    options.calendar_data = *std::move(calendar_data);
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

  absl::StatusOr<domain::Calendars> calendars =
      options.calendar_data.empty()
          ? domain::Calendars::Shipped()
          : domain::Calendars::Parse(options.calendar_data);
  if (!calendars.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(options.calendar_data.empty() ? "the shipped calendars: "
                                                   : "calendar.data_file: ",
                     calendars.status().message()));
  }
  if (absl::Status s = calendars->ApplyOverrides(config.calendar()); !s.ok()) {
    return s;
  }
  node->calendars_ = std::make_unique<domain::Calendars>(*std::move(calendars));
  spdlog::info("node {} computes deadlines on calendars version {}",
               config.authority_id(), node->calendars_->version());

  storage::RocksStoreOptions store_options;
  store_options.path = config.data_dir();
  store_options.max_group_size =
      static_cast<int>(config.storage().max_group_size());
  store_options.block_cache_bytes = config.storage().block_cache_bytes();
  store_options.max_queued_bytes = config.storage().max_queued_bytes();
  absl::StatusOr<std::unique_ptr<storage::RocksStore>> store =
      storage::RocksStore::Open(store_options);
  if (!store.ok()) return store.status();
  node->store_ = *std::move(store);
  // Indexes the audit log by object shortly after each commit, off the
  // path of durable writes.
  node->audit_indexer_ =
      std::make_unique<storage::AuditIndexer>(node->store_.get());
  node->audit_indexer_->Start(absl::Milliseconds(100));

  AuthorizerOptions authz_options;
  authz_options.authority_id = config.authority_id();
  absl::StatusOr<std::map<std::string, std::set<pwx::v1::Role>>> config_roles =
      ConfigRoles(config);
  if (!config_roles.ok()) return config_roles.status();
  authz_options.config_roles = *std::move(config_roles);
  absl::StatusOr<std::unique_ptr<Authorizer>> authz =
      Authorizer::Open(node->store_.get(), std::move(authz_options));
  if (!authz.ok()) return authz.status();
  node->authz_ = *std::move(authz);
  absl::StatusOr<domain::QuestionCatalogue> catalogue =
      domain::QuestionCatalogue::Shipped();
  if (!catalogue.ok()) return catalogue.status();
  node->catalogue_ =
      std::make_unique<domain::QuestionCatalogue>(*std::move(catalogue));

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

  // Uploads in progress; what a crash left there is removed now.
  absl::StatusOr<std::unique_ptr<AttachmentSpool>> spool =
      AttachmentSpool::Open(absl::StrCat(config.data_dir(), "/spool"));
  if (!spool.ok()) return spool.status();
  node->spool_ = *std::move(spool);
  CaseManagerOptions case_options;
  case_options.authority_id = config.authority_id();
  case_options.max_attachment_bytes = config.attachments().max_bytes();
  case_options.read_entry_delay =
      absl::Milliseconds(config.audit().read_entry_delay_ms());
  node->cases_ = std::make_unique<CaseManager>(std::move(case_options),
                                               node->store_.get());
  absl::StatusOr<std::unique_ptr<storage::FederationStore>> fed_store =
      storage::FederationStore::Open(node->store_.get());
  if (!fed_store.ok()) return fed_store.status();
  node->fed_store_ = *std::move(fed_store);
  // Peers' revocation lists matter only to a node that federates.
  std::vector<CrlFile> fed_crl_files;
  for (int i = 0; !config.federation().listen().empty() &&
                  i < config.federation().crl_files_size();
       ++i) {
    fed_crl_files.push_back({absl::StrCat("federation.crl_files[", i, "]"),
                             config.federation().crl_files(i)});
  }
  absl::StatusOr<std::unique_ptr<CrlSet>> fed_crls =
      CrlSet::Open(std::move(fed_crl_files));
  if (!fed_crls.ok()) return fed_crls.status();
  node->fed_crls_ = *std::move(fed_crls);
  absl::StatusOr<std::unique_ptr<PeerRegistry>> peers =
      PeerRegistry::Open(node->store_.get(), node->fed_store_.get(),
                         config.authority_id(), node->fed_crls_.get());
  if (!peers.ok()) return peers.status();
  node->peers_ = *std::move(peers);

  const bool federates = !config.federation().listen().empty();
  if (federates) {
    if (options.federation_cert_pem.empty() &&
        options.federation_key_pem.empty()) {
      options.federation_cert_pem = options.api_cert_pem;
      options.federation_key_pem = options.api_key_pem;
    }
    if (options.federation_ca_pem.empty()) {
      options.federation_ca_pem = options.api_client_ca_pem;
    }
    if (absl::Status s =
            CheckKeyPair("federation.cert_file", options.federation_cert_pem,
                         "federation.key_file", options.federation_key_pem);
        !s.ok()) {
      return s;
    }
    if (absl::Status s =
            CheckCertificates("federation.ca_file", options.federation_ca_pem);
        !s.ok()) {
      return s;
    }
    absl::StatusOr<std::string> own =
        CertificateAuthority(options.federation_cert_pem);
    if (!own.ok() || *own != config.authority_id()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "federation.cert_file: its SAN URI must be pwx://authority/",
          config.authority_id(), " (peers identify the node by it)"));
    }
  }

  // Both listeners check client certificates inside the TLS handshake,
  // against trust that follows the registry and the revocation lists.
  std::vector<CrlFile> api_crl_files;
  for (int i = 0; i < config.api().crl_files_size(); ++i) {
    api_crl_files.push_back(
        {absl::StrCat("api.crl_files[", i, "]"), config.api().crl_files(i)});
  }
  absl::StatusOr<std::unique_ptr<CrlSet>> api_crls =
      CrlSet::Open(std::move(api_crl_files));
  if (!api_crls.ok()) return api_crls.status();
  node->api_crls_ = *std::move(api_crls);
  NodeTrustOptions trust_options;
  trust_options.dir = absl::StrCat(config.data_dir(), "/tls");
  trust_options.api_cert_pem = options.api_cert_pem;
  trust_options.api_key_pem = options.api_key_pem;
  trust_options.api_client_ca_pem = options.api_client_ca_pem;
  trust_options.api_crls = node->api_crls_.get();
  if (federates) {
    trust_options.federation_cert_pem = options.federation_cert_pem;
    trust_options.federation_key_pem = options.federation_key_pem;
    trust_options.federation_crls = node->fed_crls_.get();
    trust_options.peers = node->peers_.get();
  }
  absl::StatusOr<std::unique_ptr<NodeTrust>> trust =
      NodeTrust::Start(std::move(trust_options));
  if (!trust.ok()) return trust.status();
  node->trust_ = *std::move(trust);

  pwx::v1::IdentityCard identity;
  identity.set_authority_id(config.authority_id());
  identity.set_authority_name(config.authority_name());
  if (federates) {
    absl::StatusOr<std::unique_ptr<domain::Signer>> node_signer =
        domain::Signer::FromPem(options.signing_key_pem);
    if (!node_signer.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "audit.signing_key_file: ", node_signer.status().message()));
    }
    node->node_signer_ = *std::move(node_signer);
    identity.set_ca_certificate_pem(options.federation_ca_pem);
    absl::StatusOr<pwx::v1::SignerCertificate> signing_cert =
        SignerCertificateOf(options.signing_cert_pem);
    if (!signing_cert.ok()) return signing_cert.status();
    identity.set_signing_certificate_pem(signing_cert->pem());

    const pwx::v1::FederationConfig& fed_config = config.federation();
    node->handlers_ = std::make_unique<EventHandlers>();
    OutboxOptions outbox_options;
    outbox_options.authority_id = config.authority_id();
    outbox_options.max_batch = fed_config.max_batch();
    outbox_options.keep_delivered =
        absl::Hours(fed_config.keep_delivered_hours());
    outbox_options.max_queued_per_peer = fed_config.max_queued_per_peer();
    node->outbox_ = std::make_unique<Outbox>(
        std::move(outbox_options), node->store_.get(), node->fed_store_.get(),
        node->handlers_.get(), node->node_signer_.get());
    GrpcPeerTransportOptions transport_options;
    transport_options.cert_pem = options.federation_cert_pem;
    transport_options.key_pem = options.federation_key_pem;
    transport_options.crls = node->fed_crls_.get();
    transport_options.max_reconnect_backoff =
        absl::Milliseconds(fed_config.retry_max_ms());
    node->transport_ =
        std::make_unique<GrpcPeerTransport>(std::move(transport_options));
    DispatcherOptions dispatcher_options;
    dispatcher_options.retry_initial =
        absl::Milliseconds(fed_config.retry_initial_ms());
    dispatcher_options.retry_max =
        absl::Milliseconds(fed_config.retry_max_ms());
    dispatcher_options.call_timeout =
        absl::Milliseconds(fed_config.call_timeout_ms());
    node->dispatcher_ = std::make_unique<OutboxDispatcher>(
        dispatcher_options, node->outbox_.get(), node->peers_.get(),
        node->transport_.get());
    // The payloads: each registers its handler.
    OutboxDispatcher* dispatcher = node->dispatcher_.get();
    node->case_sharing_ = std::make_unique<CaseSharing>(
        config.authority_id(), node->store_.get(), node->cases_.get(),
        node->peers_.get(), node->outbox_.get(),
        [dispatcher](const std::string& peer) { dispatcher->Wake(peer); });
    node->handlers_->Add(node->case_sharing_.get());
    if (absl::Status s =
            storage::RequestStore(node->store_.get(), config.authority_id())
                .UpgradeIndexes();
        !s.ok()) {
      return s;
    }
    if (absl::Status s =
            storage::PlanStore(node->store_.get()).UpgradeIndexes();
        !s.ok()) {
      return s;
    }
    RequestsOptions requests_options;
    requests_options.authority_id = config.authority_id();
    requests_options.read_entry_delay =
        absl::Milliseconds(config.audit().read_entry_delay_ms());
    requests_options.working_days = CalendarWorkingDays(node->calendars_.get());
    requests_options.max_attachment_bytes = case_options.max_attachment_bytes;
    const domain::QuestionCatalogue* catalogue = node->catalogue_.get();
    requests_options.has_question = [catalogue](absl::string_view code) {
      return catalogue->Has(std::string_view(code.data(), code.size()));
    };
    requests_options.question_text =
        [catalogue](absl::string_view code,
                    absl::string_view language) -> std::optional<std::string> {
      std::optional<std::string_view> text =
          catalogue->Text(std::string_view(code.data(), code.size()),
                          std::string_view(language.data(), language.size()));
      if (!text) return std::nullopt;
      return std::string(*text);
    };
    Authorizer* authz = node->authz_.get();
    requests_options.user_language = [authz](const std::string& user) {
      return authz->Language(user);
    };
    node->requests_ = std::make_unique<Requests>(
        std::move(requests_options), node->store_.get(), node->peers_.get(),
        node->outbox_.get(),
        [dispatcher](const std::string& peer) { dispatcher->Wake(peer); });
    node->handlers_->Add(node->requests_.get());
    node->handlers_->Add(node->requests_->content_handler());
    PlansOptions plans_options;
    plans_options.authority_id = config.authority_id();
    plans_options.read_entry_delay =
        absl::Milliseconds(config.audit().read_entry_delay_ms());
    node->plans_ = std::make_unique<Plans>(
        std::move(plans_options), node->store_.get(), node->peers_.get(),
        node->outbox_.get(),
        [dispatcher](const std::string& peer) { dispatcher->Wake(peer); });
    node->handlers_->Add(node->plans_.get());
    // A repaired link means a node lost state: the lead sends its open
    // plans again.
    node->outbox_->OnRepaired(
        [plans = node->plans_.get()](const std::string& peer) {
          plans->ResendOpenPlans(peer);
        });
    // What the leads sent while this node was down reaches it anyway; this
    // asks for what a gap or a restore lost.
    if (absl::Status s = node->plans_->CatchUpAll(); !s.ok()) {
      spdlog::warn("plans: asking the leads to catch up failed: {}",
                   s.ToString());
    }
    InboxOptions inbox_options;
    inbox_options.authority_id = config.authority_id();
    inbox_options.quota_events_per_hour = fed_config.quota_events_per_hour();
    inbox_options.quota_bytes_per_hour = fed_config.quota_bytes_per_hour();
    node->inbox_ = std::make_unique<Inbox>(
        std::move(inbox_options), node->store_.get(), node->fed_store_.get(),
        node->handlers_.get(), node->signer_.get(), node->node_signer_.get());
    node->federation_service_ = std::make_unique<FederationServiceImpl>(
        node->peers_.get(), node->inbox_.get());
    // Peers only, on a server of their own: they never see the API. A
    // client certificate that no registered peer's CA issued, or that is
    // expired or revoked, gets no TLS session (NodeTrust); one that names
    // another authority than its CA's peer is refused right after the
    // handshake (PeerClientVerifier); FederationServiceImpl checks again in
    // each call. gRPC's defaults allow TLS 1.2 and 1.3 with AEAD cipher
    // suites only.
    grpc::ServerBuilder fed_builder;
    fed_builder.AddListeningPort(config.federation().listen(),
                                 node->trust_->FederationCredentials(),
                                 &node->federation_port_);
    fed_builder.RegisterService(node->federation_service_.get());
    fed_builder.SetMaxReceiveMessageSize(
        static_cast<int>(config.federation().max_message_bytes()));
    fed_builder.AddChannelArgument(
        GRPC_ARG_MAX_CONCURRENT_STREAMS,
        static_cast<int>(config.federation().max_concurrent_streams()));
    node->federation_server_ = fed_builder.BuildAndStart();
    if (node->federation_server_ == nullptr || node->federation_port_ == 0) {
      return absl::UnavailableError(
          absl::StrCat("federation.listen: cannot listen on ",
                       config.federation().listen(), " (address in use?)"));
    }
    spdlog::info("node {} serving peers on port {}", config.authority_id(),
                 node->federation_port_);
    identity.set_federation_endpoint(
        absl::EndsWith(config.federation().advertise(), ":0")
            ? absl::StrCat(config.federation().advertise().substr(
                               0, config.federation().advertise().size() - 1),
                           node->federation_port_)
            : config.federation().advertise());
  }
  node->peer_service_ = std::make_unique<PeerServiceImpl>(
      std::move(identity), node->authz_.get(), node->peers_.get(),
      node->outbox_.get(), node->dispatcher_.get(), node->trust_.get());
  node->case_service_ = std::make_unique<CaseServiceImpl>(
      node->cases_.get(), node->spool_.get(), node->authz_.get(),
      node->case_sharing_.get(), node->requests_.get());
  node->request_service_ = std::make_unique<RequestServiceImpl>(
      node->authz_.get(), node->requests_.get(), node->spool_.get());
  node->plan_service_ =
      std::make_unique<PlanServiceImpl>(node->authz_.get(), node->plans_.get());
  node->admin_service_ = std::make_unique<AdminServiceImpl>(
      config.authority_id(), node->store_.get(), node->authz_.get());
  node->user_service_ = std::make_unique<UserServiceImpl>(
      node->authz_.get(), config.authority_id(), config.authority_name());
  node->catalogue_service_ = std::make_unique<CatalogueServiceImpl>(
      node->catalogue_.get(), node->authz_.get());
  node->audit_reader_ = std::make_unique<AuditReader>(
      config.authority_id(), node->store_.get(), node->fed_store_.get(),
      node->signer_.get());
  node->audit_service_ = std::make_unique<AuditServiceImpl>(
      node->audit_reader_.get(), node->authz_.get());
  node->calendar_service_ = std::make_unique<CalendarServiceImpl>(
      node->calendars_.get(), node->authz_.get());

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  builder.AddListeningPort(config.api().listen(),
                           node->trust_->ApiCredentials(), &node->api_port_);
  builder.RegisterService(node->case_service_.get());
  builder.RegisterService(node->admin_service_.get());
  builder.RegisterService(node->user_service_.get());
  builder.RegisterService(node->catalogue_service_.get());
  builder.RegisterService(node->audit_service_.get());
  builder.RegisterService(node->peer_service_.get());
  builder.RegisterService(node->request_service_.get());
  builder.RegisterService(node->plan_service_.get());
  builder.RegisterService(node->calendar_service_.get());
  // Attachments travel in chunks; allow a little more than one chunk.
  builder.SetMaxReceiveMessageSize(4 << 20);
  builder.AddChannelArgument(
      GRPC_ARG_MAX_CONCURRENT_STREAMS,
      static_cast<int>(config.api().max_concurrent_streams()));
  node->server_ = builder.BuildAndStart();
  if (node->server_ == nullptr || node->api_port_ == 0) {
    return absl::UnavailableError(absl::StrCat(
        "api.listen: cannot listen on ", config.api().listen(),
        " (address in use, or the certificate and key do not match)"));
  }
  spdlog::info("node {} serving the API on port {} (data in {})",
               config.authority_id(), node->api_port_, config.data_dir());

  if (!config.web().listen().empty()) {
    // The page's JSON API calls the services above over the in-process
    // channel, so every rule, log line and audit entry is the API's.
    WebGatewayOptions web_options;
    web_options.listen = config.web().listen();
    web_options.tls.cert_pem = options.api_cert_pem;
    web_options.tls.key_pem = options.api_key_pem;
    web_options.tls.client_ca_pem = options.api_client_ca_pem;
    web_options.tls.crls = node->api_crls_.get();
    web_options.max_attachment_bytes = config.attachments().max_bytes();
    grpc::ChannelArguments args;
    args.SetMaxReceiveMessageSize(-1);
    web_options.channel = node->server_->InProcessChannel(args);
    absl::StatusOr<std::unique_ptr<WebGateway>> web =
        WebGateway::Start(std::move(web_options));
    if (!web.ok()) return web.status();
    node->web_ = *std::move(web);
    spdlog::info("node {} serving the web page on port {}",
                 config.authority_id(), node->web_->port());
  }

  return node;
}

Node::~Node() { Shutdown(absl::ZeroDuration()); }

int Node::web_port() const { return web_ == nullptr ? 0 : web_->port(); }

void Node::Shutdown(absl::Duration grace) {
  if (stopped_) return;
  stopped_ = true;
  // The page's calls go to the API's services: it stops first.
  if (web_ != nullptr) web_->Stop();
  if (federation_server_ != nullptr) {
    federation_server_->Shutdown(absl::ToChronoTime(absl::Now() + grace));
    federation_server_->Wait();
  }
  if (server_ != nullptr) {
    if (auto* health = server_->GetHealthCheckService()) health->Shutdown();
    server_->Shutdown(absl::ToChronoTime(absl::Now() + grace));
    server_->Wait();
  }
  // The listeners' certificate providers read the trust files until the
  // servers are gone.
  federation_server_.reset();
  server_.reset();
  web_.reset();
  // Dispatchers and the inbox stop before the services and the store they
  // use.
  if (dispatcher_ != nullptr) dispatcher_->Stop();
  if (inbox_ != nullptr) inbox_->Stop();
  // Services first (a running backup finishes), then the final tree head
  // covers every entry written, then the writer drains and the database
  // closes.
  audit_service_.reset();
  calendar_service_.reset();
  audit_reader_.reset();
  peer_service_.reset();
  federation_service_.reset();
  inbox_.reset();
  request_service_.reset();
  plan_service_.reset();
  case_sharing_.reset();
  requests_.reset();
  plans_.reset();
  dispatcher_.reset();
  transport_.reset();
  outbox_.reset();
  handlers_.reset();
  // The trust's thread reads the registry and the lists until it stops.
  if (trust_ != nullptr) trust_->Stop();
  trust_.reset();
  peers_.reset();
  api_crls_.reset();
  fed_crls_.reset();
  fed_store_.reset();
  catalogue_service_.reset();
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
  if (audit_indexer_ != nullptr) audit_indexer_->Stop();
  audit_indexer_.reset();
  store_.reset();
  spdlog::info("node stopped; database closed");
}

}  // namespace pwx::server
