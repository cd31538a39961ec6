#include "client/enum_names.h"

#include <algorithm>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "client/absl_view.h"

namespace pwx::client {

using google::protobuf::EnumDescriptor;

std::string SuffixName(const EnumDescriptor* descriptor, int value,
                       absl::string_view prefix) {
  const google::protobuf::EnumValueDescriptor* v =
      descriptor->FindValueByNumber(value);
  if (v == nullptr) return absl::StrCat(value);
  std::string name = absl::AsciiStrToLower(
      absl::StripPrefix(absl::string_view(v->name()), prefix));
  std::replace(name.begin(), name.end(), '_', '-');
  return name;
}

absl::StatusOr<int> ParseSuffixName(const EnumDescriptor* descriptor,
                                    absl::string_view prefix,
                                    absl::string_view what,
                                    std::string_view name) {
  std::vector<std::string> names;
  for (int i = 0; i < descriptor->value_count(); ++i) {
    const int number = descriptor->value(i)->number();
    if (number == 0) continue;
    std::string candidate = SuffixName(descriptor, number, prefix);
    if (candidate == name) return number;
    names.push_back(std::move(candidate));
  }
  return absl::InvalidArgumentError(
      absl::StrCat("unknown ", what, " '", ToAbsl(name),
                   "'; one of: ", absl::StrJoin(names, ", ")));
}

}  // namespace pwx::client
