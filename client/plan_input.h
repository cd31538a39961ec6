// What `pwx plan` reads from the command line: the names of kinds, states,
// action kinds, irregularity categories and indicator sources, the specs of
// --target, --indicator, --ela, --irregularity and --value, and the content
// flags of `create`, `edit` and `amend`, checked before anything goes to
// the server. Plain functions, no I/O.
#ifndef PWX_CLIENT_PLAN_INPUT_H_
#define PWX_CLIENT_PLAN_INPUT_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "pwx/v1/plan.pb.h"

namespace pwx::client {

// "joint", "concerted" or "cooperation"; "unspecified" for 0.
std::string PlanKindLabel(pwx::v1::PlanKind kind);
// The inverse of PlanKindLabel() for the real kinds; INVALID_ARGUMENT
// listing them otherwise.
absl::StatusOr<pwx::v1::PlanKind> ParsePlanKind(std::string_view name);

// "in-progress" for PLAN_STATE_IN_PROGRESS: the enum name's suffix, lower
// case, dashes for underscores.
std::string PlanStateLabel(pwx::v1::PlanState state);
absl::StatusOr<pwx::v1::PlanState> ParsePlanState(std::string_view name);

// "information-exchange" for PLAN_ACTION_KIND_INFORMATION_EXCHANGE.
std::string ActionKindLabel(pwx::v1::PlanActionKind kind);
absl::StatusOr<pwx::v1::PlanActionKind> ParseActionKind(std::string_view name);

// "working-time" for IRREGULARITY_CATEGORY_WORKING_TIME.
std::string IrregularityLabel(pwx::v1::IrregularityCategory category);
absl::StatusOr<pwx::v1::IrregularityCategory> ParseIrregularity(
    std::string_view name);

// "workers-checked" for INDICATOR_SOURCE_WORKERS_CHECKED.
std::string IndicatorSourceLabel(pwx::v1::IndicatorSource source);

// "invited", "agreed", "declined".
std::string ParticipantStatusLabel(pwx::v1::ParticipantStatus status);

// "name=..;reg=..;country=CC" (name required; reg and country optional;
// country an EU/EEA code, EL for Greece). INVALID_ARGUMENT "flag: why".
absl::StatusOr<pwx::v1::TargetUndertaking> ParseTargetSpec(
    std::string_view flag, std::string_view spec);

// "id=..;source=SOURCE;target=N[;at-most][;unit=..][;description=..]": id,
// source and target required, target a number from 0. INVALID_ARGUMENT
// "flag: why".
absl::StatusOr<pwx::v1::Indicator> ParseIndicatorSpec(std::string_view flag,
                                                      std::string_view spec);

// "AUTH:coordinator" or "AUTH:observer", AUTH an EU body such as EU-ELA.
absl::StatusOr<pwx::v1::ElaParticipation> ParseElaSpec(std::string_view flag,
                                                       std::string_view spec);

// "CATEGORY=N", N a whole number above 0.
absl::StatusOr<pwx::v1::IrregularityCount> ParseIrregularitySpec(
    std::string_view flag, std::string_view spec);

// "INDICATOR=NUMBER", NUMBER finite and not negative.
absl::StatusOr<pwx::v1::IndicatorValue> ParseMeasureSpec(std::string_view flag,
                                                         std::string_view spec);

// The content flags of `pwx plan create`, `edit` and `amend`. A flag left
// out leaves that part of the content as it is. A list flag given (even
// once) replaces the whole list, in the order given; given once with an
// empty value ("--sector ''") it empties the list. --ela '' removes ELA.
struct PlanContentFlags {
  std::optional<std::string> title;
  std::vector<std::string> objectives;
  std::vector<std::string> operational_objectives;
  std::vector<std::string> sectors;
  std::vector<std::string> targets;
  std::vector<std::string> case_ids;
  std::optional<std::string> scope;
  std::optional<std::string> purpose;
  std::optional<std::string> legal_basis;
  std::optional<bool> short_notice;
  std::optional<std::string> ela;
  std::optional<int> report_due_months;
  std::vector<std::string> indicators;
  std::optional<std::string> description;
};

// The name of the first content flag set ("--title", "--sector", ...), or
// std::nullopt when none is.
std::optional<std::string> FirstContentFlag(const PlanContentFlags& flags);

// Applies the set flags to `content`: sectors normalised to NACE Rev. 2
// with their section letter ("41.20" -> "F41.20"), case ids and every spec
// checked. INVALID_ARGUMENT naming the flag, with the 1-based position of a
// repeated one ("--target[2]: country: ..."); `content` is then unchanged.
absl::Status ApplyPlanContentFlags(const PlanContentFlags& flags,
                                   pwx::v1::PlanContent* content);

// A PlanContent in the protobuf JSON mapping (as `pwx plan show --output
// json` prints a plan's "content"); INVALID_ARGUMENT naming `flag`.
absl::StatusOr<pwx::v1::PlanContent> ParsePlanContentJson(
    std::string_view flag, const std::string& json);

}  // namespace pwx::client

#endif  // PWX_CLIENT_PLAN_INPUT_H_
