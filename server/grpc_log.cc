#include "server/grpc_log.h"

#include <grpc/support/log.h>
#include <openssl/x509_vfy.h>
#include <spdlog/spdlog.h>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace pwx::server {
namespace {

// What a refused certificate is, by the OpenSSL error gRPC logged.
std::string Refusal(int error) {
  switch (error) {
    case X509_V_ERR_CERT_HAS_EXPIRED:
      return "has expired";
    case X509_V_ERR_CERT_NOT_YET_VALID:
      return "is not valid yet";
    case X509_V_ERR_CERT_REVOKED:
      return "is revoked (listed in a current revocation list)";
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_CERT_SIGNATURE_FAILURE:
      return "is not issued by a CA this port trusts (unknown CA or "
             "self-signed; on the federation port: no peer's CA)";
    case X509_V_ERR_INVALID_PURPOSE:
      return "is not for this use (extended key usage)";
    case X509_V_ERR_CRL_HAS_EXPIRED:
      return "cannot be checked: a revocation list has expired";
    default:
      return "does not verify";
  }
}

void Forward(gpr_log_func_args* args) {
  thread_local int last_verify_error = 0;
  std::optional<GrpcLogLine> line = TranslateGrpcLog(
      args->file == nullptr ? "" : args->file, static_cast<int>(args->severity),
      args->message == nullptr ? "" : args->message, &last_verify_error);
  if (line.has_value()) spdlog::log(line->level, "{}", line->text);
}

}  // namespace

std::optional<GrpcLogLine> TranslateGrpcLog(absl::string_view file,
                                            int severity,
                                            absl::string_view message,
                                            int* last_verify_error) {
  if (absl::EndsWith(file, "ssl_transport_security.cc")) {
    absl::string_view rest = message;
    int code = 0;
    if (absl::ConsumePrefix(&rest, "Certificate verify failed with code ") &&
        absl::SimpleAtoi(rest, &code)) {
      *last_verify_error = code;
      return std::nullopt;
    }
    if (absl::StartsWith(message,
                         "Certificate verification failed to get "
                         "CRL files")) {
      return std::nullopt;  // a CA without a list: not checked, as intended
    }
    if (absl::StrContains(message, "Handshake failed") &&
        absl::StrContains(message, "certificate verify failed")) {
      const int error = *last_verify_error;
      *last_verify_error = 0;
      return GrpcLogLine{
          spdlog::level::warn,
          absl::StrCat("tls: refused a TLS handshake: the certificate "
                       "presented ",
                       Refusal(error), " (OpenSSL: ",
                       X509_verify_cert_error_string(error), ", ", error,
                       "); gRPC does not say which port or client")};
    }
  }
  spdlog::level::level_enum level = spdlog::level::err;
  if (severity == GPR_LOG_SEVERITY_DEBUG) level = spdlog::level::debug;
  if (severity == GPR_LOG_SEVERITY_INFO) level = spdlog::level::info;
  const size_t slash = file.rfind('/');
  return GrpcLogLine{level, absl::StrCat("grpc: ", message, " (",
                                         slash == absl::string_view::npos
                                             ? file
                                             : file.substr(slash + 1),
                                         ")")};
}

void RouteGrpcLogsToSpdlog() { gpr_set_log_function(&Forward); }

}  // namespace pwx::server
