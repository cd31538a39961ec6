// CatalogueService and UserService.SetLanguage on a running node: which
// language the questions come in, and who may read and set it.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "gmock/gmock.h"
#include "pwx/v1/catalogue_service.grpc.pb.h"
#include "pwx/v1/user_service.grpc.pb.h"
#include "server/domain/catalogue.h"
#include "tests/server/node_fixture.h"

namespace pwx::server {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

class CatalogueServiceTest : public NodeTest {
 protected:
  void SetUp() override {
    NodeTest::SetUp();
    ASSERT_TRUE(Grant("ines", pwx::v1::ROLE_INSPECTOR).ok());
    ines_ = ca_.IssueUser("ines");
  }

  grpc::Status List(const testing::KeyPair& user, const std::string& language,
                    pwx::v1::ListQuestionsResponse* response) {
    auto stub = pwx::v1::CatalogueService::NewStub(Channel(&user));
    grpc::ClientContext context;
    pwx::v1::ListQuestionsRequest request;
    request.set_language(language);
    return stub->ListQuestions(&context, request, response);
  }

  grpc::Status SetLanguage(const testing::KeyPair& user,
                           const std::string& language,
                           pwx::v1::User* response) {
    auto stub = pwx::v1::UserService::NewStub(Channel(&user));
    grpc::ClientContext context;
    pwx::v1::SetLanguageRequest request;
    request.set_language(language);
    return stub->SetLanguage(&context, request, response);
  }

  // The language of the texts `user` gets without asking for one.
  std::string DefaultLanguage(const testing::KeyPair& user) {
    pwx::v1::ListQuestionsResponse response;
    grpc::Status s = List(user, "", &response);
    EXPECT_TRUE(s.ok()) << s.error_message();
    EXPECT_GT(response.questions_size(), 0);
    for (const pwx::v1::CatalogueQuestion& q : response.questions()) {
      EXPECT_EQ(q.language(), response.language()) << q.code();
    }
    return response.language();
  }

  testing::KeyPair ines_;
};

TEST_F(CatalogueServiceTest, ListsTheShippedCatalogueInEnglishByDefault) {
  pwx::v1::ListQuestionsResponse response;
  grpc::Status s = List(ines_, "", &response);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(response.language(), "en");
  EXPECT_EQ(response.version(), node_->catalogue().version());
  ASSERT_EQ(static_cast<size_t>(response.questions_size()),
            node_->catalogue().size());
  const pwx::v1::CatalogueQuestion& first = response.questions(0);
  EXPECT_EQ(first.code(), "EST-01");
  EXPECT_EQ(first.topic(), "establishment");
  EXPECT_EQ(first.text(), *node_->catalogue().Text("EST-01", "en"));
}

TEST_F(CatalogueServiceTest, ThePreferenceIsUsedWhenNoLanguageIsAsked) {
  pwx::v1::User user;
  grpc::Status s = SetLanguage(ines_, "pl-PL", &user);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(user.name(), "ines");
  EXPECT_EQ(user.language(), "pl-PL");
  EXPECT_EQ(DefaultLanguage(ines_), "pl");

  pwx::v1::ListQuestionsResponse response;
  ASSERT_TRUE(List(ines_, "", &response).ok());
  EXPECT_EQ(response.questions(0).text(),
            *node_->catalogue().Text("EST-01", "pl"));
  // A language in the request wins over the preference.
  ASSERT_TRUE(List(ines_, "de", &response).ok());
  EXPECT_EQ(response.language(), "de");
  EXPECT_EQ(response.questions(0).language(), "de");
  // Other users keep their own (none: English).
  testing::KeyPair alice = ca_.IssueUser("alice");
  EXPECT_EQ(DefaultLanguage(alice), "en");
}

TEST_F(CatalogueServiceTest, ThePreferenceSurvivesARestartAndCanBeCleared) {
  pwx::v1::User user;
  ASSERT_TRUE(SetLanguage(ines_, "ro", &user).ok());
  RestartNode();
  EXPECT_EQ(DefaultLanguage(ines_), "ro");
  ASSERT_TRUE(SetLanguage(ines_, "", &user).ok());
  EXPECT_EQ(user.language(), "");
  EXPECT_EQ(DefaultLanguage(ines_), "en");
}

TEST_F(CatalogueServiceTest, ABadLanguageIsRefusedNamingTheField) {
  pwx::v1::User user;
  ASSERT_TRUE(SetLanguage(ines_, "fr", &user).ok());

  grpc::Status s = SetLanguage(ines_, "nl-BE", &user);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), StartsWith("language: 'nl-BE' is not a "
                                            "language of the question "
                                            "catalogue"));
  EXPECT_EQ(DefaultLanguage(ines_), "fr");

  pwx::v1::ListQuestionsResponse response;
  s = List(ines_, "klingon", &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), StartsWith("language: 'klingon'"));
  EXPECT_EQ(response.questions_size(), 0);
}

TEST_F(CatalogueServiceTest, AUserWithoutARoleMayNeitherListNorSet) {
  testing::KeyPair bob = ca_.IssueUser("bob");
  pwx::v1::ListQuestionsResponse response;
  grpc::Status s = List(bob, "", &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(s.error_message(), HasSubstr("may not call ListQuestions"));
  pwx::v1::User user;
  s = SetLanguage(bob, "pl", &user);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(s.error_message(), HasSubstr("may not call SetLanguage"));
}

}  // namespace
}  // namespace pwx::server
