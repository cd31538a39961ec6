// AuditService on an in-process node: signed heads, proofs that verify
// against them, filters, the export order, the access log and the role
// check.
#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "pwx/v1/admin_service.grpc.pb.h"
#include "pwx/v1/audit_service.grpc.pb.h"
#include "server/domain/merkle.h"
#include "server/domain/signing.h"
#include "tests/server/node_fixture.h"

namespace pwx::server {
namespace {

using ::testing::HasSubstr;

// Generous: the machine may be slow and busy.
constexpr absl::Duration kPatience = absl::Seconds(60);

std::unique_ptr<grpc::ClientContext> Context() {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() +
                        std::chrono::seconds(60));
  return context;
}

domain::Hash ToHash(const std::string& bytes) {
  absl::StatusOr<domain::Hash> hash = domain::HashFromBytes("hash", bytes);
  EXPECT_TRUE(hash.ok()) << hash.status();
  return hash.ok() ? *hash : domain::Hash{};
}

std::vector<domain::Hash> ToHashes(
    const google::protobuf::RepeatedPtrField<std::string>& bytes) {
  std::vector<domain::Hash> hashes;
  for (const std::string& b : bytes) hashes.push_back(ToHash(b));
  return hashes;
}

absl::Status VerifyHead(const pwx::v1::SignedTreeHead& head,
                        const std::string& certificate_pem) {
  absl::StatusOr<std::unique_ptr<domain::Verifier>> verifier =
      domain::Verifier::FromCertificatePem(certificate_pem);
  if (!verifier.ok()) return verifier.status();
  const absl::Time time = absl::FromUnixSeconds(head.timestamp().seconds()) +
                          absl::Nanoseconds(head.timestamp().nanos());
  return (*verifier)->Verify(
      domain::TreeHeadSigningInput(head.authority_id(), head.tree_size(),
                                   head.root_hash(), time),
      head.signature());
}

class AuditServiceTest : public NodeTest {
 protected:
  void SetUp() override {
    NodeTest::SetUp();
    ASSERT_TRUE(Grant("aude", pwx::v1::ROLE_AUDITOR).ok());
    audit_ = AuditStub("aude");
  }

  std::unique_ptr<pwx::v1::AuditService::Stub> AuditStub(
      const std::string& user) {
    users_.push_back(std::make_unique<testing::KeyPair>(ca_.IssueUser(user)));
    return pwx::v1::AuditService::NewStub(Channel(users_.back().get()));
  }

  uint64_t CurrentSize() {
    auto context = Context();
    pwx::v1::GetTreeHeadResponse response;
    grpc::Status s = audit_->GetTreeHead(context.get(), {}, &response);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return response.current_size();
  }

  // Polls until a head of at least `size` entries is signed.
  pwx::v1::GetTreeHeadResponse WaitForHead(uint64_t size) {
    const absl::Time deadline = absl::Now() + kPatience;
    pwx::v1::GetTreeHeadResponse response;
    while (absl::Now() < deadline) {
      auto context = Context();
      response.Clear();
      grpc::Status s = audit_->GetTreeHead(context.get(), {}, &response);
      EXPECT_TRUE(s.ok()) << s.error_message();
      if (response.has_latest() && response.latest().tree_size() >= size) {
        break;
      }
      absl::SleepFor(absl::Milliseconds(20));
    }
    EXPECT_GE(response.latest().tree_size(), size) << "no head in time";
    return response;
  }

  std::vector<Case> CreateCases(int n) {
    auto stub = CaseStub("alice");
    std::vector<Case> created(n);
    for (Case& c : created) {
      grpc::Status s = CreateCase(*stub, Draft(), &c);
      EXPECT_TRUE(s.ok()) << s.error_message();
    }
    return created;
  }

  std::unique_ptr<pwx::v1::AuditService::Stub> audit_;
};

TEST_F(AuditServiceTest, ProofsVerifyAgainstSignedHeads) {
  CreateCases(3);
  pwx::v1::GetTreeHeadResponse first = WaitForHead(CurrentSize());
  ASSERT_TRUE(VerifyHead(first.latest(), first.signer_certificate_pem()).ok());
  const uint64_t size1 = first.latest().tree_size();

  for (uint64_t index : {uint64_t{0}, size1 / 2, size1 - 1}) {
    auto context = Context();
    pwx::v1::GetInclusionProofRequest request;
    request.set_index(index);
    request.set_tree_size(size1);
    pwx::v1::InclusionProof proof;
    grpc::Status s = audit_->GetInclusionProof(context.get(), request, &proof);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(proof.root_hash(), first.latest().root_hash());
    EXPECT_TRUE(domain::VerifyInclusion(ToHash(proof.leaf_hash()), index, size1,
                                        ToHashes(proof.hashes()),
                                        ToHash(first.latest().root_hash()))
                    .ok())
        << index;
  }

  CreateCases(2);
  pwx::v1::GetTreeHeadResponse second = WaitForHead(CurrentSize());
  const uint64_t size2 = second.latest().tree_size();
  ASSERT_GT(size2, size1);
  auto context = Context();
  pwx::v1::GetConsistencyProofRequest request;
  request.set_from_size(size1);
  request.set_to_size(size2);
  pwx::v1::ConsistencyProof proof;
  grpc::Status s = audit_->GetConsistencyProof(context.get(), request, &proof);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_TRUE(domain::VerifyConsistency(
                  size1, size2, ToHash(first.latest().root_hash()),
                  ToHash(second.latest().root_hash()), ToHashes(proof.hashes()))
                  .ok());
}

TEST_F(AuditServiceTest, ProofRequestsOutOfRangeAreNamed) {
  CreateCases(1);
  const uint64_t size = WaitForHead(CurrentSize()).latest().tree_size();
  {
    auto context = Context();
    pwx::v1::GetInclusionProofRequest request;
    request.set_index(size);
    request.set_tree_size(size);
    pwx::v1::InclusionProof proof;
    grpc::Status s = audit_->GetInclusionProof(context.get(), request, &proof);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(s.error_message(), HasSubstr("index"));
  }
  {
    auto context = Context();
    pwx::v1::GetInclusionProofRequest request;
    request.set_tree_size(size + 1000000);
    pwx::v1::InclusionProof proof;
    grpc::Status s = audit_->GetInclusionProof(context.get(), request, &proof);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::OUT_OF_RANGE);
    EXPECT_THAT(s.error_message(), HasSubstr("tree_size"));
  }
  {
    auto context = Context();
    pwx::v1::ListEntriesRequest request;
    request.set_from_index(2);
    request.set_to_index(1);
    pwx::v1::ListEntriesResponse response;
    grpc::Status s = audit_->ListEntries(context.get(), request, &response);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(s.error_message(), HasSubstr("from_index"));
  }
  {
    auto context = Context();
    pwx::v1::ListEntriesRequest request;
    request.set_to_index(size + 1000000);
    pwx::v1::ListEntriesResponse response;
    grpc::Status s = audit_->ListEntries(context.get(), request, &response);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(s.error_message(), HasSubstr("to_index"));
  }
}

TEST_F(AuditServiceTest, ListEntriesFiltersByActionAndUser) {
  std::vector<Case> created = CreateCases(3);
  pwx::v1::ListEntriesRequest request;
  request.set_action("case.create");
  pwx::v1::ListEntriesResponse response;
  {
    auto context = Context();
    grpc::Status s = audit_->ListEntries(context.get(), request, &response);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  EXPECT_TRUE(response.done());
  ASSERT_EQ(response.entries_size(), 3);
  for (int i = 0; i < 3; ++i) {
    const pwx::v1::LoggedEntry& e = response.entries(i);
    EXPECT_EQ(e.entry().action(), "case.create");
    EXPECT_EQ(e.entry().user(), "alice");
    EXPECT_EQ(e.entry().object_id(), created[i].id());
    pwx::v1::AuditEntry parsed;
    ASSERT_TRUE(parsed.ParseFromString(e.entry_bytes()));
    EXPECT_EQ(parsed.object_id(), created[i].id());
    if (i > 0) {
      EXPECT_GT(e.index(), response.entries(i - 1).index());
    }
  }

  // Paging: one at a time, then the rest from next_index.
  request.set_page_size(1);
  pwx::v1::ListEntriesResponse page;
  {
    auto context = Context();
    ASSERT_TRUE(audit_->ListEntries(context.get(), request, &page).ok());
  }
  ASSERT_EQ(page.entries_size(), 1);
  EXPECT_FALSE(page.done());
  EXPECT_EQ(page.next_index(), page.entries(0).index() + 1);

  pwx::v1::ListEntriesRequest by_user;
  by_user.set_user("aude");
  pwx::v1::ListEntriesResponse none;
  {
    auto context = Context();
    ASSERT_TRUE(audit_->ListEntries(context.get(), by_user, &none).ok());
  }
  EXPECT_EQ(none.entries_size(), 0) << "auditors' reads leave no entries";
  by_user.set_user("alice");
  pwx::v1::ListEntriesResponse alice;
  {
    auto context = Context();
    ASSERT_TRUE(audit_->ListEntries(context.get(), by_user, &alice).ok());
  }
  EXPECT_GE(alice.entries_size(), 4);  // the grants and the creations
  for (const pwx::v1::LoggedEntry& e : alice.entries()) {
    EXPECT_EQ(e.entry().user(), "alice");
  }
}

TEST_F(AuditServiceTest, ExportHasHeaderCertificateEntriesAndHeadsInOrder) {
  CreateCases(2);
  WaitForHead(CurrentSize());
  CreateCases(2);
  WaitForHead(CurrentSize());

  auto context = Context();
  auto reader = audit_->ExportLog(context.get(), {});
  std::vector<pwx::v1::LogExportRecord> records;
  pwx::v1::LogExportRecord record;
  while (reader->Read(&record)) records.push_back(record);
  grpc::Status s = reader->Finish();
  ASSERT_TRUE(s.ok()) << s.error_message();

  ASSERT_GE(records.size(), 3u);
  ASSERT_TRUE(records[0].has_header());
  const pwx::v1::ExportHeader& header = records[0].header();
  EXPECT_EQ(header.format(), "pwx-audit-export");
  EXPECT_EQ(header.version(), 1u);
  EXPECT_EQ(header.authority_id(), "FR-DGT");
  const uint64_t count = header.entry_count();
  ASSERT_GT(count, 0u);

  std::map<std::string, std::string> certificates;
  size_t i = 1;
  for (; i < records.size() && records[i].has_certificate(); ++i) {
    certificates[records[i].certificate().sha256()] =
        records[i].certificate().pem();
  }
  ASSERT_EQ(certificates.size(), 1u);

  domain::MemoryMerkleTree tree;
  int heads = 0;
  for (; i < records.size(); ++i) {
    if (records[i].has_entry()) {
      const pwx::v1::LoggedEntry& e = records[i].entry();
      ASSERT_EQ(e.index(), tree.size()) << "entries out of order";
      tree.AppendEntry(e.entry_bytes());
      continue;
    }
    ASSERT_TRUE(records[i].has_tree_head()) << "unexpected record " << i;
    const pwx::v1::SignedTreeHead& head = records[i].tree_head();
    ++heads;
    EXPECT_EQ(head.tree_size(), tree.size())
        << "a head must follow the entry that completes its size";
    EXPECT_EQ(head.root_hash(), std::string(domain::HashBytes(tree.Root())));
    ASSERT_EQ(certificates.count(head.signer_certificate_sha256()), 1u);
    EXPECT_TRUE(
        VerifyHead(head, certificates[head.signer_certificate_sha256()]).ok());
  }
  EXPECT_EQ(tree.size(), count);
  EXPECT_GE(heads, 2);
  ASSERT_TRUE(records.back().has_tree_head());
  EXPECT_EQ(records.back().tree_head().tree_size(), count);
}

TEST_F(AuditServiceTest, AccessLogListsTheCreateAndTheReads) {
  Case created = CreateCases(1)[0];
  CreateCases(1);  // another case: not in the access log
  auto stub = CaseStub("alice");
  for (int i = 0; i < 2; ++i) {
    auto context = Context();
    pwx::v1::GetCaseRequest get;
    get.set_id(created.id());
    Case read;
    ASSERT_TRUE(stub->GetCase(context.get(), get, &read).ok());
  }
  // Read entries become durable with the next group commit: poll.
  pwx::v1::GetAccessLogResponse response;
  const absl::Time deadline = absl::Now() + kPatience;
  while (absl::Now() < deadline) {
    auto context = Context();
    pwx::v1::GetAccessLogRequest request;
    request.set_case_id(created.id());
    response.Clear();
    grpc::Status s = audit_->GetAccessLog(context.get(), request, &response);
    ASSERT_TRUE(s.ok()) << s.error_message();
    if (response.entries_size() >= 3) break;
    absl::SleepFor(absl::Milliseconds(20));
  }
  ASSERT_EQ(response.entries_size(), 3);
  EXPECT_EQ(response.entries(0).entry().action(), "case.create");
  EXPECT_EQ(response.entries(1).entry().action(), "case.read");
  EXPECT_EQ(response.entries(2).entry().action(), "case.read");
  for (const pwx::v1::LoggedEntry& e : response.entries()) {
    EXPECT_EQ(e.entry().user(), "alice");
    EXPECT_EQ(e.entry().object_id(), created.id());
  }
}

// A list page that showed the case counts as a view of it; paging follows
// the index of the case's entries.
TEST_F(AuditServiceTest, AccessLogShowsListViewsAndPages) {
  std::vector<Case> created = CreateCases(2);
  auto stub = CaseStub("alice");
  {
    auto context = Context();
    pwx::v1::ListCasesRequest list;
    list.set_page_size(1);  // shows the first case only
    pwx::v1::ListCasesResponse page;
    ASSERT_TRUE(stub->ListCases(context.get(), list, &page).ok());
    ASSERT_EQ(page.cases_size(), 1);
    ASSERT_EQ(page.cases(0).id(), created[0].id());
  }
  auto access_log = [&](const std::string& id, uint32_t page_size,
                        const std::string& token,
                        pwx::v1::GetAccessLogResponse* response) {
    auto context = Context();
    pwx::v1::GetAccessLogRequest request;
    request.set_case_id(id);
    request.set_page_size(page_size);
    request.set_page_token(token);
    response->Clear();
    return audit_->GetAccessLog(context.get(), request, response);
  };
  pwx::v1::GetAccessLogResponse first;
  const absl::Time deadline = absl::Now() + kPatience;
  while (absl::Now() < deadline) {
    ASSERT_TRUE(access_log(created[0].id(), 0, "", &first).ok());
    if (first.entries_size() >= 2) break;
    absl::SleepFor(absl::Milliseconds(20));
  }
  ASSERT_EQ(first.entries_size(), 2);
  EXPECT_EQ(first.entries(0).entry().action(), "case.create");
  EXPECT_EQ(first.entries(1).entry().action(), "case.list");
  EXPECT_THAT(first.entries(1).entry().object_ids(),
              ::testing::ElementsAre(created[0].id()));
  EXPECT_TRUE(first.next_page_token().empty());
  // The second case was not on the page.
  pwx::v1::GetAccessLogResponse second;
  ASSERT_TRUE(access_log(created[1].id(), 0, "", &second).ok());
  ASSERT_EQ(second.entries_size(), 1);
  EXPECT_EQ(second.entries(0).entry().action(), "case.create");
  // One entry per page.
  pwx::v1::GetAccessLogResponse page;
  ASSERT_TRUE(access_log(created[0].id(), 1, "", &page).ok());
  ASSERT_EQ(page.entries_size(), 1);
  EXPECT_EQ(page.entries(0).index(), first.entries(0).index());
  ASSERT_FALSE(page.next_page_token().empty());
  const std::string token = page.next_page_token();
  ASSERT_TRUE(access_log(created[0].id(), 1, token, &page).ok());
  ASSERT_EQ(page.entries_size(), 1);
  EXPECT_EQ(page.entries(0).index(), first.entries(1).index());
  EXPECT_TRUE(page.next_page_token().empty());
  // Bad paging arguments name the field.
  grpc::Status s = access_log(created[0].id(), 10001, "", &page);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("page_size"));
  s = access_log(created[0].id(), 0, "x", &page);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("page_token"));
}

TEST_F(AuditServiceTest, InspectorIsDenied) {
  ASSERT_TRUE(Grant("ines", pwx::v1::ROLE_INSPECTOR).ok());
  auto ines = AuditStub("ines");
  auto context = Context();
  pwx::v1::GetTreeHeadResponse response;
  grpc::Status s = ines->GetTreeHead(context.get(), {}, &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(s.error_message(), HasSubstr("auditor"));
}

TEST_F(AuditServiceTest, BackupIsRecorded) {
  testing::KeyPair alice = ca_.IssueUser("alice");
  auto admin = pwx::v1::AdminService::NewStub(Channel(&alice));
  pwx::v1::CreateBackupRequest backup;
  backup.set_directory(dir_ + "/backup");
  pwx::v1::CreateBackupResponse done;
  {
    auto context = Context();
    grpc::Status s = admin->CreateBackup(context.get(), backup, &done);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  pwx::v1::ListEntriesRequest request;
  request.set_action("node.backup");
  pwx::v1::ListEntriesResponse response;
  const absl::Time deadline = absl::Now() + kPatience;
  while (absl::Now() < deadline && response.entries_size() == 0) {
    auto context = Context();
    response.Clear();
    ASSERT_TRUE(audit_->ListEntries(context.get(), request, &response).ok());
    if (response.entries_size() == 0) absl::SleepFor(absl::Milliseconds(20));
  }
  ASSERT_EQ(response.entries_size(), 1);
  EXPECT_EQ(response.entries(0).entry().user(), "alice");
  EXPECT_EQ(response.entries(0).entry().object_id(), dir_ + "/backup");
}

TEST_F(AuditServiceTest, CleanStopSignsEveryEntry) {
  CreateCases(2);
  RestartNode();
  audit_ = AuditStub("aude");
  auto context = Context();
  pwx::v1::GetTreeHeadResponse response;
  ASSERT_TRUE(audit_->GetTreeHead(context.get(), {}, &response).ok());
  EXPECT_EQ(response.latest().tree_size(), response.current_size());
}

}  // namespace
}  // namespace pwx::server
