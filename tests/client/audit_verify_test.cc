// VerifyAuditExport(): a good export passes; every kind of tampering is
// caught, at the exact entry where that is possible.
#include "client/audit_verify.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "tests/client/audit_export_builder.h"
#include "tests/testing/test_pki.h"

namespace pwx::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Optional;

constexpr uint64_t kEntries = 1000;
constexpr uint64_t kHeadEvery = 100;

client::AuditVerifyResult VerifyBytes(const std::string& bytes) {
  google::protobuf::io::ArrayInputStream input(bytes.data(),
                                               static_cast<int>(bytes.size()));
  return client::VerifyAuditExport(input);
}

client::AuditVerifyResult VerifyRecords(
    const std::vector<pwx::v1::LogExportRecord>& records) {
  return VerifyBytes(SerializeExport(records));
}

class AuditVerifyTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    builder_ = new AuditExportBuilder("FR-DGT");
    good_ = new std::vector<pwx::v1::LogExportRecord>(
        builder_->Build(kEntries, kHeadEvery));
  }
  static void TearDownTestSuite() {
    delete good_;
    delete builder_;
  }

  // A copy of the good export.
  std::vector<pwx::v1::LogExportRecord> Good() const { return *good_; }

  // The position in Good() of entry `index` (after the header, the
  // certificate and the heads before it).
  static size_t EntryPosition(uint64_t index) {
    return 2 + index + index / kHeadEvery;
  }
  static size_t HeadPosition(uint64_t size) {
    return EntryPosition(size - 1) + 1;
  }

  static AuditExportBuilder* builder_;
  static std::vector<pwx::v1::LogExportRecord>* good_;
};

AuditExportBuilder* AuditVerifyTest::builder_ = nullptr;
std::vector<pwx::v1::LogExportRecord>* AuditVerifyTest::good_ = nullptr;

TEST_F(AuditVerifyTest, GoodExportPasses) {
  std::vector<std::pair<uint64_t, uint64_t>> progress;
  const std::string bytes = SerializeExport(Good());
  google::protobuf::io::ArrayInputStream input(bytes.data(),
                                               static_cast<int>(bytes.size()));
  client::AuditVerifyOptions options;
  options.progress = [&progress](uint64_t done, uint64_t total) {
    progress.emplace_back(done, total);
  };
  const client::AuditVerifyResult result =
      client::VerifyAuditExport(input, options);

  EXPECT_TRUE(result.ok) << result.error;
  EXPECT_EQ(result.entries, kEntries);
  EXPECT_EQ(result.tree_heads, kEntries / kHeadEvery);
  EXPECT_EQ(result.authority, "FR-DGT");
  EXPECT_EQ(result.root_hex.size(), 64u);
  EXPECT_EQ(result.error, "");
  ASSERT_FALSE(progress.empty());
  EXPECT_EQ(progress.back(), std::make_pair(kEntries, kEntries));
}

TEST_F(AuditVerifyTest, UnevenLastHeadAndEmptyLogPass) {
  EXPECT_TRUE(VerifyRecords(builder_->Build(250, 100)).ok);
  EXPECT_TRUE(VerifyRecords(builder_->Build(1, 100)).ok);
  const client::AuditVerifyResult empty = VerifyRecords(builder_->Build(0, 1));
  EXPECT_TRUE(empty.ok) << empty.error;
  EXPECT_EQ(empty.entries, 0u);
}

TEST_F(AuditVerifyTest, ChangedEntryByteNamesThatEntry) {
  for (uint64_t index : {uint64_t{0}, uint64_t{1}, uint64_t{99}, uint64_t{100},
                         uint64_t{517}, kEntries - 1}) {
    for (size_t offset : {size_t{0}, size_t{5}, size_t{20}}) {
      std::vector<pwx::v1::LogExportRecord> records = Good();
      std::string* bytes =
          records[EntryPosition(index)].mutable_entry()->mutable_entry_bytes();
      ASSERT_LT(offset, bytes->size());
      (*bytes)[offset] = static_cast<char>((*bytes)[offset] ^ 0x01);

      const client::AuditVerifyResult result = VerifyRecords(records);

      EXPECT_FALSE(result.ok);
      EXPECT_THAT(result.entry_index, Optional(index))
          << "offset " << offset << ": " << result.error;
      EXPECT_THAT(result.error, HasSubstr(absl::StrCat("entry ", index)));
      EXPECT_EQ(result.entries, index);
    }
  }
}

TEST_F(AuditVerifyTest, ChangedDecodedFieldNamesThatEntry) {
  for (uint64_t index : {uint64_t{0}, uint64_t{42}, kEntries - 1}) {
    std::vector<pwx::v1::LogExportRecord> records = Good();
    records[EntryPosition(index)].mutable_entry()->mutable_entry()->set_user(
        "mallory");

    const client::AuditVerifyResult result = VerifyRecords(records);

    EXPECT_FALSE(result.ok);
    EXPECT_THAT(result.entry_index, Optional(index)) << result.error;
    EXPECT_THAT(result.error, HasSubstr("differs from the logged entry bytes"));
  }
}

// A copy of `entry` with field `field` (by reflection) changed: a string
// gets a suffix, a number grows, the time moves by a second, a repeated
// field gets one more element. What verify shows must be in the bytes, so
// any of these is a difference.
pwx::v1::AuditEntry WithFieldChanged(
    pwx::v1::AuditEntry entry, const google::protobuf::FieldDescriptor* field) {
  const google::protobuf::Reflection* reflection = entry.GetReflection();
  using google::protobuf::FieldDescriptor;
  if (field->is_repeated()) {
    EXPECT_EQ(field->cpp_type(), FieldDescriptor::CPPTYPE_STRING)
        << field->name() << ": teach this test to change it";
    reflection->AddString(&entry, field, "FR-DGT-2026-999999");
    return entry;
  }
  switch (field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING:
      reflection->SetString(&entry, field,
                            reflection->GetString(entry, field) + "x");
      break;
    case FieldDescriptor::CPPTYPE_UINT64:
      reflection->SetUInt64(&entry, field,
                            reflection->GetUInt64(entry, field) + 1);
      break;
    case FieldDescriptor::CPPTYPE_MESSAGE:
      entry.mutable_time()->set_seconds(entry.time().seconds() + 1);
      EXPECT_EQ(field->name(), "time") << "teach this test to change it";
      break;
    default:
      ADD_FAILURE() << field->name() << ": teach this test to change it";
  }
  return entry;
}

TEST_F(AuditVerifyTest, EveryDecodedFieldIsCheckedAgainstTheBytes) {
  const google::protobuf::Descriptor* descriptor =
      pwx::v1::AuditEntry::descriptor();
  // Entry 3 is a case.list page (object_ids), entry 5 a case.update of a
  // case (object_id).
  for (uint64_t index : {uint64_t{3}, uint64_t{5}}) {
    for (int f = 0; f < descriptor->field_count(); ++f) {
      const google::protobuf::FieldDescriptor* field = descriptor->field(f);
      std::vector<pwx::v1::LogExportRecord> records = Good();
      pwx::v1::LoggedEntry* logged =
          records[EntryPosition(index)].mutable_entry();
      *logged->mutable_entry() = WithFieldChanged(logged->entry(), field);

      const client::AuditVerifyResult result = VerifyRecords(records);

      EXPECT_FALSE(result.ok) << "entry " << index << ", " << field->name()
                              << " shown but not in the bytes";
      EXPECT_THAT(result.entry_index, Optional(index)) << result.error;
      EXPECT_THAT(result.error,
                  HasSubstr("differs from the logged entry bytes"));
      EXPECT_THAT(client::DecodeLoggedEntry(*logged).status().message(),
                  HasSubstr(absl::StrCat("entry ", index, ": the decoded")))
          << field->name();
    }
  }
}

TEST_F(AuditVerifyTest, ObjectIdsShownMustBeTheLoggedOnes) {
  std::vector<pwx::v1::LogExportRecord> records = Good();
  // Entry 7 is a list page of two cases: hide one, swap them, add one.
  pwx::v1::LoggedEntry* logged = records[EntryPosition(7)].mutable_entry();
  ASSERT_EQ(logged->entry().object_ids_size(), 2);
  const pwx::v1::LoggedEntry original = *logged;

  logged->mutable_entry()->mutable_object_ids()->RemoveLast();
  EXPECT_THAT(VerifyRecords(records).entry_index, Optional(uint64_t{7}));

  *logged = original;
  logged->mutable_entry()->mutable_object_ids()->SwapElements(0, 1);
  EXPECT_THAT(VerifyRecords(records).entry_index, Optional(uint64_t{7}));

  *logged = original;
  EXPECT_TRUE(VerifyRecords(records).ok);
  absl::StatusOr<pwx::v1::AuditEntry> decoded =
      client::DecodeLoggedEntry(*logged);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->SerializeAsString(), logged->entry_bytes());
}

TEST_F(AuditVerifyTest, ANewAuditEntryFieldIsNotLeftUnchecked) {
  // client/audit_verify.cc compares this many fields one by one (and falls
  // back to a reflective comparison otherwise): when AuditEntry gains a
  // field, add it to SameEntry and change this number.
  EXPECT_EQ(pwx::v1::AuditEntry::descriptor()->field_count(), 8);
}

TEST_F(AuditVerifyTest, ConsistentlyRewrittenEntryIsLocatedBetweenHeads) {
  std::vector<pwx::v1::LogExportRecord> records = Good();
  pwx::v1::LoggedEntry* logged = records[EntryPosition(250)].mutable_entry();
  logged->mutable_entry()->set_user("mallory");
  logged->set_entry_bytes(logged->entry().SerializeAsString());

  const client::AuditVerifyResult result = VerifyRecords(records);

  EXPECT_FALSE(result.ok);
  EXPECT_EQ(result.error, "entries in (200, 300]: root mismatch at size 300");
  EXPECT_EQ(result.entry_index, std::nullopt);
  EXPECT_EQ(result.tree_heads, 2u);
}

TEST_F(AuditVerifyTest, ReorderedEntriesNameTheIndex) {
  std::vector<pwx::v1::LogExportRecord> records = Good();
  std::swap(records[EntryPosition(5)], records[EntryPosition(6)]);

  const client::AuditVerifyResult result = VerifyRecords(records);

  EXPECT_FALSE(result.ok);
  EXPECT_THAT(result.entry_index, Optional(uint64_t{5}));
  EXPECT_THAT(result.error, HasSubstr("entry 5 is missing or out of order"));
}

TEST_F(AuditVerifyTest, DuplicatedEntryNamesTheIndex) {
  std::vector<pwx::v1::LogExportRecord> records = Good();
  records.insert(records.begin() + static_cast<long>(EntryPosition(7)),
                 records[EntryPosition(7)]);

  const client::AuditVerifyResult result = VerifyRecords(records);

  EXPECT_FALSE(result.ok);
  EXPECT_THAT(result.entry_index, Optional(uint64_t{7}));
  EXPECT_THAT(result.error, HasSubstr("entry 7 appears again"));
}

TEST_F(AuditVerifyTest, MissingEntryNamesTheIndex) {
  for (uint64_t index : {uint64_t{0}, uint64_t{333}}) {
    std::vector<pwx::v1::LogExportRecord> records = Good();
    records.erase(records.begin() + static_cast<long>(EntryPosition(index)));

    const client::AuditVerifyResult result = VerifyRecords(records);

    EXPECT_FALSE(result.ok);
    EXPECT_THAT(result.entry_index, Optional(index)) << result.error;
    EXPECT_THAT(result.error,
                HasSubstr(absl::StrCat("entry ", index, " is missing")));
  }
}

TEST_F(AuditVerifyTest, FileCutMidRecordIsReported) {
  const std::string bytes = SerializeExport(Good());
  for (size_t cut : {bytes.size() - 3, bytes.size() / 2, size_t{5}}) {
    const client::AuditVerifyResult result = VerifyBytes(bytes.substr(0, cut));
    EXPECT_FALSE(result.ok);
    EXPECT_THAT(result.error, HasSubstr("truncated")) << cut;
  }
}

TEST_F(AuditVerifyTest, FileCutBeforeAHeadIsReported) {
  std::vector<pwx::v1::LogExportRecord> records = Good();
  records.resize(EntryPosition(549) + 1);

  const client::AuditVerifyResult result = VerifyRecords(records);

  EXPECT_FALSE(result.ok);
  EXPECT_EQ(result.error,
            "file ends after entry 549 with no signed tree head covering it "
            "(the last head covers 500 entries): the export is truncated");
}

TEST_F(AuditVerifyTest, LastHeadMissingIsReported) {
  std::vector<pwx::v1::LogExportRecord> records = Good();
  records.pop_back();

  const client::AuditVerifyResult result = VerifyRecords(records);

  EXPECT_FALSE(result.ok);
  EXPECT_THAT(result.error, HasSubstr("truncated"));
}

TEST_F(AuditVerifyTest, EntryCountMustMatchTheHeader) {
  std::vector<pwx::v1::LogExportRecord> records = Good();
  records[0].mutable_header()->set_entry_count(kEntries + 1);

  const client::AuditVerifyResult result = VerifyRecords(records);

  EXPECT_FALSE(result.ok);
  EXPECT_THAT(result.error, HasSubstr("header announces 1001 entries but the "
                                      "file holds 1000"));
}

TEST_F(AuditVerifyTest, TamperedHeadRootFails) {
  std::vector<pwx::v1::LogExportRecord> records = Good();
  std::string* root =
      records[HeadPosition(400)].mutable_tree_head()->mutable_root_hash();
  (*root)[0] = static_cast<char>((*root)[0] ^ 0x80);

  const client::AuditVerifyResult result = VerifyRecords(records);

  EXPECT_FALSE(result.ok);
  EXPECT_EQ(result.error, "entries in (300, 400]: root mismatch at size 400");
}

TEST_F(AuditVerifyTest, TamperedSignatureOrTimestampFails) {
  {
    std::vector<pwx::v1::LogExportRecord> records = Good();
    std::string* signature =
        records[HeadPosition(100)].mutable_tree_head()->mutable_signature();
    signature->back() = static_cast<char>(signature->back() ^ 0x01);
    const client::AuditVerifyResult result = VerifyRecords(records);
    EXPECT_FALSE(result.ok);
    EXPECT_THAT(result.error, HasSubstr("tree head for size 100: signature"));
  }
  {
    std::vector<pwx::v1::LogExportRecord> records = Good();
    pwx::v1::SignedTreeHead* head =
        records[HeadPosition(kEntries)].mutable_tree_head();
    head->mutable_timestamp()->set_seconds(head->timestamp().seconds() + 1);
    const client::AuditVerifyResult result = VerifyRecords(records);
    EXPECT_FALSE(result.ok);
    EXPECT_THAT(result.error, HasSubstr("tree head for size 1000: signature"));
  }
}

TEST_F(AuditVerifyTest, HeadSignedByAnotherKeyFails) {
  std::vector<pwx::v1::LogExportRecord> records = Good();
  const std::unique_ptr<domain::Signer> other = OtherSigner();
  pwx::v1::SignedTreeHead* head =
      records[HeadPosition(200)].mutable_tree_head();
  absl::StatusOr<domain::Hash> root =
      domain::HashFromBytes("root", head->root_hash());
  ASSERT_TRUE(root.ok());
  *head = builder_->SignHead(200, *root, other.get());

  const client::AuditVerifyResult result = VerifyRecords(records);

  EXPECT_FALSE(result.ok);
  EXPECT_THAT(result.error, HasSubstr("tree head for size 200: signature"));
}

TEST_F(AuditVerifyTest, HeadsMovedOrSwappedFail) {
  {
    std::vector<pwx::v1::LogExportRecord> records = Good();
    std::swap(records[HeadPosition(100)], records[HeadPosition(200)]);
    const client::AuditVerifyResult result = VerifyRecords(records);
    EXPECT_FALSE(result.ok);
    EXPECT_THAT(result.error, HasSubstr("tree head for size 200 is out of "
                                        "place: it follows 100 entries"));
  }
  {
    std::vector<pwx::v1::LogExportRecord> records = Good();
    records.insert(records.begin() + static_cast<long>(HeadPosition(300)),
                   records[HeadPosition(300)]);
    const client::AuditVerifyResult result = VerifyRecords(records);
    EXPECT_FALSE(result.ok);
    EXPECT_THAT(result.error, HasSubstr("heads must grow"));
  }
}

TEST_F(AuditVerifyTest, CertificateMustMatchItsHashAndBePresent) {
  {
    std::vector<pwx::v1::LogExportRecord> records = Good();
    records[1].mutable_certificate()->set_sha256(std::string(64, 'a'));
    const client::AuditVerifyResult result = VerifyRecords(records);
    EXPECT_FALSE(result.ok);
    EXPECT_THAT(result.error, HasSubstr("but its DER hashes to"));
  }
  {
    std::vector<pwx::v1::LogExportRecord> records = Good();
    records.erase(records.begin() + 1);
    const client::AuditVerifyResult result = VerifyRecords(records);
    EXPECT_FALSE(result.ok);
    EXPECT_THAT(result.error, HasSubstr("which the export does not carry"));
  }
}

TEST_F(AuditVerifyTest, WrongHeaderFails) {
  {
    std::vector<pwx::v1::LogExportRecord> records = Good();
    records[0].mutable_header()->set_format("pwx-audit-exportx");
    EXPECT_THAT(VerifyRecords(records).error,
                HasSubstr("not a pwx audit export"));
  }
  {
    std::vector<pwx::v1::LogExportRecord> records = Good();
    records[0].mutable_header()->set_version(2);
    EXPECT_THAT(VerifyRecords(records).error,
                HasSubstr("version 2 is not supported"));
  }
  {
    std::vector<pwx::v1::LogExportRecord> records = Good();
    records[0].mutable_header()->set_authority_id("DE-ZOLL");
    EXPECT_THAT(VerifyRecords(records).error,
                HasSubstr("is for authority 'FR-DGT'"));
  }
  {
    std::vector<pwx::v1::LogExportRecord> records = Good();
    records.erase(records.begin());
    EXPECT_THAT(VerifyRecords(records).error,
                HasSubstr("the first record is not a header"));
  }
  EXPECT_THAT(VerifyBytes("").error, HasSubstr("the file is empty"));
  EXPECT_FALSE(VerifyBytes("garbage that is not protobuf").ok);
}

TEST_F(AuditVerifyTest, FileNotFoundIsAnError) {
  EXPECT_EQ(
      client::VerifyAuditExportFile("/nonexistent/export.pwx").status().code(),
      absl::StatusCode::kNotFound);
}

// VerifyReceiptBatch: the checks `pwx audit receipts` makes on each batch.
class ReceiptBatchTest : public ::testing::Test {
 protected:
  google::protobuf::Map<std::string, std::string> Certificates(
      const AuditExportBuilder& of) const {
    google::protobuf::Map<std::string, std::string> certificates;
    certificates[of.cert_sha256()] = of.cert_pem();
    return certificates;
  }

  const AuditExportBuilder pl_{"PL-PIP"};
};

TEST_F(ReceiptBatchTest, ABatchThePeerSignedVerifies) {
  EXPECT_TRUE(client::VerifyReceiptBatch(pl_.ReceiptBatch("FR-DGT", 1, 3, 10),
                                         "PL-PIP", Certificates(pl_))
                  .ok());
}

TEST_F(ReceiptBatchTest, AnyAlteredFieldFails) {
  const pwx::v1::DeliverResponse good = pl_.ReceiptBatch("FR-DGT", 1, 3, 10);
  std::vector<pwx::v1::DeliverResponse> altered(4, good);
  altered[0].mutable_receipts(1)->set_message_id("FR-DGT/PL-PIP/9");
  altered[1].mutable_receipts(2)->set_duplicate(true);
  altered[2].mutable_receipts(0)->mutable_body_sha256()->front() ^= 1;
  altered[3].mutable_signature()->back() ^= 1;
  for (const pwx::v1::DeliverResponse& batch : altered) {
    const absl::Status s =
        client::VerifyReceiptBatch(batch, "PL-PIP", Certificates(pl_));
    EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss);
    EXPECT_THAT(s.message(), HasSubstr("batch's signature does not verify"));
  }
}

TEST_F(ReceiptBatchTest, AHeadOfAnotherAuthorityFails) {
  const AuditExportBuilder be("BE-SPF");
  const absl::Status s = client::VerifyReceiptBatch(
      be.ReceiptBatch("FR-DGT", 1, 1, 5), "PL-PIP", Certificates(be));
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(s.message(), HasSubstr("the tree head is of \"BE-SPF\""));
}

TEST_F(ReceiptBatchTest, AnEntryOutsideTheSignedHeadFails) {
  // Signed by PL-PIP, but entry 10 is not in its tree of 10 entries.
  const absl::Status s = client::VerifyReceiptBatch(
      pl_.ReceiptBatch("FR-DGT", 1, 1, 10, /*first_audit_index=*/10), "PL-PIP",
      Certificates(pl_));
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(s.message(), HasSubstr("receipt 1 names entry 10"));
}

TEST_F(ReceiptBatchTest, AMissingOrSwappedCertificateFails) {
  const pwx::v1::DeliverResponse batch = pl_.ReceiptBatch("FR-DGT", 1, 1, 5);
  EXPECT_EQ(client::VerifyReceiptBatch(batch, "PL-PIP", {}).code(),
            absl::StatusCode::kNotFound);
  // Another certificate filed under PL-PIP's hash.
  google::protobuf::Map<std::string, std::string> swapped;
  swapped[pl_.cert_sha256()] = AuditExportBuilder("PL-PIP").cert_pem();
  const absl::Status s = client::VerifyReceiptBatch(batch, "PL-PIP", swapped);
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(s.message(), HasSubstr("names certificate"));
}

}  // namespace
}  // namespace pwx::testing
