// The in-process node the server tests talk to: mTLS API port on
// 127.0.0.1:0, RocksDB in a temp directory, certificates generated at test
// time; alice is the bootstrap admin and, by the config, an inspector.
#ifndef PWX_TESTS_SERVER_NODE_FIXTURE_H_
#define PWX_TESTS_SERVER_NODE_FIXTURE_H_

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "pwx/v1/case_service.grpc.pb.h"
#include "pwx/v1/request_service.grpc.pb.h"
#include "pwx/v1/user_service.grpc.pb.h"
#include "server/config.h"
#include "server/node.h"
#include "tests/server/loopback_node.h"
#include "tests/testing/test_pki.h"

namespace pwx::server {

using pwx::v1::Case;

class NodeTest : public ::testing::Test {
 protected:
  NodeTest()
      : ca_(testing::TestCa::Create("FR-DGT")),
        node_keys_(ca_.IssueNode("FR-DGT")),
        dir_(testing::MakeTempDir("node_test")) {}

  void SetUp() override { StartNode(); }

  // Grants `role` to `name` as alice, the bootstrap admin.
  grpc::Status Grant(const std::string& name, pwx::v1::Role role) {
    testing::KeyPair alice = ca_.IssueUser("alice");
    auto stub = pwx::v1::UserService::NewStub(Channel(&alice));
    grpc::ClientContext context;
    pwx::v1::GrantRoleRequest request;
    request.set_name(name);
    request.set_role(role);
    pwx::v1::User user;
    return stub->GrantRole(&context, request, &user);
  }

  void StartNode(uint64_t max_attachment = 1 << 20) {
    pwx::v1::ServerConfig config = LoopbackConfig("FR-DGT", dir_ + "/data");
    // alice is an inspector by the config, not an auditor: auditors are
    // other people in these tests.
    config.clear_bootstrap_roles();
    pwx::v1::BootstrapRole* inspector = config.add_bootstrap_roles();
    inspector->set_user("alice");
    inspector->set_role("inspector");
    config.mutable_attachments()->set_max_bytes(max_attachment);
    // Heads soon after a change, so tests wait little.
    config.mutable_audit()->set_sign_interval_ms(50);
    absl::StatusOr<std::unique_ptr<Node>> node =
        StartLoopbackNode(std::move(config), ca_, node_keys_);
    ASSERT_TRUE(node.ok()) << node.status();
    node_ = *std::move(node);
  }

  void RestartNode() {
    node_->Shutdown(absl::Seconds(5));
    node_.reset();
    StartNode();
  }

  // A channel presenting `user` (or no client certificate when null).
  std::shared_ptr<grpc::Channel> Channel(const testing::KeyPair* user) {
    return LoopbackChannel(node_->api_port(), ca_, user);
  }

  std::unique_ptr<pwx::v1::CaseService::Stub> CaseStub(
      const std::string& user) {
    users_.push_back(std::make_unique<testing::KeyPair>(ca_.IssueUser(user)));
    return pwx::v1::CaseService::NewStub(Channel(users_.back().get()));
  }

  static pwx::v1::Case Draft() { return DemoCase(); }

  static grpc::Status CreateCase(pwx::v1::CaseService::Stub& stub,
                                 const Case& draft, Case* out) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(30));
    pwx::v1::CreateCaseRequest request;
    *request.mutable_case_() = draft;
    return stub.CreateCase(&context, request, out);
  }

  static int CountCases(pwx::v1::CaseService::Stub& stub) {
    grpc::ClientContext context;
    pwx::v1::ListCasesResponse response;
    grpc::Status s = stub.ListCases(&context, {}, &response);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return response.cases_size();
  }

  // Uploads `content` to case `id` in messages of 100000 bytes; the header
  // announces `announced` bytes (0: unknown).
  static grpc::Status Upload(pwx::v1::CaseService::Stub& stub,
                             const std::string& id, const std::string& content,
                             uint64_t announced, Case* out) {
    grpc::ClientContext context;
    auto writer = stub.UploadAttachment(&context, out);
    pwx::v1::UploadAttachmentRequest header;
    header.mutable_header()->set_case_id(id);
    header.mutable_header()->set_file_name("report.txt");
    header.mutable_header()->set_size_bytes(announced);
    writer->Write(header);
    for (size_t offset = 0; offset < content.size(); offset += 100000) {
      pwx::v1::UploadAttachmentRequest chunk;
      chunk.set_chunk(content.substr(offset, 100000));
      if (!writer->Write(chunk)) break;
    }
    writer->WritesDone();
    return writer->Finish();
  }

  // The same over RequestService.UploadRequestAttachment.
  static grpc::Status UploadToRequest(pwx::v1::RequestService::Stub& stub,
                                      const std::string& id,
                                      const std::string& content,
                                      pwx::v1::Request* out) {
    grpc::ClientContext context;
    auto writer = stub.UploadRequestAttachment(&context, out);
    pwx::v1::UploadRequestAttachmentRequest header;
    header.mutable_header()->set_request_id(id);
    header.mutable_header()->set_file_name("a1.pdf");
    writer->Write(header);
    pwx::v1::UploadRequestAttachmentRequest chunk;
    chunk.set_chunk(content);
    writer->Write(chunk);
    writer->WritesDone();
    return writer->Finish();
  }

  testing::TestCa ca_;
  testing::KeyPair node_keys_;
  std::string dir_;
  std::unique_ptr<Node> node_;
  std::vector<std::unique_ptr<testing::KeyPair>> users_;
};

}  // namespace pwx::server

#endif  // PWX_TESTS_SERVER_NODE_FIXTURE_H_
