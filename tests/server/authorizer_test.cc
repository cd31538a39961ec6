#include "server/authorizer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <future>
#include <memory>
#include <string>

#include "storage/memory_store.h"

namespace pwx::server {
namespace {

using pwx::v1::Role;
using pwx::v1::User;
using ::testing::HasSubstr;

class AuthorizerTest : public ::testing::Test {
 protected:
  AuthorizerTest() : kv_(storage::NewMemoryStore()) { Reopen(); }

  void Reopen() {
    authz_.reset();
    absl::StatusOr<std::unique_ptr<Authorizer>> a =
        Authorizer::Open(kv_.get(), "FR-DGT", {"root"});
    ASSERT_TRUE(a.ok()) << a.status();
    authz_ = *std::move(a);
  }

  absl::StatusOr<User> Grant(const std::string& name, Role role) {
    std::promise<absl::StatusOr<User>> p;
    authz_->Grant(name, role, "root",
                  [&p](absl::StatusOr<User> r) { p.set_value(std::move(r)); });
    return p.get_future().get();
  }

  absl::StatusOr<User> Revoke(const std::string& name, Role role) {
    std::promise<absl::StatusOr<User>> p;
    authz_->Revoke(name, role, "root",
                   [&p](absl::StatusOr<User> r) { p.set_value(std::move(r)); });
    return p.get_future().get();
  }

  bool Allowed(const std::string& user, Permission p) {
    return authz_->Check(user, p, "Call").ok();
  }

  std::unique_ptr<storage::KvStore> kv_;
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
  Reopen();
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

TEST(RoleNamesTest, ParseAndPrintRoundTrip) {
  for (Role role : {pwx::v1::ROLE_INSPECTOR, pwx::v1::ROLE_COORDINATOR,
                    pwx::v1::ROLE_AUDITOR, pwx::v1::ROLE_ADMIN}) {
    EXPECT_EQ(*ParseRole("role", RoleName(role)), role);
  }
  EXPECT_THAT(ParseRole("role", "boss").status().message(),
              HasSubstr("role: 'boss' is not a role"));
}

}  // namespace
}  // namespace pwx::server
