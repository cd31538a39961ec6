#include "server/authorizer.h"

#include <algorithm>
#include <string>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "server/audit_trail.h"
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

// The same rule as deploy/pki.sh applies to user certificate names.
absl::Status ValidateUserName(const std::string& name) {
  bool ok = !name.empty() && name.size() <= 64 &&
            (absl::ascii_islower(name[0]) || absl::ascii_isdigit(name[0]));
  for (char c : name) {
    ok = ok && (absl::ascii_islower(c) || absl::ascii_isdigit(c) || c == '.' ||
                c == '_' || c == '-');
  }
  if (!ok) {
    return absl::InvalidArgumentError(absl::StrCat(
        "name: '", name,
        "' is not a user name (the certificate's CN: lower-case letters, "
        "digits, '.', '_' or '-', at most 64)"));
  }
  return absl::OkStatus();
}

}  // namespace

std::vector<Role> RolesFor(Permission permission) {
  switch (permission) {
    case Permission::kCases:
      return {pwx::v1::ROLE_INSPECTOR};
    case Permission::kUsers:
    case Permission::kBackup:
    case Permission::kPeers:
      return {pwx::v1::ROLE_COORDINATOR, pwx::v1::ROLE_ADMIN};
    case Permission::kAudit:
      return {pwx::v1::ROLE_AUDITOR};
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

Authorizer::Authorizer(storage::KvStore* kv, std::string authority_id,
                       std::set<std::string> bootstrap_admins,
                       std::function<absl::Time()> clock)
    : kv_(kv),
      authority_id_(std::move(authority_id)),
      users_(kv),
      bootstrap_admins_(std::move(bootstrap_admins)),
      clock_(clock ? std::move(clock) : [] { return absl::Now(); }) {}

absl::StatusOr<std::unique_ptr<Authorizer>> Authorizer::Open(
    storage::KvStore* kv, std::string authority_id,
    std::set<std::string> bootstrap_admins, std::function<absl::Time()> clock) {
  std::unique_ptr<Authorizer> authz(new Authorizer(kv, std::move(authority_id),
                                                   std::move(bootstrap_admins),
                                                   std::move(clock)));
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
  if (bootstrap_admins_.count(name) > 0) {
    user.set_bootstrap(true);
    if (!HasRole(user, pwx::v1::ROLE_ADMIN)) {
      user.add_roles(pwx::v1::ROLE_ADMIN);
    }
  }
  return user;
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
  AppendAuditAsync(kv_,
                   AuditEntryBytes(ToProtoTime(clock_()), authority_id_, user,
                                   "denied", call_name, ""),
                   "denied", user, call_name, kDefaultReadEntryDelay);
  std::vector<std::string> held;
  for (int role : view.roles()) held.push_back(RoleName(Role(role)));
  std::vector<std::string> needed;
  for (Role role : allowed) needed.push_back(RoleName(role));
  return absl::PermissionDeniedError(absl::StrCat(
      "user '", user, "' (roles: ",
      held.empty() ? "none" : absl::StrJoin(held, ", "), ") may not call ",
      call, "; it needs the role ", absl::StrJoin(needed, " or ")));
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
  if (absl::Status s = edit(next.get()); !s.ok()) {
    done(s);
    return;
  }
  next->set_updated_by(by);
  *next->mutable_updated_at() = ToProtoTime(clock_());
  storage::WriteBatch batch;
  users_.Put(*next, stored->has_value() ? &**stored : nullptr, &batch);
  batch.AppendAudit(
      AuditEntryBytes(next->updated_at(), authority_id_, by, action, name,
                      domain::Sha256Hex(next->SerializeAsString())));
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
  if (absl::Status s = ValidateUserName(name); !s.ok()) {
    done(s);
    return;
  }
  if (!pwx::v1::Role_IsValid(role) || role == pwx::v1::ROLE_UNSPECIFIED) {
    done(absl::InvalidArgumentError(
        "role: must be inspector, coordinator, auditor or admin"));
    return;
  }
  Change(
      name, "user.grant",
      [role](User* user) {
        if (!HasRole(*user, role)) user->add_roles(role);
        return absl::OkStatus();
      },
      by, std::move(done), kMaxAttempts);
}

void Authorizer::Revoke(const std::string& name, Role role,
                        const std::string& by, UserCallback done) {
  if (absl::Status s = ValidateUserName(name); !s.ok()) {
    done(s);
    return;
  }
  if (!pwx::v1::Role_IsValid(role)) {
    done(absl::InvalidArgumentError("role: unknown value"));
    return;
  }
  const bool bootstrap = bootstrap_admins_.count(name) > 0;
  if (bootstrap &&
      (role == pwx::v1::ROLE_ADMIN || role == pwx::v1::ROLE_UNSPECIFIED)) {
    done(absl::FailedPreconditionError(absl::StrCat(
        "user '", name,
        "' is a bootstrap admin (config admin_users); remove them there and "
        "restart to revoke the admin role")));
    return;
  }
  {
    absl::ReaderMutexLock lock(&mu_);
    if (cache_.count(name) == 0) {
      done(absl::NotFoundError(absl::StrCat("user '", name, "' not found")));
      return;
    }
  }
  Change(
      name, "user.revoke",
      [role](User* user) {
        auto* roles = user->mutable_roles();
        roles->erase(std::remove_if(roles->begin(), roles->end(),
                                    [role](int r) {
                                      return role ==
                                                 pwx::v1::ROLE_UNSPECIFIED ||
                                             r == role;
                                    }),
                     roles->end());
        return absl::OkStatus();
      },
      by, std::move(done), kMaxAttempts);
}

std::vector<User> Authorizer::List() const {
  absl::ReaderMutexLock lock(&mu_);
  std::set<std::string> names(bootstrap_admins_.begin(),
                              bootstrap_admins_.end());
  for (const auto& [name, unused] : cache_) names.insert(name);
  std::vector<User> users;
  for (const std::string& name : names) users.push_back(View(name));
  return users;
}

}  // namespace pwx::server
