#include "server/case_sharing.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "server/audit_trail.h"

namespace pwx::server {

CaseSharing::CaseSharing(std::string authority_id, storage::KvStore* kv,
                         CaseManager* cases, PeerRegistry* peers,
                         Outbox* outbox,
                         std::function<void(const std::string&)> wake)
    : authority_id_(std::move(authority_id)),
      kv_(kv),
      cases_(cases),
      peers_(peers),
      outbox_(outbox),
      wake_(std::move(wake)) {}

void CaseSharing::Share(const std::string& case_id, const std::string& peer,
                        const std::string& user, ShareCallback done) {
  std::shared_ptr<const PeerInfo> info = peers_->Find(peer);
  if (info == nullptr) {
    done(absl::NotFoundError(
        absl::StrCat("with: ", peer, " is not a peer of this node")));
    return;
  }
  absl::StatusOr<CaseManager::Shareable> shareable =
      cases_->ShareableCopy(case_id, user);
  if (!shareable.ok()) {
    done(shareable.status());
    return;
  }
  pwx::v1::Event event;
  *event.mutable_case_shared() = shareable->event;
  storage::WriteBatch batch;
  if (absl::Status s = outbox_->Queue(*info, event, user, &batch); !s.ok()) {
    done(absl::Status(s.code(),
                      absl::StrCat("case ", case_id, ": ", s.message())));
    return;
  }
  batch.AppendAudit(AuditEntryBytes(ToProtoTime(absl::Now()), authority_id_,
                                    user, "case.share", case_id,
                                    shareable->content_sha256, 0, {peer}));
  const uint64_t version = shareable->event.case_().version();
  kv_->WriteAsync(std::move(batch), [this, peer, version,
                                     done = std::move(done)](absl::Status s) {
    if (absl::IsAborted(s)) {
      done(absl::AbortedError(
          absl::StrCat("peer ", peer, " changed meanwhile; try again")));
      return;
    }
    if (!s.ok()) {
      done(s);
      return;
    }
    wake_(peer);
    pwx::v1::ShareCaseResponse response;
    response.set_version(version);
    done(std::move(response));
  });
}

std::vector<std::string> CaseSharing::Objects(
    const pwx::v1::Event& event) const {
  return {event.case_shared().case_().id()};
}

absl::Status CaseSharing::Apply(const pwx::v1::Event& event,
                                const std::string& sender,
                                storage::WriteBatch* batch) const {
  absl::StatusOr<bool> stored =
      cases_->PutSharedCopy(event.case_shared().case_(), sender, batch);
  return stored.status();
}

}  // namespace pwx::server
