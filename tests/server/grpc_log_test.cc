// gRPC's log lines as pwx logs them: handshake refusals made readable, the
// noise of accepted handshakes dropped, the rest passed on.
#include "server/grpc_log.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace pwx::server {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

constexpr char kTsi[] = "./src/core/tsi/ssl_transport_security.cc";
constexpr int kError = 2;

TEST(GrpcLogTest, AHandshakeRefusalBecomesOneLineSayingWhy) {
  int last = 0;
  // gRPC logs a code for accepted handshakes too: nothing is logged for it.
  EXPECT_EQ(TranslateGrpcLog(kTsi, kError,
                             "Certificate verify failed with code 20", &last),
            std::nullopt);
  EXPECT_EQ(TranslateGrpcLog(kTsi, kError,
                             "Certificate verify failed with code 23", &last),
            std::nullopt);
  std::optional<GrpcLogLine> line = TranslateGrpcLog(
      kTsi, kError,
      "Handshake failed with fatal error SSL_ERROR_SSL: error:0A000086:SSL "
      "routines::certificate verify failed.",
      &last);
  ASSERT_TRUE(line.has_value());
  EXPECT_EQ(line->level, spdlog::level::warn);
  EXPECT_THAT(line->text,
              AllOf(HasSubstr("tls: refused a TLS handshake"),
                    HasSubstr("is revoked"), HasSubstr("certificate revoked")));
  EXPECT_EQ(last, 0);
  TranslateGrpcLog(kTsi, kError, "Certificate verify failed with code 10",
                   &last);
  line = TranslateGrpcLog(kTsi, kError,
                          "Handshake failed with fatal error SSL_ERROR_SSL: "
                          "certificate verify failed.",
                          &last);
  EXPECT_THAT(line->text, HasSubstr("has expired"));
  TranslateGrpcLog(kTsi, kError, "Certificate verify failed with code 18",
                   &last);
  line = TranslateGrpcLog(kTsi, kError,
                          "Handshake failed with fatal error SSL_ERROR_SSL: "
                          "certificate verify failed.",
                          &last);
  EXPECT_THAT(line->text, HasSubstr("unknown CA or self-signed"));
}

TEST(GrpcLogTest, OtherLinesArePassedOnWithTheirLevel) {
  int last = 0;
  EXPECT_EQ(TranslateGrpcLog(kTsi, 1,
                             "Certificate verification failed to get CRL "
                             "files. Ignoring error.",
                             &last),
            std::nullopt);
  std::optional<GrpcLogLine> line = TranslateGrpcLog(
      "./src/core/lib/iomgr/tcp_server_posix.cc", kError, "bind failed", &last);
  ASSERT_TRUE(line.has_value());
  EXPECT_EQ(line->level, spdlog::level::err);
  EXPECT_EQ(line->text, "grpc: bind failed (tcp_server_posix.cc)");
  line = TranslateGrpcLog(kTsi, 1, "something else", &last);
  EXPECT_EQ(line->level, spdlog::level::info);
}

}  // namespace
}  // namespace pwx::server
