// Helpers shared by the plan rules (plan_rules.cc, plan_sync.cc), the
// validation of what a plan holds (plan_content.cc) and the report
// (plan_report.cc). Internal to server/domain.
#ifndef PWX_SERVER_DOMAIN_PLAN_FIELDS_H_
#define PWX_SERVER_DOMAIN_PLAN_FIELDS_H_

#include <cstddef>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "server/domain/fields.h"

namespace pwx::domain::plan_fields {

// "EU-ELA": an authority of the European Union's bodies, which
// ValidateAuthorityId (member states only) does not accept.
absl::Status ValidateElaAuthority(absl::string_view field,
                                  absl::string_view id);

// An authority of a member state or an EU body.
absl::Status ValidateAnyAuthority(absl::string_view field,
                                  absl::string_view id);

// The last day of an action: its end date, else its date. Both valid.
absl::CivilDay LastDay(absl::string_view date, absl::string_view end_date);

}  // namespace pwx::domain::plan_fields

#define PWX_PLAN_RETURN_IF_ERROR(expr)        \
  do {                                        \
    if (absl::Status s_ = (expr); !s_.ok()) { \
      return s_;                              \
    }                                         \
  } while (false)

#endif  // PWX_SERVER_DOMAIN_PLAN_FIELDS_H_
