#include "server/authorizer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <future>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "pwx/v1/audit.pb.h"
#include "storage/audit_log.h"
#include "storage/memory_store.h"
#include "tests/server/gated_store.h"

namespace pwx::server {
namespace {

using pwx::v1::Role;
using pwx::v1::User;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

class AuthorizerTest : public ::testing::Test {
 protected:
  AuthorizerTest() {
    auto gated =
        std::make_unique<testing::GatedStore>(storage::NewMemoryStore());
    gate_ = gated.get();
    kv_ = std::move(gated);
    Reopen({{"root", {pwx::v1::ROLE_ADMIN}}});
  }

  // Opens the authorizer again over the same store, with `config_roles` as
  // the config's (root is the bootstrap admin unless a test says otherwise).
  void Reopen(std::map<std::string, std::set<Role>> config_roles) {
    authz_.reset();
    AuthorizerOptions options;
    options.authority_id = "FR-DGT";
    options.config_roles = std::move(config_roles);
    absl::StatusOr<std::unique_ptr<Authorizer>> a =
        Authorizer::Open(kv_.get(), std::move(options));
    ASSERT_TRUE(a.ok()) << a.status();
    authz_ = *std::move(a);
  }

  absl::StatusOr<User> GrantAs(const std::string& by, const std::string& name,
                               Role role) {
    std::promise<absl::StatusOr<User>> p;
    authz_->Grant(name, role, by,
                  [&p](absl::StatusOr<User> r) { p.set_value(std::move(r)); });
    return p.get_future().get();
  }
  absl::StatusOr<User> Grant(const std::string& name, Role role) {
    return GrantAs("root", name, role);
  }

  absl::StatusOr<User> RevokeAs(const std::string& by, const std::string& name,
                                Role role) {
    std::promise<absl::StatusOr<User>> p;
    authz_->Revoke(name, role, by,
                   [&p](absl::StatusOr<User> r) { p.set_value(std::move(r)); });
    return p.get_future().get();
  }
  absl::StatusOr<User> Revoke(const std::string& name, Role role) {
    return RevokeAs("root", name, role);
  }

  absl::StatusOr<User> SetLanguage(const std::string& name,
                                   const std::string& language) {
    std::promise<absl::StatusOr<User>> p;
    authz_->SetLanguage(name, language, [&p](absl::StatusOr<User> r) {
      p.set_value(std::move(r));
    });
    return p.get_future().get();
  }

  bool Allowed(const std::string& user, Permission p) {
    return authz_->Check(user, p, "Call").ok();
  }

  // The audit log's entries, once every write queued before is committed
  // (denials are appended without waiting).
  std::vector<pwx::v1::AuditEntry> AuditEntries() {
    EXPECT_TRUE(kv_->Write(storage::WriteBatch()).ok());
    storage::AuditLog log(kv_.get());
    absl::StatusOr<uint64_t> size = log.Size();
    EXPECT_TRUE(size.ok());
    absl::StatusOr<std::vector<std::string>> bytes = log.Entries(0, *size);
    EXPECT_TRUE(bytes.ok());
    std::vector<pwx::v1::AuditEntry> entries;
    for (const std::string& b : *bytes) {
      entries.emplace_back();
      EXPECT_TRUE(entries.back().ParseFromString(b));
    }
    return entries;
  }

  // The "denied" entries of `call` among the audit log's entries from
  // index `from` on.
  std::vector<pwx::v1::AuditEntry> Denials(const std::string& call,
                                           size_t from) {
    std::vector<pwx::v1::AuditEntry> all = AuditEntries();
    std::vector<pwx::v1::AuditEntry> denials;
    for (size_t i = from; i < all.size(); ++i) {
      if (all[i].action() == "denied" && all[i].object_id() == call) {
        denials.push_back(all[i]);
      }
    }
    return denials;
  }

  std::unique_ptr<storage::KvStore> kv_;
  // kv_, which passes writes through unless a test closes it.
  testing::GatedStore* gate_ = nullptr;
  std::unique_ptr<Authorizer> authz_;
};

TEST_F(AuthorizerTest, EachRoleGrantsExactlyItsPermissions) {
  ASSERT_TRUE(Grant("ines", pwx::v1::ROLE_INSPECTOR).ok());
  ASSERT_TRUE(Grant("colin", pwx::v1::ROLE_COORDINATOR).ok());
  ASSERT_TRUE(Grant("aude", pwx::v1::ROLE_AUDITOR).ok());
  struct Row {
    std::string user;
    bool cases, users, backup, audit;
  };
  const Row matrix[] = {
      {"ines", true, false, false, false},
      {"colin", false, true, true, false},
      {"aude", false, false, false, true},
      {"root", false, true, true, false},  // bootstrap admin
      {"nobody", false, false, false, false},
  };
  for (const Row& row : matrix) {
    EXPECT_EQ(Allowed(row.user, Permission::kCases), row.cases) << row.user;
    EXPECT_EQ(Allowed(row.user, Permission::kUsers), row.users) << row.user;
    EXPECT_EQ(Allowed(row.user, Permission::kBackup), row.backup) << row.user;
    EXPECT_EQ(Allowed(row.user, Permission::kAudit), row.audit) << row.user;
  }
}

TEST_F(AuthorizerTest, DenialNamesUserCallAndNeededRole) {
  absl::Status s = authz_->Check("bob", Permission::kCases, "CreateCase");
  EXPECT_TRUE(absl::IsPermissionDenied(s));
  EXPECT_THAT(s.message(), HasSubstr("user 'bob' (roles: none) may not call "
                                     "CreateCase; it needs the role "
                                     "inspector"));
}

TEST_F(AuthorizerTest, RevocationTakesEffectAtOnceAndSurvivesReopen) {
  ASSERT_TRUE(Grant("ines", pwx::v1::ROLE_INSPECTOR).ok());
  ASSERT_TRUE(Grant("ines", pwx::v1::ROLE_AUDITOR).ok());
  EXPECT_TRUE(Allowed("ines", Permission::kCases));
  absl::StatusOr<User> after = Revoke("ines", pwx::v1::ROLE_INSPECTOR);
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_THAT(after->roles(), ::testing::ElementsAre(pwx::v1::ROLE_AUDITOR));
  EXPECT_FALSE(Allowed("ines", Permission::kCases));
  EXPECT_TRUE(Allowed("ines", Permission::kAudit));
  Reopen({{"root", {pwx::v1::ROLE_ADMIN}}});
  EXPECT_FALSE(Allowed("ines", Permission::kCases));
  EXPECT_TRUE(Allowed("ines", Permission::kAudit));
  ASSERT_TRUE(Revoke("ines", pwx::v1::ROLE_UNSPECIFIED).ok());
  EXPECT_FALSE(Allowed("ines", Permission::kAudit));
}

TEST_F(AuthorizerTest, GrantIsIdempotentAndListed) {
  ASSERT_TRUE(Grant("ines", pwx::v1::ROLE_INSPECTOR).ok());
  absl::StatusOr<User> again = Grant("ines", pwx::v1::ROLE_INSPECTOR);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->roles_size(), 1);
  EXPECT_EQ(again->updated_by(), "root");
  std::vector<User> users = authz_->List();
  ASSERT_EQ(users.size(), 2u);
  EXPECT_EQ(users[0].name(), "ines");
  EXPECT_EQ(users[1].name(), "root");
  EXPECT_TRUE(users[1].bootstrap());
}

TEST_F(AuthorizerTest, BadNamesRolesAndBootstrapRevocationAreRefused) {
  EXPECT_THAT(Grant("Bob Smith", pwx::v1::ROLE_INSPECTOR).status().message(),
              HasSubstr("name: 'Bob Smith'"));
  EXPECT_TRUE(absl::IsInvalidArgument(
      Grant("bob", pwx::v1::ROLE_UNSPECIFIED).status()));
  EXPECT_TRUE(absl::IsInvalidArgument(Grant("bob", Role(42)).status()));
  EXPECT_TRUE(
      absl::IsNotFound(Revoke("ghost", pwx::v1::ROLE_AUDITOR).status()));
  EXPECT_TRUE(
      absl::IsFailedPrecondition(Revoke("root", pwx::v1::ROLE_ADMIN).status()));
  EXPECT_TRUE(Allowed("root", Permission::kUsers));
}

TEST_F(AuthorizerTest, NobodyGrantsARoleToThemselves) {
  ASSERT_TRUE(Grant("colin", pwx::v1::ROLE_COORDINATOR).ok());
  const size_t before = AuditEntries().size();

  absl::StatusOr<User> colin =
      GrantAs("colin", "colin", pwx::v1::ROLE_INSPECTOR);
  EXPECT_TRUE(absl::IsPermissionDenied(colin.status())) << colin.status();
  EXPECT_THAT(colin.status().message(),
              HasSubstr("user 'colin' may not grant a role to themselves "
                        "(inspector)"));
  EXPECT_FALSE(Allowed("colin", Permission::kCases));
  // Not even the bootstrap admin.
  absl::StatusOr<User> root = GrantAs("root", "root", pwx::v1::ROLE_AUDITOR);
  EXPECT_TRUE(absl::IsPermissionDenied(root.status())) << root.status();
  EXPECT_FALSE(Allowed("root", Permission::kAudit));

  // Each refusal is audited like other denials: by whom, which call, for
  // which user.
  std::vector<pwx::v1::AuditEntry> entries = Denials("GrantRole", before);
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].user(), "colin");
  EXPECT_THAT(entries[0].object_ids(), ElementsAre("colin"));
  EXPECT_EQ(entries[1].user(), "root");
  EXPECT_THAT(entries[1].object_ids(), ElementsAre("root"));
  // The stored user is unchanged.
  Reopen({{"root", {pwx::v1::ROLE_ADMIN}}});
  EXPECT_FALSE(Allowed("colin", Permission::kCases));
  EXPECT_TRUE(Allowed("colin", Permission::kUsers));
}

TEST_F(AuthorizerTest, GrantingOneselfARoleOneHoldsChangesNothing) {
  Reopen({{"root", {pwx::v1::ROLE_ADMIN, pwx::v1::ROLE_INSPECTOR}}});
  const size_t before = AuditEntries().size();

  absl::StatusOr<User> root = GrantAs("root", "root", pwx::v1::ROLE_INSPECTOR);

  ASSERT_TRUE(root.ok()) << root.status();
  EXPECT_TRUE(root->bootstrap());
  EXPECT_EQ(AuditEntries().size(), before) << "no user.grant, no denial";
}

TEST_F(AuthorizerTest, OnlyAnAdminGrantsCoordinatorAuditorOrAdmin) {
  ASSERT_TRUE(Grant("colin", pwx::v1::ROLE_COORDINATOR).ok());
  ASSERT_TRUE(GrantAs("colin", "ines", pwx::v1::ROLE_INSPECTOR).ok());
  EXPECT_TRUE(Allowed("ines", Permission::kCases));
  const size_t before = AuditEntries().size();

  for (Role role : {pwx::v1::ROLE_COORDINATOR, pwx::v1::ROLE_AUDITOR,
                    pwx::v1::ROLE_ADMIN}) {
    absl::StatusOr<User> refused = GrantAs("colin", "ines", role);
    EXPECT_TRUE(absl::IsPermissionDenied(refused.status()))
        << RoleName(role) << ": " << refused.status();
    EXPECT_THAT(refused.status().message(),
                HasSubstr("user 'colin' (roles: coordinator) may not grant "
                          "the " +
                          RoleName(role) +
                          " role: only an admin grants coordinator, auditor "
                          "or admin"));
  }
  EXPECT_FALSE(Allowed("ines", Permission::kUsers));
  EXPECT_FALSE(Allowed("ines", Permission::kAudit));
  std::vector<pwx::v1::AuditEntry> entries = Denials("GrantRole", before);
  ASSERT_EQ(entries.size(), 3u);
  EXPECT_EQ(entries.back().user(), "colin");
  EXPECT_THAT(entries.back().object_ids(), ElementsAre("ines"));

  // An admin granted through the API grants them, like the bootstrap one.
  ASSERT_TRUE(Grant("adam", pwx::v1::ROLE_ADMIN).ok());
  EXPECT_TRUE(GrantAs("adam", "ines", pwx::v1::ROLE_AUDITOR).ok());
  EXPECT_TRUE(GrantAs("adam", "ines", pwx::v1::ROLE_COORDINATOR).ok());
  EXPECT_TRUE(Allowed("ines", Permission::kAudit));
}

TEST_F(AuthorizerTest, ACoordinatorRevokesInspectorOnly) {
  ASSERT_TRUE(Grant("colin", pwx::v1::ROLE_COORDINATOR).ok());
  ASSERT_TRUE(Grant("ines", pwx::v1::ROLE_INSPECTOR).ok());
  ASSERT_TRUE(Grant("aude", pwx::v1::ROLE_AUDITOR).ok());
  ASSERT_TRUE(Grant("aude", pwx::v1::ROLE_INSPECTOR).ok());

  EXPECT_TRUE(RevokeAs("colin", "ines", pwx::v1::ROLE_INSPECTOR).ok());
  EXPECT_FALSE(Allowed("ines", Permission::kCases));
  absl::StatusOr<User> auditor =
      RevokeAs("colin", "aude", pwx::v1::ROLE_AUDITOR);
  EXPECT_TRUE(absl::IsPermissionDenied(auditor.status())) << auditor.status();
  EXPECT_THAT(auditor.status().message(),
              HasSubstr("may not revoke the auditor role of 'aude'"));
  // Every role at once takes the auditor role too: refused, nothing taken.
  absl::StatusOr<User> all =
      RevokeAs("colin", "aude", pwx::v1::ROLE_UNSPECIFIED);
  EXPECT_TRUE(absl::IsPermissionDenied(all.status())) << all.status();
  EXPECT_TRUE(Allowed("aude", Permission::kAudit));
  EXPECT_TRUE(Allowed("aude", Permission::kCases));
  EXPECT_EQ(Denials("RevokeRole", 0).size(), 2u);
  // Giving up one's own role is allowed.
  EXPECT_TRUE(RevokeAs("colin", "colin", pwx::v1::ROLE_COORDINATOR).ok());
  EXPECT_FALSE(Allowed("colin", Permission::kUsers));
}

TEST_F(AuthorizerTest, TheLastAdminKeepsTheAdminRole) {
  ASSERT_TRUE(Grant("adam", pwx::v1::ROLE_ADMIN).ok());
  // While root is an admin by the config, adam's admin role may go...
  ASSERT_TRUE(RevokeAs("adam", "adam", pwx::v1::ROLE_ADMIN).ok());
  ASSERT_TRUE(Grant("adam", pwx::v1::ROLE_ADMIN).ok());
  // ...but once the config names no admin, adam is the last one.
  Reopen({});
  for (Role role : {pwx::v1::ROLE_ADMIN, pwx::v1::ROLE_UNSPECIFIED}) {
    absl::StatusOr<User> last = RevokeAs("adam", "adam", role);
    EXPECT_TRUE(absl::IsFailedPrecondition(last.status())) << last.status();
    EXPECT_THAT(last.status().message(),
                HasSubstr("user 'adam' is the last admin of this node"));
  }
  EXPECT_TRUE(Allowed("adam", Permission::kUsers));

  // With a second admin, one of them may go, and then the other is last.
  ASSERT_TRUE(GrantAs("adam", "eve", pwx::v1::ROLE_ADMIN).ok());
  ASSERT_TRUE(RevokeAs("adam", "eve", pwx::v1::ROLE_ADMIN).ok());
  EXPECT_FALSE(Allowed("eve", Permission::kUsers));
  EXPECT_TRUE(absl::IsFailedPrecondition(
      RevokeAs("adam", "adam", pwx::v1::ROLE_ADMIN).status()));
  // Other roles of the last admin are no concern.
  ASSERT_TRUE(GrantAs("adam", "eve", pwx::v1::ROLE_INSPECTOR).ok());
  EXPECT_TRUE(RevokeAs("adam", "eve", pwx::v1::ROLE_INSPECTOR).ok());
}

TEST_F(AuthorizerTest, TwoAdminsRevokingEachOtherLeaveOne) {
  ASSERT_TRUE(Grant("adam", pwx::v1::ROLE_ADMIN).ok());
  ASSERT_TRUE(Grant("eve", pwx::v1::ROLE_ADMIN).ok());
  Reopen({});
  for (int round = 0; round < 3; ++round) {
    // Both read the users before either commits: each sees the other admin.
    gate_->Close();
    std::promise<absl::StatusOr<User>> a, b;
    authz_->Revoke("eve", pwx::v1::ROLE_ADMIN, "adam",
                   [&a](absl::StatusOr<User> r) { a.set_value(std::move(r)); });
    authz_->Revoke("adam", pwx::v1::ROLE_ADMIN, "eve",
                   [&b](absl::StatusOr<User> r) { b.set_value(std::move(r)); });
    ASSERT_EQ(gate_->held(), 2u);
    gate_->Open();
    const absl::Status sa = a.get_future().get().status();
    const absl::Status sb = b.get_future().get().status();
    ASSERT_NE(sa.ok(), sb.ok())
        << "round " << round << ": " << sa << " / " << sb;
    // The loser counted on the winner (FAILED_PRECONDITION), or was no
    // admin any more when it asked (PERMISSION_DENIED).
    const absl::Status& lost = sa.ok() ? sb : sa;
    EXPECT_TRUE(absl::IsFailedPrecondition(lost) ||
                absl::IsPermissionDenied(lost))
        << lost;
    const std::string kept = sa.ok() ? "adam" : "eve";
    const std::string gone = sa.ok() ? "eve" : "adam";
    EXPECT_TRUE(Allowed(kept, Permission::kUsers));
    // Put things back for the next round.
    ASSERT_TRUE(GrantAs(kept, gone, pwx::v1::ROLE_ADMIN).ok());
  }
}

TEST_F(AuthorizerTest, RolesFromTheConfigAreHeldAndNotRevokedThroughTheApi) {
  Reopen({{"root", {pwx::v1::ROLE_ADMIN}},
          {"alice", {pwx::v1::ROLE_INSPECTOR, pwx::v1::ROLE_AUDITOR}}});
  EXPECT_TRUE(Allowed("alice", Permission::kCases));
  EXPECT_TRUE(Allowed("alice", Permission::kAudit));
  EXPECT_FALSE(Allowed("alice", Permission::kUsers));

  absl::StatusOr<User> revoked = Revoke("alice", pwx::v1::ROLE_INSPECTOR);
  EXPECT_TRUE(absl::IsFailedPrecondition(revoked.status()));
  EXPECT_THAT(revoked.status().message(),
              HasSubstr("user 'alice' holds the inspector role from the "
                        "config (bootstrap_roles)"));
  EXPECT_TRUE(Allowed("alice", Permission::kCases));
  // Roles granted on top of them are the API's to revoke.
  ASSERT_TRUE(Grant("alice", pwx::v1::ROLE_COORDINATOR).ok());
  EXPECT_TRUE(Revoke("alice", pwx::v1::ROLE_COORDINATOR).ok());
  std::vector<User> users = authz_->List();
  ASSERT_EQ(users.size(), 2u);
  EXPECT_EQ(users[0].name(), "alice");
  EXPECT_TRUE(users[0].bootstrap());
}

TEST(ConfigRolesTest, AdminUsersAndBootstrapRolesAreRead) {
  pwx::v1::ServerConfig config;
  config.add_admin_users("root");
  pwx::v1::BootstrapRole* given = config.add_bootstrap_roles();
  given->set_user("root");
  given->set_role("inspector");
  absl::StatusOr<std::map<std::string, std::set<Role>>> roles =
      ConfigRoles(config);
  ASSERT_TRUE(roles.ok()) << roles.status();
  EXPECT_EQ(*roles,
            (std::map<std::string, std::set<Role>>{
                {"root", {pwx::v1::ROLE_INSPECTOR, pwx::v1::ROLE_ADMIN}}}));

  given = config.add_bootstrap_roles();
  given->set_user("bob");
  given->set_role("boss");
  EXPECT_THAT(ConfigRoles(config).status().message(),
              HasSubstr("bootstrap_roles[1].role: 'boss' is not a role"));
  given->set_user("Bob");
  given->set_role("auditor");
  EXPECT_THAT(ConfigRoles(config).status().message(),
              HasSubstr("bootstrap_roles[1].user: 'Bob' is not a user name"));
}

TEST(RoleNamesTest, ParseAndPrintRoundTrip) {
  for (Role role : {pwx::v1::ROLE_INSPECTOR, pwx::v1::ROLE_COORDINATOR,
                    pwx::v1::ROLE_AUDITOR, pwx::v1::ROLE_ADMIN}) {
    EXPECT_EQ(*ParseRole("role", RoleName(role)), role);
  }
  EXPECT_THAT(ParseRole("role", "boss").status().message(),
              HasSubstr("role: 'boss' is not a role"));
}

TEST_F(AuthorizerTest, AnyRoleAllowsEveryRoleHolderAndNobodyElse) {
  ASSERT_TRUE(Grant("ines", pwx::v1::ROLE_INSPECTOR).ok());
  ASSERT_TRUE(Grant("colin", pwx::v1::ROLE_COORDINATOR).ok());
  ASSERT_TRUE(Grant("aude", pwx::v1::ROLE_AUDITOR).ok());
  for (const char* user : {"ines", "colin", "aude", "root"}) {
    EXPECT_TRUE(Allowed(user, Permission::kAnyRole)) << user;
  }
  EXPECT_FALSE(Allowed("nobody", Permission::kAnyRole));
  ASSERT_TRUE(Revoke("aude", pwx::v1::ROLE_UNSPECIFIED).ok());
  EXPECT_FALSE(Allowed("aude", Permission::kAnyRole));
}

TEST_F(AuthorizerTest, LanguageIsStoredKeptWithRoleChangesAndCleared) {
  ASSERT_TRUE(Grant("ines", pwx::v1::ROLE_INSPECTOR).ok());
  EXPECT_EQ(authz_->Language("ines"), "");
  absl::StatusOr<User> set = SetLanguage("ines", "pl-PL");
  ASSERT_TRUE(set.ok()) << set.status();
  EXPECT_EQ(set->language(), "pl-PL");
  EXPECT_THAT(set->roles(), ElementsAre(pwx::v1::ROLE_INSPECTOR));
  EXPECT_EQ(set->updated_by(), "ines");
  EXPECT_EQ(authz_->Language("ines"), "pl-PL");
  // A role change keeps the language, and both survive a restart.
  ASSERT_TRUE(Grant("ines", pwx::v1::ROLE_AUDITOR).ok());
  Reopen({{"root", {pwx::v1::ROLE_ADMIN}}});
  EXPECT_EQ(authz_->Language("ines"), "pl-PL");
  EXPECT_TRUE(Allowed("ines", Permission::kAudit));
  ASSERT_TRUE(SetLanguage("ines", "").ok());
  EXPECT_EQ(authz_->Language("ines"), "");
  Reopen({{"root", {pwx::v1::ROLE_ADMIN}}});
  EXPECT_EQ(authz_->Language("ines"), "");
  EXPECT_EQ(authz_->Language("ghost"), "");
}

TEST_F(AuthorizerTest, ABootstrapUserSetsALanguageAndKeepsTheConfigRoles) {
  absl::StatusOr<User> root = SetLanguage("root", "fr");
  ASSERT_TRUE(root.ok()) << root.status();
  EXPECT_EQ(root->language(), "fr");
  EXPECT_TRUE(root->bootstrap());
  EXPECT_THAT(root->roles(), ElementsAre(pwx::v1::ROLE_ADMIN));
  EXPECT_EQ(authz_->Language("root"), "fr");
  EXPECT_TRUE(Allowed("root", Permission::kUsers));
}

TEST_F(AuthorizerTest, ALanguageChangeIsAuditedAndARepeatWritesNothing) {
  ASSERT_TRUE(Grant("ines", pwx::v1::ROLE_INSPECTOR).ok());
  const size_t before = AuditEntries().size();
  ASSERT_TRUE(SetLanguage("ines", "de").ok());
  ASSERT_TRUE(SetLanguage("ines", "de").ok());
  const std::vector<pwx::v1::AuditEntry> entries = AuditEntries();
  ASSERT_EQ(entries.size(), before + 1);
  EXPECT_EQ(entries.back().action(), "user.language");
  EXPECT_EQ(entries.back().object_id(), "ines");
  EXPECT_EQ(entries.back().user(), "ines");
}

TEST_F(AuthorizerTest, AnUnsupportedLanguageIsRefusedAndNothingChanges) {
  ASSERT_TRUE(Grant("ines", pwx::v1::ROLE_INSPECTOR).ok());
  ASSERT_TRUE(SetLanguage("ines", "it").ok());
  for (const char* tag : {"nl", "pl_PL", "polish", "pl-"}) {
    absl::StatusOr<User> refused = SetLanguage("ines", tag);
    EXPECT_TRUE(absl::IsInvalidArgument(refused.status())) << tag;
    EXPECT_THAT(refused.status().message(),
                HasSubstr(std::string("language: '") + tag + "'"));
  }
  EXPECT_EQ(authz_->Language("ines"), "it");
}

}  // namespace
}  // namespace pwx::server
