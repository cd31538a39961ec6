// A node with the web listener on 127.0.0.1:0 and HTTPS clients presenting
// user certificates, for the web gateway's tests. alice is the bootstrap
// admin, an inspector and an auditor (LoopbackConfig).
#ifndef PWX_TESTS_SERVER_WEB_FIXTURE_H_
#define PWX_TESTS_SERVER_WEB_FIXTURE_H_

#include <google/protobuf/util/json_util.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "pwx/v1/audit_service.grpc.pb.h"
#include "pwx/v1/case_service.grpc.pb.h"
#include "server/node.h"
#include "tests/server/loopback_node.h"
#include "tests/testing/test_pki.h"

namespace pwx::server {

class WebTest : public ::testing::Test {
 protected:
  WebTest()
      : ca_(testing::TestCa::Create("FR-DGT")),
        node_keys_(ca_.IssueNode("FR-DGT")),
        dir_(testing::MakeTempDir("web_test")),
        ca_file_(testing::WriteFile(dir_, "ca.pem", ca_.cert_pem())) {}

  void SetUp() override { StartNode(); }

  // Starts the node; `api_crls` are written to files api.crl_files names.
  void StartNode(const std::vector<std::string>& api_crls = {}) {
    pwx::v1::ServerConfig config = LoopbackConfig("FR-DGT", dir_ + "/data");
    config.mutable_web()->set_listen("127.0.0.1:0");
    config.mutable_attachments()->set_max_bytes(1 << 20);
    for (size_t i = 0; i < api_crls.size(); ++i) {
      config.mutable_api()->add_crl_files(testing::WriteFile(
          dir_, absl::StrCat("api", i, ".crl.pem"), api_crls[i]));
    }
    absl::StatusOr<std::unique_ptr<Node>> node =
        StartLoopbackNode(std::move(config), ca_, node_keys_);
    ASSERT_TRUE(node.ok()) << node.status();
    node_ = *std::move(node);
    ASSERT_GT(node_->web_port(), 0);
  }

  // An HTTPS client presenting `user` (none when null), checking the
  // node's certificate.
  std::unique_ptr<httplib::SSLClient> Client(const testing::KeyPair* user) {
    std::unique_ptr<httplib::SSLClient> client;
    if (user == nullptr) {
      client =
          std::make_unique<httplib::SSLClient>("localhost", node_->web_port());
    } else {
      const std::string name = absl::StrCat("user", files_++);
      client = std::make_unique<httplib::SSLClient>(
          "localhost", node_->web_port(),
          testing::WriteFile(dir_, name + ".pem", user->cert_pem),
          testing::WriteFile(dir_, name + ".key", user->key_pem));
    }
    client->set_ca_cert_path(ca_file_.c_str());
    client->enable_server_certificate_verification(true);
    client->set_connection_timeout(30);
    client->set_read_timeout(120);
    return client;
  }

  // A client for the user `name` of this node's CA.
  std::unique_ptr<httplib::SSLClient> ClientFor(const std::string& name) {
    users_.push_back(std::make_unique<testing::KeyPair>(ca_.IssueUser(name)));
    return Client(users_.back().get());
  }

  // POSTs `json` to `path` as the node's page does.
  static httplib::Result PostJson(httplib::SSLClient& client,
                                  const std::string& path,
                                  const std::string& json) {
    return client.Post(path.c_str(), {{"X-PWX-Request", "1"}}, json,
                       "application/json");
  }

  // The JSON of `message` as the page would write it.
  static std::string Json(const google::protobuf::Message& message) {
    std::string json;
    EXPECT_TRUE(
        google::protobuf::util::MessageToJsonString(message, &json).ok());
    return json;
  }
  template <typename T>
  static T Parse(const std::string& json) {
    T message;
    auto s = google::protobuf::util::JsonStringToMessage(json, &message);
    EXPECT_TRUE(s.ok()) << s.ToString() << " in " << json;
    return message;
  }

  static pwx::v1::Case Draft() { return DemoCase(); }

  // A gRPC channel to the API port presenting `user`.
  std::shared_ptr<grpc::Channel> Channel(const testing::KeyPair* user) {
    return LoopbackChannel(node_->api_port(), ca_, user);
  }

  // The audit entries with `action` (all users), read over gRPC as alice.
  std::vector<pwx::v1::LoggedEntry> Entries(const std::string& action) {
    testing::KeyPair alice = ca_.IssueUser("alice");
    auto audit = pwx::v1::AuditService::NewStub(Channel(&alice));
    grpc::ClientContext context;
    pwx::v1::ListEntriesRequest request;
    request.set_action(action);
    request.set_page_size(1000);
    pwx::v1::ListEntriesResponse response;
    grpc::Status s = audit->ListEntries(&context, request, &response);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return {response.entries().begin(), response.entries().end()};
  }

  // The cases alice sees over gRPC.
  int CountCases() {
    testing::KeyPair alice = ca_.IssueUser("alice");
    auto cases = pwx::v1::CaseService::NewStub(Channel(&alice));
    grpc::ClientContext context;
    pwx::v1::ListCasesResponse response;
    grpc::Status s = cases->ListCases(&context, {}, &response);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return response.cases_size();
  }

  // Creates a case as alice over HTTPS and returns it.
  pwx::v1::Case CreateCase(httplib::SSLClient& client) {
    pwx::v1::CreateCaseRequest request;
    *request.mutable_case_() = Draft();
    httplib::Result res =
        PostJson(client, "/api/v1/CaseService/CreateCase", Json(request));
    EXPECT_TRUE(res) << httplib::to_string(res.error());
    if (!res) return {};
    EXPECT_EQ(res->status, 200) << res->body;
    return Parse<pwx::v1::Case>(res->body);
  }

  testing::TestCa ca_;
  testing::KeyPair node_keys_;
  std::string dir_;
  std::string ca_file_;
  std::unique_ptr<Node> node_;
  std::vector<std::unique_ptr<testing::KeyPair>> users_;
  int files_ = 0;
};

}  // namespace pwx::server

#endif  // PWX_TESTS_SERVER_WEB_FIXTURE_H_
