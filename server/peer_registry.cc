#include "server/peer_registry.h"

#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "server/audit_trail.h"
#include "server/cert_verify.h"
#include "server/domain/digest.h"
#include "server/domain/fields.h"

namespace pwx::server {
namespace {

// How long a verified certificate is trusted without checking it again,
// at most (its own expiry and any change of the peer or lists end it
// sooner).
constexpr absl::Duration kVerifiedFor = absl::Minutes(5);

// Adds to `batch` the record of `peer`'s signing certificate, kept for good
// so that its receipts stay verifiable after it is removed or re-added with
// a new card (pwx audit receipts).
void KeepCertificate(const PeerInfo& peer, const storage::FederationStore* fed,
                     storage::WriteBatch* batch) {
  fed->PutPeerCertificate(peer.signing_certificate_sha256,
                          peer.peer.card().signing_certificate_pem(), batch);
}

constexpr absl::string_view kUriPrefix = "pwx://authority/";

absl::Status BadCard(absl::string_view field, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("card.", field, ": ", what));
}

std::string Describe(const pwx::v1::Peer& peer) {
  return absl::StrCat(peer.card().authority_id(), " (",
                      peer.card().federation_endpoint(), ")");
}

}  // namespace

absl::Status ValidateIdentityCard(const pwx::v1::IdentityCard& card) {
  if (absl::Status s = domain::ValidateNodeAuthorityId("card.authority_id",
                                                       card.authority_id());
      !s.ok()) {
    return s;
  }
  std::vector<absl::string_view> parts =
      absl::StrSplit(card.federation_endpoint(), ':');
  uint32_t port = 0;
  if (parts.size() < 2 || parts.front().empty() ||
      !absl::SimpleAtoi(parts.back(), &port) || port == 0 || port > 65535) {
    return BadCard(
        "federation_endpoint",
        absl::StrCat("'", card.federation_endpoint(), "' is not host:port"));
  }
  std::vector<X509Ptr> ca = ParseCertificates(card.ca_certificate_pem());
  if (ca.empty()) return BadCard("ca_certificate_pem", "holds no certificate");
  if (X509_check_ca(ca.front().get()) == 0) {
    return BadCard("ca_certificate_pem", "is not a CA certificate");
  }
  if (absl::StatusOr<std::unique_ptr<domain::Verifier>> key =
          domain::Verifier::FromCertificatePem(card.signing_certificate_pem());
      !key.ok()) {
    return BadCard("signing_certificate_pem", key.status().message());
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> CertificateAuthority(absl::string_view cert_pem) {
  std::vector<X509Ptr> certs = ParseCertificates(cert_pem);
  if (certs.empty()) {
    return absl::UnauthenticatedError("the peer presented no certificate");
  }
  auto* names = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(
      certs.front().get(), NID_subject_alt_name, nullptr, nullptr));
  std::vector<std::string> authorities;
  for (int i = 0; names != nullptr && i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names, i);
    if (name->type != GEN_URI) continue;
    const ASN1_IA5STRING* uri = name->d.uniformResourceIdentifier;
    absl::string_view text(reinterpret_cast<const char*>(uri->data),
                           static_cast<size_t>(uri->length));
    if (absl::StartsWith(text, kUriPrefix)) {
      authorities.emplace_back(text.substr(kUriPrefix.size()));
    }
  }
  GENERAL_NAMES_free(names);
  if (authorities.size() != 1) {
    return absl::UnauthenticatedError(absl::StrCat(
        "the peer's certificate names ", authorities.size(),
        " authorities in SAN URIs ", kUriPrefix, "ID; exactly one is needed"));
  }
  return authorities.front();
}

PeerRegistry::PeerRegistry(storage::KvStore* kv, storage::FederationStore* fed,
                           std::string self_authority, const CrlSet* crls)
    : kv_(kv), fed_(fed), self_(std::move(self_authority)), crls_(crls) {}

absl::StatusOr<std::unique_ptr<PeerRegistry>> PeerRegistry::Open(
    storage::KvStore* kv, storage::FederationStore* fed,
    std::string self_authority, const CrlSet* crls) {
  std::unique_ptr<PeerRegistry> registry(
      new PeerRegistry(kv, fed, std::move(self_authority), crls));
  absl::StatusOr<std::vector<pwx::v1::Peer>> peers = fed->Peers();
  if (!peers.ok()) return peers.status();
  // Peers added before their certificates were kept get theirs now, once.
  storage::WriteBatch unkept;
  for (pwx::v1::Peer& peer : *peers) {
    std::string bytes = peer.SerializeAsString();
    absl::StatusOr<std::shared_ptr<const PeerInfo>> info =
        registry->Load(std::move(peer), std::move(bytes));
    if (!info.ok()) return info.status();
    absl::StatusOr<std::optional<std::string>> kept =
        fed->PeerCertificate((*info)->signing_certificate_sha256);
    if (!kept.ok()) return kept.status();
    if (!kept->has_value()) KeepCertificate(**info, fed, &unkept);
    absl::MutexLock lock(&registry->mu_);
    registry->peers_[(*info)->authority()] = *std::move(info);
  }
  if (!unkept.empty()) {
    if (absl::Status s = kv->Write(std::move(unkept)); !s.ok()) return s;
  }
  return registry;
}

absl::StatusOr<std::shared_ptr<const PeerInfo>> PeerRegistry::Load(
    pwx::v1::Peer peer, std::string bytes) const {
  absl::StatusOr<std::unique_ptr<domain::Verifier>> key =
      domain::Verifier::FromCertificatePem(
          peer.card().signing_certificate_pem());
  if (!key.ok()) {
    return absl::DataLossError(absl::StrCat("stored peer ",
                                            peer.card().authority_id(), ": ",
                                            key.status().message()));
  }
  absl::StatusOr<std::string> sha256 =
      domain::CertificateSha256(peer.card().signing_certificate_pem());
  if (!sha256.ok()) {
    return absl::DataLossError(absl::StrCat("stored peer ",
                                            peer.card().authority_id(), ": ",
                                            sha256.status().message()));
  }
  auto info = std::make_shared<PeerInfo>();
  info->peer = std::move(peer);
  info->stored_bytes = std::move(bytes);
  info->signing_key = *std::move(key);
  info->signing_certificate_sha256 = *std::move(sha256);
  return std::shared_ptr<const PeerInfo>(std::move(info));
}

void PeerRegistry::Write(std::shared_ptr<const PeerInfo> next,
                         const std::optional<std::string>& previous,
                         bool new_card, absl::string_view action,
                         const std::string& by, PeerCallback done) {
  storage::WriteBatch batch;
  fed_->PutPeer(next->peer, previous, &batch);
  if (new_card) KeepCertificate(*next, fed_, &batch);
  batch.AppendAudit(AuditEntryBytes(ToProtoTime(absl::Now()), self_, by, action,
                                    next->authority(),
                                    domain::Sha256Hex(next->stored_bytes)));
  kv_->WriteAsync(std::move(batch), [this, next,
                                     done = std::move(done)](absl::Status s) {
    if (absl::IsAborted(s)) {
      done(absl::AbortedError(absl::StrCat(
          "peer ", next->authority(), " was changed meanwhile; try again")));
      return;
    }
    if (!s.ok()) {
      done(s);
      return;
    }
    {
      absl::MutexLock lock(&mu_);
      peers_[next->authority()] = next;
    }
    Changed(next->authority());
    done(next->peer);
  });
}

void PeerRegistry::Add(const pwx::v1::IdentityCard& card, const std::string& by,
                       PeerCallback done) {
  if (absl::Status s = ValidateIdentityCard(card); !s.ok()) {
    done(s);
    return;
  }
  if (card.authority_id() == self_) {
    done(absl::InvalidArgumentError(absl::StrCat(
        "card.authority_id: ", self_, " is this node's own authority")));
    return;
  }
  if (Find(card.authority_id()) != nullptr) {
    done(absl::AlreadyExistsError(
        absl::StrCat(card.authority_id(),
                     " is a peer already; `pwx peer update` replaces its "
                     "card")));
    return;
  }
  pwx::v1::Peer peer;
  *peer.mutable_card() = card;
  peer.set_state(pwx::v1::Peer::ACTIVE);
  *peer.mutable_added() = ToProtoTime(absl::Now());
  peer.set_added_by(by);
  std::string bytes = peer.SerializeAsString();
  absl::StatusOr<std::shared_ptr<const PeerInfo>> info =
      Load(std::move(peer), std::move(bytes));
  if (!info.ok()) {
    done(info.status());
    return;
  }
  Write(*std::move(info), std::nullopt, true, "peer.add", by, std::move(done));
}

void PeerRegistry::Update(const pwx::v1::IdentityCard& card,
                          const std::string& by, PeerCallback done) {
  if (absl::Status s = ValidateIdentityCard(card); !s.ok()) {
    done(s);
    return;
  }
  std::shared_ptr<const PeerInfo> current = Find(card.authority_id());
  if (current == nullptr) {
    done(absl::NotFoundError(
        absl::StrCat("card.authority_id: ", card.authority_id(),
                     " is not a peer; `pwx peer add` adds it")));
    return;
  }
  pwx::v1::Peer peer = current->peer;
  *peer.mutable_card() = card;
  *peer.mutable_updated() = ToProtoTime(absl::Now());
  peer.set_updated_by(by);
  std::string bytes = peer.SerializeAsString();
  absl::StatusOr<std::shared_ptr<const PeerInfo>> info =
      Load(std::move(peer), std::move(bytes));
  if (!info.ok()) {
    done(info.status());
    return;
  }
  Write(*std::move(info), current->stored_bytes, true, "peer.update", by,
        std::move(done));
}

void PeerRegistry::SetState(const std::string& authority,
                            pwx::v1::Peer::State state, const std::string& by,
                            PeerCallback done) {
  std::shared_ptr<const PeerInfo> current = Find(authority);
  if (current == nullptr) {
    done(absl::NotFoundError(absl::StrCat(authority, " is not a peer")));
    return;
  }
  auto next = std::make_shared<PeerInfo>(*current);
  next->peer.set_state(state);
  next->stored_bytes = next->peer.SerializeAsString();
  Write(std::move(next), current->stored_bytes, false,
        state == pwx::v1::Peer::SUSPENDED ? "peer.suspend" : "peer.resume", by,
        std::move(done));
}

void PeerRegistry::Remove(const std::string& authority, const std::string& by,
                          std::function<void(absl::StatusOr<uint64_t>)> done) {
  std::shared_ptr<const PeerInfo> current = Find(authority);
  if (current == nullptr) {
    done(absl::NotFoundError(absl::StrCat(authority, " is not a peer")));
    return;
  }
  storage::WriteBatch batch;
  absl::StatusOr<uint64_t> dropped =
      fed_->DropPeer(authority, current->stored_bytes, &batch);
  if (!dropped.ok()) {
    done(dropped.status());
    return;
  }
  batch.AppendAudit(AuditEntryBytes(
      ToProtoTime(absl::Now()), self_, by, "peer.remove", authority,
      domain::Sha256Hex(current->stored_bytes), *dropped));
  kv_->WriteAsync(std::move(batch), [this, authority, dropped = *dropped,
                                     done = std::move(done)](absl::Status s) {
    if (absl::IsAborted(s)) {
      done(absl::AbortedError(absl::StrCat(
          "peer ", authority, " was changed meanwhile; try again")));
      return;
    }
    if (!s.ok()) {
      done(s);
      return;
    }
    {
      absl::MutexLock lock(&mu_);
      peers_.erase(authority);
    }
    Changed(authority);
    done(dropped);
  });
}

std::vector<pwx::v1::Peer> PeerRegistry::List() const {
  absl::MutexLock lock(&mu_);
  std::vector<pwx::v1::Peer> peers;
  for (const auto& [id, info] : peers_) peers.push_back(info->peer);
  return peers;
}

std::shared_ptr<const PeerInfo> PeerRegistry::Find(
    const std::string& authority) const {
  absl::MutexLock lock(&mu_);
  auto it = peers_.find(authority);
  return it == peers_.end() ? nullptr : it->second;
}

void PeerRegistry::OnChange(std::function<void(const std::string&)> listener) {
  absl::MutexLock lock(&mu_);
  listeners_.push_back(std::move(listener));
}

void PeerRegistry::Changed(const std::string& authority) {
  std::vector<std::function<void(const std::string&)>> listeners;
  {
    absl::MutexLock lock(&mu_);
    listeners = listeners_;
  }
  for (const auto& listener : listeners) listener(authority);
}

std::optional<std::string> PeerRegistry::Verified(const std::string& key,
                                                  absl::Time now) const {
  VerifiedCertificate entry;
  {
    absl::MutexLock lock(&verified_mu_);
    auto it = verified_.find(key);
    if (it == verified_.end()) return std::nullopt;
    entry = it->second;
  }
  const uint64_t crl_generation = crls_ == nullptr ? 0 : crls_->generation();
  if (now >= entry.until || entry.crl_generation != crl_generation ||
      Find(entry.authority) != entry.peer) {
    return std::nullopt;
  }
  return entry.authority;
}

absl::StatusOr<std::string> PeerRegistry::VerifyPeerCertificate(
    absl::string_view cert_pem, absl::string_view chain_pem) const {
  const std::string key = absl::StrCat(cert_pem, "\n--chain--\n", chain_pem);
  const absl::Time now = absl::Now();
  if (std::optional<std::string> known = Verified(key, now)) return *known;
  // Read before the check, so that lists reloaded during it void the entry.
  const uint64_t crl_generation = crls_ == nullptr ? 0 : crls_->generation();
  absl::StatusOr<std::string> authority = CertificateAuthority(cert_pem);
  if (!authority.ok()) return authority.status();
  std::shared_ptr<const PeerInfo> peer = Find(*authority);
  if (peer == nullptr) {
    return absl::PermissionDeniedError(
        absl::StrCat("the peer's certificate is of ", *authority,
                     ", which is not a peer of this node"));
  }
  CertificateCheck check;
  check.ca_pem = peer->peer.card().ca_certificate_pem();
  check.ca_name = absl::StrCat("the CA on ", *authority, "'s identity card");
  check.crls = crls_;
  if (absl::Status s =
          VerifyCertificate(cert_pem, chain_pem, check,
                            absl::StrCat("the certificate of ", *authority));
      !s.ok()) {
    return s;
  }
  std::vector<X509Ptr> leaf = ParseCertificates(cert_pem);
  VerifiedCertificate entry{
      *authority, std::move(peer), crl_generation,
      std::min(now + kVerifiedFor, leaf.empty()
                                       ? absl::InfinitePast()
                                       : NotAfterTime(leaf.front().get()))};
  absl::MutexLock lock(&verified_mu_);
  if (verified_.size() >= kMaxVerified) verified_.clear();
  verified_.insert_or_assign(key, std::move(entry));
  return authority;
}

absl::StatusOr<std::string> PeerRegistry::Authenticate(
    absl::string_view cert_pem, absl::string_view chain_pem) const {
  absl::StatusOr<std::string> authority =
      VerifyPeerCertificate(cert_pem, chain_pem);
  if (!authority.ok()) return authority.status();
  std::shared_ptr<const PeerInfo> peer = Find(*authority);
  if (peer == nullptr) {
    return absl::PermissionDeniedError(
        absl::StrCat(*authority, " is not a peer of this node"));
  }
  if (!peer->active()) {
    return absl::UnavailableError(absl::StrCat("peer ", Describe(peer->peer),
                                               " is suspended on this node"));
  }
  return authority;
}

}  // namespace pwx::server
