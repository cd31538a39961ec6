#include "client/plan_input.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "client/absl_view.h"
#include "client/enum_names.h"
#include "client/input_error.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/util/json_util.h"
#include "server/domain/case_rules.h"
#include "server/domain/country.h"
#include "server/domain/fields.h"

namespace pwx::client {
namespace {

struct PlanKindName {
  pwx::v1::PlanKind kind;
  absl::string_view name;
};
constexpr PlanKindName kPlanKindNames[] = {
    {pwx::v1::PLAN_KIND_JOINT_INSPECTION, "joint"},
    {pwx::v1::PLAN_KIND_CONCERTED_INSPECTION, "concerted"},
    {pwx::v1::PLAN_KIND_COOPERATION_PLAN, "cooperation"},
};

// "key=value;key;..." into ordered pairs; a part without '=' has an empty
// value and `bare` true. INVALID_ARGUMENT for a key given twice or one not
// in `keys`.
struct SpecPart {
  std::string key;
  std::string value;
  bool bare = false;
};
absl::StatusOr<std::vector<SpecPart>> SplitSpec(
    std::string_view spec, const std::vector<absl::string_view>& keys) {
  std::vector<SpecPart> parts;
  std::set<std::string> seen;
  for (absl::string_view piece :
       absl::StrSplit(ToAbsl(spec), ';', absl::SkipWhitespace())) {
    const size_t eq = piece.find('=');
    SpecPart part;
    part.key = std::string(absl::StripAsciiWhitespace(piece.substr(0, eq)));
    part.bare = eq == absl::string_view::npos;
    if (!part.bare) {
      part.value =
          std::string(absl::StripAsciiWhitespace(piece.substr(eq + 1)));
    }
    if (std::find(keys.begin(), keys.end(), part.key) == keys.end()) {
      return absl::InvalidArgumentError(
          absl::StrCat("unknown part '", part.key,
                       "'; the parts are: ", absl::StrJoin(keys, ", ")));
    }
    if (!seen.insert(part.key).second) {
      return absl::InvalidArgumentError(
          absl::StrCat(part.key, ": given twice"));
    }
    parts.push_back(std::move(part));
  }
  return parts;
}

// A finite number from 0; INVALID_ARGUMENT "'text' is not ..." otherwise.
absl::StatusOr<double> ParseAmount(absl::string_view text) {
  double value = 0;
  if (!absl::SimpleAtod(text, &value) || !std::isfinite(value) || value < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", text, "' is not a number from 0"));
  }
  return value;
}

// "--flag[n]" for the n-th (0-based `index`) value of a repeated flag.
std::string Nth(absl::string_view flag, size_t index) {
  return absl::StrCat(flag, "[", index + 1, "]");
}

// The strings of a list flag: none when it was given once, empty.
std::vector<std::string> ListValues(const std::vector<std::string>& given) {
  if (given.size() == 1 && given[0].empty()) return {};
  return given;
}

absl::Status CheckListTexts(absl::string_view flag,
                            const std::vector<std::string>& texts) {
  for (size_t i = 0; i < texts.size(); ++i) {
    if (absl::StripAsciiWhitespace(texts[i]).empty()) {
      return FlagError(Nth(flag, i), "must not be empty");
    }
  }
  return absl::OkStatus();
}

void SetList(const std::vector<std::string>& values,
             google::protobuf::RepeatedPtrField<std::string>* to) {
  to->Clear();
  for (const std::string& v : values) *to->Add() = v;
}

}  // namespace

std::string PlanKindLabel(pwx::v1::PlanKind kind) {
  for (const PlanKindName& entry : kPlanKindNames) {
    if (entry.kind == kind) return std::string(entry.name);
  }
  return "unspecified";
}

absl::StatusOr<pwx::v1::PlanKind> ParsePlanKind(std::string_view name) {
  std::vector<absl::string_view> names;
  for (const PlanKindName& entry : kPlanKindNames) {
    if (entry.name == ToAbsl(name)) return entry.kind;
    names.push_back(entry.name);
  }
  return absl::InvalidArgumentError(
      absl::StrCat("unknown kind '", ToAbsl(name),
                   "'; one of: ", absl::StrJoin(names, ", ")));
}

std::string PlanStateLabel(pwx::v1::PlanState state) {
  return SuffixName(pwx::v1::PlanState_descriptor(), state, "PLAN_STATE_");
}

absl::StatusOr<pwx::v1::PlanState> ParsePlanState(std::string_view name) {
  absl::StatusOr<int> value = ParseSuffixName(pwx::v1::PlanState_descriptor(),
                                              "PLAN_STATE_", "state", name);
  if (!value.ok()) return value.status();
  return static_cast<pwx::v1::PlanState>(*value);
}

std::string ActionKindLabel(pwx::v1::PlanActionKind kind) {
  return SuffixName(pwx::v1::PlanActionKind_descriptor(), kind,
                    "PLAN_ACTION_KIND_");
}

absl::StatusOr<pwx::v1::PlanActionKind> ParseActionKind(std::string_view name) {
  absl::StatusOr<int> value = ParseSuffixName(
      pwx::v1::PlanActionKind_descriptor(), "PLAN_ACTION_KIND_", "kind", name);
  if (!value.ok()) return value.status();
  return static_cast<pwx::v1::PlanActionKind>(*value);
}

std::string IrregularityLabel(pwx::v1::IrregularityCategory category) {
  return SuffixName(pwx::v1::IrregularityCategory_descriptor(), category,
                    "IRREGULARITY_CATEGORY_");
}

absl::StatusOr<pwx::v1::IrregularityCategory> ParseIrregularity(
    std::string_view name) {
  absl::StatusOr<int> value =
      ParseSuffixName(pwx::v1::IrregularityCategory_descriptor(),
                      "IRREGULARITY_CATEGORY_", "category", name);
  if (!value.ok()) return value.status();
  return static_cast<pwx::v1::IrregularityCategory>(*value);
}

std::string IndicatorSourceLabel(pwx::v1::IndicatorSource source) {
  return SuffixName(pwx::v1::IndicatorSource_descriptor(), source,
                    "INDICATOR_SOURCE_");
}

std::string ParticipantStatusLabel(pwx::v1::ParticipantStatus status) {
  return SuffixName(pwx::v1::ParticipantStatus_descriptor(), status,
                    "PARTICIPANT_STATUS_");
}

absl::StatusOr<pwx::v1::TargetUndertaking> ParseTargetSpec(
    std::string_view flag, std::string_view spec) {
  const absl::string_view f = ToAbsl(flag);
  absl::StatusOr<std::vector<SpecPart>> parts =
      SplitSpec(spec, {"name", "reg", "country"});
  if (!parts.ok()) return FlagError(f, parts.status().message());
  pwx::v1::TargetUndertaking target;
  for (const SpecPart& part : *parts) {
    if (part.key == "name") {
      target.set_name(part.value);
    } else if (part.key == "reg") {
      target.set_registration_number(part.value);
    } else if (!part.value.empty()) {
      if (!domain::IsExchangeCountry(part.value)) {
        return FlagError(f, absl::StrCat("country: '", part.value,
                                         "' is not an EU/EEA country code "
                                         "(two upper-case letters, EL for "
                                         "Greece)"));
      }
      target.set_country(part.value);
    }
  }
  if (target.name().empty()) {
    return FlagError(f, "name: required (name=..;reg=..;country=CC)");
  }
  return target;
}

absl::StatusOr<pwx::v1::Indicator> ParseIndicatorSpec(std::string_view flag,
                                                      std::string_view spec) {
  const absl::string_view f = ToAbsl(flag);
  absl::StatusOr<std::vector<SpecPart>> parts = SplitSpec(
      spec, {"id", "source", "target", "at-most", "unit", "description"});
  if (!parts.ok()) return FlagError(f, parts.status().message());
  pwx::v1::Indicator indicator;
  bool has_target = false;
  for (const SpecPart& part : *parts) {
    if (part.key == "at-most") {
      if (!part.bare) return FlagError(f, "at-most: takes no value");
      indicator.set_at_most(true);
    } else if (part.key == "id") {
      indicator.set_id(part.value);
    } else if (part.key == "unit") {
      indicator.set_unit(part.value);
    } else if (part.key == "description") {
      indicator.set_description(part.value);
    } else if (part.key == "source") {
      absl::StatusOr<int> source =
          ParseSuffixName(pwx::v1::IndicatorSource_descriptor(),
                          "INDICATOR_SOURCE_", "source", part.value);
      if (!source.ok()) return FlagError(f, source.status().message());
      indicator.set_source(static_cast<pwx::v1::IndicatorSource>(*source));
    } else {
      absl::StatusOr<double> target = ParseAmount(part.value);
      if (!target.ok()) {
        return FlagError(f,
                         absl::StrCat("target: ", target.status().message()));
      }
      indicator.set_target(*target);
      has_target = true;
    }
  }
  if (indicator.id().empty()) return FlagError(f, "id: required");
  if (indicator.source() == pwx::v1::INDICATOR_SOURCE_UNSPECIFIED) {
    return FlagError(f,
                     "source: required: manual, workers-checked, "
                     "undertakings-checked, irregularities or requests-opened");
  }
  if (!has_target) return FlagError(f, "target: required (a number)");
  return indicator;
}

absl::StatusOr<pwx::v1::ElaParticipation> ParseElaSpec(std::string_view flag,
                                                       std::string_view spec) {
  const absl::string_view f = ToAbsl(flag);
  const absl::string_view text = ToAbsl(spec);
  const size_t colon = text.rfind(':');
  const absl::string_view authority = text.substr(0, colon);
  if (colon == absl::string_view::npos || !absl::StartsWith(authority, "EU-") ||
      authority.size() < 5) {
    return FlagError(f,
                     absl::StrCat("'", text,
                                  "' is not AUTH:coordinator or "
                                  "AUTH:observer (e.g. EU-ELA:coordinator)"));
  }
  const absl::string_view role = text.substr(colon + 1);
  pwx::v1::ElaParticipation ela;
  ela.set_authority(std::string(authority));
  if (role == "coordinator") {
    ela.set_role(pwx::v1::ELA_ROLE_COORDINATOR);
  } else if (role == "observer") {
    ela.set_role(pwx::v1::ELA_ROLE_OBSERVER);
  } else {
    return FlagError(f, absl::StrCat("unknown role '", role,
                                     "'; one of: coordinator, observer"));
  }
  return ela;
}

absl::StatusOr<pwx::v1::IrregularityCount> ParseIrregularitySpec(
    std::string_view flag, std::string_view spec) {
  const absl::string_view f = ToAbsl(flag);
  std::pair<absl::string_view, absl::string_view> kv =
      absl::StrSplit(ToAbsl(spec), absl::MaxSplits('=', 1));
  absl::StatusOr<pwx::v1::IrregularityCategory> category =
      ParseIrregularity(std::string(absl::StripAsciiWhitespace(kv.first)));
  if (!category.ok()) return FlagError(f, category.status().message());
  int count = 0;
  if (!absl::SimpleAtoi(kv.second, &count) || count <= 0) {
    return FlagError(f, absl::StrCat("'", ToAbsl(spec),
                                     "' is not CATEGORY=N with N a whole "
                                     "number above 0"));
  }
  pwx::v1::IrregularityCount result;
  result.set_category(*category);
  result.set_count(count);
  return result;
}

absl::StatusOr<pwx::v1::IndicatorValue> ParseMeasureSpec(
    std::string_view flag, std::string_view spec) {
  const absl::string_view f = ToAbsl(flag);
  std::pair<absl::string_view, absl::string_view> kv =
      absl::StrSplit(ToAbsl(spec), absl::MaxSplits('=', 1));
  const absl::string_view id = absl::StripAsciiWhitespace(kv.first);
  if (id.empty() || ToAbsl(spec).find('=') == absl::string_view::npos) {
    return FlagError(
        f, absl::StrCat("'", ToAbsl(spec), "' is not INDICATOR=NUMBER"));
  }
  absl::StatusOr<double> value =
      ParseAmount(absl::StripAsciiWhitespace(kv.second));
  if (!value.ok()) {
    return FlagError(f, absl::StrCat(id, ": ", value.status().message()));
  }
  pwx::v1::IndicatorValue result;
  result.set_indicator_id(std::string(id));
  result.set_value(*value);
  return result;
}

std::optional<std::string> FirstContentFlag(const PlanContentFlags& f) {
  const std::pair<bool, const char*> flags[] = {
      {f.title.has_value(), "--title"},
      {!f.objectives.empty(), "--objective"},
      {!f.operational_objectives.empty(), "--operational-objective"},
      {!f.sectors.empty(), "--sector"},
      {!f.targets.empty(), "--target"},
      {!f.case_ids.empty(), "--case"},
      {f.scope.has_value(), "--scope"},
      {f.purpose.has_value(), "--purpose"},
      {f.legal_basis.has_value(), "--legal-basis"},
      {f.short_notice.has_value(), "--short-notice"},
      {f.ela.has_value(), "--ela"},
      {f.report_due_months.has_value(), "--report-due-months"},
      {!f.indicators.empty(), "--indicator"},
      {f.description.has_value(), "--description"},
  };
  for (const auto& [set, name] : flags) {
    if (set) return std::string(name);
  }
  return std::nullopt;
}

absl::Status ApplyPlanContentFlags(const PlanContentFlags& flags,
                                   pwx::v1::PlanContent* content) {
  // Built on a copy, so that an error leaves `content` as it was.
  pwx::v1::PlanContent c = *content;
  if (flags.title.has_value()) c.set_title(*flags.title);
  if (!flags.objectives.empty()) {
    const std::vector<std::string> values = ListValues(flags.objectives);
    if (absl::Status s = CheckListTexts("--objective", values); !s.ok()) {
      return s;
    }
    SetList(values, c.mutable_strategic_objectives());
  }
  if (!flags.operational_objectives.empty()) {
    const std::vector<std::string> values =
        ListValues(flags.operational_objectives);
    if (absl::Status s = CheckListTexts("--operational-objective", values);
        !s.ok()) {
      return s;
    }
    SetList(values, c.mutable_operational_objectives());
  }
  if (!flags.sectors.empty()) {
    std::vector<std::string> values = ListValues(flags.sectors);
    for (size_t i = 0; i < values.size(); ++i) {
      const std::string flag = Nth("--sector", i);
      absl::StatusOr<std::string> nace = domain::NormalizeNace(flag, values[i]);
      if (!nace.ok()) {
        if (absl::StartsWith(nace.status().message(), flag)) {
          return nace.status();
        }
        return FlagError(flag, nace.status().message());
      }
      values[i] = *std::move(nace);
    }
    SetList(values, c.mutable_sectors());
  }
  if (!flags.targets.empty()) {
    c.clear_targets();
    const std::vector<std::string> values = ListValues(flags.targets);
    for (size_t i = 0; i < values.size(); ++i) {
      absl::StatusOr<pwx::v1::TargetUndertaking> target =
          ParseTargetSpec(Nth("--target", i), values[i]);
      if (!target.ok()) return target.status();
      *c.add_targets() = *std::move(target);
    }
  }
  if (!flags.case_ids.empty()) {
    const std::vector<std::string> values = ListValues(flags.case_ids);
    for (size_t i = 0; i < values.size(); ++i) {
      const std::string flag = Nth("--case", i);
      absl::Status valid = domain::ValidateCaseId(flag, values[i]);
      if (!valid.ok()) {
        if (absl::StartsWith(valid.message(), flag)) return valid;
        return FlagError(flag, valid.message());
      }
    }
    SetList(values, c.mutable_case_ids());
  }
  if (flags.scope.has_value()) c.set_scope(*flags.scope);
  if (flags.purpose.has_value()) c.set_purpose(*flags.purpose);
  if (flags.legal_basis.has_value()) c.set_legal_basis(*flags.legal_basis);
  if (flags.short_notice.has_value()) {
    c.set_short_notice_allowed(*flags.short_notice);
  }
  if (flags.ela.has_value()) {
    if (flags.ela->empty()) {
      c.clear_ela();
    } else {
      absl::StatusOr<pwx::v1::ElaParticipation> ela =
          ParseElaSpec("--ela", *flags.ela);
      if (!ela.ok()) return ela.status();
      *c.mutable_ela() = *std::move(ela);
    }
  }
  if (flags.report_due_months.has_value()) {
    if (*flags.report_due_months < 0 || *flags.report_due_months > 36) {
      return FlagError("--report-due-months",
                       "must be 0 (the default, 6) to 36 months");
    }
    c.set_report_due_months(*flags.report_due_months);
  }
  if (!flags.indicators.empty()) {
    c.clear_indicators();
    std::set<std::string> ids;
    const std::vector<std::string> values = ListValues(flags.indicators);
    for (size_t i = 0; i < values.size(); ++i) {
      const std::string flag = Nth("--indicator", i);
      absl::StatusOr<pwx::v1::Indicator> indicator =
          ParseIndicatorSpec(flag, values[i]);
      if (!indicator.ok()) return indicator.status();
      if (!ids.insert(indicator->id()).second) {
        return FlagError(
            flag, absl::StrCat("id: '", indicator->id(), "' is used twice"));
      }
      *c.add_indicators() = *std::move(indicator);
    }
  }
  if (flags.description.has_value()) c.set_description(*flags.description);
  *content = std::move(c);
  return absl::OkStatus();
}

absl::StatusOr<pwx::v1::PlanContent> ParsePlanContentJson(
    std::string_view flag, const std::string& json) {
  pwx::v1::PlanContent content;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  const google::protobuf::util::Status status =
      google::protobuf::util::JsonStringToMessage(
          google::protobuf::StringPiece(json.data(), json.size()), &content,
          options);
  if (!status.ok()) {
    return FlagError(ToAbsl(flag),
                     absl::StrCat("not a pwx.v1.PlanContent in JSON: ",
                                  status.message().ToString()));
  }
  return content;
}

}  // namespace pwx::client
