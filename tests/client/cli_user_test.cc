// `pwx user grant|revoke|list`: what the CLI sends to UserService and what it
// prints.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "nlohmann/json.hpp"
#include "tests/client/cli_fixture.h"

namespace pwx::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;
using ::testing::StartsWith;

pwx::v1::User MakeUser(const std::string& name,
                       const std::vector<pwx::v1::Role>& roles) {
  pwx::v1::User user;
  user.set_name(name);
  for (pwx::v1::Role role : roles) user.add_roles(role);
  return user;
}

class CliUserTest : public CliTest {
 protected:
  FakeUserService& users() { return node_->users(); }
};

TEST_F(CliUserTest, GrantSendsNameAndRoleAndPrintsTheUser) {
  users().AddUser(MakeUser("bob", {pwx::v1::ROLE_AUDITOR}));

  const CliResult result = Run({"user", "grant", "bob", "inspector"});

  ASSERT_EQ(result.exit_code, 0) << result.err;
  const FakeUserService::Seen seen = users().seen();
  ASSERT_THAT(seen.grants, SizeIs(1));
  EXPECT_THAT(seen.grants[0], EqualsProto("name: 'bob' role: ROLE_INSPECTOR"));
  EXPECT_EQ(result.out, "bob: auditor, inspector\n");
  EXPECT_THAT(result.err, IsEmpty());
}

TEST_F(CliUserTest, GrantAcceptsEachRoleName) {
  const std::vector<std::pair<std::string, pwx::v1::Role>> roles = {
      {"inspector", pwx::v1::ROLE_INSPECTOR},
      {"coordinator", pwx::v1::ROLE_COORDINATOR},
      {"auditor", pwx::v1::ROLE_AUDITOR},
      {"admin", pwx::v1::ROLE_ADMIN},
  };
  for (const auto& [name, role] : roles) {
    const CliResult result = Run({"user", "grant", "carol", name});
    EXPECT_EQ(result.exit_code, 0) << name << ": " << result.err;
  }

  std::vector<pwx::v1::Role> sent;
  for (const pwx::v1::GrantRoleRequest& grant : users().seen().grants) {
    sent.push_back(grant.role());
  }
  EXPECT_THAT(sent,
              ElementsAre(pwx::v1::ROLE_INSPECTOR, pwx::v1::ROLE_COORDINATOR,
                          pwx::v1::ROLE_AUDITOR, pwx::v1::ROLE_ADMIN));
}

TEST_F(CliUserTest, GrantPrintsTheBootstrapMarker) {
  pwx::v1::User root = MakeUser("root", {pwx::v1::ROLE_ADMIN});
  root.set_bootstrap(true);
  users().AddUser(root);

  const CliResult result = Run({"user", "grant", "root", "auditor"});

  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, "root: admin, auditor (bootstrap admin)\n");
}

TEST_F(CliUserTest, GrantJsonIsTheUserInTheProtoMapping) {
  const CliResult result =
      Run({"user", "grant", "bob", "coordinator", "--output", "json"});

  ASSERT_EQ(result.exit_code, 0) << result.err;
  const nlohmann::json json = nlohmann::json::parse(result.out, nullptr, false);
  ASSERT_FALSE(json.is_discarded()) << result.out;
  EXPECT_EQ(json["name"], "bob");
  EXPECT_EQ(json["roles"], nlohmann::json::array({"ROLE_COORDINATOR"}));
  // The fake stamps the caller's certificate CN.
  EXPECT_EQ(json["updatedBy"], "alice");
  EXPECT_EQ(json["updatedAt"], "2026-01-01T00:00:00Z");
}

TEST_F(CliUserTest, RevokeWithoutRoleRevokesEveryRole) {
  users().AddUser(
      MakeUser("bob", {pwx::v1::ROLE_INSPECTOR, pwx::v1::ROLE_AUDITOR}));

  const CliResult result = Run({"user", "revoke", "bob"});

  ASSERT_EQ(result.exit_code, 0) << result.err;
  const FakeUserService::Seen seen = users().seen();
  ASSERT_THAT(seen.revokes, SizeIs(1));
  EXPECT_THAT(seen.revokes[0], EqualsProto("name: 'bob'"));
  EXPECT_EQ(seen.revokes[0].role(), pwx::v1::ROLE_UNSPECIFIED);
  EXPECT_EQ(result.out, "bob: none\n");
}

TEST_F(CliUserTest, RevokeWithRoleSendsIt) {
  users().AddUser(
      MakeUser("bob", {pwx::v1::ROLE_INSPECTOR, pwx::v1::ROLE_AUDITOR}));

  const CliResult result = Run({"user", "revoke", "bob", "inspector"});

  ASSERT_EQ(result.exit_code, 0) << result.err;
  const FakeUserService::Seen seen = users().seen();
  ASSERT_THAT(seen.revokes, SizeIs(1));
  EXPECT_THAT(seen.revokes[0], EqualsProto("name: 'bob' role: ROLE_INSPECTOR"));
  EXPECT_EQ(result.out, "bob: auditor\n");
}

TEST_F(CliUserTest, UnknownRoleIsAUsageErrorNamingTheRoles) {
  const CliResult grant = Run({"user", "grant", "bob", "superuser"});
  const CliResult revoke = Run({"user", "revoke", "bob", "Inspector"});

  EXPECT_EQ(grant.exit_code, 2);
  EXPECT_EQ(grant.err,
            "pwx: ROLE: unknown role 'superuser'; one of: inspector, "
            "coordinator, auditor, admin\n");
  EXPECT_EQ(revoke.exit_code, 2);
  EXPECT_THAT(revoke.err, HasSubstr("'Inspector'"));
  EXPECT_THAT(revoke.err, HasSubstr("inspector, coordinator, auditor, admin"));
  const FakeUserService::Seen seen = users().seen();
  EXPECT_THAT(seen.grants, IsEmpty());
  EXPECT_THAT(seen.revokes, IsEmpty());
}

TEST_F(CliUserTest, GrantWithoutRoleIsAUsageError) {
  const CliResult result = Run({"user", "grant", "bob"});

  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, StartsWith("pwx: "));
  EXPECT_THAT(result.err, HasSubstr("ROLE"));
  EXPECT_THAT(users().seen().grants, IsEmpty());
}

TEST_F(CliUserTest, ListPrintsAnAlignedTable) {
  pwx::v1::User root = MakeUser("root", {pwx::v1::ROLE_ADMIN});
  root.set_bootstrap(true);
  root.set_updated_by("config");
  root.mutable_updated_at()->set_seconds(1767225600);  // 2026-01-01
  pwx::v1::User bob =
      MakeUser("bob", {pwx::v1::ROLE_INSPECTOR, pwx::v1::ROLE_AUDITOR});
  bob.set_updated_by("alice");
  bob.mutable_updated_at()->set_seconds(1767312000);  // 2026-01-02
  users().AddUser(root);
  users().AddUser(bob);

  const CliResult result = Run({"user", "list"});

  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out,
            "NAME  ROLES                    UPDATED BY  UPDATED\n"
            "bob   inspector, auditor       alice       2026-01-02 00:00:00 "
            "UTC\n"
            "root  admin (bootstrap admin)  config      2026-01-01 00:00:00 "
            "UTC\n");
  EXPECT_EQ(users().seen().lists, 1);
}

TEST_F(CliUserTest, ListWithoutUsersSaysSo) {
  const CliResult result = Run({"user", "list"});

  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, "no users\n");
}

TEST_F(CliUserTest, ListJsonParses) {
  pwx::v1::User root = MakeUser("root", {pwx::v1::ROLE_ADMIN});
  root.set_bootstrap(true);
  users().AddUser(root);
  users().AddUser(MakeUser("bob", {pwx::v1::ROLE_AUDITOR}));

  const CliResult result = Run({"user", "list", "--output", "json"});

  ASSERT_EQ(result.exit_code, 0) << result.err;
  const nlohmann::json json = nlohmann::json::parse(result.out, nullptr, false);
  ASSERT_FALSE(json.is_discarded()) << result.out;
  ASSERT_EQ(json["users"].size(), 2);
  EXPECT_EQ(json["users"][0]["name"], "bob");
  EXPECT_EQ(json["users"][0]["roles"], nlohmann::json::array({"ROLE_AUDITOR"}));
  EXPECT_EQ(json["users"][1]["name"], "root");
  EXPECT_EQ(json["users"][1]["bootstrap"], true);
}

TEST_F(CliUserTest, PermissionDeniedIsOneLineAndExitsOne) {
  users().FailWith(grpc::Status(grpc::StatusCode::PERMISSION_DENIED,
                                "alice holds no coordinator or admin\nrole"));

  const CliResult result = Run({"user", "grant", "bob", "auditor"});

  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.err,
            "pwx: PERMISSION_DENIED: alice holds no coordinator or admin "
            "role\n");
  EXPECT_THAT(result.out, IsEmpty());
}

TEST_F(CliUserTest, HelpNamesTheRolesAndWhoMayChangeThem) {
  const CliResult result = Run({"user", "grant", "--help"});

  EXPECT_EQ(result.exit_code, 0);
  EXPECT_THAT(result.out,
              HasSubstr("inspector, coordinator, auditor or admin"));
  EXPECT_THAT(result.out, HasSubstr("common name (CN)"));
  EXPECT_THAT(result.out, HasSubstr("next call, without a restart"));
  EXPECT_THAT(result.out, HasSubstr("coordinators and admins only"));
  EXPECT_THAT(result.out,
              HasSubstr("nobody grants a role to themselves; a coordinator "
                        "grants and revokes\ninspector only"));
  EXPECT_THAT(result.err, IsEmpty());
}

}  // namespace
}  // namespace pwx::testing
