// Who may do what on this node: users (certificate common names), their
// roles, and the permission each RPC needs. Role changes are stored and take
// effect for the next call, without a restart.
#ifndef PWX_SERVER_AUTHORIZER_H_
#define PWX_SERVER_AUTHORIZER_H_

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "pwx/v1/user_service.pb.h"
#include "storage/kv_store.h"
#include "storage/user_store.h"

namespace pwx::server {

// What an RPC needs. Each role grants a fixed set (see RolesFor).
enum class Permission {
  kCases,   // case records, notes, attachments: personal data
  kUsers,   // grant, revoke, list users
  kBackup,  // node backups
  kAudit,   // the audit log (read-only)
  kPeers,   // the peer registry: federation with other nodes
};

// The roles that grant `permission`, for messages and documentation.
std::vector<pwx::v1::Role> RolesFor(Permission permission);

// "inspector", "coordinator", ...
std::string RoleName(pwx::v1::Role role);

// Parses "inspector" etc.; INVALID_ARGUMENT naming `field` otherwise.
absl::StatusOr<pwx::v1::Role> ParseRole(absl::string_view field,
                                        absl::string_view name);

using UserCallback = std::function<void(absl::StatusOr<pwx::v1::User>)>;

// Thread-safe. Keeps every user's roles in memory (users are few); the
// store is the durable copy, read once at Open.
class Authorizer {
 public:
  // Loads the users of `kv` (which must outlive the Authorizer). The users in
  // `bootstrap_admins` always hold ROLE_ADMIN. Grants, revocations and
  // denials are written to the audit log as entries of `authority_id`.
  static absl::StatusOr<std::unique_ptr<Authorizer>> Open(
      storage::KvStore* kv, std::string authority_id,
      std::set<std::string> bootstrap_admins,
      std::function<absl::Time()> clock = nullptr);

  Authorizer(const Authorizer&) = delete;
  Authorizer& operator=(const Authorizer&) = delete;

  // OK when `user` holds a role granting `permission`; otherwise
  // PERMISSION_DENIED naming the user, the call and the roles that would
  // allow it, and an audit entry "denied" (object: the call) is appended.
  absl::Status Check(const std::string& user, Permission permission,
                     absl::string_view call) const;

  // Grants `role` to `name` on behalf of `by`. INVALID_ARGUMENT for a bad
  // name or role. `done` runs once the change is durable.
  void Grant(const std::string& name, pwx::v1::Role role, const std::string& by,
             UserCallback done);

  // Revokes `role` (every role for ROLE_UNSPECIFIED). NOT_FOUND for an
  // unknown user; FAILED_PRECONDITION for a bootstrap admin's admin role.
  void Revoke(const std::string& name, pwx::v1::Role role,
              const std::string& by, UserCallback done);

  // Every user, bootstrap admins included, by name.
  std::vector<pwx::v1::User> List() const;

 private:
  Authorizer(storage::KvStore* kv, std::string authority_id,
             std::set<std::string> bootstrap_admins,
             std::function<absl::Time()> clock);

  using Edit = std::function<absl::Status(pwx::v1::User*)>;
  // Applies `edit` to the stored user and writes it with its audit entry
  // (`action`) in one batch, retrying when a concurrent change got there
  // first.
  void Change(const std::string& name, absl::string_view action, Edit edit,
              const std::string& by, UserCallback done, int attempts_left);

  // The user as callers see it: stored roles plus bootstrap admin.
  pwx::v1::User View(const std::string& name) const
      ABSL_SHARED_LOCKS_REQUIRED(mu_);

  storage::KvStore* const kv_;
  const std::string authority_id_;
  const storage::UserStore users_;
  const std::set<std::string> bootstrap_admins_;
  const std::function<absl::Time()> clock_;

  mutable absl::Mutex mu_;
  std::map<std::string, pwx::v1::User> cache_ ABSL_GUARDED_BY(mu_);
};

}  // namespace pwx::server

#endif  // PWX_SERVER_AUTHORIZER_H_
