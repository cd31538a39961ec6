// Peers' and users' certificates refused inside the TLS handshake (no TLS
// session: self-signed, unknown CA, expired, revoked) or right after it (a
// peer's CA naming another authority), with the trust following the peer
// registry and the revocation files while the nodes run.
#include <grpcpp/grpcpp.h>

#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/server/federation_fixture.h"
#include "tests/testing/tls_probe.h"

namespace pwx::server {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

// Every refusal here happens before any call: gRPC reports UNAVAILABLE.
void ExpectNoCall(const grpc::Status& s, const std::string& what) {
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE)
      << what << ": " << s.error_message();
}

// Replaces `path` whole with `content`, as `deploy/pki.sh crl` does.
void Replace(const std::string& path, const std::string& content) {
  const std::string dir = path.substr(0, path.rfind('/'));
  const std::string name = path.substr(path.rfind('/') + 1);
  const std::string next = testing::WriteFile(dir, name + ".next", content);
  ASSERT_EQ(std::rename(next.c_str(), path.c_str()), 0);
}

// What the API port makes of `user`: UNAVAILABLE when it refused the
// connection, the service's answer (PERMISSION_DENIED: no role) otherwise.
grpc::StatusCode ApiAnswer(TestNode& node, const testing::KeyPair& user) {
  pwx::v1::ListCasesResponse cases;
  return pwx::v1::CaseService::NewStub(node.ApiAs(user))
      ->ListCases(Context().get(), {}, &cases)
      .error_code();
}

TEST_F(DeliveryTest, UnknownExpiredAndRevokedCertificatesGetNoTlsSession) {
  testing::KeyPair revoked = fr_.ca().IssueNode("FR-DGT");
  pl_.Stop();
  pl_.Start({fr_.ca().Crl({revoked.cert_pem})});
  testing::TestCa rogue = testing::TestCa::Create("FR-DGT");
  testing::TestCa de = testing::TestCa::Create("DE-ZOLL");
  const std::vector<std::pair<std::string, testing::KeyPair>> refused = {
      {"self-signed", testing::TestCa::SelfSignedNode("FR-DGT")},
      {"FR-DGT's name from another CA", rogue.IssueNode("FR-DGT")},
      {"a stranger's CA", de.IssueNode("DE-ZOLL")},
      {"expired", fr_.ca().IssueNodeWith("FR-DGT", "FR-DGT", true)},
      {"revoked", revoked},
  };
  // FR-DGT's own certificate gets a session, once PL-PIP trusts again.
  ASSERT_TRUE(pl_.EventuallyProbes(fr_.keys(), testing::TlsOutcome::kAccepted));
  for (const auto& [what, keys] : refused) {
    for (bool tls13 : {false, true}) {
      testing::TlsProbe probe = pl_.Probe(keys, tls13);
      EXPECT_EQ(probe.outcome, testing::TlsOutcome::kRefusedInHandshake)
          << what << (tls13 ? " (TLS 1.3): " : " (TLS 1.2): ")
          << testing::ToString(probe.outcome) << ", " << probe.detail;
    }
    ExpectNoCall(Deliver(keys, {Envelope(1)}), what);
  }
  ExpectNothingStored();
  EXPECT_TRUE(Deliver(fr_.keys(), {Envelope(1)}).ok());
}

TEST_F(DeliveryTest, APeersCaNamingAnotherAuthorityIsRefusedAfterTheHandshake) {
  // BE-SPF is a peer of PL-PIP too, with its own CA.
  TestNode be("BE-SPF");
  be.Start();
  ASSERT_TRUE(pl_.AddPeer(be.Card()).ok());
  ASSERT_TRUE(pl_.EventuallyProbes(be.keys(), testing::TlsOutcome::kAccepted));
  // FR-DGT's CA is trusted at the handshake, but only for FR-DGT.
  const std::vector<std::pair<std::string, testing::KeyPair>> refused = {
      {"BE-SPF's name from FR-DGT's CA",
       fr_.ca().IssueNodeWith("BE-SPF", "BE-SPF", false)},
      {"a stranger's name from FR-DGT's CA",
       fr_.ca().IssueNodeWith("DE-ZOLL", "DE-ZOLL", false)},
      {"no authority from FR-DGT's CA",
       fr_.ca().IssueNodeWith("FR-DGT", "", false)},
  };
  for (const auto& [what, keys] : refused) {
    for (bool tls13 : {false, true}) {
      testing::TlsProbe probe = pl_.Probe(keys, tls13);
      EXPECT_EQ(probe.outcome, testing::TlsOutcome::kClosedAfterHandshake)
          << what << ": " << testing::ToString(probe.outcome) << ", "
          << probe.detail;
    }
    ExpectNoCall(Deliver(keys, {Envelope(1)}), what);
  }
  // BE-SPF's real certificate is let in, and its call refused: the envelope
  // is FR-DGT's.
  grpc::Status s = Deliver(be.keys(), {Envelope(1)});
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(s.error_message(), HasSubstr("envelope.body.sender"));
  ExpectNothingStored();
}

TEST_F(DeliveryTest, PeersAddedUpdatedAndRemovedChangeTheHandshakeLive) {
  TestNode be("BE-SPF");
  be.Start();
  // A stranger first; trusted once added, without a restart.
  EXPECT_EQ(pl_.Probe(be.keys(), true).outcome,
            testing::TlsOutcome::kRefusedInHandshake);
  ASSERT_TRUE(pl_.AddPeer(be.Card()).ok());
  EXPECT_TRUE(pl_.EventuallyProbes(be.keys(), testing::TlsOutcome::kAccepted));

  // FR-DGT's card is updated to a new CA: its new certificate is let in
  // and its old one no longer is.
  testing::TestCa next = testing::TestCa::Create("FR-DGT next");
  testing::KeyPair renewed = next.IssueNode("FR-DGT");
  EXPECT_EQ(pl_.Probe(renewed, true).outcome,
            testing::TlsOutcome::kRefusedInHandshake);
  // A connection made under the old card stays open...
  auto old_connection = pl_.FederationAs(fr_.keys());
  pwx::v1::DeliverRequest request;
  *request.add_envelopes() = Envelope(1);
  pwx::v1::DeliverResponse response;
  ASSERT_TRUE(
      old_connection->Deliver(Context().get(), request, &response).ok());
  pwx::v1::IdentityCard card = fr_.Card();
  card.set_ca_certificate_pem(next.cert_pem());
  pwx::v1::AddPeerRequest update;
  *update.mutable_card() = card;
  pwx::v1::Peer updated;
  ASSERT_TRUE(pl_.Peers()->UpdatePeer(Context().get(), update, &updated).ok());
  EXPECT_TRUE(pl_.EventuallyProbes(renewed, testing::TlsOutcome::kAccepted));
  EXPECT_TRUE(pl_.EventuallyProbes(fr_.keys(),
                                   testing::TlsOutcome::kRefusedInHandshake));
  // ...and is refused inside the call.
  *request.mutable_envelopes(0) = Envelope(2);
  grpc::Status s = old_connection->Deliver(Context().get(), request, &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_THAT(s.error_message(), HasSubstr("unknown CA"));
  EXPECT_TRUE(Deliver(renewed, {Envelope(2)}).ok());

  // Removed: refused at the handshake again.
  pwx::v1::PeerRequest remove;
  remove.set_authority_id("BE-SPF");
  pwx::v1::RemovePeerResponse removed;
  ASSERT_TRUE(pl_.Peers()->RemovePeer(Context().get(), remove, &removed).ok());
  EXPECT_TRUE(pl_.EventuallyProbes(be.keys(),
                                   testing::TlsOutcome::kRefusedInHandshake));
}

TEST_F(DeliveryTest, ACrlFileReplacedWhileTheNodeRunsTakesEffect) {
  const std::string crl =
      testing::WriteFile(pl_.dir(), "fr.crl.pem", fr_.ca().Crl({}));
  pl_.Stop();
  pl_.set_crl_files({crl});
  pl_.Start();
  ASSERT_TRUE(pl_.EventuallyProbes(fr_.keys(), testing::TlsOutcome::kAccepted));
  auto connection = pl_.FederationAs(fr_.keys());
  pwx::v1::DeliverRequest request;
  *request.add_envelopes() = Envelope(1);
  pwx::v1::DeliverResponse response;
  ASSERT_TRUE(connection->Deliver(Context().get(), request, &response).ok());

  // FR-DGT's certificate is revoked: the file is replaced, as
  // `deploy/pki.sh crl` does, and read again within seconds.
  Replace(crl, fr_.ca().Crl({fr_.keys().cert_pem}));
  EXPECT_TRUE(pl_.EventuallyProbes(fr_.keys(),
                                   testing::TlsOutcome::kRefusedInHandshake));
  // The connection made before is refused inside its next call.
  *request.mutable_envelopes(0) = Envelope(2);
  grpc::Status s = connection->Deliver(Context().get(), request, &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_THAT(s.error_message(), AllOf(HasSubstr("revoked"),
                                       HasSubstr("federation.crl_files[0]")));
  EXPECT_EQ(pl_.Health("FR-DGT").received_sequence(), 1u);
}

TEST_F(DeliveryTest, AnExpiredCrlDoesNotLockThePeerOut) {
  testing::KeyPair revoked = fr_.ca().IssueNode("FR-DGT");
  pl_.Stop();
  pl_.Start({fr_.ca().Crl({revoked.cert_pem}, /*expired=*/true)});
  // OpenSSL would refuse every certificate of FR-DGT's CA with an expired
  // list in force; the node leaves it out of the handshake instead...
  ASSERT_TRUE(pl_.EventuallyProbes(fr_.keys(), testing::TlsOutcome::kAccepted));
  EXPECT_TRUE(Deliver(fr_.keys(), {Envelope(1)}).ok());
  // ...and still refuses what it lists, right after the handshake.
  EXPECT_EQ(pl_.Probe(revoked, true).outcome,
            testing::TlsOutcome::kClosedAfterHandshake);
  ExpectNoCall(Deliver(revoked, {Envelope(2)}), "revoked by an expired list");
  // `pwx peer list` says so under FR-DGT, naming the file and its
  // nextUpdate.
  pwx::v1::PeerHealth health = pl_.Health("FR-DGT");
  ASSERT_EQ(health.warnings_size(), 1);
  EXPECT_THAT(health.warnings(0),
              AllOf(HasSubstr("federation.crl_files[0] ("),
                    HasSubstr("the list of CA 'CN=FR-DGT test CA' expired at "),
                    HasSubstr("(its nextUpdate)")));
  pwx::v1::ListPeersResponse all;
  ASSERT_TRUE(pl_.Peers()->ListPeers(Context().get(), {}, &all).ok());
  EXPECT_EQ(all.warnings_size(), 0);
}

// A TLS server on `host` presenting `keys`, serving nothing: all the
// dispatcher should ever do with it is refuse its certificate.
class ImpostorServer {
 public:
  ImpostorServer(const testing::KeyPair& keys, const std::string& host)
      : host_(host) {
    grpc::SslServerCredentialsOptions tls;
    tls.pem_key_cert_pairs.push_back({keys.key_pem, keys.cert_pem});
    grpc::ServerBuilder builder;
    builder.AddListeningPort(absl::StrCat(host, ":0"),
                             grpc::SslServerCredentials(tls), &port_);
    server_ = builder.BuildAndStart();
  }
  ~ImpostorServer() { server_->Shutdown(); }
  std::string endpoint() const { return absl::StrCat(host_, ":", port_); }

 private:
  std::string host_;
  int port_ = 0;
  std::unique_ptr<grpc::Server> server_;
};

// Points FR-DGT's card of PL-PIP at `endpoint`.
void MovePeer(TestNode& node, pwx::v1::IdentityCard card,
              const std::string& endpoint) {
  card.set_federation_endpoint(endpoint);
  pwx::v1::AddPeerRequest update;
  *update.mutable_card() = card;
  pwx::v1::Peer peer;
  grpc::Status s = node.Peers()->UpdatePeer(Context().get(), update, &peer);
  ASSERT_TRUE(s.ok()) << s.error_message();
}

TEST_F(FederationTest, TheDispatcherRefusesImpostorServers) {
  const pwx::v1::IdentityCard card = pl_.Card();
  Case created = fr_.CreateCase("Acme");
  testing::TestCa rogue = testing::TestCa::Create("PL-PIP");
  struct Impostor {
    std::string what;
    testing::KeyPair keys;
    std::string host;
    std::string error;
  };
  const std::vector<Impostor> impostors = {
      {"PL-PIP's CA, another authority's name",
       pl_.ca().IssueNodeWith("BE-SPF", "BE-SPF", false), "localhost",
       "UNAUTHENTICATED: the server certificate of PL-PIP names "
       "pwx://authority/BE-SPF, not PL-PIP"},
      {"PL-PIP's name, another CA", rogue.IssueNode("PL-PIP"), "localhost",
       "UNAUTHENTICATED: the server certificate of PL-PIP is not issued by "
       "the CA on PL-PIP's identity card (unknown CA)"},
      {"PL-PIP's CA, expired", pl_.ca().IssueNodeWith("PL-PIP", "PL-PIP", true),
       "localhost",
       "UNAUTHENTICATED: the server certificate of PL-PIP has expired"},
      // Certificates from IssueNode name localhost and 127.0.0.1 only.
      {"PL-PIP's CA and name, another host", pl_.ca().IssueNode("PL-PIP"),
       "127.0.0.2",
       "UNAUTHENTICATED: the server certificate of PL-PIP is not for host "
       "127.0.0.2"},
  };
  for (const Impostor& impostor : impostors) {
    ImpostorServer server(impostor.keys, impostor.host);
    MovePeer(fr_, card, server.endpoint());
    ASSERT_TRUE(fr_.Share(created.id(), "PL-PIP").ok());
    EXPECT_TRUE(Eventually([&] {
      return absl::StrContains(fr_.Health("PL-PIP").last_error(),
                               impostor.error);
    })) << impostor.what
        << ": " << fr_.Health("PL-PIP").last_error();
    EXPECT_THAT(fr_.Health("PL-PIP").last_error(),
                HasSubstr("nothing was sent to PL-PIP"));
  }
  // Back to the real PL-PIP: everything queued arrives.
  MovePeer(fr_, card, card.federation_endpoint());
  EXPECT_TRUE(Eventually([&] { return fr_.Health("PL-PIP").queued() == 0; }));
  EXPECT_EQ(fr_.Health("PL-PIP").last_error(), "");
  Case copy;
  EXPECT_TRUE(pl_.GetCase(created.id(), &copy).ok());
}

TEST_F(FederationTest, ARevokedServerCertificateIsRefusedOnceTheListSaysSo) {
  Case created = fr_.CreateCase("Acme");
  ASSERT_TRUE(fr_.Share(created.id(), "PL-PIP").ok());
  ASSERT_TRUE(Eventually([&] { return fr_.Health("PL-PIP").queued() == 0; }));
  // FR-DGT learns that PL-PIP's node certificate is revoked; its channel,
  // connected already, checks the certificate again.
  const std::string crl =
      testing::WriteFile(fr_.dir(), "pl.crl.pem", pl_.ca().Crl({}));
  fr_.Stop();
  fr_.set_crl_files({crl});
  fr_.Start();
  ASSERT_TRUE(fr_.Share(created.id(), "PL-PIP").ok());
  ASSERT_TRUE(Eventually([&] { return fr_.Health("PL-PIP").queued() == 0; }));
  Replace(crl, pl_.ca().Crl({pl_.keys().cert_pem}));
  ASSERT_TRUE(Eventually([&] {
    return fr_.Share(created.id(), "PL-PIP").ok() &&
           absl::StrContains(fr_.Health("PL-PIP").last_error(), "revoked");
  }));
  EXPECT_THAT(fr_.Health("PL-PIP").last_error(),
              AllOf(HasSubstr("UNAUTHENTICATED: the server certificate of "
                              "PL-PIP is revoked"),
                    HasSubstr("federation.crl_files[0]")));
}

TEST_F(FederationTest, APeerThatRefusesThisNodesCertificateIsSaidToDoSo) {
  pl_.Stop();
  pl_.Start({fr_.ca().Crl({fr_.keys().cert_pem})});
  Case created = fr_.CreateCase("Acme");
  ASSERT_TRUE(fr_.Share(created.id(), "PL-PIP").ok());
  EXPECT_TRUE(Eventually([&] {
    return absl::StrContains(fr_.Health("PL-PIP").last_error(),
                             "PL-PIP closed the connection right after the "
                             "TLS handshake: it most likely refuses this "
                             "node's certificate");
  })) << fr_.Health("PL-PIP").last_error();
  EXPECT_EQ(fr_.Health("PL-PIP").queued(), 1u);
}

TEST(ApiPortTest, RevokedUserCertificatesGetNoTlsSession) {
  TestNode fr("FR-DGT");
  const testing::KeyPair bob = fr.ca().IssueUser("bob");
  const testing::KeyPair carol = fr.ca().IssueUser("carol");
  const std::string crl = testing::WriteFile(fr.dir(), "users.crl.pem",
                                             fr.ca().Crl({bob.cert_pem}));
  fr.set_api_crl_files({crl});
  fr.Start();
  for (bool tls13 : {false, true}) {
    testing::TlsProbe probe = fr.ProbeApi(bob, tls13);
    EXPECT_EQ(probe.outcome, testing::TlsOutcome::kRefusedInHandshake)
        << testing::ToString(probe.outcome) << ", " << probe.detail;
    EXPECT_EQ(fr.ProbeApi(carol, tls13).outcome,
              testing::TlsOutcome::kAccepted);
  }
  EXPECT_EQ(ApiAnswer(fr, bob), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(ApiAnswer(fr, carol), grpc::StatusCode::PERMISSION_DENIED);

  // Carol is revoked too: the replaced file is read again.
  Replace(crl, fr.ca().Crl({bob.cert_pem, carol.cert_pem}));
  EXPECT_TRUE(Eventually([&] {
    return fr.ProbeApi(carol, true).outcome ==
           testing::TlsOutcome::kRefusedInHandshake;
  }));
  EXPECT_EQ(ApiAnswer(fr, carol), grpc::StatusCode::UNAVAILABLE);

  // An expired list: what it lists stays refused (right after the
  // handshake), the others are let in.
  Replace(crl, fr.ca().Crl({bob.cert_pem}, /*expired=*/true));
  EXPECT_TRUE(Eventually([&] {
    return fr.ProbeApi(carol, true).outcome == testing::TlsOutcome::kAccepted;
  }));
  EXPECT_EQ(fr.ProbeApi(bob, true).outcome,
            testing::TlsOutcome::kClosedAfterHandshake);
  EXPECT_EQ(ApiAnswer(fr, bob), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(ApiAnswer(fr, carol), grpc::StatusCode::PERMISSION_DENIED);
  // `pwx peer list` says so after the peers.
  pwx::v1::ListPeersResponse all;
  ASSERT_TRUE(fr.Peers()->ListPeers(Context().get(), {}, &all).ok());
  ASSERT_EQ(all.warnings_size(), 1);
  EXPECT_THAT(all.warnings(0),
              AllOf(HasSubstr("api.crl_files[0] (" + crl + ")"),
                    HasSubstr("expired at ")));
}

TEST(ApiPortTest, AMissingOrBrokenCrlFileStopsTheStartNamingIt) {
  testing::TestCa ca = testing::TestCa::Create("FR-DGT");
  const std::string dir = testing::MakeTempDir("api_crl");
  pwx::v1::ServerConfig config = LoopbackConfig("FR-DGT", dir + "/data");
  config.mutable_api()->add_crl_files(dir + "/missing.crl.pem");
  absl::StatusOr<std::unique_ptr<Node>> node =
      StartLoopbackNode(config, ca, ca.IssueNode("FR-DGT"));
  EXPECT_EQ(node.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(node.status().message(),
              HasSubstr("api.crl_files[0]: cannot read " + dir));
  config.mutable_api()->set_crl_files(
      0, testing::WriteFile(dir, "junk.pem", "not a list"));
  node = StartLoopbackNode(config, ca, ca.IssueNode("FR-DGT"));
  EXPECT_EQ(node.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(node.status().message(),
              HasSubstr("holds no PEM certificate revocation list"));
}

}  // namespace
}  // namespace pwx::server
