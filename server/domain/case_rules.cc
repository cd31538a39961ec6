#include "server/domain/case_rules.h"

#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "server/domain/country.h"
#include "server/domain/fields.h"

namespace pwx::domain {
namespace {

using pwx::v1::Case;

#define PWX_RETURN_IF_ERROR(expr)             \
  do {                                        \
    if (absl::Status s_ = (expr); !s_.ok()) { \
      return s_;                              \
    }                                         \
  } while (false)

absl::Status ValidateOptionalCountry(absl::string_view field,
                                     absl::string_view code) {
  if (code.empty()) return absl::OkStatus();
  return ValidateCountry(field, code);
}

absl::Status ValidatePeriod(const std::string& field,
                            const pwx::v1::Period& p) {
  if (p.start_date().empty()) {
    return Invalid(absl::StrCat(field, ".start_date"), "is required");
  }
  absl::StatusOr<absl::CivilDay> start =
      ParseDate(absl::StrCat(field, ".start_date"), p.start_date());
  if (!start.ok()) return start.status();
  if (p.end_date().empty()) return absl::OkStatus();
  absl::StatusOr<absl::CivilDay> end =
      ParseDate(absl::StrCat(field, ".end_date"), p.end_date());
  if (!end.ok()) return end.status();
  if (*end < *start) {
    return Invalid(absl::StrCat(field, ".end_date"),
                   absl::StrCat(p.end_date(), " is before the start date ",
                                p.start_date()));
  }
  return absl::OkStatus();
}

absl::Status ValidateWorker(const std::string& f,
                            const pwx::v1::PostedWorker& w) {
  PWX_RETURN_IF_ERROR(ValidateRequiredText(absl::StrCat(f, ".full_name"),
                                           w.full_name(), kMaxNameChars));
  if (!w.date_of_birth().empty()) {
    absl::StatusOr<absl::CivilDay> dob =
        ParseDate(absl::StrCat(f, ".date_of_birth"), w.date_of_birth());
    if (!dob.ok()) return dob.status();
  }
  PWX_RETURN_IF_ERROR(ValidateOptionalCountry(absl::StrCat(f, ".nationality"),
                                              w.nationality()));
  PWX_RETURN_IF_ERROR(ValidateText(absl::StrCat(f, ".a1_certificate_number"),
                                   w.a1_certificate_number(),
                                   kMaxReferenceChars));
  PWX_RETURN_IF_ERROR(
      ValidatePeriod(absl::StrCat(f, ".posting_period"), w.posting_period()));
  if (!w.date_of_birth().empty() &&
      w.date_of_birth() >= w.posting_period().start_date()) {
    return Invalid(absl::StrCat(f, ".date_of_birth"),
                   "is not before the start of the posting");
  }
  return ValidateText(absl::StrCat(f, ".workplace"), w.workplace(),
                      kMaxAddressChars);
}

}  // namespace

absl::Status ValidateCaseContent(Case* c) {
  PWX_RETURN_IF_ERROR(ValidateText("case.title", c->title(), kMaxTitleChars));
  if (!pwx::v1::CaseStatus_IsValid(c->status())) {
    return Invalid("case.status", absl::StrCat("unknown value ", c->status()));
  }
  if (c->status() == pwx::v1::CASE_STATUS_UNSPECIFIED) {
    c->set_status(pwx::v1::CASE_STATUS_OPEN);
  }

  const pwx::v1::PostingUndertaking& u = c->undertaking();
  PWX_RETURN_IF_ERROR(
      ValidateRequiredText("case.undertaking.name", u.name(), kMaxNameChars));
  PWX_RETURN_IF_ERROR(ValidateText("case.undertaking.registration_number",
                                   u.registration_number(),
                                   kMaxRegistrationChars));
  if (u.country_of_establishment().empty()) {
    return Invalid("case.undertaking.country_of_establishment", "is required");
  }
  PWX_RETURN_IF_ERROR(
      ValidateCountry("case.undertaking.country_of_establishment",
                      u.country_of_establishment()));
  PWX_RETURN_IF_ERROR(ValidateText("case.undertaking.address", u.address(),
                                   kMaxAddressChars, true));

  const pwx::v1::ServiceRecipient& r = c->service_recipient();
  PWX_RETURN_IF_ERROR(
      ValidateText("case.service_recipient.name", r.name(), kMaxNameChars));
  PWX_RETURN_IF_ERROR(ValidateText("case.service_recipient.registration_number",
                                   r.registration_number(),
                                   kMaxRegistrationChars));
  PWX_RETURN_IF_ERROR(
      ValidateOptionalCountry("case.service_recipient.country", r.country()));
  PWX_RETURN_IF_ERROR(ValidateText("case.service_recipient.address",
                                   r.address(), kMaxAddressChars, true));

  if (!c->sector_nace().empty()) {
    absl::StatusOr<std::string> nace =
        NormalizeNace("case.sector_nace", c->sector_nace());
    if (!nace.ok()) return nace.status();
    c->set_sector_nace(*nace);
  }
  PWX_RETURN_IF_ERROR(ValidateText("case.declaration_reference",
                                   c->declaration_reference(),
                                   kMaxReferenceChars));

  if (static_cast<size_t>(c->workers_size()) > kMaxWorkers) {
    return Invalid("case.workers",
                   absl::StrCat(c->workers_size(), " workers; the limit is ",
                                kMaxWorkers, " per case"));
  }
  for (int i = 0; i < c->workers_size(); ++i) {
    PWX_RETURN_IF_ERROR(
        ValidateWorker(absl::StrCat("case.workers[", i, "]"), c->workers(i)));
  }

  if (static_cast<size_t>(c->subcontracting_chain_size()) >
      kMaxSubcontractors) {
    return Invalid("case.subcontracting_chain",
                   absl::StrCat(c->subcontracting_chain_size(),
                                " links; the limit is ", kMaxSubcontractors));
  }
  for (int i = 0; i < c->subcontracting_chain_size(); ++i) {
    const pwx::v1::Subcontractor& s = c->subcontracting_chain(i);
    const std::string f = absl::StrCat("case.subcontracting_chain[", i, "]");
    PWX_RETURN_IF_ERROR(ValidateRequiredText(absl::StrCat(f, ".name"), s.name(),
                                             kMaxNameChars));
    PWX_RETURN_IF_ERROR(ValidateText(absl::StrCat(f, ".registration_number"),
                                     s.registration_number(),
                                     kMaxRegistrationChars));
    PWX_RETURN_IF_ERROR(
        ValidateOptionalCountry(absl::StrCat(f, ".country"), s.country()));
    if (s.level() < 1 || s.level() > kMaxSubcontractors) {
      return Invalid(
          absl::StrCat(f, ".level"),
          absl::StrCat("must be between 1 and ", kMaxSubcontractors));
    }
  }
  return absl::OkStatus();
}

absl::Status ApplyCaseUpdate(const Case& patch,
                             const google::protobuf::FieldMask& mask,
                             Case* target) {
  static constexpr const char* kEditable[] = {"title",
                                              "status",
                                              "undertaking",
                                              "service_recipient",
                                              "workers",
                                              "sector_nace",
                                              "declaration_reference",
                                              "subcontracting_chain"};
  std::vector<std::string> paths(mask.paths().begin(), mask.paths().end());
  if (paths.empty()) paths.assign(std::begin(kEditable), std::end(kEditable));
  for (const std::string& path : paths) {
    if (path == "title") {
      target->set_title(patch.title());
    } else if (path == "status") {
      target->set_status(patch.status());
    } else if (path == "undertaking") {
      *target->mutable_undertaking() = patch.undertaking();
    } else if (path == "service_recipient") {
      *target->mutable_service_recipient() = patch.service_recipient();
    } else if (path == "workers") {
      *target->mutable_workers() = patch.workers();
    } else if (path == "sector_nace") {
      target->set_sector_nace(patch.sector_nace());
    } else if (path == "declaration_reference") {
      target->set_declaration_reference(patch.declaration_reference());
    } else if (path == "subcontracting_chain") {
      *target->mutable_subcontracting_chain() = patch.subcontracting_chain();
    } else {
      return Invalid("update_mask",
                     absl::StrCat("'", path,
                                  "' is not an editable field (editable: "
                                  "title, status, undertaking, "
                                  "service_recipient, workers, sector_nace, "
                                  "declaration_reference, "
                                  "subcontracting_chain)"));
    }
  }
  return absl::OkStatus();
}

std::string FormatCaseId(absl::string_view authority_id, int year,
                         uint64_t sequence) {
  return absl::StrFormat("%s-%04d-%06d", authority_id, year, sequence);
}

absl::Status ValidateCaseId(absl::string_view field, absl::string_view id) {
  // <authority>-<yyyy>-<digits>: split from the right, the authority id
  // itself contains one dash.
  std::vector<absl::string_view> parts = absl::StrSplit(id, '-');
  uint64_t unused = 0;
  if (parts.size() != 4 || parts[2].size() != 4 || parts[3].size() != 6 ||
      !absl::SimpleAtoi(parts[2], &unused) ||
      !absl::SimpleAtoi(parts[3], &unused) ||
      !ValidateAuthorityId(field, absl::StrCat(parts[0], "-", parts[1])).ok()) {
    return Invalid(field, absl::StrCat("'", id,
                                       "' is not a case id such as "
                                       "FR-DGT-2026-000042"));
  }
  return absl::OkStatus();
}

absl::Status ValidateNoteText(absl::string_view field, absl::string_view text) {
  return ValidateRequiredText(field, text, kMaxNoteChars, true);
}

absl::Status ValidateAttachmentNames(absl::string_view file_name,
                                     absl::string_view media_type) {
  PWX_RETURN_IF_ERROR(
      ValidateRequiredText("header.file_name", file_name, kMaxFileNameChars));
  if (absl::StrContains(file_name, '/') || absl::StrContains(file_name, '\\') ||
      file_name == "." || file_name == "..") {
    return Invalid("header.file_name", "must be a plain file name, no path");
  }
  if (media_type.empty()) return absl::OkStatus();
  std::vector<absl::string_view> parts = absl::StrSplit(media_type, '/');
  if (parts.size() != 2 || parts[0].empty() || parts[1].empty() ||
      media_type.size() > 127 ||
      !ValidateText("header.media_type", media_type, 127).ok() ||
      absl::StrContains(media_type, ' ')) {
    return Invalid("header.media_type",
                   absl::StrCat("'", media_type,
                                "' is not a media type such as "
                                "application/pdf"));
  }
  return absl::OkStatus();
}

bool MatchesText(const Case& c, absl::string_view needle) {
  const std::string lower_needle = absl::AsciiStrToLower(needle);
  return absl::StrContains(absl::AsciiStrToLower(c.undertaking().name()),
                           lower_needle) ||
         absl::StrContains(
             absl::AsciiStrToLower(c.undertaking().registration_number()),
             lower_needle);
}

absl::string_view StatusName(pwx::v1::CaseStatus status) {
  switch (status) {
    case pwx::v1::CASE_STATUS_OPEN:
      return "OPEN";
    case pwx::v1::CASE_STATUS_UNDER_INVESTIGATION:
      return "UNDER_INVESTIGATION";
    case pwx::v1::CASE_STATUS_AWAITING_INFORMATION:
      return "AWAITING_INFORMATION";
    case pwx::v1::CASE_STATUS_CLOSED:
      return "CLOSED";
    default:
      return "UNSPECIFIED";
  }
}

}  // namespace pwx::domain
