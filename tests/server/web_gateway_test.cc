// The web listener: HTTPS with the user's certificate, the JSON API through
// the API port's services, its refusals, attachments and the assets.
#include <google/protobuf/util/message_differencer.h>
#include <grpcpp/grpcpp.h>

#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "pwx/v1/case_service.grpc.pb.h"
#include "pwx/v1/user_service.grpc.pb.h"
#include "server/rpc_util.h"
#include "server/web/web_attachments.h"
#include "tests/server/web_fixture.h"
#include "tests/testing/tls_probe.h"

namespace pwx::server {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kCsp[] =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src "
    "'self' data:; connect-src 'self'; font-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'";

TEST_F(WebTest, ACaseCreatedAndReadOverHttpsIsTheCaseGrpcReturns) {
  auto web = ClientFor("alice");
  pwx::v1::Case created = CreateCase(*web);
  ASSERT_FALSE(created.id().empty());
  EXPECT_EQ(created.workers(0).full_name(), "Jan Kowalski");

  pwx::v1::GetCaseRequest get;
  get.set_id(created.id());
  httplib::Result res =
      PostJson(*web, "/api/v1/CaseService/GetCase", Json(get));
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  EXPECT_EQ(res->get_header_value("Content-Type"), "application/json");
  EXPECT_EQ(res->get_header_value("Cache-Control"), "no-store");
  EXPECT_EQ(res->get_header_value("Content-Security-Policy"), kCsp);
  // lowerCamel names, as protobuf's JSON mapping writes them.
  EXPECT_THAT(res->body, HasSubstr("\"fullName\":\"Jan Kowalski\""));

  testing::KeyPair alice = ca_.IssueUser("alice");
  auto grpc_cases = pwx::v1::CaseService::NewStub(Channel(&alice));
  grpc::ClientContext context;
  pwx::v1::Case over_grpc;
  ASSERT_TRUE(grpc_cases->GetCase(&context, get, &over_grpc).ok());
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(
      Parse<pwx::v1::Case>(res->body), over_grpc));

  // The same audit entries as over gRPC, in alice's name.
  std::vector<pwx::v1::LoggedEntry> creates = Entries("case.create");
  ASSERT_EQ(creates.size(), 1u);
  EXPECT_EQ(creates[0].entry().user(), "alice");
  EXPECT_EQ(creates[0].entry().object_id(), created.id());
  int reads = 0;
  for (const pwx::v1::LoggedEntry& e : Entries("case.read")) {
    if (e.entry().user() == "alice" && e.entry().object_id() == created.id()) {
      ++reads;
    }
  }
  EXPECT_EQ(reads, 2);  // one over HTTPS, one over gRPC
}

TEST_F(WebTest, GetCurrentUserTellsThePageWhoIsCallingAndWhere) {
  auto web = ClientFor("alice");
  httplib::Result res =
      PostJson(*web, "/api/v1/UserService/GetCurrentUser", "{}");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  auto me = Parse<pwx::v1::GetCurrentUserResponse>(res->body);
  EXPECT_EQ(me.user().name(), "alice");
  EXPECT_EQ(me.authority_id(), "FR-DGT");
  EXPECT_THAT(me.user().roles(), ::testing::Contains(pwx::v1::ROLE_INSPECTOR));
  // A user with no role is refused, as on the API port.
  auto nobody = ClientFor("nobody");
  res = PostJson(*nobody, "/api/v1/UserService/GetCurrentUser", "{}");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 403);
}

TEST_F(WebTest, WithoutACertificateOfTheUserCaThereIsNoTlsSession) {
  auto anonymous = Client(nullptr);
  EXPECT_FALSE(anonymous->Get("/"));
  testing::TestCa other = testing::TestCa::Create("PL-PIP");
  testing::KeyPair stranger = other.IssueUser("alice");
  auto foreign = Client(&stranger);
  EXPECT_FALSE(foreign->Get("/"));
  // Refused inside the handshake (TLS 1.2 shows it: no Finished).
  EXPECT_EQ(testing::ProbeTls(node_->web_port(), nullptr, false).outcome,
            testing::TlsOutcome::kRefusedInHandshake);
  EXPECT_EQ(testing::ProbeTls(node_->web_port(), &stranger, false).outcome,
            testing::TlsOutcome::kRefusedInHandshake);
  // The node's own users get in.
  auto alice = ClientFor("alice");
  httplib::Result res = alice->Get("/");
  ASSERT_TRUE(res) << httplib::to_string(res.error());
  EXPECT_EQ(res->status, 200);
}

TEST_F(WebTest, ARevokedCertificateIsRefusedInTheHandshake) {
  testing::KeyPair revoked = ca_.IssueUser("ines");
  node_.reset();
  StartNode({ca_.Crl({revoked.cert_pem})});
  auto client = Client(&revoked);
  EXPECT_FALSE(client->Get("/"));
  EXPECT_EQ(testing::ProbeTls(node_->web_port(), &revoked, false).outcome,
            testing::TlsOutcome::kRefusedInHandshake);
  auto alice = ClientFor("alice");
  httplib::Result res = alice->Get("/");
  ASSERT_TRUE(res) << httplib::to_string(res.error());
  EXPECT_EQ(res->status, 200);
}

TEST_F(WebTest, ARoleThatMayNotActGets403AndABadFieldGets400NamingIt) {
  auto nobody = ClientFor("nobody");
  pwx::v1::CreateCaseRequest request;
  *request.mutable_case_() = Draft();
  httplib::Result res =
      PostJson(*nobody, "/api/v1/CaseService/CreateCase", Json(request));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 403);
  EXPECT_THAT(res->body, HasSubstr("\"code\":\"PERMISSION_DENIED\""));
  EXPECT_THAT(res->body, HasSubstr("nobody"));
  EXPECT_EQ(CountCases(), 0);
  // The refusal is audited as on the API port.
  bool denied = false;
  for (const pwx::v1::LoggedEntry& e : Entries("denied")) {
    denied |= e.entry().user() == "nobody";
  }
  EXPECT_TRUE(denied);

  auto alice = ClientFor("alice");
  request.mutable_case_()->mutable_workers(0)->clear_full_name();
  res = PostJson(*alice, "/api/v1/CaseService/CreateCase", Json(request));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400);
  EXPECT_THAT(res->body, HasSubstr("\"code\":\"INVALID_ARGUMENT\""));
  EXPECT_THAT(res->body, HasSubstr("\"field\":\"case.workers[0].full_name\""))
      << res->body;

  // A body that is not the request message: what protobuf says.
  res = PostJson(*alice, "/api/v1/CaseService/CreateCase", R"({"cas": {}})");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400);
  EXPECT_THAT(res->body, HasSubstr("cas"));
  res = PostJson(*alice, "/api/v1/CaseService/CreateCase", "{not json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400);
  EXPECT_THAT(res->body, HasSubstr("INVALID_ARGUMENT"));
  EXPECT_EQ(CountCases(), 0);

  // Unknown services and methods, streaming ones and the federation's.
  for (const char* path :
       {"/api/v1/NoService/Get", "/api/v1/CaseService/Nothing",
        "/api/v1/CaseService/DownloadAttachment",
        "/api/v1/FederationService/Deliver"}) {
    res = PostJson(*alice, path, "{}");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 404) << path;
  }
}

TEST_F(WebTest, CrossSiteRequestsAreRefusedBeforeAnythingIsWritten) {
  auto alice = ClientFor("alice");
  pwx::v1::CreateCaseRequest request;
  *request.mutable_case_() = Draft();
  const std::string body = Json(request);
  const std::string path = "/api/v1/CaseService/CreateCase";
  // No X-PWX-Request header (a foreign page's form or fetch cannot add it).
  httplib::Result res = alice->Post(path.c_str(), body, "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 403);
  EXPECT_THAT(res->body, HasSubstr("X-PWX-Request"));
  // A foreign Origin, or Sec-Fetch-Site other than same-origin.
  res =
      alice->Post(path.c_str(),
                  {{"X-PWX-Request", "1"}, {"Origin", "https://evil.example"}},
                  body, "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 403);
  EXPECT_THAT(res->body, HasSubstr("evil.example"));
  res = alice->Post(path.c_str(),
                    {{"X-PWX-Request", "1"}, {"Sec-Fetch-Site", "cross-site"}},
                    body, "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 403);
  // A form's content types.
  for (const char* type : {"application/x-www-form-urlencoded",
                           "multipart/form-data; boundary=x", "text/plain"}) {
    res = alice->Post(path.c_str(), {{"X-PWX-Request", "1"}}, body, type);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 415) << type;
  }
  // More than 1 MiB of JSON.
  res = PostJson(*alice, path,
                 absl::StrCat(R"({"case": {"title": ")",
                              std::string(1 << 20, 'x'), R"("}})"));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 413);
  // A preflight is never answered with allow headers.
  res = alice->Options(path.c_str());
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 403);
  EXPECT_FALSE(res->has_header("Access-Control-Allow-Origin"));
  // A cross-site GET of the API (a link to a download, an image).
  res = alice->Get(
      "/api/v1/cases/FR-DGT-2026-000001/attachments/"
      "0000000000000000000000000000000000000000000000000000000000"
      "000000",
      {{"Sec-Fetch-Site", "cross-site"}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 403);

  // An upload without the header: refused too, its body read and dropped.
  res = alice->Post("/api/v1/cases/FR-DGT-2026-000001/attachments",
                    {{"X-PWX-File-Name", "a.txt"}}, "abc", "text/plain");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 403);
  EXPECT_EQ(CountCases(), 0);
  EXPECT_TRUE(Entries("case.create").empty());
  EXPECT_TRUE(Entries("case.attachment.read").empty());
  // The same request from the page itself goes through.
  res = alice->Post(
      path.c_str(),
      {{"X-PWX-Request", "1"},
       {"Origin", absl::StrCat("https://localhost:", node_->web_port())},
       {"Sec-Fetch-Site", "same-origin"}},
      body, "application/json; charset=utf-8");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200) << res->body;
  EXPECT_EQ(CountCases(), 1);
}

TEST_F(WebTest, ARefusedBodyDoesNotSpillIntoTheNextRequest) {
  // The refused request's body is read, so the next request on the same
  // connection gets its own answer.
  auto alice = ClientFor("alice");
  alice->set_keep_alive(true);
  for (int i = 0; i < 3; ++i) {
    httplib::Result res = alice->Post("/api/v1/UserService/GetCurrentUser",
                                      "{}", "application/json");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 403);
    res = PostJson(*alice, "/api/v1/UserService/GetCurrentUser", "{}");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 200) << res->body;
    EXPECT_THAT(res->body, HasSubstr("alice"));
  }
}

TEST_F(WebTest, TheIdentityMetadataIsIgnoredOnTheApiPort) {
  // "nobody" holds no role; claiming to be alice through the metadata the
  // gateway uses must not make them alice, with a wrong secret, without
  // one, or even with the right one (the call came through TLS).
  testing::KeyPair nobody = ca_.IssueUser("nobody");
  auto cases = pwx::v1::CaseService::NewStub(Channel(&nobody));
  for (const std::string& secret :
       {std::string("wrong"), std::string(), InProcessSecret()}) {
    grpc::ClientContext context;
    context.AddMetadata(kWebUserMetadata, "alice");
    if (!secret.empty()) context.AddMetadata(kWebSecretMetadata, secret);
    pwx::v1::ListCasesResponse response;
    grpc::Status s = cases->ListCases(&context, {}, &response);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED)
        << s.error_message();
    EXPECT_THAT(s.error_message(), HasSubstr("nobody"));
  }
}

TEST_F(WebTest, AttachmentsUploadAndDownloadAsFiles) {
  auto alice = ClientFor("alice");
  pwx::v1::Case created = CreateCase(*alice);
  ASSERT_FALSE(created.id().empty());
  const std::string upload =
      absl::StrCat("/api/v1/cases/", created.id(), "/attachments");
  const std::string content(300 * 1024, 'x');  // more than one chunk
  httplib::Result res =
      alice->Post(upload.c_str(),
                  {{"X-PWX-Request", "1"},
                   {"X-PWX-File-Name", "r%C3%A9sum%C3%A9%20%22q%22.txt"}},
                  content, "text/plain");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  auto with_file = Parse<pwx::v1::Case>(res->body);
  ASSERT_EQ(with_file.attachments_size(), 1);
  const pwx::v1::AttachmentMeta& meta = with_file.attachments(0);
  EXPECT_EQ(meta.file_name(), "r\xc3\xa9sum\xc3\xa9 \"q\".txt");
  EXPECT_EQ(meta.media_type(), "text/plain");
  EXPECT_EQ(meta.size_bytes(), content.size());

  res = alice->Get(absl::StrCat(upload, "/", meta.sha256()).c_str());
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  EXPECT_EQ(res->body, content);
  EXPECT_EQ(res->get_header_value("Content-Type"), "application/octet-stream");
  EXPECT_EQ(res->get_header_value("X-Content-Type-Options"), "nosniff");
  // As cpp-httplib's client reads it: it percent-decodes header values
  // (ContentDispositionTest has the bytes on the wire).
  EXPECT_EQ(res->get_header_value("Content-Disposition"),
            "attachment; filename=\"r__sum__ _q_.txt\"; "
            "filename*=UTF-8''r\xc3\xa9sum\xc3\xa9 \"q\".txt");
  EXPECT_EQ(Entries("case.attachment.read").size(), 1u);

  // The name is decoded once: "100%25.txt" arrives as "100%2525.txt".
  res =
      alice->Post(upload.c_str(),
                  {{"X-PWX-Request", "1"}, {"X-PWX-File-Name", "100%2525.txt"}},
                  "abc", "text/plain");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  EXPECT_EQ(Parse<pwx::v1::Case>(res->body).attachments(1).file_name(),
            "100%25.txt");

  // Errors are JSON: an unknown file, a missing name, no right to it.
  res = alice->Get(absl::StrCat(upload, "/", std::string(64, '0')).c_str());
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 404);
  EXPECT_THAT(res->body, HasSubstr("NOT_FOUND"));
  res = alice->Post(upload.c_str(), {{"X-PWX-Request", "1"}}, "abc",
                    "text/plain");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400);
  EXPECT_THAT(res->body, HasSubstr("\"field\":\"file_name\""));
  auto nobody = ClientFor("nobody");
  res = nobody->Get(absl::StrCat(upload, "/", meta.sha256()).c_str());
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 403);
  // A form is not a file.
  res = alice->Post(
      upload.c_str(), {{"X-PWX-Request", "1"}, {"X-PWX-File-Name", "a.txt"}},
      "--x\r\n\r\nabc\r\n--x--\r\n", "multipart/form-data; boundary=x");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 415);
  // A request attachment's expected history must be a number.
  res = alice->Post("/api/v1/requests/FR-DGT-R-2026-000001/attachments",
                    {{"X-PWX-Request", "1"},
                     {"X-PWX-File-Name", "a.txt"},
                     {"X-PWX-Expected-History", "three"}},
                    "abc", "text/plain");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400);
  EXPECT_THAT(res->body, HasSubstr("\"field\":\"expected_history\""));
  // Larger than attachments.max_bytes: refused by the service.
  res = alice->Post(
      upload.c_str(), {{"X-PWX-Request", "1"}, {"X-PWX-File-Name", "big.bin"}},
      std::string((1 << 20) + 1, 'y'), "application/octet-stream");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 429);
  EXPECT_THAT(res->body, HasSubstr("RESOURCE_EXHAUSTED"));
}

TEST(ContentDispositionTest, NamesAreSanitizedAndEncoded) {
  EXPECT_EQ(ContentDisposition("report.pdf"),
            "attachment; filename=\"report.pdf\"; "
            "filename*=UTF-8''report.pdf");
  EXPECT_EQ(ContentDisposition("../a\\b\r\n.txt"),
            "attachment; filename=\".._a_b__.txt\"; "
            "filename*=UTF-8''.._a_b__.txt");
  EXPECT_EQ(ContentDisposition(""), "attachment; filename=\"attachment\"");
  EXPECT_EQ(ContentDisposition("r\xc3\xa9sum\xc3\xa9 \"q\".txt"),
            "attachment; filename=\"r__sum__ _q_.txt\"; "
            "filename*=UTF-8''r%C3%A9sum%C3%A9%20%22q%22.txt");
}

TEST_F(WebTest, AssetsAreServedWithTheirTypeAndTheSecurityHeaders) {
  auto alice = ClientFor("alice");
  httplib::Result res = alice->Get("/");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200);
  EXPECT_EQ(res->get_header_value("Content-Type"), "text/html; charset=utf-8");
  EXPECT_THAT(res->body, HasSubstr("<html"));
  EXPECT_EQ(res->get_header_value("Content-Security-Policy"), kCsp);
  EXPECT_EQ(res->get_header_value("Strict-Transport-Security"),
            "max-age=31536000");
  EXPECT_EQ(res->get_header_value("X-Frame-Options"), "DENY");
  EXPECT_EQ(res->get_header_value("X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(res->get_header_value("Referrer-Policy"), "no-referrer");
  // Every script module is preloaded, so the browser fetches them at once.
  EXPECT_THAT(res->body,
              HasSubstr("<link rel=\"modulepreload\" href=\"/js/api.js\">"));
  EXPECT_THAT(res->body, HasSubstr("href=\"/js/plans.js\""));
  EXPECT_THAT(res->body, Not(HasSubstr("pwx:modulepreload")));
  res = alice->Get("/index.html");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);

  // The page's files are kept by the browser and checked for changes; the
  // API's answers never are (ACaseCreatedAndReadOverHttpsIsTheCaseGrpcReturns).
  res = alice->Get("/js/api.js");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200);
  EXPECT_EQ(res->get_header_value("Content-Type"),
            "text/javascript; charset=utf-8");
  EXPECT_EQ(res->get_header_value_count("Cache-Control"), 1u);
  EXPECT_EQ(res->get_header_value("Cache-Control"), "no-cache");
  const std::string etag = res->get_header_value("ETag");
  ASSERT_FALSE(etag.empty());
  const std::string body = res->body;
  res = alice->Get("/js/api.js", {{"If-None-Match", etag}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 304);
  EXPECT_TRUE(res->body.empty());
  EXPECT_EQ(res->get_header_value("Content-Security-Policy"), kCsp);
  res = alice->Get("/js/api.js", {{"If-None-Match", "\"stale\""}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, body);
  EXPECT_NE(alice->Get("/js/plans.js")->get_header_value("ETag"), etag);
  for (const char* path :
       {"/nothing.js", "/api/v1/CaseService/GetCase", "/../CMakeLists.txt"}) {
    res = alice->Get(path);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 404) << path;
    EXPECT_EQ(res->get_header_value("Content-Security-Policy"), kCsp) << path;
  }
}

}  // namespace
}  // namespace pwx::server
