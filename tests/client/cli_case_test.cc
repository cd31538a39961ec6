// `pwx case create|update|list|note`: the requests the CLI builds.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "google/protobuf/text_format.h"
#include "nlohmann/json.hpp"
#include "tests/client/cli_fixture.h"
#include "tests/testing/test_pki.h"

namespace pwx::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

pwx::v1::Case CaseFromText(const std::string& text) {
  pwx::v1::Case c;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &c)) << text;
  return c;
}

pwx::v1::Case ListedCase(const std::string& id) {
  return CaseFromText("id: '" + id +
                      "' status: CASE_STATUS_OPEN undertaking { name: 'Budimex "
                      "SA' country_of_establishment: 'PL' } sector_nace: "
                      "'F41.20' workers {} workers {}");
}

using CaseCreateTest = CliTest;

TEST_F(CaseCreateTest, BuildsTheCaseFromFlags) {
  const std::string jan_kowalski =
      "name=Jan Kowalski;dob=1990-04-01;nationality=PL;a1=PL-A1-123;"
      "start=2026-01-05;end=2026-06-30;workplace=Lyon";
  const CliResult result = Run({
      "case",
      "create",
      "--title",
      "Bricklayers in Lyon",
      "--undertaking-name=Budimex SA",
      "--undertaking-reg=PL5260001111",
      "--undertaking-country=PL",
      "--undertaking-address=ul. Siedmiogrodzka 9, Warszawa",
      "--recipient-name=Bâtir Lyon SARL",
      "--recipient-reg=FR123",
      "--recipient-country=FR",
      "--recipient-address=1 rue de la Part-Dieu, Lyon",
      "--sector=F41.20",
      "--declaration-ref=SIPSI-2026-42",
      "--status=under-investigation",
      "--worker",
      jan_kowalski,
      "--worker",
      "name=Anna Nowak; nationality=PL; start=2026-02-01",
      "--subcontractor",
      "name=Sub Sp. z o.o.;reg=PL999;country=PL;level=2",
  });

  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr("FR-DGT-2026-000001"));
  const FakeCaseService::Seen seen = cases().seen();
  ASSERT_THAT(seen.creates, SizeIs(1));
  EXPECT_THAT(
      seen.creates[0], EqualsProto(R"pb(
        case {
          title: "Bricklayers in Lyon"
          status: CASE_STATUS_UNDER_INVESTIGATION
          undertaking {
            name: "Budimex SA"
            registration_number: "PL5260001111"
            country_of_establishment: "PL"
            address: "ul. Siedmiogrodzka 9, Warszawa"
          }
          service_recipient {
            name: "Bâtir Lyon SARL"
            registration_number: "FR123"
            country: "FR"
            address: "1 rue de la Part-Dieu, Lyon"
          }
          workers {
            full_name: "Jan Kowalski"
            date_of_birth: "1990-04-01"
            nationality: "PL"
            a1_certificate_number: "PL-A1-123"
            posting_period { start_date: "2026-01-05" end_date: "2026-06-30" }
            workplace: "Lyon"
          }
          workers {
            full_name: "Anna Nowak"
            nationality: "PL"
            posting_period { start_date: "2026-02-01" }
          }
          sector_nace: "F41.20"
          declaration_reference: "SIPSI-2026-42"
          subcontracting_chain {
            name: "Sub Sp. z o.o."
            registration_number: "PL999"
            country: "PL"
            level: 2
          }
        }
      )pb"));
  // The call went over mutual TLS as the user of the client certificate.
  EXPECT_THAT(seen.peer_names, ElementsAre("alice"));
}

TEST_F(CaseCreateTest, WorkerWithUnknownKeyIsAUsageErrorNamingTheKey) {
  const CliResult result = Run({"case", "create", "--title", "t", "--worker",
                                "name=Jan Kowalski;birth=1990-04-01"});

  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, HasSubstr("--worker: unknown key 'birth'"));
  EXPECT_THAT(result.out, IsEmpty());
  EXPECT_THAT(cases().seen().creates, IsEmpty());
}

TEST_F(CaseCreateTest, SubcontractorWithBadLevelIsAUsageError) {
  const CliResult result = Run({"case", "create", "--title", "t",
                                "--subcontractor", "name=X;level=first"});

  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, HasSubstr("level 'first'"));
  EXPECT_THAT(cases().seen().creates, IsEmpty());
}

TEST_F(CaseCreateTest, UnknownStatusIsAUsageError) {
  const CliResult result =
      Run({"case", "create", "--title", "t", "--status", "pending"});

  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, HasSubstr("--status: unknown status 'pending'"));
}

TEST_F(CaseCreateTest, ReadsTheCaseFromAJsonFileWithFlagsOverriding) {
  const std::string file = WriteFile(node_->dir(), "case.json", R"({
    "title": "from the file",
    "undertaking": {"name": "Budimex SA", "countryOfEstablishment": "PL"},
    "sector_nace": "F43",
    "workers": [{"fullName": "Jan Kowalski",
                 "postingPeriod": {"startDate": "2026-01-05"}}],
    "status": "CASE_STATUS_OPEN"
  })");

  const CliResult result =
      Run({"case", "create", "--file", file, "--title", "from the flag"});

  ASSERT_EQ(result.exit_code, 0) << result.err;
  const FakeCaseService::Seen seen = cases().seen();
  ASSERT_THAT(seen.creates, SizeIs(1));
  EXPECT_THAT(
      seen.creates[0], EqualsProto(R"pb(
        case {
          title: "from the flag"
          status: CASE_STATUS_OPEN
          undertaking { name: "Budimex SA" country_of_establishment: "PL" }
          workers {
            full_name: "Jan Kowalski"
            posting_period { start_date: "2026-01-05" }
          }
          sector_nace: "F43"
        }
      )pb"));
}

TEST_F(CaseCreateTest, JsonFileWithUnknownFieldIsAUsageError) {
  const std::string file =
      WriteFile(node_->dir(), "case.json", R"({"titel": "typo"})");

  const CliResult result = Run({"case", "create", "--file", file});

  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, HasSubstr("unknown field 'titel'"));
  EXPECT_THAT(cases().seen().creates, IsEmpty());
}

TEST_F(CaseCreateTest, MalformedJsonFileIsAUsageError) {
  const std::string file =
      WriteFile(node_->dir(), "case.json", R"({"title": )");

  const CliResult result = Run({"case", "create", "--file", file});

  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, HasSubstr("not valid JSON"));
}

TEST_F(CaseCreateTest, NothingToCreateIsAUsageError) {
  const CliResult result = Run({"case", "create"});

  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, HasSubstr("nothing to create"));
}

using CaseUpdateTest = CliTest;

TEST_F(CaseUpdateTest, RequiresVersion) {
  const CliResult result =
      Run({"case", "update", "FR-DGT-2026-000001", "--title", "new"});

  EXPECT_EQ(result.exit_code, 2);
  EXPECT_EQ(result.err,
            "pwx: --version is required: pass the version you read (shown by "
            "'pwx case get')\n");
  EXPECT_THAT(cases().seen().updates, IsEmpty());
}

TEST_F(CaseUpdateTest, MaskNamesExactlyTheFlagsGiven) {
  const CliResult result =
      Run({"case", "update", "FR-DGT-2026-000001", "--version", "3", "--status",
           "closed", "--title", "Closed after inspection", "--sector", "F41",
           "--subcontractor", "name=A;level=1"});

  ASSERT_EQ(result.exit_code, 0) << result.err;
  const FakeCaseService::Seen seen = cases().seen();
  ASSERT_THAT(seen.updates, SizeIs(1));
  EXPECT_THAT(
      seen.updates[0], EqualsProto(R"pb(
        id: "FR-DGT-2026-000001"
        expected_version: 3
        case {
          title: "Closed after inspection"
          status: CASE_STATUS_CLOSED
          sector_nace: "F41"
          subcontracting_chain { name: "A" level: 1 }
        }
        update_mask {
          paths: [ "title", "status", "sector_nace", "subcontracting_chain" ]
        }
      )pb"));
  // No read was needed: every field is replaced whole.
  EXPECT_THAT(seen.gets, IsEmpty());
}

TEST_F(CaseUpdateTest, PartialUndertakingKeepsTheOtherSubFields) {
  cases().AddCase(CaseFromText(R"pb(
    id: "FR-DGT-2026-000001"
    version: 4
    title: "t"
    undertaking {
      name: "Budimex SA"
      registration_number: "PL1"
      country_of_establishment: "PL"
      address: "old address"
    }
  )pb"));

  const CliResult result =
      Run({"case", "update", "FR-DGT-2026-000001", "--version", "4",
           "--undertaking-address", "new address"});

  ASSERT_EQ(result.exit_code, 0) << result.err;
  const FakeCaseService::Seen seen = cases().seen();
  ASSERT_THAT(seen.updates, SizeIs(1));
  EXPECT_THAT(seen.updates[0], EqualsProto(R"pb(
                id: "FR-DGT-2026-000001"
                expected_version: 4
                case {
                  undertaking {
                    name: "Budimex SA"
                    registration_number: "PL1"
                    country_of_establishment: "PL"
                    address: "new address"
                  }
                }
                update_mask { paths: "undertaking" }
              )pb"));
}

TEST_F(CaseUpdateTest, FileSetsTheMaskToItsTopLevelFields) {
  const std::string file = WriteFile(node_->dir(), "patch.json", R"({
    "title": "from the patch",
    "workers": [],
    "service_recipient": {"name": "Bâtir Lyon SARL", "country": "FR"}
  })");

  const CliResult result =
      Run({"case", "update", "FR-DGT-2026-000001", "--version", "7", "--file",
           file, "--declaration-ref", "SIPSI-9"});

  ASSERT_EQ(result.exit_code, 0) << result.err;
  const FakeCaseService::Seen seen = cases().seen();
  ASSERT_THAT(seen.updates, SizeIs(1));
  // An empty "workers" list in the patch clears the workers.
  EXPECT_THAT(seen.updates[0], EqualsProto(R"pb(
                id: "FR-DGT-2026-000001"
                expected_version: 7
                case {
                  title: "from the patch"
                  service_recipient { name: "Bâtir Lyon SARL" country: "FR" }
                  declaration_reference: "SIPSI-9"
                }
                update_mask {
                  paths: [
                    "title",
                    "service_recipient",
                    "workers",
                    "declaration_reference"
                  ]
                }
              )pb"));
}

TEST_F(CaseUpdateTest, FileWithANonEditableFieldIsAUsageError) {
  const std::string file = WriteFile(node_->dir(), "patch.json",
                                     R"({"title": "x", "createdBy": "me"})");

  const CliResult result = Run({"case", "update", "FR-DGT-2026-000001",
                                "--version", "1", "--file", file});

  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, HasSubstr("field 'created_by' cannot be updated"));
  EXPECT_THAT(cases().seen().updates, IsEmpty());
}

TEST_F(CaseUpdateTest, NothingToUpdateIsAUsageError) {
  const CliResult result =
      Run({"case", "update", "FR-DGT-2026-000001", "--version", "1"});

  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, HasSubstr("nothing to update"));
}

using CaseListTest = CliTest;

TEST_F(CaseListTest, AllFollowsPageTokensAndPrintsOneJsonDocument) {
  pwx::v1::ListCasesResponse page1;
  *page1.add_cases() = ListedCase("FR-DGT-2026-000001");
  *page1.add_cases() = ListedCase("FR-DGT-2026-000002");
  page1.set_next_page_token("t1");
  pwx::v1::ListCasesResponse page2;
  *page2.add_cases() = ListedCase("FR-DGT-2026-000003");
  page2.set_next_page_token("t2");
  pwx::v1::ListCasesResponse page3;
  *page3.add_cases() = ListedCase("FR-DGT-2026-000004");
  cases().SetPage("", page1);
  cases().SetPage("t1", page2);
  cases().SetPage("t2", page3);

  const CliResult result =
      Run({"case", "list", "--all", "--status", "open", "--country", "PL",
           "--sector", "F41", "--text", "budimex", "--page-size", "2",
           "--output", "json"});

  ASSERT_EQ(result.exit_code, 0) << result.err;
  const nlohmann::json json = nlohmann::json::parse(result.out, nullptr, false);
  ASSERT_FALSE(json.is_discarded()) << result.out;
  ASSERT_TRUE(json.contains("cases")) << result.out;
  std::vector<std::string> ids;
  for (const nlohmann::json& c : json["cases"]) {
    ids.push_back(c["id"].get<std::string>());
  }
  EXPECT_THAT(ids, ElementsAre("FR-DGT-2026-000001", "FR-DGT-2026-000002",
                               "FR-DGT-2026-000003", "FR-DGT-2026-000004"));
  EXPECT_FALSE(json.contains("nextPageToken"));

  const FakeCaseService::Seen seen = cases().seen();
  ASSERT_THAT(seen.lists, SizeIs(3));
  EXPECT_THAT(seen.lists[0], EqualsProto(R"pb(
                status: CASE_STATUS_OPEN
                country_of_establishment: "PL"
                sector_nace: "F41"
                text: "budimex"
                page_size: 2
              )pb"));
  EXPECT_EQ(seen.lists[1].page_token(), "t1");
  EXPECT_EQ(seen.lists[2].page_token(), "t2");
  EXPECT_EQ(seen.lists[2].text(), "budimex");
}

TEST_F(CaseListTest, TableShowsOneRowPerCaseAndTheNextPageHint) {
  pwx::v1::ListCasesResponse page;
  *page.add_cases() = ListedCase("FR-DGT-2026-000001");
  page.set_next_page_token("t1");
  cases().SetPage("", page);

  const CliResult result = Run({"case", "list"});

  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr("ID"));
  EXPECT_THAT(result.out, HasSubstr("UNDERTAKING"));
  EXPECT_THAT(result.out, HasSubstr("UPDATED"));
  EXPECT_THAT(result.out, HasSubstr("FR-DGT-2026-000001  open    Budimex SA"));
  EXPECT_THAT(result.out, HasSubstr("--page-token=t1"));
  EXPECT_THAT(cases().seen().lists, SizeIs(1));
}

TEST_F(CaseListTest, PageSizeOutOfRangeIsAUsageError) {
  const CliResult result = Run({"case", "list", "--page-size", "501"});

  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, HasSubstr("--page-size"));
  EXPECT_THAT(cases().seen().lists, IsEmpty());
}

using CaseNoteTest = CliTest;

TEST_F(CaseNoteTest, SendsTheText) {
  const CliResult result = Run({"case", "note", "FR-DGT-2026-000001",
                                "Employer contacted; A1 forms requested."});

  ASSERT_EQ(result.exit_code, 0) << result.err;
  const FakeCaseService::Seen seen = cases().seen();
  ASSERT_THAT(seen.notes, SizeIs(1));
  EXPECT_THAT(seen.notes[0], EqualsProto(R"pb(
                case_id: "FR-DGT-2026-000001"
                text: "Employer contacted; A1 forms requested."
              )pb"));
  EXPECT_THAT(result.out, HasSubstr("Employer contacted; A1 forms requested."));
}

}  // namespace
}  // namespace pwx::testing
