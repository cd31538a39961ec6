// The peers this node federates with: their identity cards, kept in the
// store and in memory, and the check of a peer's TLS certificate against
// them. Changes are audited and take effect for the next call, without a
// restart.
#ifndef PWX_SERVER_PEER_REGISTRY_H_
#define PWX_SERVER_PEER_REGISTRY_H_

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "pwx/v1/federation.pb.h"
#include "server/crl_set.h"
#include "server/domain/signing.h"
#include "storage/federation_store.h"
#include "storage/kv_store.h"

namespace pwx::server {

// INVALID_ARGUMENT naming the card's field ("card.ca_certificate_pem: ...")
// unless every field is well formed: authority id, endpoint host:port, a CA
// certificate, an ECDSA P-256 signing certificate.
absl::Status ValidateIdentityCard(const pwx::v1::IdentityCard& card);

// The authority named by a certificate's SAN URI pwx://authority/ID, or
// UNAUTHENTICATED when it names none (or more than one).
absl::StatusOr<std::string> CertificateAuthority(absl::string_view cert_pem);

// A peer as the node uses it: its record, and its keys parsed once.
struct PeerInfo {
  pwx::v1::Peer peer;
  std::string stored_bytes;
  std::shared_ptr<const domain::Verifier> signing_key;
  // Lower-case hex SHA-256 of the signing certificate's DER, as the peer's
  // tree heads name it.
  std::string signing_certificate_sha256;
  const std::string& authority() const { return peer.card().authority_id(); }
  bool active() const { return peer.state() == pwx::v1::Peer::ACTIVE; }
};

using PeerCallback = std::function<void(absl::StatusOr<pwx::v1::Peer>)>;

// Thread-safe.
class PeerRegistry {
 public:
  // Loads the peers of `fed` (which, like `kv`, must outlive the registry).
  // `crls` (none when null; must outlive the registry too) are the
  // revocation lists of peers' CAs (federation.crl_files).
  static absl::StatusOr<std::unique_ptr<PeerRegistry>> Open(
      storage::KvStore* kv, storage::FederationStore* fed,
      std::string self_authority, const CrlSet* crls);

  PeerRegistry(const PeerRegistry&) = delete;
  PeerRegistry& operator=(const PeerRegistry&) = delete;

  // Adds a peer from its card, on behalf of `by`, with a "peer.add" audit
  // entry. INVALID_ARGUMENT for a bad card or this node's own authority;
  // ALREADY_EXISTS when the authority is a peer already.
  void Add(const pwx::v1::IdentityCard& card, const std::string& by,
           PeerCallback done);
  // Replaces the card of the peer `card` names (a new CA, signing
  // certificate or endpoint) on behalf of `by`, with a "peer.update" audit
  // entry; its state, its queue and its link are kept, and the new signing
  // certificate is kept for good beside the old one. INVALID_ARGUMENT for a
  // bad card; NOT_FOUND for an unknown peer.
  void Update(const pwx::v1::IdentityCard& card, const std::string& by,
              PeerCallback done);
  // ACTIVE or SUSPENDED ("peer.resume", "peer.suspend"). NOT_FOUND for an
  // unknown peer.
  void SetState(const std::string& authority, pwx::v1::Peer::State state,
                const std::string& by, PeerCallback done);
  // Forgets the peer and drops what was queued for it ("peer.remove", with
  // the number dropped). NOT_FOUND for an unknown peer.
  void Remove(const std::string& authority, const std::string& by,
              std::function<void(absl::StatusOr<uint64_t>)> done);

  // Every peer, by authority id.
  std::vector<pwx::v1::Peer> List() const;
  // The peer, or nullptr.
  std::shared_ptr<const PeerInfo> Find(const std::string& authority) const;

  // The authority of the peer presenting `cert_pem` (its TLS client
  // certificate; intermediates in `chain_pem`): the certificate must name a
  // registered peer, active or not, in its SAN URI, chain to the CA of that
  // peer's card (not merely to some peer's CA), be within its validity and
  // not be listed in a revocation list (expired lists too).
  // UNAUTHENTICATED (bad certificate: which check failed) or
  // PERMISSION_DENIED (not a peer). Run right after the TLS handshake.
  absl::StatusOr<std::string> VerifyPeerCertificate(
      absl::string_view cert_pem, absl::string_view chain_pem = "") const;
  // VerifyPeerCertificate, and the peer must be active: UNAVAILABLE (with
  // the reason: suspended; try later) otherwise. Run inside every call, for
  // connections made before a change of the registry or of the lists.
  absl::StatusOr<std::string> Authenticate(
      absl::string_view cert_pem, absl::string_view chain_pem = "") const;

  // Called (outside any lock) after every change, with the peer's id.
  void OnChange(std::function<void(const std::string&)> listener);

 private:
  PeerRegistry(storage::KvStore* kv, storage::FederationStore* fed,
               std::string self_authority, const CrlSet* crls);

  absl::StatusOr<std::shared_ptr<const PeerInfo>> Load(pwx::v1::Peer peer,
                                                       std::string bytes) const;
  // Writes `next` (replacing `previous`, or nothing) with its audit entry;
  // `new_card` keeps its signing certificate.
  void Write(std::shared_ptr<const PeerInfo> next,
             const std::optional<std::string>& previous, bool new_card,
             absl::string_view action, const std::string& by,
             PeerCallback done);
  void Changed(const std::string& authority);
  // The authority of an earlier successful VerifyPeerCertificate of the
  // same certificates, when nothing it depended on has changed since.
  std::optional<std::string> Verified(const std::string& key,
                                      absl::Time now) const;

  storage::KvStore* const kv_;
  storage::FederationStore* const fed_;
  const std::string self_;
  const CrlSet* const crls_;

  mutable absl::Mutex mu_;
  std::map<std::string, std::shared_ptr<const PeerInfo>> peers_
      ABSL_GUARDED_BY(mu_);
  std::vector<std::function<void(const std::string&)>> listeners_
      ABSL_GUARDED_BY(mu_);

  // Certificates that passed VerifyPeerCertificate, so that the check
  // inside every call does not parse and verify the chain again. An entry
  // holds while the peer's record is the one it was checked against (every
  // change replaces the record), the revocation lists are those it was
  // checked with, and the certificate and the entry have not expired.
  struct VerifiedCertificate {
    std::string authority;
    std::shared_ptr<const PeerInfo> peer;
    uint64_t crl_generation = 0;
    absl::Time until;
  };
  static constexpr size_t kMaxVerified = 1024;
  mutable absl::Mutex verified_mu_;
  mutable absl::flat_hash_map<std::string, VerifiedCertificate> verified_
      ABSL_GUARDED_BY(verified_mu_);
};

}  // namespace pwx::server

#endif  // PWX_SERVER_PEER_REGISTRY_H_
