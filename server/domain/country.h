// Country codes as used in the EU's administrative cooperation: ISO 3166-1
// alpha-2, except that Greece is "EL" (as in IMI and EUR-Lex), not "GR".
#ifndef PWX_SERVER_DOMAIN_COUNTRY_H_
#define PWX_SERVER_DOMAIN_COUNTRY_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace pwx::domain {

// True for an assigned ISO 3166-1 alpha-2 code (upper case) or "EL"; false
// for "GR", which the EU writes "EL".
bool IsCountryCode(absl::string_view code);

// True for the 27 EU member states and the EEA states (IS, LI, NO) and
// Switzerland, the states an authority of the exchange can belong to.
bool IsExchangeCountry(absl::string_view code);

// OK, or INVALID_ARGUMENT naming `field`
// ("undertaking.country_of_establishment: 'XX' is not an ISO 3166-1 alpha-2
// country code").
absl::Status ValidateCountry(absl::string_view field, absl::string_view code);

}  // namespace pwx::domain

#endif  // PWX_SERVER_DOMAIN_COUNTRY_H_
