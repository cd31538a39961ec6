// A whole node in process: mTLS API port on 127.0.0.1:0, RocksDB in a temp
// directory, certificates generated at test time.
#include "server/node.h"

#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "google/protobuf/descriptor.h"
#include "google/protobuf/text_format.h"
#include "pwx/v1/admin_service.grpc.pb.h"
#include "pwx/v1/audit_service.grpc.pb.h"
#include "pwx/v1/calendar_service.grpc.pb.h"
#include "pwx/v1/case_service.grpc.pb.h"
#include "pwx/v1/catalogue_service.grpc.pb.h"
#include "pwx/v1/peer_service.grpc.pb.h"
#include "pwx/v1/plan_service.grpc.pb.h"
#include "pwx/v1/request_service.grpc.pb.h"
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

// One call of an RPC over a channel, as some user.
using Rpc = std::function<grpc::Status(grpc::Channel&)>;

std::unique_ptr<grpc::ClientContext> CallContext() {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() +
                        std::chrono::seconds(30));
  return context;
}

// A request from its text format, e.g. Text<GetCaseRequest>("id: 'x'").
template <typename Request>
Request Text(const std::string& text) {
  Request request;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &request))
      << text;
  return request;
}

// The unary RPC `method` of Service's stub with `request`.
template <typename Service, typename Request, typename Response>
Rpc Unary(grpc::Status (Service::Stub::*method)(grpc::ClientContext*,
                                                const Request&, Response*),
          Request request = {}) {
  return [method, request](grpc::Channel& channel) {
    auto stub = Service::NewStub(channel.shared_from_this());
    auto context = CallContext();
    Response response;
    return (stub.get()->*method)(context.get(), request, &response);
  };
}

// The server-streaming RPC `method` of Service's stub, read to the end.
template <typename Service, typename Request, typename Response>
Rpc Streaming(std::unique_ptr<grpc::ClientReader<Response>> (
                  Service::Stub::*method)(grpc::ClientContext*, const Request&),
              Request request = {}) {
  return [method, request](grpc::Channel& channel) {
    auto stub = Service::NewStub(channel.shared_from_this());
    auto context = CallContext();
    auto reader = (stub.get()->*method)(context.get(), request);
    Response response;
    while (reader->Read(&response)) {
    }
    return reader->Finish();
  };
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
  using pwx::v1::AdminService;
  using pwx::v1::AuditService;
  using pwx::v1::CalendarService;
  using pwx::v1::CaseService;
  using pwx::v1::CatalogueService;
  using pwx::v1::PeerService;
  using pwx::v1::PlanService;
  using pwx::v1::RequestService;
  using pwx::v1::UserService;
  const std::string on_case = "id: '" + created.id() + "'";
  const std::string note_on_case = "case_id: '" + created.id() + "'";
  pwx::v1::CreateCaseRequest create;
  *create.mutable_case_() = Draft();
  const std::vector<std::pair<std::string, Rpc>> rpcs = {
      {"CreateCase",
       Unary<CaseService>(&CaseService::Stub::CreateCase, create)},
      {"GetCase", Unary<CaseService>(&CaseService::Stub::GetCase,
                                     Text<pwx::v1::GetCaseRequest>(on_case))},
      {"UpdateCase",
       Unary<CaseService>(&CaseService::Stub::UpdateCase,
                          Text<pwx::v1::UpdateCaseRequest>(
                              on_case + " expected_version: 999"
                                        " update_mask { paths: 'title' }"))},
      {"ListCases", Unary<CaseService>(&CaseService::Stub::ListCases)},
      {"AddNote", Unary<CaseService>(&CaseService::Stub::AddNote,
                                     Text<pwx::v1::AddNoteRequest>(
                                         note_on_case + " text: 'seen'"))},
      {"UploadAttachment",
       [&](grpc::Channel& ch) {
         Case out;
         auto stub = CaseService::NewStub(ch.shared_from_this());
         return Upload(*stub, created.id(), "abc", 3, &out);
       }},
      {"DownloadAttachment",
       Streaming<CaseService>(
           &CaseService::Stub::DownloadAttachment,
           Text<pwx::v1::DownloadAttachmentRequest>(
               note_on_case + " sha256: '" + std::string(64, 'a') + "'"))},
      {"ShareCase", Unary<CaseService>(&CaseService::Stub::ShareCase,
                                       Text<pwx::v1::ShareCaseRequest>(
                                           on_case + " with: 'PL-PIP'"))},
      {"CreateBackup",
       Unary<AdminService>(&AdminService::Stub::CreateBackup,
                           Text<pwx::v1::CreateBackupRequest>(
                               "directory: '" + dir_ + "/matrix-backup'"))},
      {"GrantRole",
       Unary<UserService>(&UserService::Stub::GrantRole,
                          Text<pwx::v1::GrantRoleRequest>(
                              "name: 'newcomer' role: ROLE_INSPECTOR"))},
      {"RevokeRole",
       Unary<UserService>(&UserService::Stub::RevokeRole,
                          Text<pwx::v1::RevokeRoleRequest>(
                              "name: 'newcomer' role: ROLE_INSPECTOR"))},
      {"ListUsers", Unary<UserService>(&UserService::Stub::ListUsers)},
      {"SetLanguage", Unary<UserService>(&UserService::Stub::SetLanguage)},
      {"GetCurrentUser",
       Unary<UserService>(&UserService::Stub::GetCurrentUser)},
      {"ListQuestions",
       Unary<CatalogueService>(&CatalogueService::Stub::ListQuestions)},
      {"ShowCalendar",
       Unary<CalendarService>(
           &CalendarService::Stub::ShowCalendar,
           Text<pwx::v1::ShowCalendarRequest>("country: 'PL' year: 2026"))},
      {"AddWorkingDays",
       Unary<CalendarService>(
           &CalendarService::Stub::AddWorkingDays,
           Text<pwx::v1::AddWorkingDaysRequest>(
               "country: 'PL' date: '2026-12-10' working_days: 25"))},
      {"CreateRequest",
       Unary<RequestService>(&RequestService::Stub::CreateRequest)},
      {"GetRequest", Unary<RequestService>(&RequestService::Stub::GetRequest,
                                           Text<pwx::v1::GetRequestRequest>(
                                               "id: 'FR-DGT-R-2026-000001'"))},
      {"Act", Unary<RequestService>(&RequestService::Stub::Act)},
      {"ListRequests",
       Unary<RequestService>(&RequestService::Stub::ListRequests)},
      {"GetStats", Unary<RequestService>(&RequestService::Stub::GetStats)},
      {"UploadRequestAttachment",
       [&](grpc::Channel& ch) {
         pwx::v1::Request out;
         auto stub = RequestService::NewStub(ch.shared_from_this());
         return UploadToRequest(*stub, "FR-DGT-R-2026-000001", "abc", &out);
       }},
      {"DownloadRequestAttachment",
       Streaming<RequestService>(
           &RequestService::Stub::DownloadRequestAttachment,
           Text<pwx::v1::DownloadRequestAttachmentRequest>(
               "request_id: 'FR-DGT-R-2026-000001' sha256: '" +
               std::string(64, 'a') + "'"))},
      {"CreatePlan", Unary<PlanService>(&PlanService::Stub::CreatePlan)},
      {"GetPlan", Unary<PlanService>(&PlanService::Stub::GetPlan,
                                     Text<pwx::v1::GetPlanRequest>(
                                         "id: 'FR-DGT-P-2026-000001'"))},
      {"ActOnPlan",
       Unary<PlanService>(&PlanService::Stub::ActOnPlan,
                          Text<pwx::v1::ActOnPlanRequest>(
                              "id: 'FR-DGT-P-2026-000001' step { start {} }"))},
      // Agreeing binds the authority: coordinators only.
      {"AgreeToPlan",
       Unary<PlanService>(&PlanService::Stub::ActOnPlan,
                          Text<pwx::v1::ActOnPlanRequest>(
                              "id: 'FR-DGT-P-2026-000001' step { agree {} }"))},
      {"ListPlans", Unary<PlanService>(&PlanService::Stub::ListPlans)},
      {"GetPlanReport",
       Unary<PlanService>(&PlanService::Stub::GetPlanReport,
                          Text<pwx::v1::GetPlanReportRequest>(
                              "id: 'FR-DGT-P-2026-000001'"))},
      {"GetTreeHead", Unary<AuditService>(&AuditService::Stub::GetTreeHead)},
      {"ListEntries", Unary<AuditService>(&AuditService::Stub::ListEntries)},
      {"GetInclusionProof",
       Unary<AuditService>(
           &AuditService::Stub::GetInclusionProof,
           Text<pwx::v1::GetInclusionProofRequest>("tree_size: 1"))},
      {"GetConsistencyProof",
       Unary<AuditService>(&AuditService::Stub::GetConsistencyProof,
                           Text<pwx::v1::GetConsistencyProofRequest>(
                               "from_size: 1 to_size: 1"))},
      {"ExportLog", Streaming<AuditService>(&AuditService::Stub::ExportLog)},
      {"GetAccessLog",
       Unary<AuditService>(&AuditService::Stub::GetAccessLog,
                           Text<pwx::v1::GetAccessLogRequest>(
                               "case_id: '" + created.id() + "'"))},
      {"ListReceipts", Unary<AuditService>(&AuditService::Stub::ListReceipts,
                                           Text<pwx::v1::ListReceiptsRequest>(
                                               "peer: 'PL-PIP'"))},
      {"ExportIdentity",
       Unary<PeerService>(&PeerService::Stub::ExportIdentity)},
      {"AddPeer", Unary<PeerService>(&PeerService::Stub::AddPeer)},
      {"ListPeers", Unary<PeerService>(&PeerService::Stub::ListPeers)},
      {"SuspendPeer", Unary<PeerService>(&PeerService::Stub::SuspendPeer,
                                         Text<pwx::v1::PeerRequest>(
                                             "authority_id: 'PL-PIP'"))},
      {"ResumePeer", Unary<PeerService>(
                         &PeerService::Stub::ResumePeer,
                         Text<pwx::v1::PeerRequest>("authority_id: 'PL-PIP'"))},
      {"RemovePeer", Unary<PeerService>(
                         &PeerService::Stub::RemovePeer,
                         Text<pwx::v1::PeerRequest>("authority_id: 'PL-PIP'"))},
      {"UpdatePeer", Unary<PeerService>(&PeerService::Stub::UpdatePeer)},
      {"ResendToPeer",
       Unary<PeerService>(&PeerService::Stub::ResendToPeer,
                          Text<pwx::v1::LinkRepairRequest>(
                              "authority_id: 'PL-PIP' sequence: 1"))},
      {"SkipToPeer", Unary<PeerService>(&PeerService::Stub::SkipToPeer,
                                        Text<pwx::v1::LinkRepairRequest>(
                                            "authority_id: 'PL-PIP' "
                                            "sequence: 1"))},
  };
  // The matrix has every RPC of the API port: a new one must be added here.
  std::set<std::string> tested;
  for (const auto& [rpc, call] : rpcs) tested.insert(rpc);
  for (const char* name :
       {CaseService::service_full_name(), AdminService::service_full_name(),
        UserService::service_full_name(), AuditService::service_full_name(),
        PeerService::service_full_name(), CatalogueService::service_full_name(),
        CalendarService::service_full_name(),
        RequestService::service_full_name(),
        PlanService::service_full_name()}) {
    const google::protobuf::ServiceDescriptor* service =
        google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(
            name);
    ASSERT_NE(service, nullptr) << name;
    for (int i = 0; i < service->method_count(); ++i) {
      EXPECT_EQ(tested.count(service->method(i)->name()), 1u)
          << service->method(i)->full_name() << " is not in the role matrix";
    }
  }
  // Which RPCs each user may call: inspectors the case and request calls,
  // coordinators and admins backups, users and peers, auditors the audit
  // log only; every role their own language, the question catalogue and
  // the calendars; every role but "nobody" the scoreboard. Inspectors and
  // coordinators work plans; only coordinators agree to one.
  const std::set<std::string> kCaseRpcs = {"CreateCase",
                                           "GetCase",
                                           "UpdateCase",
                                           "ListCases",
                                           "AddNote",
                                           "UploadAttachment",
                                           "DownloadAttachment",
                                           "ShareCase",
                                           "SetLanguage",
                                           "GetCurrentUser",
                                           "ListQuestions",
                                           "ShowCalendar",
                                           "AddWorkingDays",
                                           "CreateRequest",
                                           "GetRequest",
                                           "Act",
                                           "ListRequests",
                                           "GetStats",
                                           "UploadRequestAttachment",
                                           "DownloadRequestAttachment",
                                           "CreatePlan",
                                           "GetPlan",
                                           "ActOnPlan",
                                           "ListPlans",
                                           "GetPlanReport"};
  const std::set<std::string> kPlanRpcs = {"CreatePlan", "GetPlan",
                                           "ActOnPlan",  "AgreeToPlan",
                                           "ListPlans",  "GetPlanReport"};
  const std::set<std::string> kAdminRpcs = {
      "CreateBackup",   "GrantRole",   "RevokeRole",    "ListUsers",
      "ExportIdentity", "AddPeer",     "ListPeers",     "SuspendPeer",
      "ResumePeer",     "RemovePeer",  "UpdatePeer",    "ResendToPeer",
      "SkipToPeer",     "SetLanguage", "ListQuestions", "ShowCalendar",
      "AddWorkingDays", "GetStats",    "GetCurrentUser"};
  const std::set<std::string> kAuditRpcs = {
      "GetTreeHead",         "ListEntries",    "GetInclusionProof",
      "GetConsistencyProof", "ExportLog",      "GetAccessLog",
      "ListReceipts",        "SetLanguage",    "ListQuestions",
      "ShowCalendar",        "AddWorkingDays", "GetStats",
      "GetCurrentUser"};
  const std::map<std::string, std::set<std::string>> allowed = {
      {"ines", kCaseRpcs},
      {"colin",
       [&] {
         std::set<std::string> all = kAdminRpcs;
         all.insert(kPlanRpcs.begin(), kPlanRpcs.end());
         return all;
       }()},
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

// Who may grant what, as a coordinator sees it over the API: not a role to
// themselves, and only the inspector role to others.
TEST_F(NodeTest, RoleChangesFollowTheRules) {
  ASSERT_TRUE(Grant("colin", pwx::v1::ROLE_COORDINATOR).ok());
  testing::KeyPair colin = ca_.IssueUser("colin");
  auto users = pwx::v1::UserService::NewStub(Channel(&colin));
  const auto grant = [&users](const std::string& name, pwx::v1::Role role) {
    grpc::ClientContext context;
    pwx::v1::GrantRoleRequest request;
    request.set_name(name);
    request.set_role(role);
    pwx::v1::User user;
    return users->GrantRole(&context, request, &user);
  };

  grpc::Status self = grant("colin", pwx::v1::ROLE_INSPECTOR);
  EXPECT_EQ(self.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(self.error_message(),
              HasSubstr("may not grant a role to themselves"));
  grpc::Status auditor = grant("ines", pwx::v1::ROLE_AUDITOR);
  EXPECT_EQ(auditor.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(auditor.error_message(), HasSubstr("only an admin grants"));
  EXPECT_TRUE(grant("ines", pwx::v1::ROLE_INSPECTOR).ok());
  // alice, the bootstrap admin, grants the rest; but not to herself.
  EXPECT_TRUE(Grant("ines", pwx::v1::ROLE_AUDITOR).ok());
  EXPECT_EQ(Grant("alice", pwx::v1::ROLE_AUDITOR).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);

  testing::KeyPair alice = ca_.IssueUser("alice");
  auto admin = pwx::v1::UserService::NewStub(Channel(&alice));
  grpc::ClientContext context;
  pwx::v1::RevokeRoleRequest revoke;
  revoke.set_name("alice");
  revoke.set_role(pwx::v1::ROLE_ADMIN);
  pwx::v1::User after;
  grpc::Status last = admin->RevokeRole(&context, revoke, &after);
  EXPECT_EQ(last.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(last.error_message(), HasSubstr("from the config"));
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
