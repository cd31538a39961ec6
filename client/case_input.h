// Turning what a user types (flag values, key=value specs, JSON files) into
// pwx.v1 messages. No gRPC and no CLI library: plain functions, tested
// directly.
#ifndef PWX_CLIENT_CASE_INPUT_H_
#define PWX_CLIENT_CASE_INPUT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "pwx/v1/case.pb.h"
#include "pwx/v1/case_service.pb.h"

namespace pwx::client {

// The update_mask paths UpdateCase accepts, in the proto's field order.
inline constexpr std::string_view kEditableCaseFields[] = {
    "title",   "status",      "undertaking",           "service_recipient",
    "workers", "sector_nace", "declaration_reference", "subcontracting_chain"};

// Values of the case field flags shared by `case create` and `case update`.
// std::nullopt (or an empty vector) means the flag was not given.
struct CaseFieldFlags {
  std::optional<std::string> title;
  std::optional<std::string> undertaking_name;
  std::optional<std::string> undertaking_reg;
  std::optional<std::string> undertaking_country;
  std::optional<std::string> undertaking_address;
  std::optional<std::string> recipient_name;
  std::optional<std::string> recipient_reg;
  std::optional<std::string> recipient_country;
  std::optional<std::string> recipient_address;
  std::optional<std::string> sector;
  std::optional<std::string> declaration_ref;
  // One of the names CaseStatusName() returns.
  std::optional<std::string> status;
  // --worker specs, see ParseWorkerSpec().
  std::vector<std::string> workers;
  // --subcontractor specs, see ParseSubcontractorSpec().
  std::vector<std::string> subcontractors;
};

// "open", "under-investigation", "awaiting-information" or "closed" (the
// CLI's spelling); "unspecified" for CASE_STATUS_UNSPECIFIED.
std::string CaseStatusName(pwx::v1::CaseStatus status);
// The inverse of CaseStatusName() for the four real states. INVALID_ARGUMENT
// listing the accepted names otherwise.
absl::StatusOr<pwx::v1::CaseStatus> ParseCaseStatus(std::string_view name);

// Parses "name=Jan Kowalski;dob=1990-04-01;nationality=PL;a1=PL-A1-123;
// start=2026-01-05;end=2026-06-30;workplace=Lyon". Keys may come in any
// order and be left out; values cannot contain ';'. INVALID_ARGUMENT naming
// the offending key for an unknown or repeated key or a part without '='.
absl::StatusOr<pwx::v1::PostedWorker> ParseWorkerSpec(std::string_view spec);
// Parses "name=..;reg=..;country=..;level=1" like ParseWorkerSpec().
absl::StatusOr<pwx::v1::Subcontractor> ParseSubcontractorSpec(
    std::string_view spec);

// Sets on `c` the fields whose flags were given, overriding what is there
// (--worker and --subcontractor replace the whole list). Returns the
// update_mask paths touched, in the proto's field order. INVALID_ARGUMENT
// naming the flag for a bad value.
absl::StatusOr<std::vector<std::string>> ApplyCaseFlags(
    const CaseFieldFlags& flags, pwx::v1::Case* c);

// The message fields ("undertaking", "service_recipient") for which `flags`
// set some but not all sub-fields. An update of such a field must start from
// the case's current value, or the sub-fields not given would be cleared.
std::vector<std::string> PartiallySetMessageFields(const CaseFieldFlags& flags);

// A case read from protobuf JSON (lowerCamel or proto field names).
struct CaseJson {
  pwx::v1::Case value;
  // Proto names of the top-level fields present in the JSON object, in the
  // proto's field order.
  std::vector<std::string> fields;
};

// Parses the protobuf JSON mapping of pwx.v1.Case. INVALID_ARGUMENT naming
// `source` (e.g. "--file case.json") when it is not valid JSON, not an
// object or names an unknown field.
absl::StatusOr<CaseJson> ParseCaseJson(std::string_view json,
                                       std::string_view source);

// An UpdateCaseRequest for case `id` at `expected_version` replacing the
// fields named by `paths` with their values in `edited`. INVALID_ARGUMENT
// naming the field when a path is not in kEditableCaseFields, and when
// `paths` is empty (an empty mask would replace every editable field).
absl::StatusOr<pwx::v1::UpdateCaseRequest> BuildUpdateRequest(
    const std::string& id, uint64_t expected_version,
    const pwx::v1::Case& edited, const std::vector<std::string>& paths);

// The media type for a file name's extension (pdf, png, jpg, jpeg, txt,
// json, xml, csv, docx, xlsx; case-insensitive), else
// "application/octet-stream".
std::string GuessMediaType(std::string_view file_name);

}  // namespace pwx::client

#endif  // PWX_CLIENT_CASE_INPUT_H_
