#include "storage/user_store.h"

#include <memory>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "storage/key_codec.h"

namespace pwx::storage {
namespace {

constexpr char kUserPrefix[] = "user";

std::string UserKey(const std::string& name) {
  return KeyBuilder().String(kUserPrefix).String(name).Build();
}

}  // namespace

absl::StatusOr<std::optional<StoredUser>> UserStore::Get(
    const std::string& name) const {
  absl::StatusOr<std::optional<std::string>> bytes =
      kv_->Get(Column::kMeta, UserKey(name));
  if (!bytes.ok()) return bytes.status();
  if (!bytes->has_value()) return std::nullopt;
  StoredUser stored;
  if (!stored.record.ParseFromString(**bytes)) {
    return absl::DataLossError(
        absl::StrCat("stored user ", name, " does not parse"));
  }
  stored.bytes = std::move(**bytes);
  return stored;
}

void UserStore::Put(const pwx::v1::User& user, const StoredUser* previous,
                    WriteBatch* batch) const {
  const std::string key = UserKey(user.name());
  batch->Require(Column::kMeta, key,
                 previous == nullptr
                     ? std::nullopt
                     : std::optional<std::string>(previous->bytes));
  batch->Put(Column::kMeta, key, user.SerializeAsString());
}

void UserStore::RequireUnchanged(const StoredUser& user,
                                 WriteBatch* batch) const {
  batch->Require(Column::kMeta, UserKey(user.record.name()), user.bytes);
}

absl::StatusOr<std::vector<pwx::v1::User>> UserStore::List() const {
  const std::string prefix = KeyBuilder().String(kUserPrefix).Build();
  std::vector<pwx::v1::User> users;
  std::unique_ptr<Iterator> it = kv_->NewIterator(Column::kMeta);
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix);
       it->Next()) {
    pwx::v1::User user;
    if (!user.ParseFromArray(it->value().data(),
                             static_cast<int>(it->value().size()))) {
      return absl::DataLossError("a stored user does not parse");
    }
    users.push_back(std::move(user));
  }
  if (absl::Status s = it->status(); !s.ok()) return s;
  return users;
}

}  // namespace pwx::storage
