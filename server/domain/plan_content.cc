// What a plan holds, checked as strictly for a sequenced event from the
// lead as for a local change; plan ids and display names.
#include <algorithm>
#include <set>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/descriptor.h"
#include "server/domain/case_rules.h"
#include "server/domain/country.h"
#include "server/domain/fields.h"
#include "server/domain/plan_fields.h"
#include "server/domain/plan_rules.h"
#include "server/domain/request_rules.h"

namespace pwx::domain {

namespace plan_fields {

absl::Status ValidateElaAuthority(absl::string_view field,
                                  absl::string_view id) {
  if (!absl::StartsWith(id, "EU-")) {
    return Invalid(field, absl::StrCat("'", id,
                                       "' is not an EU body's authority id "
                                       "such as EU-ELA"));
  }
  return ValidateNodeAuthorityId(field, id);
}

absl::Status ValidateAnyAuthority(absl::string_view field,
                                  absl::string_view id) {
  if (absl::StartsWith(id, "EU-")) return ValidateElaAuthority(field, id);
  return ValidateAuthorityId(field, id);
}

absl::CivilDay LastDay(absl::string_view date, absl::string_view end_date) {
  absl::StatusOr<absl::CivilDay> day =
      ParseDate("date", end_date.empty() ? date : end_date);
  return day.ok() ? *day : absl::CivilDay();
}

}  // namespace plan_fields

namespace {

using pwx::v1::PlanContent;

constexpr int kMaxInspectors = 50;
constexpr int kMaxRequestIds = 100;
constexpr size_t kMaxIndicatorId = 32;

absl::Status ValidateTexts(
    const std::string& field,
    const google::protobuf::RepeatedPtrField<std::string>& texts,
    size_t max_chars) {
  if (texts.size() > kMaxPlanListItems) {
    return Invalid(field, absl::StrCat("at most ", kMaxPlanListItems));
  }
  for (int i = 0; i < texts.size(); ++i) {
    PWX_PLAN_RETURN_IF_ERROR(ValidateRequiredText(
        absl::StrCat(field, "[", i, "]"), texts.Get(i), max_chars, true));
  }
  return absl::OkStatus();
}

absl::Status ValidateIndicators(const std::string& field,
                                const PlanContent& c) {
  if (c.indicators_size() > kMaxPlanListItems) {
    return Invalid(field, absl::StrCat("at most ", kMaxPlanListItems));
  }
  std::set<std::string> ids;
  for (int i = 0; i < c.indicators_size(); ++i) {
    const pwx::v1::Indicator& ind = c.indicators(i);
    const std::string f = absl::StrCat(field, "[", i, "]");
    PWX_PLAN_RETURN_IF_ERROR(
        ValidateRequiredText(f + ".id", ind.id(), kMaxIndicatorId));
    if (!ids.insert(ind.id()).second) {
      return Invalid(f + ".id", absl::StrCat("'", ind.id(), "' is used twice"));
    }
    PWX_PLAN_RETURN_IF_ERROR(
        ValidateText(f + ".description", ind.description(), kMaxShortText));
    PWX_PLAN_RETURN_IF_ERROR(ValidateText(f + ".unit", ind.unit(), 32));
    if (ind.source() == pwx::v1::INDICATOR_SOURCE_UNSPECIFIED ||
        !pwx::v1::IndicatorSource_IsValid(ind.source())) {
      return Invalid(f + ".source",
                     "is required: manual, or one counted from the findings");
    }
    if (!(ind.target() >= 0) || ind.target() > 1e12) {
      return Invalid(f + ".target", "must be a number from 0 to 10^12");
    }
  }
  return absl::OkStatus();
}

}  // namespace

std::string PlanStateName(pwx::v1::PlanState state) {
  std::string name = pwx::v1::PlanState_Name(state);
  absl::string_view prefix = "PLAN_STATE_";
  if (absl::StartsWith(name, prefix)) name = name.substr(prefix.size());
  return name.empty() ? absl::StrCat("state ", static_cast<int>(state)) : name;
}

std::string PlanKindName(pwx::v1::PlanKind kind) {
  switch (kind) {
    case pwx::v1::PLAN_KIND_COOPERATION_PLAN:
      return "cooperation-plan";
    case pwx::v1::PLAN_KIND_CONCERTED_INSPECTION:
      return "concerted-inspection";
    case pwx::v1::PLAN_KIND_JOINT_INSPECTION:
      return "joint-inspection";
    default:
      return "unspecified";
  }
}

std::string PlanActionName(const pwx::v1::PlanEvent& event) {
  const google::protobuf::OneofDescriptor* oneof =
      pwx::v1::PlanEvent::descriptor()->FindOneofByName("action");
  const google::protobuf::FieldDescriptor* f =
      pwx::v1::PlanEvent::GetReflection()->GetOneofFieldDescriptor(event,
                                                                   oneof);
  if (f == nullptr) return "no action";
  return absl::StrReplaceAll(f->name(), {{"_", "-"}});
}

std::string FormatPlanId(absl::string_view authority, int year,
                         uint64_t number) {
  return absl::StrFormat("%s-P-%04d-%06d", authority, year, number);
}

absl::Status ValidatePlanId(absl::string_view field, absl::string_view id) {
  // CC-NAME-P-YYYY-NNNNNN (more digits past 999999).
  const auto bad = [&] {
    return Invalid(field, absl::StrCat("\"", id,
                                       "\" is not a plan id such as "
                                       "FR-DGT-P-2026-000001"));
  };
  const size_t marker = id.find("-P-");
  if (marker == absl::string_view::npos ||
      !ValidateAuthorityId(field, id.substr(0, marker)).ok()) {
    return bad();
  }
  std::vector<absl::string_view> parts =
      absl::StrSplit(id.substr(marker + 3), '-');
  uint64_t unused = 0;
  if (parts.size() != 2 || parts[0].size() != 4 || parts[1].size() < 6 ||
      !absl::SimpleAtoi(parts[0], &unused) ||
      !std::all_of(parts[1].begin(), parts[1].end(),
                   [](char c) { return absl::ascii_isdigit(c); })) {
    return bad();
  }
  return absl::OkStatus();
}

absl::Status ValidatePlanContent(absl::string_view field, PlanContent* c,
                                 bool for_propose) {
  const std::string f(field);
  PWX_PLAN_RETURN_IF_ERROR(ValidateText(f + ".title", c->title(), 200));
  PWX_PLAN_RETURN_IF_ERROR(ValidateTexts(
      f + ".strategic_objectives", c->strategic_objectives(), kMaxShortText));
  PWX_PLAN_RETURN_IF_ERROR(ValidateTexts(f + ".operational_objectives",
                                         c->operational_objectives(),
                                         kMaxShortText));
  if (c->sectors_size() > kMaxPlanListItems) {
    return Invalid(f + ".sectors", absl::StrCat("at most ", kMaxPlanListItems));
  }
  for (int i = 0; i < c->sectors_size(); ++i) {
    absl::StatusOr<std::string> nace =
        NormalizeNace(absl::StrCat(f, ".sectors[", i, "]"), c->sectors(i));
    if (!nace.ok()) return nace.status();
    *c->mutable_sectors(i) = *std::move(nace);
  }
  if (c->targets_size() > kMaxPlanListItems) {
    return Invalid(f + ".targets", absl::StrCat("at most ", kMaxPlanListItems));
  }
  for (int i = 0; i < c->targets_size(); ++i) {
    const pwx::v1::TargetUndertaking& t = c->targets(i);
    const std::string tf = absl::StrCat(f, ".targets[", i, "]");
    PWX_PLAN_RETURN_IF_ERROR(
        ValidateRequiredText(tf + ".name", t.name(), kMaxNameChars));
    PWX_PLAN_RETURN_IF_ERROR(ValidateText(tf + ".registration_number",
                                          t.registration_number(),
                                          kMaxRegistrationChars));
    if (!t.country().empty() && !IsExchangeCountry(t.country())) {
      return Invalid(
          tf + ".country",
          absl::StrCat("'", t.country(), "' is not an EU/EEA country code"));
    }
  }
  if (c->case_ids_size() > kMaxPlanListItems) {
    return Invalid(f + ".case_ids",
                   absl::StrCat("at most ", kMaxPlanListItems));
  }
  for (int i = 0; i < c->case_ids_size(); ++i) {
    PWX_PLAN_RETURN_IF_ERROR(
        ValidateCaseId(absl::StrCat(f, ".case_ids[", i, "]"), c->case_ids(i)));
  }
  struct Text {
    const char* name;
    const std::string& value;
  };
  for (const Text& t :
       {Text{"scope", c->scope()}, Text{"purpose", c->purpose()},
        Text{"legal_basis", c->legal_basis()}}) {
    const std::string tf = absl::StrCat(f, ".", t.name);
    if (for_propose) {
      PWX_PLAN_RETURN_IF_ERROR(
          ValidateRequiredText(tf, t.value, kMaxLongText, true));
    } else {
      PWX_PLAN_RETURN_IF_ERROR(ValidateText(tf, t.value, kMaxLongText, true));
    }
  }
  PWX_PLAN_RETURN_IF_ERROR(
      ValidateText(f + ".description", c->description(), kMaxLongText, true));
  if (c->has_ela()) {
    PWX_PLAN_RETURN_IF_ERROR(plan_fields::ValidateElaAuthority(
        f + ".ela.authority", c->ela().authority()));
    if (c->ela().role() == pwx::v1::ELA_ROLE_UNSPECIFIED ||
        !pwx::v1::ElaRole_IsValid(c->ela().role())) {
      return Invalid(f + ".ela.role", "is required: coordinator or observer");
    }
  }
  if (c->report_due_months() < 0 ||
      c->report_due_months() > kMaxReportDueMonths) {
    return Invalid(
        f + ".report_due_months",
        absl::StrCat("must be 0 (the default, ", kDefaultReportDueMonths,
                     ") to ", kMaxReportDueMonths, " months"));
  }
  PWX_PLAN_RETURN_IF_ERROR(ValidateIndicators(f + ".indicators", *c));
  if (for_propose && c->strategic_objectives().empty() &&
      c->operational_objectives().empty()) {
    return Invalid(f + ".operational_objectives",
                   "a proposed plan needs at least one objective");
  }
  return absl::OkStatus();
}

absl::Status ValidatePlanAction(absl::string_view field,
                                const pwx::v1::PlanAction& a) {
  const std::string f(field);
  if (a.kind() == pwx::v1::PLAN_ACTION_KIND_UNSPECIFIED ||
      !pwx::v1::PlanActionKind_IsValid(a.kind())) {
    return Invalid(f + ".kind",
                   "is required: inspection, information-exchange, "
                   "investigation, prevention-campaign or "
                   "communication-campaign");
  }
  if (a.date().empty()) return Invalid(f + ".date", "is required (YYYY-MM-DD)");
  absl::StatusOr<absl::CivilDay> start = ParseDate(f + ".date", a.date());
  if (!start.ok()) return start.status();
  if (!a.end_date().empty()) {
    absl::StatusOr<absl::CivilDay> end =
        ParseDate(f + ".end_date", a.end_date());
    if (!end.ok()) return end.status();
    if (*end < *start) {
      return Invalid(
          f + ".end_date",
          absl::StrCat(a.end_date(), " is before the date ", a.date()));
    }
  }
  PWX_PLAN_RETURN_IF_ERROR(
      ValidateRequiredText(f + ".place", a.place(), kMaxShortText));
  PWX_PLAN_RETURN_IF_ERROR(
      ValidateAuthorityId(f + ".responsible", a.responsible()));
  if (a.inspectors_size() > kMaxInspectors) {
    return Invalid(f + ".inspectors", absl::StrCat("at most ", kMaxInspectors));
  }
  for (int i = 0; i < a.inspectors_size(); ++i) {
    PWX_PLAN_RETURN_IF_ERROR(
        ValidateRequiredText(absl::StrCat(f, ".inspectors[", i, "]"),
                             a.inspectors(i), kMaxNameChars));
  }
  PWX_PLAN_RETURN_IF_ERROR(
      ValidateText(f + ".description", a.description(), kMaxLongText, true));
  return absl::OkStatus();
}

absl::Status ValidateFinding(absl::string_view field,
                             const pwx::v1::Finding& x) {
  const std::string f(field);
  if (x.workers_checked() < 0) {
    return Invalid(f + ".workers_checked", "must not be negative");
  }
  if (x.undertakings_checked() < 0) {
    return Invalid(f + ".undertakings_checked", "must not be negative");
  }
  std::set<int> categories;
  for (int i = 0; i < x.irregularities_size(); ++i) {
    const pwx::v1::IrregularityCount& c = x.irregularities(i);
    const std::string cf = absl::StrCat(f, ".irregularities[", i, "]");
    if (c.category() == pwx::v1::IRREGULARITY_CATEGORY_UNSPECIFIED ||
        !pwx::v1::IrregularityCategory_IsValid(c.category())) {
      return Invalid(cf + ".category",
                     "is required: pay, working-time, social-security, "
                     "letterbox-company, bogus-self-employment, "
                     "subcontracting, health-and-safety or trafficking");
    }
    if (!categories.insert(c.category()).second) {
      return Invalid(cf + ".category", "is counted twice");
    }
    if (c.count() <= 0) return Invalid(cf + ".count", "must be more than 0");
  }
  if (x.request_ids_size() > kMaxRequestIds) {
    return Invalid(f + ".request_ids",
                   absl::StrCat("at most ", kMaxRequestIds));
  }
  for (int i = 0; i < x.request_ids_size(); ++i) {
    PWX_PLAN_RETURN_IF_ERROR(ValidateRequestId(
        absl::StrCat(f, ".request_ids[", i, "]"), x.request_ids(i)));
  }
  PWX_PLAN_RETURN_IF_ERROR(
      ValidateText(f + ".notes", x.notes(), kMaxLongText, true));
  return absl::OkStatus();
}

}  // namespace pwx::domain
