#include "server/tls_verifiers.h"

#include <spdlog/spdlog.h>

#include <utility>

#include "absl/strings/str_cat.h"
#include "server/cert_verify.h"

namespace pwx::server {
namespace {

using grpc::experimental::ExternalCertificateVerifier;
using grpc::experimental::TlsCustomVerificationCheckRequest;

std::string Text(grpc::string_ref ref) {
  return std::string(ref.data(), ref.size());
}

grpc::Status Refusal(const absl::Status& status) {
  return grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                      std::string(status.message()));
}

class PeerClient final : public ExternalCertificateVerifier {
 public:
  explicit PeerClient(const PeerRegistry* peers) : peers_(peers) {}

  bool Verify(TlsCustomVerificationCheckRequest* request,
              std::function<void(grpc::Status)> /*callback*/,
              grpc::Status* sync_status) override {
    absl::StatusOr<std::string> authority = peers_->VerifyPeerCertificate(
        Text(request->peer_cert()), Text(request->peer_cert_full_chain()));
    if (authority.ok()) {
      *sync_status = grpc::Status::OK;
    } else {
      spdlog::warn(
          "federation: refused a connection after the TLS handshake: {}",
          std::string(authority.status().message()));
      *sync_status = Refusal(authority.status());
    }
    return true;
  }
  void Cancel(TlsCustomVerificationCheckRequest* /*request*/) override {}

 private:
  const PeerRegistry* const peers_;
};

class UserClient final : public ExternalCertificateVerifier {
 public:
  UserClient(std::string client_ca_pem, const CrlSet* crls) {
    check_.ca_pem = std::move(client_ca_pem);
    check_.ca_name = "api.client_ca_file";
    check_.crls = crls;
  }

  bool Verify(TlsCustomVerificationCheckRequest* request,
              std::function<void(grpc::Status)> /*callback*/,
              grpc::Status* sync_status) override {
    const std::string user = Text(request->common_name());
    absl::Status s = VerifyCertificate(
        Text(request->peer_cert()), Text(request->peer_cert_full_chain()),
        check_, absl::StrCat("the certificate of user ", user));
    if (s.ok()) {
      *sync_status = grpc::Status::OK;
    } else {
      spdlog::warn("api: refused a connection after the TLS handshake: {}",
                   std::string(s.message()));
      *sync_status = Refusal(s);
    }
    return true;
  }
  void Cancel(TlsCustomVerificationCheckRequest* /*request*/) override {}

 private:
  CertificateCheck check_;
};

}  // namespace

std::shared_ptr<grpc::experimental::CertificateVerifier> PeerClientVerifier(
    const PeerRegistry* peers) {
  return ExternalCertificateVerifier::Create<PeerClient>(peers);
}

std::shared_ptr<grpc::experimental::CertificateVerifier> UserClientVerifier(
    std::string client_ca_pem, const CrlSet* crls) {
  return ExternalCertificateVerifier::Create<UserClient>(
      std::move(client_ca_pem), crls);
}

}  // namespace pwx::server
