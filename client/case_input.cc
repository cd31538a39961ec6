#include "client/case_input.h"

#include <algorithm>
#include <initializer_list>
#include <optional>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "client/absl_view.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/field_mask.pb.h"
#include "google/protobuf/util/field_mask_util.h"
#include "google/protobuf/util/json_util.h"
#include "nlohmann/json.hpp"

namespace pwx::client {
namespace {

using KeyValues = absl::flat_hash_map<std::string, std::string>;

struct StatusName {
  pwx::v1::CaseStatus status;
  std::string_view name;
};
constexpr StatusName kStatusNames[] = {
    {pwx::v1::CASE_STATUS_OPEN, "open"},
    {pwx::v1::CASE_STATUS_UNDER_INVESTIGATION, "under-investigation"},
    {pwx::v1::CASE_STATUS_AWAITING_INFORMATION, "awaiting-information"},
    {pwx::v1::CASE_STATUS_CLOSED, "closed"},
};

// Splits "k1=v1;k2=v2" into a map, accepting only `known_keys`.
absl::StatusOr<KeyValues> ParseKeyValues(
    absl::string_view flag, absl::string_view spec,
    const std::vector<absl::string_view>& known_keys) {
  KeyValues values;
  for (absl::string_view part : absl::StrSplit(spec, ';')) {
    part = absl::StripAsciiWhitespace(part);
    if (part.empty()) continue;
    const size_t eq = part.find('=');
    if (eq == absl::string_view::npos) {
      return absl::InvalidArgumentError(absl::StrCat(
          flag, ": '", part,
          "' is not key=value; known keys: ", absl::StrJoin(known_keys, ", ")));
    }
    std::string key(absl::StripAsciiWhitespace(part.substr(0, eq)));
    std::string value(absl::StripAsciiWhitespace(part.substr(eq + 1)));
    if (std::find(known_keys.begin(), known_keys.end(), key) ==
        known_keys.end()) {
      return absl::InvalidArgumentError(
          absl::StrCat(flag, ": unknown key '", key,
                       "'; known keys: ", absl::StrJoin(known_keys, ", ")));
    }
    if (!values.emplace(key, std::move(value)).second) {
      return absl::InvalidArgumentError(
          absl::StrCat(flag, ": key '", key, "' given twice"));
    }
  }
  if (values.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(flag, ": empty; expected key=value;... with keys ",
                     absl::StrJoin(known_keys, ", ")));
  }
  return values;
}

// Copies values[key] into `out` when present.
void Take(const KeyValues& values, absl::string_view key, std::string* out) {
  auto it = values.find(key);
  if (it != values.end()) *out = it->second;
}

const google::protobuf::FieldDescriptor* FindCaseField(std::string_view key) {
  const google::protobuf::Descriptor* descriptor = pwx::v1::Case::descriptor();
  for (int i = 0; i < descriptor->field_count(); ++i) {
    const google::protobuf::FieldDescriptor* field = descriptor->field(i);
    if (field->name() == key || field->json_name() == key) return field;
  }
  return nullptr;
}

// `paths` sorted into the proto's field order.
std::vector<std::string> InFieldOrder(
    const absl::flat_hash_set<std::string>& paths) {
  std::vector<std::string> ordered;
  const google::protobuf::Descriptor* descriptor = pwx::v1::Case::descriptor();
  for (int i = 0; i < descriptor->field_count(); ++i) {
    if (paths.contains(descriptor->field(i)->name())) {
      ordered.push_back(descriptor->field(i)->name());
    }
  }
  return ordered;
}

bool IsEditable(std::string_view path) {
  return std::find(std::begin(kEditableCaseFields),
                   std::end(kEditableCaseFields),
                   path) != std::end(kEditableCaseFields);
}

// Counts how many of `fields` are set.
int CountGiven(
    std::initializer_list<const std::optional<std::string>*> fields) {
  int given = 0;
  for (const std::optional<std::string>* field : fields) {
    if (field->has_value()) ++given;
  }
  return given;
}

}  // namespace

std::string CaseStatusName(pwx::v1::CaseStatus status) {
  for (const StatusName& entry : kStatusNames) {
    if (entry.status == status) return std::string(entry.name);
  }
  return "unspecified";
}

absl::StatusOr<pwx::v1::CaseStatus> ParseCaseStatus(std::string_view name) {
  std::vector<absl::string_view> names;
  for (const StatusName& entry : kStatusNames) {
    if (entry.name == name) return entry.status;
    names.push_back(ToAbsl(entry.name));
  }
  return absl::InvalidArgumentError(
      absl::StrCat("unknown status '", ToAbsl(name),
                   "'; one of: ", absl::StrJoin(names, ", ")));
}

absl::StatusOr<pwx::v1::PostedWorker> ParseWorkerSpec(std::string_view spec) {
  absl::StatusOr<KeyValues> values = ParseKeyValues(
      "--worker", ToAbsl(spec),
      {"name", "dob", "nationality", "a1", "start", "end", "workplace"});
  if (!values.ok()) return values.status();
  pwx::v1::PostedWorker worker;
  Take(*values, "name", worker.mutable_full_name());
  Take(*values, "dob", worker.mutable_date_of_birth());
  Take(*values, "nationality", worker.mutable_nationality());
  Take(*values, "a1", worker.mutable_a1_certificate_number());
  if (values->contains("start") || values->contains("end")) {
    Take(*values, "start",
         worker.mutable_posting_period()->mutable_start_date());
    Take(*values, "end", worker.mutable_posting_period()->mutable_end_date());
  }
  Take(*values, "workplace", worker.mutable_workplace());
  return worker;
}

absl::StatusOr<pwx::v1::Subcontractor> ParseSubcontractorSpec(
    std::string_view spec) {
  absl::StatusOr<KeyValues> values = ParseKeyValues(
      "--subcontractor", ToAbsl(spec), {"name", "reg", "country", "level"});
  if (!values.ok()) return values.status();
  pwx::v1::Subcontractor subcontractor;
  Take(*values, "name", subcontractor.mutable_name());
  Take(*values, "reg", subcontractor.mutable_registration_number());
  Take(*values, "country", subcontractor.mutable_country());
  auto level = values->find("level");
  if (level != values->end()) {
    uint32_t parsed = 0;
    if (!absl::SimpleAtoi(level->second, &parsed)) {
      return absl::InvalidArgumentError(
          absl::StrCat("--subcontractor: level '", level->second,
                       "' is not a non-negative number"));
    }
    subcontractor.set_level(parsed);
  }
  return subcontractor;
}

absl::StatusOr<std::vector<std::string>> ApplyCaseFlags(
    const CaseFieldFlags& flags, pwx::v1::Case* c) {
  absl::flat_hash_set<std::string> paths;
  // Touches the case only for flags that were given, so that an absent flag
  // does not create an empty sub-message.
  auto set = [&paths](const std::optional<std::string>& flag,
                      std::string_view path, auto&& assign) {
    if (!flag.has_value()) return;
    assign(*flag);
    paths.insert(std::string(path));
  };
  set(flags.title, "title", [c](const std::string& v) { c->set_title(v); });
  set(flags.undertaking_name, "undertaking",
      [c](const std::string& v) { c->mutable_undertaking()->set_name(v); });
  set(flags.undertaking_reg, "undertaking", [c](const std::string& v) {
    c->mutable_undertaking()->set_registration_number(v);
  });
  set(flags.undertaking_country, "undertaking", [c](const std::string& v) {
    c->mutable_undertaking()->set_country_of_establishment(v);
  });
  set(flags.undertaking_address, "undertaking",
      [c](const std::string& v) { c->mutable_undertaking()->set_address(v); });
  set(flags.recipient_name, "service_recipient", [c](const std::string& v) {
    c->mutable_service_recipient()->set_name(v);
  });
  set(flags.recipient_reg, "service_recipient", [c](const std::string& v) {
    c->mutable_service_recipient()->set_registration_number(v);
  });
  set(flags.recipient_country, "service_recipient", [c](const std::string& v) {
    c->mutable_service_recipient()->set_country(v);
  });
  set(flags.recipient_address, "service_recipient", [c](const std::string& v) {
    c->mutable_service_recipient()->set_address(v);
  });
  set(flags.sector, "sector_nace",
      [c](const std::string& v) { c->set_sector_nace(v); });
  set(flags.declaration_ref, "declaration_reference",
      [c](const std::string& v) { c->set_declaration_reference(v); });
  if (flags.status.has_value()) {
    absl::StatusOr<pwx::v1::CaseStatus> status = ParseCaseStatus(*flags.status);
    if (!status.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--status: ", status.status().message()));
    }
    c->set_status(*status);
    paths.insert("status");
  }
  if (!flags.workers.empty()) {
    c->clear_workers();
    for (const std::string& spec : flags.workers) {
      absl::StatusOr<pwx::v1::PostedWorker> worker = ParseWorkerSpec(spec);
      if (!worker.ok()) return worker.status();
      *c->add_workers() = *std::move(worker);
    }
    paths.insert("workers");
  }
  if (!flags.subcontractors.empty()) {
    c->clear_subcontracting_chain();
    for (const std::string& spec : flags.subcontractors) {
      absl::StatusOr<pwx::v1::Subcontractor> link =
          ParseSubcontractorSpec(spec);
      if (!link.ok()) return link.status();
      *c->add_subcontracting_chain() = *std::move(link);
    }
    paths.insert("subcontracting_chain");
  }
  return InFieldOrder(paths);
}

std::vector<std::string> PartiallySetMessageFields(
    const CaseFieldFlags& flags) {
  std::vector<std::string> partial;
  const int undertaking =
      CountGiven({&flags.undertaking_name, &flags.undertaking_reg,
                  &flags.undertaking_country, &flags.undertaking_address});
  if (undertaking > 0 && undertaking < 4) partial.push_back("undertaking");
  const int recipient =
      CountGiven({&flags.recipient_name, &flags.recipient_reg,
                  &flags.recipient_country, &flags.recipient_address});
  if (recipient > 0 && recipient < 4) partial.push_back("service_recipient");
  return partial;
}

absl::StatusOr<CaseJson> ParseCaseJson(std::string_view json,
                                       std::string_view source_name) {
  const absl::string_view source = ToAbsl(source_name);
  const nlohmann::json parsed = nlohmann::json::parse(
      json.begin(), json.end(), /*cb=*/nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) {
    return absl::InvalidArgumentError(absl::StrCat(source, ": not valid JSON"));
  }
  if (!parsed.is_object()) {
    return absl::InvalidArgumentError(
        absl::StrCat(source, ": expected a JSON object (a pwx.v1.Case), got ",
                     parsed.type_name()));
  }
  absl::flat_hash_set<std::string> fields;
  for (const auto& [key, value] : parsed.items()) {
    const google::protobuf::FieldDescriptor* field = FindCaseField(key);
    if (field == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat(source, ": unknown field '", key, "' for a case"));
    }
    fields.insert(field->name());
  }
  CaseJson result;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  const google::protobuf::util::Status status =
      google::protobuf::util::JsonStringToMessage(
          google::protobuf::StringPiece(json.data(), json.size()),
          &result.value, options);
  if (!status.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(source, ": ", status.message().ToString()));
  }
  result.fields = InFieldOrder(fields);
  return result;
}

absl::StatusOr<pwx::v1::UpdateCaseRequest> BuildUpdateRequest(
    const std::string& id, uint64_t expected_version,
    const pwx::v1::Case& edited, const std::vector<std::string>& paths) {
  if (paths.empty()) {
    return absl::InvalidArgumentError(
        "nothing to update: give at least one field flag or --file");
  }
  pwx::v1::UpdateCaseRequest request;
  request.set_id(id);
  request.set_expected_version(expected_version);
  for (const std::string& path : paths) {
    if (!IsEditable(path)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "field '", path, "' cannot be updated; editable fields: ",
          absl::StrJoin(std::begin(kEditableCaseFields),
                        std::end(kEditableCaseFields), ", ",
                        [](std::string* out, std::string_view field) {
                          out->append(field);
                        })));
    }
    request.mutable_update_mask()->add_paths(path);
  }
  // Only the masked fields travel, so the request says exactly what changes.
  google::protobuf::util::FieldMaskUtil::MergeOptions options;
  options.set_replace_message_fields(true);
  options.set_replace_repeated_fields(true);
  google::protobuf::util::FieldMaskUtil::MergeMessageTo(
      edited, request.update_mask(), options, request.mutable_case_());
  return request;
}

std::string GuessMediaType(std::string_view file_name) {
  static constexpr std::pair<std::string_view, std::string_view> kTypes[] = {
      {"pdf", "application/pdf"},
      {"png", "image/png"},
      {"jpg", "image/jpeg"},
      {"jpeg", "image/jpeg"},
      {"txt", "text/plain"},
      {"json", "application/json"},
      {"xml", "application/xml"},
      {"csv", "text/csv"},
      {"docx",
       "application/"
       "vnd.openxmlformats-officedocument.wordprocessingml.document"},
      {"xlsx",
       "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
  };
  const size_t dot = file_name.rfind('.');
  const size_t slash = file_name.find_last_of("/\\");
  if (dot != std::string_view::npos &&
      (slash == std::string_view::npos || dot > slash)) {
    const std::string extension =
        absl::AsciiStrToLower(ToAbsl(file_name.substr(dot + 1)));
    for (const auto& [ext, type] : kTypes) {
      if (extension == ext) return std::string(type);
    }
  }
  return "application/octet-stream";
}

}  // namespace pwx::client
