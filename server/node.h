// A running pwx node: the database, the domain managers and the API
// listener, started and stopped as one. pwx-server's main and the in-process
// tests both use it.
#ifndef PWX_SERVER_NODE_H_
#define PWX_SERVER_NODE_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "pwx/v1/config.pb.h"

namespace pwx::domain {
class QuestionCatalogue;
class Calendars;
class Signer;
}  // namespace pwx::domain
namespace pwx::storage {
class AuditIndexer;
class FederationStore;
class RocksStore;
}  // namespace pwx::storage

namespace pwx::server {

class AdminServiceImpl;
class AttachmentSpool;
class AuditReader;
class AuditServiceImpl;
class Authorizer;
class CalendarServiceImpl;
class CaseManager;
class CaseServiceImpl;
class CaseSharing;
class PlanServiceImpl;
class Plans;
class Requests;
class RequestServiceImpl;
class CatalogueServiceImpl;
class CrlSet;
class EventHandlers;
class FederationServiceImpl;
class Inbox;
class NodeTrust;
class Outbox;
class OutboxDispatcher;
class PeerTransport;
class PeerRegistry;
class PeerServiceImpl;
class TreeHeadSigner;
class UserServiceImpl;
class WebGateway;

struct NodeOptions {
  // Validated configuration with defaults applied. The *_file keys are not
  // read: the PEM contents below are used instead.
  pwx::v1::ServerConfig config;
  std::string api_cert_pem;
  std::string api_key_pem;
  std::string api_client_ca_pem;
  // The certificate and ECDSA P-256 key that sign audit tree heads
  // (audit.signing_cert_file, audit.signing_key_file). Default: empty, which
  // means api_cert_pem and api_key_pem.
  std::string signing_cert_pem;
  std::string signing_key_pem;
  // The federation listener's certificate chain and key (also presented to
  // peers by the dispatchers) and the CA that issued them (for the identity
  // card). Default: the API's pair and client CA. Revocation lists are read
  // from the files the config names (and read again when they change).
  std::string federation_cert_pem;
  std::string federation_key_pem;
  std::string federation_ca_pem;
  // The contents of calendar.data_file; empty: the shipped calendars.
  std::string calendar_data;
};

// Reads the PEM files named by `config` into NodeOptions; the error names
// the config key whose file cannot be read.
absl::StatusOr<NodeOptions> LoadNodeOptions(pwx::v1::ServerConfig config);

// Thread-safe.
class Node {
 public:
  // Opens the database and starts listening. Errors name what is wrong: the
  // database (FAILED_PRECONDITION, DATA_LOSS), the listen address
  // (UNAVAILABLE) or the key material (INVALID_ARGUMENT).
  static absl::StatusOr<std::unique_ptr<Node>> Start(NodeOptions options);

  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;
  // Shuts down with a zero grace period if Shutdown was not called.
  ~Node();

  // The API port actually bound (useful with port 0).
  int api_port() const { return api_port_; }
  // The federation port bound; 0 when the node does not federate.
  int federation_port() const { return federation_port_; }
  // The web page's HTTPS port bound; 0 when web.listen is empty.
  int web_port() const;

  // The question catalogue the node serves (the shipped one), for the
  // services that show question texts. Lives as long as the Node.
  const domain::QuestionCatalogue& catalogue() const { return *catalogue_; }
  // The working-day calendars deadlines are computed on: the shipped data
  // or calendar.data_file, with the config's overrides. Never changes while
  // the node runs.
  const domain::Calendars& calendars() const { return *calendars_; }

  // Stops accepting calls, lets in-flight calls finish for up to `grace`,
  // cancels the rest, then flushes and closes the database. Idempotent.
  void Shutdown(absl::Duration grace);

 private:
  Node() = default;

  std::unique_ptr<domain::Calendars> calendars_;
  std::unique_ptr<CalendarServiceImpl> calendar_service_;
  std::unique_ptr<storage::RocksStore> store_;
  std::unique_ptr<storage::AuditIndexer> audit_indexer_;
  std::unique_ptr<Authorizer> authz_;
  std::unique_ptr<domain::QuestionCatalogue> catalogue_;
  std::unique_ptr<TreeHeadSigner> signer_;
  std::unique_ptr<AttachmentSpool> spool_;
  std::unique_ptr<CaseManager> cases_;
  std::unique_ptr<storage::FederationStore> fed_store_;
  std::unique_ptr<CrlSet> fed_crls_;
  std::unique_ptr<CrlSet> api_crls_;
  std::unique_ptr<PeerRegistry> peers_;
  std::unique_ptr<NodeTrust> trust_;
  std::unique_ptr<domain::Signer> node_signer_;
  std::unique_ptr<EventHandlers> handlers_;
  std::unique_ptr<Outbox> outbox_;
  std::unique_ptr<PeerTransport> transport_;
  std::unique_ptr<OutboxDispatcher> dispatcher_;
  std::unique_ptr<CaseSharing> case_sharing_;
  std::unique_ptr<Requests> requests_;
  std::unique_ptr<Plans> plans_;
  std::unique_ptr<PlanServiceImpl> plan_service_;
  std::unique_ptr<RequestServiceImpl> request_service_;
  std::unique_ptr<Inbox> inbox_;
  std::unique_ptr<FederationServiceImpl> federation_service_;
  std::unique_ptr<PeerServiceImpl> peer_service_;
  std::unique_ptr<CaseServiceImpl> case_service_;
  std::unique_ptr<AdminServiceImpl> admin_service_;
  std::unique_ptr<UserServiceImpl> user_service_;
  std::unique_ptr<CatalogueServiceImpl> catalogue_service_;
  std::unique_ptr<AuditReader> audit_reader_;
  std::unique_ptr<AuditServiceImpl> audit_service_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<grpc::Server> federation_server_;
  std::unique_ptr<WebGateway> web_;
  int api_port_ = 0;
  int federation_port_ = 0;
  bool stopped_ = false;
};

}  // namespace pwx::server

#endif  // PWX_SERVER_NODE_H_
