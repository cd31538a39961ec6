// The node's users and their roles, in the meta column:
//   meta  String("user") String(name)  -> pwx.v1.User
#ifndef PWX_STORAGE_USER_STORE_H_
#define PWX_STORAGE_USER_STORE_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "pwx/v1/user_service.pb.h"
#include "storage/kv_store.h"

namespace pwx::storage {

// A user as read, with the bytes stored, for a precondition on the write.
struct StoredUser {
  pwx::v1::User record;
  std::string bytes;
};

// Thread-safe: stateless over a thread-safe KvStore.
class UserStore {
 public:
  // `kv` must outlive the UserStore.
  explicit UserStore(KvStore* kv) : kv_(kv) {}

  // The user, std::nullopt if unknown, or an error.
  absl::StatusOr<std::optional<StoredUser>> Get(const std::string& name) const;

  // Adds to `batch` the write of `user`, requiring that the stored bytes are
  // still `previous->bytes` (or that there is no such user yet).
  void Put(const pwx::v1::User& user, const StoredUser* previous,
           WriteBatch* batch) const;

  // Adds to `batch` a precondition that `user` is still stored as read,
  // e.g. for a change that counts on it without writing it.
  void RequireUnchanged(const StoredUser& user, WriteBatch* batch) const;

  // Every user, by name.
  absl::StatusOr<std::vector<pwx::v1::User>> List() const;

 private:
  KvStore* kv_;
};

}  // namespace pwx::storage

#endif  // PWX_STORAGE_USER_STORE_H_
