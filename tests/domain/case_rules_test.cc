#include "server/domain/case_rules.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace pwx::domain {
namespace {

using pwx::v1::Case;
using ::testing::HasSubstr;

Case ValidCase() {
  Case c;
  c.set_title("Building site Lyon");
  c.mutable_undertaking()->set_name("Demo Bau Sp. z o.o.");
  c.mutable_undertaking()->set_registration_number("PL5260001246");
  c.mutable_undertaking()->set_country_of_establishment("PL");
  c.mutable_service_recipient()->set_name("Constructions Rhône SA");
  c.mutable_service_recipient()->set_country("FR");
  c.set_sector_nace("41.20");
  pwx::v1::PostedWorker* w = c.add_workers();
  w->set_full_name("Jan Kowalski");
  w->set_date_of_birth("1988-03-14");
  w->set_nationality("PL");
  w->set_a1_certificate_number("PL-A1-1");
  w->mutable_posting_period()->set_start_date("2026-01-05");
  w->mutable_posting_period()->set_end_date("2026-06-30");
  return c;
}

class CaseRulesTest : public ::testing::Test {
 protected:
  // The message of the INVALID_ARGUMENT that `c` gets.
  std::string Rejection(Case c) {
    absl::Status s = ValidateCaseContent(&c);
    EXPECT_TRUE(absl::IsInvalidArgument(s)) << s;
    return std::string(s.message());
  }
};

TEST_F(CaseRulesTest, ValidCaseIsNormalised) {
  Case c = ValidCase();
  ASSERT_TRUE(ValidateCaseContent(&c).ok());
  EXPECT_EQ(c.sector_nace(), "F41.20");
  EXPECT_EQ(c.status(), pwx::v1::CASE_STATUS_OPEN);
}

TEST_F(CaseRulesTest, MissingUndertakingNameIsNamed) {
  Case c = ValidCase();
  c.mutable_undertaking()->clear_name();
  EXPECT_THAT(Rejection(c), HasSubstr("case.undertaking.name: is required"));
}

TEST_F(CaseRulesTest, WrongCountryOfEstablishmentIsNamed) {
  Case c = ValidCase();
  c.mutable_undertaking()->set_country_of_establishment("XX");
  EXPECT_THAT(Rejection(c),
              HasSubstr("case.undertaking.country_of_establishment: 'XX'"));
  c.mutable_undertaking()->clear_country_of_establishment();
  EXPECT_THAT(Rejection(c), HasSubstr("country_of_establishment: is required"));
}

TEST_F(CaseRulesTest, PeriodEndingBeforeItStartsIsNamedWithIndex) {
  Case c = ValidCase();
  *c.add_workers() = c.workers(0);
  c.mutable_workers(1)->mutable_posting_period()->set_end_date("2025-12-31");
  EXPECT_THAT(Rejection(c),
              HasSubstr("case.workers[1].posting_period.end_date: 2025-12-31 "
                        "is before the start date 2026-01-05"));
}

TEST_F(CaseRulesTest, WorkerFieldsAreChecked) {
  Case c = ValidCase();
  c.mutable_workers(0)->set_date_of_birth("1988-02-30");
  EXPECT_THAT(Rejection(c), HasSubstr("case.workers[0].date_of_birth:"));
  c = ValidCase();
  c.mutable_workers(0)->set_nationality("GR");
  EXPECT_THAT(Rejection(c), HasSubstr("case.workers[0].nationality:"));
  c = ValidCase();
  c.mutable_workers(0)->mutable_posting_period()->clear_start_date();
  EXPECT_THAT(Rejection(c),
              HasSubstr("case.workers[0].posting_period.start_date: is "
                        "required"));
  c = ValidCase();
  c.mutable_workers(0)->set_date_of_birth("2026-02-01");
  EXPECT_THAT(Rejection(c), HasSubstr("is not before the start"));
}

TEST_F(CaseRulesTest, CountsAndLengthsAreBounded) {
  Case c = ValidCase();
  for (size_t i = 0; i < kMaxWorkers; ++i) *c.add_workers() = c.workers(0);
  EXPECT_THAT(Rejection(c), HasSubstr("case.workers: 501 workers"));
  c = ValidCase();
  c.set_title(std::string(kMaxTitleChars + 1, 'x'));
  EXPECT_THAT(Rejection(c), HasSubstr("case.title: is 201 characters long"));
}

TEST_F(CaseRulesTest, SubcontractorLevelIsChecked) {
  Case c = ValidCase();
  pwx::v1::Subcontractor* s = c.add_subcontracting_chain();
  s->set_name("Sub SRL");
  s->set_country("RO");
  EXPECT_THAT(Rejection(c),
              HasSubstr("case.subcontracting_chain[0].level: must be"));
  s->set_level(1);
  EXPECT_TRUE(ValidateCaseContent(&c).ok());
}

TEST(ApplyCaseUpdateTest, CopiesOnlyMaskedFields) {
  Case target = ValidCase();
  Case patch;
  patch.set_title("New title");
  patch.set_status(pwx::v1::CASE_STATUS_CLOSED);
  google::protobuf::FieldMask mask;
  mask.add_paths("status");
  ASSERT_TRUE(ApplyCaseUpdate(patch, mask, &target).ok());
  EXPECT_EQ(target.status(), pwx::v1::CASE_STATUS_CLOSED);
  EXPECT_EQ(target.title(), "Building site Lyon");
  EXPECT_EQ(target.workers_size(), 1);
}

TEST(ApplyCaseUpdateTest, EmptyMaskReplacesEditableFieldsOnly) {
  Case target = ValidCase();
  target.set_id("FR-DGT-2026-000001");
  target.set_version(4);
  target.add_notes()->set_text("kept");
  Case patch = ValidCase();
  patch.clear_workers();
  patch.set_id("FR-DGT-2026-999999");
  ASSERT_TRUE(ApplyCaseUpdate(patch, {}, &target).ok());
  EXPECT_EQ(target.workers_size(), 0);
  EXPECT_EQ(target.id(), "FR-DGT-2026-000001");
  EXPECT_EQ(target.version(), 4u);
  EXPECT_EQ(target.notes_size(), 1);
}

TEST(ApplyCaseUpdateTest, UnknownOrReadOnlyPathIsRefused) {
  Case target;
  google::protobuf::FieldMask mask;
  mask.add_paths("version");
  absl::Status s = ApplyCaseUpdate(Case(), mask, &target);
  EXPECT_TRUE(absl::IsInvalidArgument(s));
  EXPECT_THAT(s.message(), HasSubstr("update_mask: 'version'"));
}

TEST(CaseIdTest, FormatAndValidate) {
  EXPECT_EQ(FormatCaseId("FR-DGT", 2026, 42), "FR-DGT-2026-000042");
  EXPECT_TRUE(ValidateCaseId("id", "FR-DGT-2026-000042").ok());
  EXPECT_TRUE(ValidateCaseId("id", "EL-SEPE-2027-000001").ok());
  for (const char* bad :
       {"", "FR-DGT-2026-42", "FR-DGT-26-000042", "xx-DGT-2026-000042",
        "FR-DGT-2026-00004a", "FR-DGT-2026-000042-1"}) {
    absl::Status s = ValidateCaseId("id", bad);
    EXPECT_TRUE(absl::IsInvalidArgument(s)) << bad;
    EXPECT_THAT(s.message(), HasSubstr("id: '")) << bad;
  }
}

TEST(AttachmentNamesTest, FileNameAndMediaType) {
  EXPECT_TRUE(ValidateAttachmentNames("contract.pdf", "application/pdf").ok());
  EXPECT_TRUE(ValidateAttachmentNames("a1.png", "").ok());
  EXPECT_THAT(ValidateAttachmentNames("../etc/passwd", "").message(),
              HasSubstr("header.file_name: must be a plain file name"));
  EXPECT_THAT(ValidateAttachmentNames("", "").message(),
              HasSubstr("header.file_name: is required"));
  EXPECT_THAT(ValidateAttachmentNames("a.pdf", "pdf").message(),
              HasSubstr("header.media_type:"));
}

TEST(MatchesTextTest, NameOrRegistrationCaseInsensitive) {
  Case c = ValidCase();
  EXPECT_TRUE(MatchesText(c, "demo bau"));
  EXPECT_TRUE(MatchesText(c, "5260001"));
  EXPECT_FALSE(MatchesText(c, "Rhône"));
}

}  // namespace
}  // namespace pwx::domain
