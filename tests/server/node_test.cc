// A whole node in process: mTLS API port on 127.0.0.1:0, RocksDB in a temp
// directory, certificates generated at test time.
#include "server/node.h"

#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>

#include "pwx/v1/admin_service.grpc.pb.h"
#include "pwx/v1/audit_service.grpc.pb.h"
#include "pwx/v1/case_service.grpc.pb.h"
#include "pwx/v1/peer_service.grpc.pb.h"
#include "pwx/v1/user_service.grpc.pb.h"
#include "storage/case_store.h"
#include "storage/rocks_store.h"
#include "tests/server/node_fixture.h"
#include "tests/testing/test_pki.h"

namespace pwx::server {
namespace {

using pwx::v1::Case;
using ::testing::HasSubstr;

TEST_F(NodeTest, CreateAndGetRecordTheCertificateUser) {
  auto stub = CaseStub("alice");
  Case created;
  grpc::Status s = CreateCase(*stub, Draft(), &created);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(created.created_by(), "alice");

  grpc::ClientContext context;
  pwx::v1::GetCaseRequest get;
  get.set_id(created.id());
  Case read;
  ASSERT_TRUE(stub->GetCase(&context, get, &read).ok());
  EXPECT_EQ(read.undertaking().name(), "Demo Bau");
}

TEST_F(NodeTest, BadInputIsInvalidArgumentNamingTheField) {
  auto stub = CaseStub("alice");
  Case draft = Draft();
  draft.mutable_workers(0)->mutable_posting_period()->set_end_date(
      "2025-01-01");
  Case out;
  grpc::Status s = CreateCase(*stub, draft, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(),
              HasSubstr("case.workers[0].posting_period.end_date"));
  EXPECT_EQ(CountCases(*stub), 0);
}

TEST_F(NodeTest, StaleVersionIsAborted) {
  auto stub = CaseStub("alice");
  Case created;
  ASSERT_TRUE(CreateCase(*stub, Draft(), &created).ok());
  for (int attempt = 0; attempt < 2; ++attempt) {
    grpc::ClientContext context;
    pwx::v1::UpdateCaseRequest update;
    update.set_id(created.id());
    update.set_expected_version(1);
    update.mutable_case_()->set_title("new");
    update.mutable_update_mask()->add_paths("title");
    Case out;
    grpc::Status s = stub->UpdateCase(&context, update, &out);
    if (attempt == 0) {
      EXPECT_TRUE(s.ok()) << s.error_message();
    } else {
      EXPECT_EQ(s.error_code(), grpc::StatusCode::ABORTED);
    }
  }
}

TEST_F(NodeTest, ClientCertificateFromUnknownCaIsRefused) {
  testing::TestCa other = testing::TestCa::Create("PL-PIP");
  testing::KeyPair stranger = other.IssueUser("mallory");
  auto stub = pwx::v1::CaseService::NewStub(Channel(&stranger));
  Case out;
  grpc::Status s = CreateCase(*stub, Draft(), &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE) << s.error_message();
  EXPECT_EQ(CountCases(*CaseStub("alice")), 0);
}

TEST_F(NodeTest, CallWithoutClientCertificateIsRefused) {
  auto stub = pwx::v1::CaseService::NewStub(Channel(nullptr));
  Case out;
  grpc::Status s = CreateCase(*stub, Draft(), &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE) << s.error_message();
  EXPECT_EQ(CountCases(*CaseStub("alice")), 0);
}

TEST_F(NodeTest, CasesSurviveARestart) {
  auto stub = CaseStub("alice");
  Case created;
  ASSERT_TRUE(CreateCase(*stub, Draft(), &created).ok());
  RestartNode();
  stub = CaseStub("alice");
  grpc::ClientContext context;
  pwx::v1::GetCaseRequest get;
  get.set_id(created.id());
  Case read;
  ASSERT_TRUE(stub->GetCase(&context, get, &read).ok());
  EXPECT_EQ(read.version(), created.version());
  Case next;
  ASSERT_TRUE(CreateCase(*stub, Draft(), &next).ok());
  EXPECT_NE(next.id(), created.id());
}

// Uploads `content` in `chunk`-sized messages; announces `announced` bytes.
grpc::Status Upload(pwx::v1::CaseService::Stub& stub, const std::string& id,
                    const std::string& content, uint64_t announced, Case* out) {
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

TEST_F(NodeTest, AttachmentRoundTripsByStreaming) {
  auto stub = CaseStub("alice");
  Case created;
  ASSERT_TRUE(CreateCase(*stub, Draft(), &created).ok());
  std::string content;
  for (int i = 0; content.size() < 700000; ++i) content += std::to_string(i);
  Case after;
  grpc::Status s = Upload(*stub, created.id(), content, content.size(), &after);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(after.attachments_size(), 1);

  grpc::ClientContext context;
  pwx::v1::DownloadAttachmentRequest request;
  request.set_case_id(created.id());
  request.set_sha256(after.attachments(0).sha256());
  auto reader = stub->DownloadAttachment(&context, request);
  pwx::v1::DownloadAttachmentResponse part;
  std::string downloaded;
  std::string file_name;
  while (reader->Read(&part)) {
    if (part.has_meta()) file_name = part.meta().file_name();
    downloaded += part.chunk();
  }
  ASSERT_TRUE(reader->Finish().ok());
  EXPECT_EQ(file_name, "report.txt");
  EXPECT_EQ(downloaded, content);
}

TEST_F(NodeTest, OversizedOrTruncatedUploadLeavesNothing) {
  node_->Shutdown(absl::Seconds(1));
  node_.reset();
  StartNode(/*max_attachment=*/150000);
  auto stub = CaseStub("alice");
  Case created;
  ASSERT_TRUE(CreateCase(*stub, Draft(), &created).ok());
  Case out;
  grpc::Status big =
      Upload(*stub, created.id(), std::string(200000, 'x'), 0, &out);
  EXPECT_EQ(big.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED)
      << big.error_message();
  grpc::Status truncated =
      Upload(*stub, created.id(), std::string(1000, 'x'), 2000, &out);
  EXPECT_EQ(truncated.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(truncated.error_message(), HasSubstr("header.size_bytes"));

  grpc::ClientContext context;
  pwx::v1::GetCaseRequest get;
  get.set_id(created.id());
  Case read;
  ASSERT_TRUE(stub->GetCase(&context, get, &read).ok());
  EXPECT_EQ(read.version(), 1u);
  EXPECT_EQ(read.attachments_size(), 0);
}

TEST_F(NodeTest, BackupIsForAdminsAndRestoresTheData) {
  auto stub = CaseStub("alice");
  Case created;
  ASSERT_TRUE(CreateCase(*stub, Draft(), &created).ok());

  testing::KeyPair bob = ca_.IssueUser("bob");
  auto bob_admin = pwx::v1::AdminService::NewStub(Channel(&bob));
  pwx::v1::CreateBackupRequest request;
  request.set_directory(dir_ + "/backup");
  pwx::v1::CreateBackupResponse response;
  {
    grpc::ClientContext context;
    grpc::Status s = bob_admin->CreateBackup(&context, request, &response);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  }
  testing::KeyPair alice = ca_.IssueUser("alice");
  auto admin = pwx::v1::AdminService::NewStub(Channel(&alice));
  {
    grpc::ClientContext context;
    grpc::Status s = admin->CreateBackup(&context, request, &response);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_GT(response.size_bytes(), 0u);
  }
  const std::string restored = dir_ + "/restored";
  ASSERT_TRUE(storage::RestoreLatestBackup(dir_ + "/backup", restored).ok());
  storage::RocksStoreOptions options;
  options.path = restored;
  options.create_if_missing = false;
  absl::StatusOr<std::unique_ptr<storage::RocksStore>> store =
      storage::RocksStore::Open(options);
  ASSERT_TRUE(store.ok()) << store.status();
  storage::CaseStore cases(store->get());
  absl::StatusOr<std::optional<storage::StoredCase>> c =
      cases.Get(created.id());
  ASSERT_TRUE(c.ok() && c->has_value());
  EXPECT_EQ((*c)->record.undertaking().name(), "Demo Bau");
}

// Each RPC as each role: allowed (any status but PERMISSION_DENIED) or
// PERMISSION_DENIED, as the role table says.
TEST_F(NodeTest, RoleMatrix) {
  auto owner = CaseStub("alice");
  Case created;
  ASSERT_TRUE(CreateCase(*owner, Draft(), &created).ok());

  ASSERT_TRUE(Grant("ines", pwx::v1::ROLE_INSPECTOR).ok());
  ASSERT_TRUE(Grant("colin", pwx::v1::ROLE_COORDINATOR).ok());
  ASSERT_TRUE(Grant("aude", pwx::v1::ROLE_AUDITOR).ok());
  using Rpc = std::function<grpc::Status(grpc::Channel&)>;
  auto ctx = [] {
    auto c = std::make_unique<grpc::ClientContext>();
    c->set_deadline(std::chrono::system_clock::now() +
                    std::chrono::seconds(30));
    return c;
  };
  const std::string id = created.id();
  const std::string backup_dir = dir_ + "/matrix-backup";
  const std::vector<std::pair<std::string, Rpc>> rpcs = {
      {"CreateCase",
       [&](grpc::Channel& ch) {
         auto c = ctx();
         pwx::v1::CreateCaseRequest r;
         *r.mutable_case_() = Draft();
         Case out;
         return pwx::v1::CaseService::NewStub(ch.shared_from_this())
             ->CreateCase(c.get(), r, &out);
       }},
      {"GetCase",
       [&](grpc::Channel& ch) {
         auto c = ctx();
         pwx::v1::GetCaseRequest r;
         r.set_id(id);
         Case out;
         return pwx::v1::CaseService::NewStub(ch.shared_from_this())
             ->GetCase(c.get(), r, &out);
       }},
      {"UpdateCase",
       [&](grpc::Channel& ch) {
         auto c = ctx();
         pwx::v1::UpdateCaseRequest r;
         r.set_id(id);
         r.set_expected_version(999);
         r.mutable_update_mask()->add_paths("title");
         Case out;
         return pwx::v1::CaseService::NewStub(ch.shared_from_this())
             ->UpdateCase(c.get(), r, &out);
       }},
      {"ListCases",
       [&](grpc::Channel& ch) {
         auto c = ctx();
         pwx::v1::ListCasesResponse out;
         return pwx::v1::CaseService::NewStub(ch.shared_from_this())
             ->ListCases(c.get(), {}, &out);
       }},
      {"AddNote",
       [&](grpc::Channel& ch) {
         auto c = ctx();
         pwx::v1::AddNoteRequest r;
         r.set_case_id(id);
         r.set_text("seen");
         Case out;
         return pwx::v1::CaseService::NewStub(ch.shared_from_this())
             ->AddNote(c.get(), r, &out);
       }},
      {"UploadAttachment",
       [&](grpc::Channel& ch) {
         Case out;
         auto stub = pwx::v1::CaseService::NewStub(ch.shared_from_this());
         return Upload(*stub, id, "abc", 3, &out);
       }},
      {"DownloadAttachment",
       [&](grpc::Channel& ch) {
         auto c = ctx();
         pwx::v1::DownloadAttachmentRequest r;
         r.set_case_id(id);
         r.set_sha256(std::string(64, 'a'));
         auto reader = pwx::v1::CaseService::NewStub(ch.shared_from_this())
                           ->DownloadAttachment(c.get(), r);
         pwx::v1::DownloadAttachmentResponse part;
         while (reader->Read(&part)) {
         }
         return reader->Finish();
       }},
      {"CreateBackup",
       [&](grpc::Channel& ch) {
         auto c = ctx();
         pwx::v1::CreateBackupRequest r;
         r.set_directory(backup_dir);
         pwx::v1::CreateBackupResponse out;
         return pwx::v1::AdminService::NewStub(ch.shared_from_this())
             ->CreateBackup(c.get(), r, &out);
       }},
      {"GrantRole",
       [&](grpc::Channel& ch) {
         auto c = ctx();
         pwx::v1::GrantRoleRequest r;
         r.set_name("newcomer");
         r.set_role(pwx::v1::ROLE_AUDITOR);
         pwx::v1::User out;
         return pwx::v1::UserService::NewStub(ch.shared_from_this())
             ->GrantRole(c.get(), r, &out);
       }},
      {"RevokeRole",
       [&](grpc::Channel& ch) {
         auto c = ctx();
         pwx::v1::RevokeRoleRequest r;
         r.set_name("newcomer");
         r.set_role(pwx::v1::ROLE_AUDITOR);
         pwx::v1::User out;
         return pwx::v1::UserService::NewStub(ch.shared_from_this())
             ->RevokeRole(c.get(), r, &out);
       }},
      {"ListUsers",
       [&](grpc::Channel& ch) {
         auto c = ctx();
         pwx::v1::ListUsersResponse out;
         return pwx::v1::UserService::NewStub(ch.shared_from_this())
             ->ListUsers(c.get(), {}, &out);
       }},
      {"GetTreeHead",
       [&](grpc::Channel& ch) {
         auto c = ctx();
         pwx::v1::GetTreeHeadResponse out;
         return pwx::v1::AuditService::NewStub(ch.shared_from_this())
             ->GetTreeHead(c.get(), {}, &out);
       }},
      {"ListEntries",
       [&](grpc::Channel& ch) {
         auto c = ctx();
         pwx::v1::ListEntriesResponse out;
         return pwx::v1::AuditService::NewStub(ch.shared_from_this())
             ->ListEntries(c.get(), {}, &out);
       }},
      {"GetInclusionProof",
       [&](grpc::Channel& ch) {
         auto c = ctx();
         pwx::v1::GetInclusionProofRequest r;
         r.set_tree_size(1);
         pwx::v1::InclusionProof out;
         return pwx::v1::AuditService::NewStub(ch.shared_from_this())
             ->GetInclusionProof(c.get(), r, &out);
       }},
      {"GetConsistencyProof",
       [&](grpc::Channel& ch) {
         auto c = ctx();
         pwx::v1::GetConsistencyProofRequest r;
         r.set_from_size(1);
         r.set_to_size(1);
         pwx::v1::ConsistencyProof out;
         return pwx::v1::AuditService::NewStub(ch.shared_from_this())
             ->GetConsistencyProof(c.get(), r, &out);
       }},
      {"ExportLog",
       [&](grpc::Channel& ch) {
         auto c = ctx();
         auto reader = pwx::v1::AuditService::NewStub(ch.shared_from_this())
                           ->ExportLog(c.get(), {});
         pwx::v1::LogExportRecord record;
         while (reader->Read(&record)) {
         }
         return reader->Finish();
       }},
      {"GetAccessLog",
       [&](grpc::Channel& ch) {
         auto c = ctx();
         pwx::v1::GetAccessLogRequest r;
         r.set_case_id(id);
         pwx::v1::GetAccessLogResponse out;
         return pwx::v1::AuditService::NewStub(ch.shared_from_this())
             ->GetAccessLog(c.get(), r, &out);
       }},
      {"ShareCase",
       [&](grpc::Channel& ch) {
         auto c = ctx();
         pwx::v1::ShareCaseRequest r;
         r.set_id(id);
         r.set_with("PL-PIP");
         pwx::v1::ShareCaseResponse out;
         return pwx::v1::CaseService::NewStub(ch.shared_from_this())
             ->ShareCase(c.get(), r, &out);
       }},
      {"ExportIdentity",
       [&](grpc::Channel& ch) {
         auto c = ctx();
         pwx::v1::IdentityCard out;
         return pwx::v1::PeerService::NewStub(ch.shared_from_this())
             ->ExportIdentity(c.get(), {}, &out);
       }},
      {"AddPeer",
       [&](grpc::Channel& ch) {
         auto c = ctx();
         pwx::v1::AddPeerRequest r;
         pwx::v1::Peer out;
         return pwx::v1::PeerService::NewStub(ch.shared_from_this())
             ->AddPeer(c.get(), r, &out);
       }},
      {"ListPeers",
       [&](grpc::Channel& ch) {
         auto c = ctx();
         pwx::v1::ListPeersResponse out;
         return pwx::v1::PeerService::NewStub(ch.shared_from_this())
             ->ListPeers(c.get(), {}, &out);
       }},
      {"SuspendPeer",
       [&](grpc::Channel& ch) {
         auto c = ctx();
         pwx::v1::PeerRequest r;
         r.set_authority_id("PL-PIP");
         pwx::v1::Peer out;
         return pwx::v1::PeerService::NewStub(ch.shared_from_this())
             ->SuspendPeer(c.get(), r, &out);
       }},
      {"ResumePeer",
       [&](grpc::Channel& ch) {
         auto c = ctx();
         pwx::v1::PeerRequest r;
         r.set_authority_id("PL-PIP");
         pwx::v1::Peer out;
         return pwx::v1::PeerService::NewStub(ch.shared_from_this())
             ->ResumePeer(c.get(), r, &out);
       }},
      {"RemovePeer",
       [&](grpc::Channel& ch) {
         auto c = ctx();
         pwx::v1::PeerRequest r;
         r.set_authority_id("PL-PIP");
         pwx::v1::RemovePeerResponse out;
         return pwx::v1::PeerService::NewStub(ch.shared_from_this())
             ->RemovePeer(c.get(), r, &out);
       }},
  };
  // Which RPCs each user may call: inspectors the case calls, coordinators
  // and admins backups, users and peers, auditors the audit log only.
  const std::set<std::string> kCaseRpcs = {
      "CreateCase",       "GetCase",           "UpdateCase", "ListCases",
      "AddNote",          "UploadAttachment",  "DownloadAttachment",
      "ShareCase"};
  const std::set<std::string> kAdminRpcs = {
      "CreateBackup", "GrantRole",   "RevokeRole",  "ListUsers",
      "ExportIdentity", "AddPeer",   "ListPeers",   "SuspendPeer",
      "ResumePeer",   "RemovePeer"};
  const std::set<std::string> kAuditRpcs = {
      "GetTreeHead",         "ListEntries", "GetInclusionProof",
      "GetConsistencyProof", "ExportLog",   "GetAccessLog"};
  const std::map<std::string, std::set<std::string>> allowed = {
      {"ines", kCaseRpcs},
      {"colin", kAdminRpcs},
      {"aude", kAuditRpcs},
      {"nobody", {}},
      {"alice", [&] {
         std::set<std::string> all = kCaseRpcs;
         all.insert(kAdminRpcs.begin(), kAdminRpcs.end());
         return all;
       }()}};
  for (const auto& [user, calls] : allowed) {
    testing::KeyPair keys = ca_.IssueUser(user);
    std::shared_ptr<grpc::Channel> channel = Channel(&keys);
    for (const auto& [rpc, call] : rpcs) {
      grpc::Status s = call(*channel);
      if (calls.count(rpc) > 0) {
        EXPECT_NE(s.error_code(), grpc::StatusCode::PERMISSION_DENIED)
            << user << " " << rpc << ": " << s.error_message();
      } else {
        EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED)
            << user << " " << rpc << ": " << s.error_message();
      }
    }
  }
}

TEST_F(NodeTest, RevokedRoleIsRefusedAtOnce) {
  ASSERT_TRUE(Grant("ines", pwx::v1::ROLE_INSPECTOR).ok());
  auto ines = CaseStub("ines");
  EXPECT_EQ(CountCases(*ines), 0);
  testing::KeyPair alice = ca_.IssueUser("alice");
  auto users = pwx::v1::UserService::NewStub(Channel(&alice));
  grpc::ClientContext context;
  pwx::v1::RevokeRoleRequest revoke;
  revoke.set_name("ines");
  revoke.set_role(pwx::v1::ROLE_INSPECTOR);
  pwx::v1::User after;
  ASSERT_TRUE(users->RevokeRole(&context, revoke, &after).ok());
  grpc::ClientContext list_context;
  pwx::v1::ListCasesResponse response;
  grpc::Status s = ines->ListCases(&list_context, {}, &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(s.error_message(), HasSubstr("needs the role inspector"));
}

TEST(NodeStartTest, MismatchedKeyIsNamed) {
  testing::TestCa ca = testing::TestCa::Create("FR-DGT");
  testing::KeyPair a = ca.IssueNode("FR-DGT");
  testing::KeyPair b = ca.IssueNode("FR-DGT");
  NodeOptions options;
  options.config.set_authority_id("FR-DGT");
  options.config.set_data_dir(testing::MakeTempDir("node_start") + "/data");
  ApplyDefaults(&options.config);
  options.config.mutable_api()->set_listen("127.0.0.1:0");
  options.api_cert_pem = a.cert_pem;
  options.api_key_pem = b.key_pem;
  options.api_client_ca_pem = ca.cert_pem();
  absl::StatusOr<std::unique_ptr<Node>> node = Node::Start(options);
  EXPECT_TRUE(absl::IsInvalidArgument(node.status()));
  EXPECT_THAT(node.status().message(), HasSubstr("api.key_file"));
}

}  // namespace
}  // namespace pwx::server
