// Parsing of what users type, without a server.
#include "client/case_input.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "client/staged_file.h"
#include "tests/client/cli_fixture.h"

namespace pwx::client {
namespace {

using ::pwx::testing::EqualsProto;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

TEST(WorkerSpecTest, ParsesEveryKey) {
  absl::StatusOr<pwx::v1::PostedWorker> worker = ParseWorkerSpec(
      "name=Jan Kowalski;dob=1990-04-01;nationality=PL;a1=PL-A1-123;"
      "start=2026-01-05;end=2026-06-30;workplace=Lyon, site 3");
  ASSERT_TRUE(worker.ok()) << worker.status();
  EXPECT_THAT(*worker, EqualsProto(R"pb(
    full_name: "Jan Kowalski"
    date_of_birth: "1990-04-01"
    nationality: "PL"
    a1_certificate_number: "PL-A1-123"
    posting_period { start_date: "2026-01-05" end_date: "2026-06-30" }
    workplace: "Lyon, site 3"
  )pb"));
}

TEST(WorkerSpecTest, ValueMayContainEqualsAndSurroundingSpaceIsTrimmed) {
  absl::StatusOr<pwx::v1::PostedWorker> worker =
      ParseWorkerSpec(" name = A=B ; ");
  ASSERT_TRUE(worker.ok()) << worker.status();
  EXPECT_EQ(worker->full_name(), "A=B");
  EXPECT_FALSE(worker->has_posting_period());
}

TEST(WorkerSpecTest, RejectsUnknownRepeatedAndMalformedParts) {
  EXPECT_THAT(ParseWorkerSpec("name=A;surname=B").status().message(),
              HasSubstr("unknown key 'surname'"));
  EXPECT_THAT(ParseWorkerSpec("name=A;name=B").status().message(),
              HasSubstr("key 'name' given twice"));
  EXPECT_THAT(ParseWorkerSpec("name=A;PL").status().message(),
              HasSubstr("'PL' is not key=value"));
  EXPECT_EQ(ParseWorkerSpec("").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(SubcontractorSpecTest, ParsesLevel) {
  absl::StatusOr<pwx::v1::Subcontractor> link =
      ParseSubcontractorSpec("name=X;reg=R;country=PL;level=3");
  ASSERT_TRUE(link.ok()) << link.status();
  EXPECT_THAT(*link, EqualsProto(R"pb(
    name: "X"
    registration_number: "R"
    country: "PL"
    level: 3
  )pb"));
  EXPECT_FALSE(ParseSubcontractorSpec("name=X;level=-1").ok());
  EXPECT_THAT(ParseSubcontractorSpec("name=X;dob=1").status().message(),
              HasSubstr("--subcontractor: unknown key 'dob'"));
}

TEST(CaseStatusTest, NamesRoundTrip) {
  for (pwx::v1::CaseStatus status :
       {pwx::v1::CASE_STATUS_OPEN, pwx::v1::CASE_STATUS_UNDER_INVESTIGATION,
        pwx::v1::CASE_STATUS_AWAITING_INFORMATION,
        pwx::v1::CASE_STATUS_CLOSED}) {
    absl::StatusOr<pwx::v1::CaseStatus> parsed =
        ParseCaseStatus(CaseStatusName(status));
    ASSERT_TRUE(parsed.ok()) << parsed.status();
    EXPECT_EQ(*parsed, status);
  }
  EXPECT_FALSE(ParseCaseStatus("unspecified").ok());
  EXPECT_FALSE(ParseCaseStatus("OPEN").ok());
}

TEST(ApplyCaseFlagsTest, AbsentFlagsLeaveTheCaseUntouched) {
  pwx::v1::Case c;
  c.set_title("kept");
  absl::StatusOr<std::vector<std::string>> paths =
      ApplyCaseFlags(CaseFieldFlags{}, &c);
  ASSERT_TRUE(paths.ok()) << paths.status();
  EXPECT_THAT(*paths, IsEmpty());
  EXPECT_THAT(c, EqualsProto(R"pb(title: "kept")pb"));
}

TEST(ApplyCaseFlagsTest, PartialSubMessagesAreReported) {
  CaseFieldFlags flags;
  flags.undertaking_name = "A";
  flags.recipient_name = "B";
  flags.recipient_reg = "C";
  flags.recipient_country = "FR";
  flags.recipient_address = "D";
  EXPECT_THAT(PartiallySetMessageFields(flags), ElementsAre("undertaking"));
}

TEST(ParseCaseJsonTest, ReportsTopLevelFieldsByProtoName) {
  absl::StatusOr<CaseJson> parsed = ParseCaseJson(
      R"({"sectorNace": "F", "title": "t", "subcontracting_chain": []})",
      "--file x");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_THAT(parsed->fields,
              ElementsAre("title", "sector_nace", "subcontracting_chain"));
}

TEST(ParseCaseJsonTest, RejectsNonObjectsAndBadValues) {
  EXPECT_THAT(ParseCaseJson("[1]", "--file x").status().message(),
              HasSubstr("--file x: expected a JSON object"));
  EXPECT_THAT(
      ParseCaseJson(R"({"status": "NOPE"})", "--file x").status().message(),
      HasSubstr("--file x"));
}

TEST(BuildUpdateRequestTest, CarriesOnlyMaskedFields) {
  pwx::v1::Case edited;
  edited.set_title("new");
  edited.set_sector_nace("F41");
  absl::StatusOr<pwx::v1::UpdateCaseRequest> request =
      BuildUpdateRequest("FR-DGT-2026-000001", 2, edited, {"title"});
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_THAT(*request, EqualsProto(R"pb(
    id: "FR-DGT-2026-000001"
    expected_version: 2
    case { title: "new" }
    update_mask { paths: "title" }
  )pb"));
}

TEST(BuildUpdateRequestTest, RefusesAnEmptyMaskAndNonEditableFields) {
  EXPECT_THAT(BuildUpdateRequest("X", 1, {}, {}).status().message(),
              HasSubstr("nothing to update"));
  EXPECT_THAT(BuildUpdateRequest("X", 1, {}, {"version"}).status().message(),
              HasSubstr("field 'version' cannot be updated"));
}

TEST(GuessMediaTypeTest, KnowsCommonExtensions) {
  EXPECT_EQ(GuessMediaType("a.pdf"), "application/pdf");
  EXPECT_EQ(GuessMediaType("A.JPG"), "image/jpeg");
  EXPECT_EQ(GuessMediaType("list.csv"), "text/csv");
  EXPECT_EQ(
      GuessMediaType("x.xlsx"),
      "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
  EXPECT_EQ(GuessMediaType("archive.tar.gz"), "application/octet-stream");
  EXPECT_EQ(GuessMediaType("dir.pdf/README"), "application/octet-stream");
  EXPECT_EQ(GuessMediaType("noextension"), "application/octet-stream");
}

TEST(Sha256Test, MatchesTheKnownVector) {
  Sha256 hasher;
  hasher.Update("a");
  hasher.Update("bc");
  EXPECT_EQ(hasher.HexDigest(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

}  // namespace
}  // namespace pwx::client
