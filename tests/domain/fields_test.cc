#include "server/domain/fields.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "server/domain/country.h"
#include "server/domain/digest.h"

namespace pwx::domain {
namespace {

using ::testing::HasSubstr;

TEST(CountryTest, AcceptsIsoCodesAndElForGreece) {
  EXPECT_TRUE(IsCountryCode("PL"));
  EXPECT_TRUE(IsCountryCode("EL"));
  EXPECT_TRUE(IsCountryCode("UA"));  // third-country nationals are posted too
  EXPECT_FALSE(IsCountryCode("GR"));
  EXPECT_FALSE(IsCountryCode("XX"));
  EXPECT_FALSE(IsCountryCode("pl"));
  EXPECT_FALSE(IsCountryCode(""));
}

TEST(CountryTest, ErrorNamesFieldAndExplainsGreece) {
  absl::Status s = ValidateCountry("case.undertaking.country", "XX");
  EXPECT_TRUE(absl::IsInvalidArgument(s));
  EXPECT_THAT(s.message(), HasSubstr("case.undertaking.country: 'XX'"));
  EXPECT_THAT(ValidateCountry("nationality", "GR").message(),
              HasSubstr("use 'EL' for Greece"));
}

TEST(CountryTest, ExchangeCountriesAreEuEeaAndSwitzerland) {
  EXPECT_TRUE(IsExchangeCountry("FR"));
  EXPECT_TRUE(IsExchangeCountry("NO"));
  EXPECT_TRUE(IsExchangeCountry("CH"));
  EXPECT_FALSE(IsExchangeCountry("US"));
  EXPECT_FALSE(IsExchangeCountry("GB"));
}

TEST(DateTest, ParsesCalendarDays) {
  absl::StatusOr<absl::CivilDay> d = ParseDate("d", "2024-02-29");
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(*d, absl::CivilDay(2024, 2, 29));
}

TEST(DateTest, RejectsImpossibleAndMalformedDates) {
  for (const char* bad :
       {"2023-02-29", "2026-13-01", "2026-00-10", "26-01-01", "2026/01/01",
        "2026-1-01", "", "1800-01-01", "2026-01-01T00:00"}) {
    absl::StatusOr<absl::CivilDay> d = ParseDate("worker.start", bad);
    EXPECT_TRUE(absl::IsInvalidArgument(d.status())) << bad;
    EXPECT_THAT(d.status().message(), HasSubstr("worker.start:")) << bad;
  }
}

TEST(NaceTest, NormalisesToSectionLetter) {
  EXPECT_EQ(*NormalizeNace("s", "41.20"), "F41.20");
  EXPECT_EQ(*NormalizeNace("s", "F41.20"), "F41.20");
  EXPECT_EQ(*NormalizeNace("s", "41.2"), "F41.2");
  EXPECT_EQ(*NormalizeNace("s", "41"), "F41");
  EXPECT_EQ(*NormalizeNace("s", "F"), "F");
  EXPECT_EQ(*NormalizeNace("s", "01.11"), "A01.11");
  EXPECT_EQ(*NormalizeNace("s", "99"), "U99");
}

TEST(NaceTest, RejectsWrongSectionUnknownDivisionAndBadFormat) {
  EXPECT_THAT(NormalizeNace("case.sector_nace", "C41.20").status().message(),
              HasSubstr("belongs to section F, not C"));
  EXPECT_THAT(NormalizeNace("case.sector_nace", "04.10").status().message(),
              HasSubstr("division 04 does not exist"));
  for (const char* bad :
       {"", "4", "41.", "41.200", "4120", "Z41", "f41", "41-20"}) {
    absl::StatusOr<std::string> n = NormalizeNace("case.sector_nace", bad);
    EXPECT_TRUE(absl::IsInvalidArgument(n.status())) << bad;
    EXPECT_THAT(n.status().message(), HasSubstr("case.sector_nace:")) << bad;
  }
}

TEST(AuthorityIdTest, AcceptsCountryDashName) {
  EXPECT_TRUE(ValidateAuthorityId("a", "FR-DGT").ok());
  EXPECT_TRUE(ValidateAuthorityId("a", "PL-PIP").ok());
  EXPECT_TRUE(ValidateAuthorityId("a", "EL-SEPE").ok());
  EXPECT_FALSE(ValidateAuthorityId("a", "GR-SEPE").ok());
  EXPECT_FALSE(ValidateAuthorityId("a", "US-DOL").ok());
  EXPECT_FALSE(ValidateAuthorityId("a", "FR_DGT").ok());
  EXPECT_FALSE(ValidateAuthorityId("a", "FR-dgt").ok());
  EXPECT_FALSE(ValidateAuthorityId("a", "FR-").ok());
}

TEST(AuthorityIdTest, ANodeMayBeAnEuBodys) {
  EXPECT_TRUE(ValidateNodeAuthorityId("card.authority_id", "EU-ELA").ok());
  EXPECT_TRUE(ValidateNodeAuthorityId("card.authority_id", "FR-DGT").ok());
  EXPECT_FALSE(ValidateAuthorityId("a", "EU-ELA").ok());
  EXPECT_THAT(ValidateNodeAuthorityId("card.authority_id", "EU-ela").message(),
              HasSubstr("card.authority_id: 'EU-ela' is not an EU body's"));
  EXPECT_FALSE(ValidateNodeAuthorityId("a", "EU-").ok());
  EXPECT_FALSE(ValidateNodeAuthorityId("a", "US-DOL").ok());
}

TEST(TextTest, CountsCharactersNotBytesAndRefusesControls) {
  EXPECT_TRUE(ValidateText("t", "Łódź", 4).ok());
  EXPECT_FALSE(ValidateText("t", "Łódź!", 4).ok());
  EXPECT_FALSE(ValidateText("t", "a\nb", 10).ok());
  EXPECT_TRUE(ValidateText("t", "a\nb", 10, /*multiline=*/true).ok());
  EXPECT_FALSE(ValidateText("t", std::string("a\0b", 3), 10, true).ok());
  EXPECT_THAT(ValidateRequiredText("case.title", "  ", 10).message(),
              HasSubstr("case.title: is required"));
}

TEST(DigestTest, Sha256MatchesKnownVector) {
  EXPECT_EQ(Sha256Hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_TRUE(IsSha256Hex(Sha256Hex("")));
  EXPECT_FALSE(IsSha256Hex("BA7816BF"));
}

}  // namespace
}  // namespace pwx::domain
