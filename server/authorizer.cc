#include "server/authorizer.h"

#include <algorithm>
#include <string>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "server/audit_trail.h"
#include "server/domain/catalogue.h"
#include "server/domain/digest.h"

namespace pwx::server {
namespace {

using pwx::v1::Role;
using pwx::v1::User;

constexpr int kMaxAttempts = 8;

bool HasRole(const User& user, Role role) {
  return std::find(user.roles().begin(), user.roles().end(), role) !=
         user.roles().end();
}

std::string RoleNames(const User& user) {
  std::vector<std::string> names;
  for (int role : user.roles()) names.push_back(RoleName(Role(role)));
  return names.empty() ? "none" : absl::StrJoin(names, ", ");
}

}  // namespace

// The same rule as deploy/pki.sh applies to user certificate names.
absl::Status ValidateUserName(absl::string_view field,
                              const std::string& name) {
  bool ok = !name.empty() && name.size() <= 64 &&
            (absl::ascii_islower(name[0]) || absl::ascii_isdigit(name[0]));
  for (char c : name) {
    ok = ok && (absl::ascii_islower(c) || absl::ascii_isdigit(c) || c == '.' ||
                c == '_' || c == '-');
  }
  if (!ok) {
    return absl::InvalidArgumentError(absl::StrCat(
        field, ": '", name,
        "' is not a user name (the certificate's CN: lower-case letters, "
        "digits, '.', '_' or '-', at most 64)"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::map<std::string, std::set<Role>>> ConfigRoles(
    const pwx::v1::ServerConfig& config) {
  std::map<std::string, std::set<Role>> roles;
  for (const std::string& admin : config.admin_users()) {
    roles[admin].insert(pwx::v1::ROLE_ADMIN);
  }
  for (int i = 0; i < config.bootstrap_roles_size(); ++i) {
    const pwx::v1::BootstrapRole& given = config.bootstrap_roles(i);
    const std::string key = absl::StrCat("bootstrap_roles[", i, "]");
    if (absl::Status s = ValidateUserName(key + ".user", given.user());
        !s.ok()) {
      return s;
    }
    absl::StatusOr<Role> role = ParseRole(key + ".role", given.role());
    if (!role.ok()) return role.status();
    roles[given.user()].insert(*role);
  }
  return roles;
}

std::vector<Role> RolesFor(Permission permission) {
  switch (permission) {
    case Permission::kCases:
    case Permission::kRequests:
      return {pwx::v1::ROLE_INSPECTOR};
    case Permission::kPlans:
      return {pwx::v1::ROLE_INSPECTOR, pwx::v1::ROLE_COORDINATOR};
    case Permission::kPlanAgreement:
      return {pwx::v1::ROLE_COORDINATOR};
    case Permission::kStatistics:
      return {pwx::v1::ROLE_INSPECTOR, pwx::v1::ROLE_AUDITOR,
              pwx::v1::ROLE_COORDINATOR, pwx::v1::ROLE_ADMIN};
    case Permission::kUsers:
    case Permission::kBackup:
    case Permission::kPeers:
      return {pwx::v1::ROLE_COORDINATOR, pwx::v1::ROLE_ADMIN};
    case Permission::kAudit:
      return {pwx::v1::ROLE_AUDITOR};
    case Permission::kAnyRole:
      return {pwx::v1::ROLE_INSPECTOR, pwx::v1::ROLE_COORDINATOR,
              pwx::v1::ROLE_AUDITOR, pwx::v1::ROLE_ADMIN};
  }
  return {};
}

std::string RoleName(Role role) {
  switch (role) {
    case pwx::v1::ROLE_INSPECTOR:
      return "inspector";
    case pwx::v1::ROLE_COORDINATOR:
      return "coordinator";
    case pwx::v1::ROLE_AUDITOR:
      return "auditor";
    case pwx::v1::ROLE_ADMIN:
      return "admin";
    default:
      return "unspecified";
  }
}

absl::StatusOr<Role> ParseRole(absl::string_view field,
                               absl::string_view name) {
  for (Role role : {pwx::v1::ROLE_INSPECTOR, pwx::v1::ROLE_COORDINATOR,
                    pwx::v1::ROLE_AUDITOR, pwx::v1::ROLE_ADMIN}) {
    if (name == RoleName(role)) return role;
  }
  return absl::InvalidArgumentError(absl::StrCat(
      field, ": '", name,
      "' is not a role (inspector, coordinator, auditor or admin)"));
}

Authorizer::Authorizer(storage::KvStore* kv, AuthorizerOptions options)
    : kv_(kv), options_(std::move(options)), users_(kv) {}

absl::StatusOr<std::unique_ptr<Authorizer>> Authorizer::Open(
    storage::KvStore* kv, AuthorizerOptions options) {
  if (!options.clock) options.clock = [] { return absl::Now(); };
  std::unique_ptr<Authorizer> authz(new Authorizer(kv, std::move(options)));
  absl::StatusOr<std::vector<User>> users = authz->users_.List();
  if (!users.ok()) return users.status();
  absl::MutexLock lock(&authz->mu_);
  for (User& user : *users) {
    std::string name = user.name();
    authz->cache_.emplace(std::move(name), std::move(user));
  }
  return authz;
}

User Authorizer::View(const std::string& name) const {
  User user;
  if (auto it = cache_.find(name); it != cache_.end()) user = it->second;
  user.set_name(name);
  if (auto it = options_.config_roles.find(name);
      it != options_.config_roles.end()) {
    user.set_bootstrap(true);
    for (Role role : it->second) {
      if (!HasRole(user, role)) user.add_roles(role);
    }
  }
  return user;
}

absl::Status Authorizer::Deny(const std::string& by, absl::string_view call,
                              const std::string& name,
                              std::string message) const {
  const std::string call_name(call);
  AppendAuditAsync(
      kv_,
      AuditEntryBytes(ToProtoTime(options_.clock()), options_.authority_id, by,
                      "denied", call_name, "", 0, {name}),
      "denied", by, call_name, kDefaultReadEntryDelay);
  return absl::PermissionDeniedError(std::move(message));
}

absl::Status Authorizer::Check(const std::string& user, Permission permission,
                               absl::string_view call) const {
  const std::vector<Role> allowed = RolesFor(permission);
  User view;
  {
    absl::ReaderMutexLock lock(&mu_);
    view = View(user);
  }
  for (Role role : allowed) {
    if (HasRole(view, role)) return absl::OkStatus();
  }
  const std::string call_name(call);
  AppendAuditAsync(
      kv_,
      AuditEntryBytes(ToProtoTime(options_.clock()), options_.authority_id,
                      user, "denied", call_name, ""),
      "denied", user, call_name, kDefaultReadEntryDelay);
  std::vector<std::string> needed;
  for (Role role : allowed) needed.push_back(RoleName(role));
  return absl::PermissionDeniedError(absl::StrCat(
      "user '", user, "' (roles: ", RoleNames(view), ") may not call ", call,
      "; it needs the role ", absl::StrJoin(needed, " or ")));
}

void Authorizer::Change(const std::string& name, absl::string_view action,
                        Edit edit, const std::string& by, UserCallback done,
                        int attempts_left) {
  absl::StatusOr<std::optional<storage::StoredUser>> stored = users_.Get(name);
  if (!stored.ok()) {
    done(stored.status());
    return;
  }
  auto next = std::make_shared<User>();
  if (stored->has_value()) *next = (*stored)->record;
  next->set_name(name);
  storage::WriteBatch batch;
  if (absl::Status s = edit(next.get(), &batch); !s.ok()) {
    done(s);
    return;
  }
  next->set_updated_by(by);
  *next->mutable_updated_at() = ToProtoTime(options_.clock());
  users_.Put(*next, stored->has_value() ? &**stored : nullptr, &batch);
  batch.AppendAudit(
      AuditEntryBytes(next->updated_at(), options_.authority_id, by, action,
                      name, domain::Sha256Hex(next->SerializeAsString())));
  kv_->WriteAsync(
      std::move(batch),
      [this, next, name, action = std::string(action), edit = std::move(edit),
       by, done = std::move(done), attempts_left](absl::Status s) mutable {
        if (absl::IsAborted(s) && attempts_left > 1) {
          Change(name, action, std::move(edit), by, std::move(done),
                 attempts_left - 1);
          return;
        }
        if (!s.ok()) {
          done(s);
          return;
        }
        User view;
        {
          absl::MutexLock lock(&mu_);
          cache_[name] = *next;
          view = View(name);
        }
        done(std::move(view));
      });
}

void Authorizer::Grant(const std::string& name, Role role,
                       const std::string& by, UserCallback done) {
  if (absl::Status s = ValidateUserName("name", name); !s.ok()) {
    done(s);
    return;
  }
  if (!pwx::v1::Role_IsValid(role) || role == pwx::v1::ROLE_UNSPECIFIED) {
    done(absl::InvalidArgumentError(
        "role: must be inspector, coordinator, auditor or admin"));
    return;
  }
  User granter;
  User grantee;
  {
    absl::ReaderMutexLock lock(&mu_);
    granter = View(by);
    grantee = View(name);
  }
  if (name == by) {
    // Nothing to grant: idempotent, and no entry claims a self-grant.
    if (HasRole(grantee, role)) {
      done(std::move(grantee));
      return;
    }
    done(Deny(by, "GrantRole", name,
              absl::StrCat("user '", by,
                           "' may not grant a role to "
                           "themselves (",
                           RoleName(role),
                           "); another coordinator or admin must grant it")));
    return;
  }
  if (role != pwx::v1::ROLE_INSPECTOR &&
      !HasRole(granter, pwx::v1::ROLE_ADMIN)) {
    done(Deny(by, "GrantRole", name,
              absl::StrCat("user '", by, "' (roles: ", RoleNames(granter),
                           ") may not grant the ", RoleName(role),
                           " role: only an admin grants coordinator, auditor "
                           "or admin; a coordinator grants inspector")));
    return;
  }
  Change(
      name, "user.grant",
      [role](User* user, storage::WriteBatch*) {
        if (!HasRole(*user, role)) user->add_roles(role);
        return absl::OkStatus();
      },
      by, std::move(done), kMaxAttempts);
}

absl::Status Authorizer::KeepAnAdmin(const std::string& name,
                                     storage::WriteBatch* batch) const {
  for (const auto& [user, roles] : options_.config_roles) {
    if (user != name && roles.count(pwx::v1::ROLE_ADMIN) > 0) {
      return absl::OkStatus();
    }
  }
  std::vector<std::string> admins;
  {
    absl::ReaderMutexLock lock(&mu_);
    for (const auto& [user, record] : cache_) {
      if (user != name && HasRole(record, pwx::v1::ROLE_ADMIN)) {
        admins.push_back(user);
      }
    }
  }
  bool kept = false;
  for (const std::string& admin : admins) {
    // The stored record, not the cache: it is what the batch's
    // precondition holds to.
    absl::StatusOr<std::optional<storage::StoredUser>> stored =
        users_.Get(admin);
    if (!stored.ok()) return stored.status();
    if (!stored->has_value() ||
        !HasRole((*stored)->record, pwx::v1::ROLE_ADMIN)) {
      continue;
    }
    users_.RequireUnchanged(**stored, batch);
    kept = true;
  }
  if (kept) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrCat(
      "user '", name,
      "' is the last admin of this node: grant admin to another user first "
      "(or name one in the config's admin_users)"));
}

void Authorizer::Revoke(const std::string& name, Role role,
                        const std::string& by, UserCallback done) {
  if (absl::Status s = ValidateUserName("name", name); !s.ok()) {
    done(s);
    return;
  }
  if (!pwx::v1::Role_IsValid(role)) {
    done(absl::InvalidArgumentError("role: unknown value"));
    return;
  }
  if (auto it = options_.config_roles.find(name);
      it != options_.config_roles.end()) {
    for (Role given : it->second) {
      if (role != given && role != pwx::v1::ROLE_UNSPECIFIED) continue;
      done(absl::FailedPreconditionError(absl::StrCat(
          "user '", name, "' holds the ", RoleName(given),
          " role from the config (",
          given == pwx::v1::ROLE_ADMIN ? "admin_users or " : "",
          "bootstrap_roles); remove it there and restart to revoke it")));
      return;
    }
  }
  bool by_admin = false;
  {
    absl::ReaderMutexLock lock(&mu_);
    if (cache_.count(name) == 0) {
      done(absl::NotFoundError(absl::StrCat("user '", name, "' not found")));
      return;
    }
    by_admin = HasRole(View(by), pwx::v1::ROLE_ADMIN);
  }
  Change(
      name, "user.revoke",
      [this, name, role, by, by_admin](
          User* user, storage::WriteBatch* batch) -> absl::Status {
        const auto taken = [role](int r) {
          return role == pwx::v1::ROLE_UNSPECIFIED || r == role;
        };
        bool takes_admin = false;
        for (int r : user->roles()) {
          if (!taken(r)) continue;
          // Giving up one's own role is never a gain; taking another
          // user's above inspector is an admin's decision.
          if (r != pwx::v1::ROLE_INSPECTOR && !by_admin && name != by) {
            return Deny(by, "RevokeRole", name,
                        absl::StrCat("user '", by, "' may not revoke the ",
                                     RoleName(Role(r)), " role of '", name,
                                     "': only an admin revokes coordinator, "
                                     "auditor or admin; a coordinator "
                                     "revokes inspector"));
          }
          takes_admin = takes_admin || r == pwx::v1::ROLE_ADMIN;
        }
        if (takes_admin) {
          if (absl::Status s = KeepAnAdmin(name, batch); !s.ok()) return s;
        }
        auto* roles = user->mutable_roles();
        roles->erase(std::remove_if(roles->begin(), roles->end(), taken),
                     roles->end());
        return absl::OkStatus();
      },
      by, std::move(done), kMaxAttempts);
}

void Authorizer::SetLanguage(const std::string& name,
                             const std::string& language, UserCallback done) {
  if (!language.empty()) {
    if (absl::Status s = domain::ValidateLanguage("language", language);
        !s.ok()) {
      done(s);
      return;
    }
  }
  {
    absl::ReaderMutexLock lock(&mu_);
    User view = View(name);
    if (view.language() == language) {
      done(std::move(view));
      return;
    }
  }
  Change(
      name, "user.language",
      [language](User* user, storage::WriteBatch*) {
        user->set_language(language);
        return absl::OkStatus();
      },
      name, std::move(done), kMaxAttempts);
}

std::string Authorizer::Language(const std::string& user) const {
  absl::ReaderMutexLock lock(&mu_);
  auto it = cache_.find(user);
  return it == cache_.end() ? "" : it->second.language();
}

User Authorizer::Get(const std::string& name) const {
  absl::ReaderMutexLock lock(&mu_);
  return View(name);
}

std::vector<User> Authorizer::List() const {
  absl::ReaderMutexLock lock(&mu_);
  std::set<std::string> names;
  for (const auto& [name, unused] : options_.config_roles) names.insert(name);
  for (const auto& [name, unused] : cache_) names.insert(name);
  std::vector<User> users;
  for (const std::string& name : names) users.push_back(View(name));
  return users;
}

}  // namespace pwx::server
