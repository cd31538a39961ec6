// The rules of a posting case that do not depend on where it is stored or
// how it travels: what a valid case looks like, how an update applies and
// how case ids are formed. Plain functions; thread-safe.
#ifndef PWX_SERVER_DOMAIN_CASE_RULES_H_
#define PWX_SERVER_DOMAIN_CASE_RULES_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/field_mask.pb.h"
#include "pwx/v1/case.pb.h"

namespace pwx::domain {

// Bounds on what one case may hold, so that one record stays small enough to
// read, copy and send between nodes.
inline constexpr size_t kMaxNameChars = 200;
inline constexpr size_t kMaxRegistrationChars = 64;
inline constexpr size_t kMaxAddressChars = 500;
inline constexpr size_t kMaxTitleChars = 200;
inline constexpr size_t kMaxReferenceChars = 64;
inline constexpr size_t kMaxWorkers = 500;
inline constexpr size_t kMaxSubcontractors = 50;
inline constexpr size_t kMaxNotes = 1000;
inline constexpr size_t kMaxNoteChars = 10000;
inline constexpr size_t kMaxAttachments = 200;
inline constexpr size_t kMaxFileNameChars = 255;

// Checks the user-editable content of `c` (everything but id, version,
// owner, notes, attachments and the audit fields) and normalises it in place:
// the NACE code gets its section letter, an unspecified status becomes OPEN.
// Returns INVALID_ARGUMENT naming the first bad field as a path, e.g.
// "case.workers[1].posting_period.end_date: 2026-01-01 is before the start
// date 2026-02-01".
absl::Status ValidateCaseContent(pwx::v1::Case* c);

// Copies the fields named by `mask` from `patch` into `target`; an empty mask
// copies every editable field. INVALID_ARGUMENT naming "update_mask" for a
// path that is unknown or not editable. Does not validate the result.
absl::Status ApplyCaseUpdate(const pwx::v1::Case& patch,
                             const google::protobuf::FieldMask& mask,
                             pwx::v1::Case* target);

// "<authority>-<year>-<sequence, 6 digits>", e.g.
// "FR-DGT-2026-000042".
std::string FormatCaseId(absl::string_view authority_id, int year,
                         uint64_t sequence);

// INVALID_ARGUMENT naming `field` unless `id` has the form FormatCaseId
// produces.
absl::Status ValidateCaseId(absl::string_view field, absl::string_view id);

// A note's text: required, at most kMaxNoteChars, may span lines.
absl::Status ValidateNoteText(absl::string_view field, absl::string_view text);

// An attachment's file name: required, no path separators, at most
// kMaxFileNameChars. Its media type: "type/subtype" or empty.
absl::Status ValidateAttachmentNames(absl::string_view file_name,
                                     absl::string_view media_type);

// True when `name` (any case) or `registration_number` contains `needle`
// case-insensitively: the text filter of case lists.
bool MatchesText(const pwx::v1::Case& c, absl::string_view needle);

// The display name of a status for messages: "OPEN", "CLOSED", ...
absl::string_view StatusName(pwx::v1::CaseStatus status);

}  // namespace pwx::domain

#endif  // PWX_SERVER_DOMAIN_CASE_RULES_H_
