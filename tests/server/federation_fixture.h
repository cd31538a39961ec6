// Two nodes federating on loopback in one process (FederationTest), and
// deliveries made by hand to PL-PIP's federation port (DeliveryTest), for
// the federation tests; TestNode is in federation_node.h.
#ifndef PWX_TESTS_SERVER_FEDERATION_FIXTURE_H_
#define PWX_TESTS_SERVER_FEDERATION_FIXTURE_H_

#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "pwx/v1/audit_service.grpc.pb.h"
#include "pwx/v1/case_service.grpc.pb.h"
#include "pwx/v1/federation.grpc.pb.h"
#include "pwx/v1/peer_service.grpc.pb.h"
#include "pwx/v1/user_service.grpc.pb.h"
#include "server/domain/envelope.h"
#include "server/domain/signing.h"
#include "server/node.h"
#include "tests/server/federation_node.h"
#include "tests/testing/test_pki.h"
#include "tests/testing/tls_probe.h"

namespace pwx::server {

class FederationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fr_.Start();
    pl_.Start();
    ASSERT_TRUE(fr_.AddPeer(pl_.Card()).ok());
    ASSERT_TRUE(pl_.AddPeer(fr_.Card()).ok());
  }

  TestNode fr_{"FR-DGT"};
  TestNode pl_{"PL-PIP"};
};

// Deliveries made by hand to PL-PIP's federation port.
class DeliveryTest : public FederationTest {
 protected:
  void SetUp() override {
    FederationTest::SetUp();
    // PL-PIP's federation port trusts FR-DGT's CA once it has read its
    // trust files again.
    ASSERT_TRUE(
        pl_.EventuallyProbes(fr_.keys(), testing::TlsOutcome::kAccepted));
  }

  // An envelope from FR-DGT to PL-PIP sharing a case, signed with `key_pem`
  // (FR-DGT's node key by default).
  pwx::v1::Envelope Envelope(uint64_t sequence, std::string sender = "FR-DGT",
                             const std::string* key_pem = nullptr) {
    pwx::v1::EnvelopeBody body;
    body.set_message_id(domain::EnvelopeMessageId(sender, "PL-PIP", sequence));
    body.set_sender(sender);
    body.set_recipient("PL-PIP");
    body.set_sequence(sequence);
    Case* c = body.mutable_event()->mutable_case_shared()->mutable_case_();
    c->set_id(absl::StrFormat("%s-2026-%06d", sender, sequence));
    c->set_owner_authority(sender);
    c->set_version(1);
    c->mutable_undertaking()->set_name("Acme");
    c->mutable_undertaking()->set_country_of_establishment("PL");
    auto signer =
        domain::Signer::FromPem(key_pem ? *key_pem : fr_.keys().key_pem);
    return *domain::SealEnvelope(body, **signer);
  }
  grpc::Status Deliver(const testing::KeyPair& as,
                       std::vector<pwx::v1::Envelope> envelopes,
                       pwx::v1::DeliverResponse* response = nullptr) {
    pwx::v1::DeliverRequest request;
    for (auto& e : envelopes) *request.add_envelopes() = std::move(e);
    pwx::v1::DeliverResponse ignored;
    return pl_.FederationAs(as)->Deliver(Context().get(), request,
                                         response ? response : &ignored);
  }
  // Nothing of a refused delivery was stored.
  void ExpectNothingStored() {
    EXPECT_EQ(pl_.CountCases(), 0);
    EXPECT_EQ(pl_.Health("FR-DGT").received_sequence(), 0u);
    EXPECT_EQ(Count(pl_.AuditActions(), "envelope.receive"), 0);
  }
};

}  // namespace pwx::server

#endif  // PWX_TESTS_SERVER_FEDERATION_FIXTURE_H_
