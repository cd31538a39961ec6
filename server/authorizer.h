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
#include "pwx/v1/config.pb.h"
#include "pwx/v1/user_service.pb.h"
#include "storage/kv_store.h"
#include "storage/user_store.h"

namespace pwx::server {

// What an RPC needs. Each role grants a fixed set (see RolesFor).
enum class Permission {
  kCases,          // case records, notes, attachments: personal data
  kUsers,          // grant, revoke, list users
  kBackup,         // node backups
  kAudit,          // the audit log (read-only)
  kPeers,          // the peer registry: federation with other nodes
  kAnyRole,        // any role at all: one's own settings, the question
                   // catalogue, the working-day calendars (public data)
  kRequests,       // cross-border requests: personal data
  kStatistics,     // the scoreboard: no personal data
  kPlans,          // joint inspection plans: personal data
  kPlanAgreement,  // agreeing to or declining a plan for the authority
};

// The roles that grant `permission`, for messages and documentation.
std::vector<pwx::v1::Role> RolesFor(Permission permission);

// "inspector", "coordinator", ...
std::string RoleName(pwx::v1::Role role);

// Parses "inspector" etc.; INVALID_ARGUMENT naming `field` otherwise.
absl::StatusOr<pwx::v1::Role> ParseRole(absl::string_view field,
                                        absl::string_view name);

// OK when `name` can be a user: a certificate common name as deploy/pki.sh
// issues them (lower-case letters, digits, '.', '_' or '-', at most 64).
// INVALID_ARGUMENT naming `field` otherwise.
absl::Status ValidateUserName(absl::string_view field, const std::string& name);

// The roles `config` gives: ROLE_ADMIN to each of admin_users, and each of
// bootstrap_roles. INVALID_ARGUMENT naming the key, e.g.
// "bootstrap_roles[1].role", for a bad user name or role.
absl::StatusOr<std::map<std::string, std::set<pwx::v1::Role>>> ConfigRoles(
    const pwx::v1::ServerConfig& config);

using UserCallback = std::function<void(absl::StatusOr<pwx::v1::User>)>;

struct AuthorizerOptions {
  // The node's authority, for its audit entries. Required.
  std::string authority_id;
  // The roles the config gives (admin_users hold ROLE_ADMIN, bootstrap_roles
  // any): held for as long as the config says so, whatever the store holds,
  // and never revoked through the API. Default: none.
  std::map<std::string, std::set<pwx::v1::Role>> config_roles;
  // The clock of the audit entries and updated_at. Default: absl::Now.
  std::function<absl::Time()> clock;
};

// Thread-safe. Keeps every user's roles in memory (users are few); the
// store is the durable copy, read once at Open.
//
// Who may change roles (on top of Permission::kUsers, which the caller has
// checked): nobody grants a role to themselves; a coordinator grants and
// revokes the inspector role only (and may give up their own roles), an
// admin every role; the node's last admin keeps the admin role. Refusals for
// lack of permission are PERMISSION_DENIED and appended to the audit log as
// "denied" entries, like Check's.
class Authorizer {
 public:
  // Loads the users of `kv` (which must outlive the Authorizer).
  static absl::StatusOr<std::unique_ptr<Authorizer>> Open(
      storage::KvStore* kv, AuthorizerOptions options);

  Authorizer(const Authorizer&) = delete;
  Authorizer& operator=(const Authorizer&) = delete;

  // OK when `user` holds a role granting `permission`; otherwise
  // PERMISSION_DENIED naming the user, the call and the roles that would
  // allow it, and an audit entry "denied" (object: the call) is appended.
  absl::Status Check(const std::string& user, Permission permission,
                     absl::string_view call) const;

  // Grants `role` to `name` on behalf of `by`. INVALID_ARGUMENT for a bad
  // name or role; PERMISSION_DENIED when `name` is `by` and does not hold
  // `role` yet (granting oneself a role one holds changes nothing and
  // writes nothing), or when `role` is not inspector and `by` is not an
  // admin. `done` runs once the change is durable.
  void Grant(const std::string& name, pwx::v1::Role role, const std::string& by,
             UserCallback done);

  // Revokes `role` (every role for ROLE_UNSPECIFIED) from `name` on behalf
  // of `by`. NOT_FOUND for an unknown user; FAILED_PRECONDITION for a role
  // the config gives, or for the admin role of the last admin (bootstrap
  // admins count); PERMISSION_DENIED when `by` is not an admin and the
  // revocation takes a role other than inspector from another user.
  void Revoke(const std::string& name, pwx::v1::Role role,
              const std::string& by, UserCallback done);

  // Every user, the config's included, by name.
  std::vector<pwx::v1::User> List() const;

  // `name` as Check sees them: their stored record with the roles the
  // config gives; only the name when the node does not know them.
  pwx::v1::User Get(const std::string& name) const;

  // Sets `name`'s language preference to `language` (a catalogue language
  // tag, see domain::ValidateLanguage; "" clears it) on behalf of themselves
  // (the caller has checked Permission::kAnyRole). INVALID_ARGUMENT naming
  // "language" for another tag. Setting the language already held writes
  // nothing; a change is stored with an audit entry "user.language". `done`
  // runs once the change is durable, with the user as it now stands.
  void SetLanguage(const std::string& name, const std::string& language,
                   UserCallback done);

  // `user`'s language preference as set with SetLanguage, e.g. "pl" or
  // "pl-PL"; "" when they have chosen none (or are unknown). For services
  // that show catalogue texts: pass it to domain::QuestionCatalogue::Text.
  std::string Language(const std::string& user) const;

 private:
  Authorizer(storage::KvStore* kv, AuthorizerOptions options);

  using Edit =
      std::function<absl::Status(pwx::v1::User*, storage::WriteBatch*)>;
  // Applies `edit` to the stored user and writes it with its audit entry
  // (`action`) in one batch, retrying when a concurrent change got there
  // first. `edit` may add preconditions to the batch.
  void Change(const std::string& name, absl::string_view action, Edit edit,
              const std::string& by, UserCallback done, int attempts_left);

  // Appends a "denied" entry for `by`'s `call` about user `name` and
  // returns PERMISSION_DENIED with `message`.
  absl::Status Deny(const std::string& by, absl::string_view call,
                    const std::string& name, std::string message) const;

  // OK unless taking ROLE_ADMIN from `name` (stored as `user`) leaves the
  // node without an admin: FAILED_PRECONDITION naming it then. Adds to
  // `batch` a precondition on each other stored admin it counts, so that
  // two concurrent revocations cannot each count on the other's admin.
  absl::Status KeepAnAdmin(const std::string& name,
                           storage::WriteBatch* batch) const;

  // The user as callers see it: stored roles plus the config's.
  pwx::v1::User View(const std::string& name) const
      ABSL_SHARED_LOCKS_REQUIRED(mu_);

  storage::KvStore* const kv_;
  const AuthorizerOptions options_;
  const storage::UserStore users_;

  mutable absl::Mutex mu_;
  std::map<std::string, pwx::v1::User> cache_ ABSL_GUARDED_BY(mu_);
};

}  // namespace pwx::server

#endif  // PWX_SERVER_AUTHORIZER_H_
