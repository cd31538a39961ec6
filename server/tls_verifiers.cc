#include "server/tls_verifiers.h"

#include <spdlog/spdlog.h>

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
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

class PeerServer final : public ExternalCertificateVerifier {
 public:
  PeerServer(std::string authority, std::string ca_pem, std::string host,
             const CrlSet* crls, std::shared_ptr<ChannelLog> log)
      : authority_(std::move(authority)),
        host_(std::move(host)),
        log_(std::move(log)) {
    check_.ca_pem = std::move(ca_pem);
    check_.ca_name = absl::StrCat("the CA on ", authority_, "'s identity card");
    check_.server = true;
    check_.crls = crls;
  }

  bool Verify(TlsCustomVerificationCheckRequest* request,
              std::function<void(grpc::Status)> /*callback*/,
              grpc::Status* sync_status) override {
    absl::Status s = Check(Text(request->peer_cert()),
                           Text(request->peer_cert_full_chain()));
    if (s.ok()) {
      log_->Accepted();
      *sync_status = grpc::Status::OK;
    } else {
      log_->Refused(std::string(s.message()));
      *sync_status = Refusal(s);
    }
    return true;
  }
  void Cancel(TlsCustomVerificationCheckRequest* /*request*/) override {}

 private:
  absl::Status Check(const std::string& leaf, const std::string& chain) const {
    const std::string subject =
        absl::StrCat("the server certificate of ", authority_);
    if (absl::Status s = VerifyCertificate(leaf, chain, check_, subject);
        !s.ok()) {
      return s;
    }
    absl::StatusOr<std::string> named = CertificateAuthority(leaf);
    if (!named.ok()) {
      return absl::UnauthenticatedError(absl::StrCat(
          subject, " names no authority: ", named.status().message()));
    }
    if (*named != authority_) {
      return absl::UnauthenticatedError(absl::StrCat(
          subject, " names pwx://authority/", *named, ", not ", authority_,
          ": the endpoint on the card answers with another authority's "
          "certificate (an impostor, or a wrong endpoint)"));
    }
    return VerifyHost(leaf, host_, subject);
  }

  const std::string authority_;
  const std::string host_;
  const std::shared_ptr<ChannelLog> log_;
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

std::shared_ptr<grpc::experimental::CertificateVerifier> PeerServerVerifier(
    std::string authority, std::string ca_pem, std::string host,
    const CrlSet* crls, std::shared_ptr<ChannelLog> log) {
  return ExternalCertificateVerifier::Create<PeerServer>(
      std::move(authority), std::move(ca_pem), std::move(host), crls,
      std::move(log));
}

void ChannelLog::Accepted() {
  absl::MutexLock lock(&mu_);
  accepted_ = absl::Now();
}

void ChannelLog::Refused(std::string why) {
  absl::MutexLock lock(&mu_);
  refused_ = absl::Now();
  refusal_ = std::move(why);
}

void ChannelLog::CallSucceeded() {
  absl::MutexLock lock(&mu_);
  call_ok_ = absl::Now();
}

std::optional<std::string> ChannelLog::Refusal() const {
  absl::MutexLock lock(&mu_);
  if (refused_ == absl::InfinitePast() || refused_ < accepted_ ||
      refused_ < call_ok_) {
    return std::nullopt;
  }
  return refusal_;
}

bool ChannelLog::AcceptedSinceLastCall() const {
  absl::MutexLock lock(&mu_);
  return accepted_ != absl::InfinitePast() && accepted_ >= refused_ &&
         accepted_ >= call_ok_;
}

}  // namespace pwx::server
