// Nodes federating on loopback in one process, for the federation tests:
// one authority's CA, node keys, data directory and running node, with
// calls for what its coordinator and its inspector alice do.
#ifndef PWX_TESTS_SERVER_FEDERATION_NODE_H_
#define PWX_TESTS_SERVER_FEDERATION_NODE_H_

#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "pwx/v1/audit_service.grpc.pb.h"
#include "pwx/v1/case_service.grpc.pb.h"
#include "pwx/v1/federation.grpc.pb.h"
#include "pwx/v1/peer_service.grpc.pb.h"
#include "pwx/v1/user_service.grpc.pb.h"
#include "server/node.h"
#include "tests/server/loopback_node.h"
#include "tests/testing/test_pki.h"
#include "tests/testing/tls_probe.h"

namespace pwx::server {

using pwx::v1::Case;

constexpr absl::Duration kPatience = absl::Seconds(60);

inline std::unique_ptr<grpc::ClientContext> Context() {
  auto c = std::make_unique<grpc::ClientContext>();
  c->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  return c;
}

// Polls `done` until it holds or the patience runs out.
inline bool Eventually(const std::function<bool()>& done) {
  const absl::Time deadline = absl::Now() + kPatience;
  while (absl::Now() < deadline) {
    if (done()) return true;
    absl::SleepFor(absl::Milliseconds(20));
  }
  return done();
}

// One authority: its CA, node key pair, data directory, running node, and
// its user alice (bootstrap admin, inspector, auditor).
class TestNode {
 public:
  explicit TestNode(std::string id)
      : id_(std::move(id)),
        ca_(testing::TestCa::Create(id_)),
        keys_(ca_.IssueNode(id_)),
        alice_(ca_.IssueUser("alice")),
        dir_(testing::MakeTempDir("federation_" + id_)) {}

  void Start(std::vector<std::string> crl_pems = {}) {
    pwx::v1::ServerConfig config = LoopbackConfig(id_, dir_ + "/data");
    config.mutable_audit()->set_sign_interval_ms(50);
    for (const std::string& path : crl_files_) {
      config.mutable_federation()->add_crl_files(path);
    }
    for (const std::string& path : api_crl_files_) {
      config.mutable_api()->add_crl_files(path);
    }
    // Keep the port across restarts, so peers' cards stay right.
    config.mutable_federation()->set_listen(
        absl::StrCat("127.0.0.1:", federation_port_));
    config.mutable_federation()->set_retry_initial_ms(20);
    config.mutable_federation()->set_retry_max_ms(200);
    config.mutable_federation()->set_max_message_bytes(1 << 20);
    if (configure_) configure_(&config);
    absl::StatusOr<std::unique_ptr<Node>> node =
        StartLoopbackNode(std::move(config), ca_, keys_, std::move(crl_pems));
    ASSERT_TRUE(node.ok()) << node.status();
    node_ = *std::move(node);
    federation_port_ = node_->federation_port();
    if (!granted_) {
      for (pwx::v1::Role role :
           {pwx::v1::ROLE_INSPECTOR, pwx::v1::ROLE_AUDITOR}) {
        auto users = pwx::v1::UserService::NewStub(Api());
        pwx::v1::GrantRoleRequest grant;
        grant.set_name("alice");
        grant.set_role(role);
        pwx::v1::User user;
        ASSERT_TRUE(users->GrantRole(Context().get(), grant, &user).ok());
      }
      granted_ = true;
    }
  }

  void Stop() {
    node_->Shutdown(absl::Seconds(5));
    node_.reset();
  }

  // The data directory of the stopped node, copied as `name` (what a
  // backup holds), and put back later (what a restore does).
  void Snapshot(const std::string& name) {
    std::filesystem::copy(data_dir(), dir_ + "/" + name,
                          std::filesystem::copy_options::recursive);
  }
  void RestoreSnapshot(const std::string& name) {
    std::filesystem::remove_all(data_dir());
    std::filesystem::copy(dir_ + "/" + name, data_dir(),
                          std::filesystem::copy_options::recursive);
  }
  // A new CA and node certificate (and so a new signing key), as a
  // coordinator rotating the node's PKI; alice gets a certificate of the
  // new CA. Takes effect at the next Start.
  void RotateCa() {
    ca_ = testing::TestCa::Create(id_ + "-2");
    keys_ = ca_.IssueNode(id_);
    alice_ = ca_.IssueUser("alice");
  }
  // The next Start listens on another federation port.
  void MovePort() { federation_port_ = 0; }

  std::shared_ptr<grpc::Channel> Api() {
    return LoopbackChannel(node_->api_port(), ca_, &alice_);
  }
  std::unique_ptr<pwx::v1::CaseService::Stub> Cases() {
    return pwx::v1::CaseService::NewStub(Api());
  }
  std::unique_ptr<pwx::v1::PeerService::Stub> Peers() {
    return pwx::v1::PeerService::NewStub(Api());
  }

  pwx::v1::IdentityCard Card() {
    pwx::v1::IdentityCard card;
    grpc::Status s = Peers()->ExportIdentity(Context().get(), {}, &card);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return card;
  }
  grpc::Status AddPeer(const pwx::v1::IdentityCard& card) {
    pwx::v1::AddPeerRequest request;
    *request.mutable_card() = card;
    pwx::v1::Peer peer;
    return Peers()->AddPeer(Context().get(), request, &peer);
  }
  grpc::Status UpdatePeer(const pwx::v1::IdentityCard& card) {
    pwx::v1::AddPeerRequest request;
    *request.mutable_card() = card;
    pwx::v1::Peer peer;
    return Peers()->UpdatePeer(Context().get(), request, &peer);
  }
  grpc::Status RemovePeer(const std::string& id) {
    pwx::v1::PeerRequest request;
    request.set_authority_id(id);
    pwx::v1::RemovePeerResponse removed;
    return Peers()->RemovePeer(Context().get(), request, &removed);
  }
  // ResendToPeer (resend) or SkipToPeer.
  grpc::Status Repair(bool resend, const std::string& id, uint64_t sequence) {
    pwx::v1::LinkRepairRequest request;
    request.set_authority_id(id);
    request.set_sequence(sequence);
    pwx::v1::LinkRepairResponse response;
    return resend ? Peers()->ResendToPeer(Context().get(), request, &response)
                  : Peers()->SkipToPeer(Context().get(), request, &response);
  }
  pwx::v1::PeerHealth Health(const std::string& peer) {
    pwx::v1::ListPeersResponse response;
    grpc::Status s = Peers()->ListPeers(Context().get(), {}, &response);
    EXPECT_TRUE(s.ok()) << s.error_message();
    for (const pwx::v1::PeerHealth& h : response.peers()) {
      if (h.peer().card().authority_id() == peer) return h;
    }
    return {};
  }

  Case CreateCase(const std::string& name) {
    pwx::v1::CreateCaseRequest request;
    request.mutable_case_()->mutable_undertaking()->set_name(name);
    request.mutable_case_()
        ->mutable_undertaking()
        ->set_country_of_establishment("PL");
    Case created;
    grpc::Status s = Cases()->CreateCase(Context().get(), request, &created);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return created;
  }
  grpc::Status Share(const std::string& id, const std::string& with) {
    pwx::v1::ShareCaseRequest request;
    request.set_id(id);
    request.set_with(with);
    pwx::v1::ShareCaseResponse response;
    return Cases()->ShareCase(Context().get(), request, &response);
  }
  grpc::Status GetCase(const std::string& id, Case* out) {
    pwx::v1::GetCaseRequest request;
    request.set_id(id);
    return Cases()->GetCase(Context().get(), request, out);
  }
  int CountCases() {
    pwx::v1::ListCasesResponse response;
    grpc::Status s = Cases()->ListCases(Context().get(), {}, &response);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return response.cases_size();
  }
  // The actions of the node's audit log, in order.
  std::vector<std::string> AuditActions() {
    auto audit = pwx::v1::AuditService::NewStub(Api());
    pwx::v1::GetTreeHeadResponse head;
    EXPECT_TRUE(audit->GetTreeHead(Context().get(), {}, &head).ok());
    pwx::v1::ListEntriesRequest request;
    request.set_from_index(0);
    request.set_to_index(head.current_size());
    pwx::v1::ListEntriesResponse entries;
    grpc::Status s = audit->ListEntries(Context().get(), request, &entries);
    EXPECT_TRUE(s.ok()) << s.error_message();
    std::vector<std::string> actions;
    for (const pwx::v1::LoggedEntry& e : entries.entries()) {
      actions.push_back(e.entry().action());
    }
    return actions;
  }

  // The node's audit entry at `index`.
  pwx::v1::AuditEntry AuditEntryAt(uint64_t index) {
    auto audit = pwx::v1::AuditService::NewStub(Api());
    pwx::v1::ListEntriesRequest request;
    request.set_from_index(index);
    request.set_to_index(index + 1);
    pwx::v1::ListEntriesResponse entries;
    grpc::Status s = audit->ListEntries(Context().get(), request, &entries);
    EXPECT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(entries.entries_size(), 1) << index;
    return entries.entries_size() == 1 ? entries.entries(0).entry()
                                       : pwx::v1::AuditEntry();
  }

  grpc::Status ListReceipts(const std::string& peer, uint64_t from,
                            uint32_t page_size,
                            pwx::v1::ListReceiptsResponse* response) {
    pwx::v1::ListReceiptsRequest request;
    request.set_peer(peer);
    request.set_from_sequence(from);
    request.set_page_size(page_size);
    return pwx::v1::AuditService::NewStub(Api())->ListReceipts(
        Context().get(), request, response);
  }

  // A raw federation client presenting `keys` (a peer's node certificate).
  std::unique_ptr<pwx::v1::FederationService::Stub> FederationAs(
      const testing::KeyPair& keys) {
    grpc::ChannelArguments args;
    args.SetMaxSendMessageSize(-1);
    return pwx::v1::FederationService::NewStub(
        LoopbackChannel(node_->federation_port(), ca_, &keys, args));
  }

  // A TLS handshake with the federation port, presenting `keys`.
  testing::TlsProbe Probe(const testing::KeyPair& keys, bool tls13) {
    return testing::ProbeTls(node_->federation_port(), &keys, tls13);
  }
  // Waits until a handshake presenting `keys` ends `outcome` in TLS 1.2 and
  // 1.3 (trust changes take effect within a second or two).
  bool EventuallyProbes(const testing::KeyPair& keys,
                        testing::TlsOutcome outcome) {
    return Eventually([&] {
      return Probe(keys, false).outcome == outcome &&
             Probe(keys, true).outcome == outcome;
    });
  }
  // Changes the config of every next Start, after the settings above.
  void set_configure(std::function<void(pwx::v1::ServerConfig*)> configure) {
    configure_ = std::move(configure);
  }
  // federation.crl_files for the next Start (read again while it runs).
  void set_crl_files(std::vector<std::string> paths) {
    crl_files_ = std::move(paths);
  }
  // api.crl_files for the next Start.
  void set_api_crl_files(std::vector<std::string> paths) {
    api_crl_files_ = std::move(paths);
  }
  // A TLS handshake with the API port, presenting `keys`.
  testing::TlsProbe ProbeApi(const testing::KeyPair& keys, bool tls13) {
    return testing::ProbeTls(node_->api_port(), &keys, tls13);
  }
  // The API as `user` (issued by this node's CA).
  std::shared_ptr<grpc::Channel> ApiAs(const testing::KeyPair& user) {
    return LoopbackChannel(node_->api_port(), ca_, &user);
  }

  const std::string& id() const { return id_; }
  std::string data_dir() const { return dir_ + "/data"; }
  std::string dir() const { return dir_; }
  const testing::TestCa& ca() const { return ca_; }
  const testing::KeyPair& keys() const { return keys_; }
  Node* node() { return node_.get(); }

 private:
  std::string id_;
  testing::TestCa ca_;
  testing::KeyPair keys_;
  testing::KeyPair alice_;
  std::string dir_;
  int federation_port_ = 0;
  bool granted_ = false;
  std::vector<std::string> crl_files_;
  std::vector<std::string> api_crl_files_;
  std::function<void(pwx::v1::ServerConfig*)> configure_;
  std::unique_ptr<Node> node_;
};

inline int Count(const std::vector<std::string>& v, const std::string& x) {
  return static_cast<int>(std::count(v.begin(), v.end(), x));
}

}  // namespace pwx::server

#endif  // PWX_TESTS_SERVER_FEDERATION_NODE_H_
