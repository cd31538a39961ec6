// `pwx user ...`: granting and revoking users' roles on the node, and each
// user's own language.
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "client/case_client.h"
#include "client/cli_internal.h"
#include "client/output.h"
#include "client/user_role.h"
#include "server/domain/catalogue.h"

namespace pwx::client::internal {
namespace {

constexpr char kUserFooter[] =
    "Roles:\n"
    "  inspector    cases, requests and plans of the node's own authority\n"
    "  coordinator  peers, users and node settings (backups)\n"
    "  auditor      read-only: the audit log, the access log and statistics\n"
    "  admin        everything a coordinator may do, and every role change\n"
    "\n"
    "NAME is the common name (CN) of the client certificate the node's user\n"
    "CA issued the user. Changes apply to the user's next call, without a\n"
    "restart. Only coordinators and admins may grant, revoke and list, and:\n"
    "nobody grants a role to themselves; a coordinator grants and revokes\n"
    "inspector only, an admin every role; the last admin keeps the admin\n"
    "role; roles the node's config gives (admin_users, bootstrap_roles) are\n"
    "changed there, not here.";
constexpr char kNameHelp[] =
    "The user: the common name (CN) of their client certificate";
constexpr char kRoleHelp[] = "inspector, coordinator, auditor or admin";

absl::Status CheckName(const std::string& name) {
  if (name.empty()) return UsageError("NAME must not be empty");
  return absl::OkStatus();
}

// ROLE from the command line; a usage error naming the allowed roles.
absl::StatusOr<pwx::v1::Role> RoleArgument(const std::string& name) {
  absl::StatusOr<pwx::v1::Role> role = ParseRole(name);
  if (!role.ok()) {
    return UsageError(absl::StrCat("ROLE: ", role.status().message()));
  }
  return role;
}

absl::StatusOr<UserClient> ConnectUsers(CommandEnv& env) {
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = env.connect();
  if (!channel.ok()) return channel.status();
  return UserClient(*std::move(channel), env.timeout);
}

// Prints the user an RPC returned, or passes its error on.
absl::Status PrintResult(const absl::StatusOr<pwx::v1::User>& user,
                         CommandEnv& env) {
  if (!user.ok()) return user.status();
  PrintUser(*user, env.format, env.out);
  return absl::OkStatus();
}

void AddGrant(CLI::App& user, Command* selected) {
  CLI::App* grant = user.add_subcommand(
      "grant",
      "Grant ROLE to the user NAME, creating the user if needed; applies to "
      "their next call, without a restart (coordinators and admins only)");
  grant->footer(kUserFooter);
  auto name = std::make_shared<std::string>();
  auto role = std::make_shared<std::string>();
  grant->add_option("NAME", *name, kNameHelp)->required();
  grant->add_option("ROLE", *role, kRoleHelp)->required();
  grant->callback([selected, name, role] {
    *selected = [name, role](CommandEnv& env) -> absl::Status {
      if (absl::Status status = CheckName(*name); !status.ok()) return status;
      absl::StatusOr<pwx::v1::Role> parsed = RoleArgument(*role);
      if (!parsed.ok()) return parsed.status();
      absl::StatusOr<UserClient> client = ConnectUsers(env);
      if (!client.ok()) return client.status();
      return PrintResult(client->GrantRole(*name, *parsed), env);
    };
  });
}

void AddRevoke(CLI::App& user, Command* selected) {
  CLI::App* revoke = user.add_subcommand(
      "revoke",
      "Revoke ROLE from the user NAME, or every role when ROLE is left out; "
      "applies to their next call, without a restart (coordinators and "
      "admins only)");
  revoke->footer(kUserFooter);
  auto name = std::make_shared<std::string>();
  auto role = std::make_shared<std::optional<std::string>>();
  revoke->add_option("NAME", *name, kNameHelp)->required();
  revoke->add_option_function<std::string>(
      "ROLE", [role](const std::string& value) { *role = value; },
      absl::StrCat(kRoleHelp, "; left out: every role"));
  revoke->callback([selected, name, role] {
    *selected = [name, role](CommandEnv& env) -> absl::Status {
      if (absl::Status status = CheckName(*name); !status.ok()) return status;
      pwx::v1::Role parsed = pwx::v1::ROLE_UNSPECIFIED;
      if (role->has_value()) {
        absl::StatusOr<pwx::v1::Role> given = RoleArgument(**role);
        if (!given.ok()) return given.status();
        parsed = *given;
      }
      absl::StatusOr<UserClient> client = ConnectUsers(env);
      if (!client.ok()) return client.status();
      return PrintResult(client->RevokeRole(*name, parsed), env);
    };
  });
}

void AddList(CLI::App& user, Command* selected) {
  CLI::App* list = user.add_subcommand(
      "list",
      "List the node's users with their roles and who changed them last "
      "(coordinators and admins only)");
  list->footer(kUserFooter);
  list->callback([selected] {
    *selected = [](CommandEnv& env) -> absl::Status {
      absl::StatusOr<UserClient> client = ConnectUsers(env);
      if (!client.ok()) return client.status();
      absl::StatusOr<pwx::v1::ListUsersResponse> users = client->ListUsers();
      if (!users.ok()) return users.status();
      PrintUserList(*users, env.format, env.out);
      return absl::OkStatus();
    };
  });
}

void AddSetLanguage(CLI::App& user, Command* selected) {
  CLI::App* command = user.add_subcommand(
      "set-language",
      "Set the language you read catalogue questions in (any user with a "
      "role, for themselves)");
  command->footer(
      "LANG is one of en, fr, de, pl, ro, es, it, pt, optionally with a\n"
      "region (pl-PL). `pwx catalogue list` and requests then show the\n"
      "questions in it unless --lang says otherwise; a question without a\n"
      "text in LANG is shown in English. --clear goes back to English.");
  auto language = std::make_shared<std::string>();
  auto clear = std::make_shared<bool>(false);
  command->add_option("LANG", *language,
                      "A language tag: en, fr, de, pl, ro, es, it or pt");
  command->add_flag("--clear", *clear,
                    "Remove your language preference (English)");
  command->callback([selected, language, clear] {
    *selected = [language, clear](CommandEnv& env) -> absl::Status {
      if (*clear == !language->empty()) {
        return UsageError("give either LANG or --clear");
      }
      if (!*clear) {
        if (absl::Status s = domain::ValidateLanguage("LANG", *language);
            !s.ok()) {
          return UsageError(s.message());
        }
      }
      absl::StatusOr<UserClient> client = ConnectUsers(env);
      if (!client.ok()) return client.status();
      absl::StatusOr<pwx::v1::User> user = client->SetLanguage(*language);
      if (!user.ok()) return user.status();
      if (env.format == OutputFormat::kJson) {
        env.out << ToJson(*user);
      } else if (user->language().empty()) {
        env.out << CleanText(user->name()) << ": no language set (English)\n";
      } else {
        env.out << CleanText(user->name()) << ": language "
                << CleanText(user->language()) << "\n";
      }
      return absl::OkStatus();
    };
  });
}

}  // namespace

void AddUserCommands(CLI::App& app, Command* selected) {
  CLI::App* user = app.add_subcommand(
      "user",
      "Grant and revoke users' roles (coordinators and admins only); set "
      "your own language");
  user->require_subcommand(1);
  user->footer(kUserFooter);
  AddGrant(*user, selected);
  AddRevoke(*user, selected);
  AddList(*user, selected);
  AddSetLanguage(*user, selected);
}

}  // namespace pwx::client::internal
