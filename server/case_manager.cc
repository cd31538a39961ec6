#include "server/case_manager.h"

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "google/protobuf/util/time_util.h"
#include "pwx/v1/audit.pb.h"
#include "server/audit_trail.h"
#include "server/blob_writer.h"
#include "server/domain/case_rules.h"
#include "server/domain/country.h"
#include "server/domain/digest.h"
#include "server/domain/fields.h"
#include "spdlog/spdlog.h"

namespace pwx::server {
namespace {

using pwx::v1::Case;

// Concurrent changes to one case are rare; a few retries absorb them.
constexpr int kMaxAttempts = 8;
constexpr uint64_t kMaxSequence = 999999;
constexpr int kDefaultPageSize = 50;
constexpr int kMaxPageSize = 500;

// Audit actions (pwx.v1.AuditEntry.action).
constexpr absl::string_view kActionCreate = "case.create";
constexpr absl::string_view kActionUpdate = "case.update";
constexpr absl::string_view kActionNote = "case.note";
constexpr absl::string_view kActionAttach = "case.attach";
constexpr absl::string_view kActionRead = "case.read";
constexpr absl::string_view kActionAttachmentRead = "case.attachment.read";
constexpr absl::string_view kActionList = "case.list";

absl::Status NotFound(absl::string_view id) {
  return absl::NotFoundError(absl::StrCat("case ", id, " not found"));
}

}  // namespace

CaseManager::CaseManager(CaseManagerOptions options, storage::KvStore* kv)
    : options_(std::move(options)), kv_(kv), cases_(kv) {}

absl::Time CaseManager::Now() const {
  return options_.clock ? options_.clock() : absl::Now();
}

std::string CaseManager::AuditEntryBytes(
    const google::protobuf::Timestamp& time, const std::string& user,
    absl::string_view action, const std::string& object_id,
    std::string content_sha256, uint64_t count,
    const std::vector<std::string>& object_ids) const {
  return server::AuditEntryBytes(time, options_.authority_id, user, action,
                                 object_id, std::move(content_sha256), count,
                                 object_ids);
}

void CaseManager::AuditRead(const std::string& user, absl::string_view action,
                            const std::string& object_id,
                            std::string content_sha256, uint64_t count,
                            const std::vector<std::string>& object_ids,
                            std::function<void(absl::Status)> durable) {
  storage::WriteBatch batch;
  batch.AppendAudit(AuditEntryBytes(ToProtoTime(Now()), user, action, object_id,
                                    std::move(content_sha256), count,
                                    object_ids));
  batch.set_max_delay(options_.read_entry_delay);
  kv_->WriteAsync(
      std::move(batch), [action = std::string(action), object_id,
                         durable = std::move(durable)](absl::Status s) {
        if (!s.ok()) {
          s = absl::Status(
              s.code(), absl::StrCat("the ", action, " audit entry",
                                     object_id.empty() ? "" : " of ", object_id,
                                     " was not stored, so the data is not "
                                     "returned: ",
                                     s.message()));
        }
        durable(std::move(s));
      });
}

absl::StatusOr<uint64_t> CaseManager::NextSequence(int year) {
  absl::MutexLock lock(&mu_);
  auto it = last_sequence_.find(year);
  if (it == last_sequence_.end()) {
    absl::StatusOr<uint64_t> last = cases_.LastSequence(
        absl::StrFormat("%s-%04d-", options_.authority_id, year));
    if (!last.ok()) return last.status();
    it = last_sequence_.emplace(year, *last).first;
  }
  if (it->second >= kMaxSequence) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "case ids of ", year, " are used up (", kMaxSequence, " cases)"));
  }
  return ++it->second;
}

void CaseManager::Create(Case draft, const std::string& user,
                         CaseCallback done) {
  if (absl::Status s = domain::ValidateCaseContent(&draft); !s.ok()) {
    done(s);
    return;
  }
  const absl::Time now = Now();
  Case record;
  domain::ApplyCaseUpdate(draft, {}, &record).IgnoreError();  // editable only
  record.set_version(1);
  record.set_owner_authority(options_.authority_id);
  record.set_created_by(user);
  record.set_updated_by(user);
  *record.mutable_created_at() = ToProtoTime(now);
  *record.mutable_updated_at() = ToProtoTime(now);
  Insert(std::move(record), std::move(done), kMaxAttempts);
}

void CaseManager::Insert(Case record, CaseCallback done, int attempts_left) {
  const int year =
      absl::ToCivilYear(absl::FromUnixSeconds(record.created_at().seconds()),
                        absl::UTCTimeZone())
          .year();
  absl::StatusOr<uint64_t> seq = NextSequence(year);
  if (!seq.ok()) {
    done(seq.status());
    return;
  }
  record.set_id(domain::FormatCaseId(options_.authority_id, year, *seq));
  storage::WriteBatch batch;
  const std::string stored = cases_.Put(record, nullptr, &batch);
  batch.AppendAudit(AuditEntryBytes(record.created_at(), record.created_by(),
                                    kActionCreate, record.id(),
                                    domain::Sha256Hex(stored)));
  auto shared = std::make_shared<Case>(std::move(record));
  kv_->WriteAsync(std::move(batch), [this, shared, done = std::move(done),
                                     attempts_left](absl::Status s) mutable {
    // ABORTED here means the id was taken (e.g. the database was restored
    // under a running sequence): take the next one.
    if (absl::IsAborted(s) && attempts_left > 1) {
      Insert(std::move(*shared), std::move(done), attempts_left - 1);
      return;
    }
    if (!s.ok()) {
      done(s);
      return;
    }
    done(std::move(*shared));
  });
}

absl::StatusOr<Case> CaseManager::Get(const std::string& id) const {
  if (absl::Status s = domain::ValidateCaseId("id", id); !s.ok()) return s;
  absl::StatusOr<std::optional<storage::StoredCase>> stored = cases_.Get(id);
  if (!stored.ok()) return stored.status();
  if (!stored->has_value()) return NotFound(id);
  return std::move((*stored)->record);
}

void CaseManager::GetForUser(const std::string& id, const std::string& user,
                             CaseCallback done) {
  if (absl::Status s = domain::ValidateCaseId("id", id); !s.ok()) {
    done(s);
    return;
  }
  absl::StatusOr<std::optional<storage::StoredCase>> stored = cases_.Get(id);
  if (!stored.ok()) {
    done(stored.status());
    return;
  }
  if (!stored->has_value()) {
    done(NotFound(id));
    return;
  }
  std::string sha256 = domain::Sha256Hex((*stored)->bytes);
  auto record = std::make_shared<Case>(std::move((*stored)->record));
  AuditRead(user, kActionRead, id, std::move(sha256), 0, {},
            [record, done = std::move(done)](absl::Status s) {
              if (!s.ok()) {
                done(s);
                return;
              }
              done(std::move(*record));
            });
}

absl::StatusOr<CaseManager::Shareable> CaseManager::ShareableCopy(
    const std::string& id, const std::string& user) const {
  if (absl::Status s = domain::ValidateCaseId("id", id); !s.ok()) return s;
  absl::StatusOr<std::optional<storage::StoredCase>> stored = cases_.Get(id);
  if (!stored.ok()) return stored.status();
  if (!stored->has_value()) return NotFound(id);
  if (absl::Status s = CheckOwned((*stored)->record); !s.ok()) return s;
  Shareable shareable;
  *shareable.event.mutable_case_() = std::move((*stored)->record);
  shareable.event.set_shared_by(user);
  shareable.content_sha256 = domain::Sha256Hex((*stored)->bytes);
  return shareable;
}

namespace {

// What ValidateCaseContent leaves out of a case and a peer's copy brings:
// its notes and attachment references, held to the limits of local ones.
absl::Status ValidateSharedNotesAndAttachments(const Case& copy) {
  if (copy.notes_size() > static_cast<int>(domain::kMaxNotes)) {
    return absl::InvalidArgumentError(
        absl::StrCat("case.notes: ", copy.notes_size(), " notes, at most ",
                     domain::kMaxNotes));
  }
  for (int i = 0; i < copy.notes_size(); ++i) {
    if (absl::Status s = domain::ValidateNoteText(
            absl::StrCat("case.notes[", i, "].text"), copy.notes(i).text());
        !s.ok()) {
      return s;
    }
  }
  if (copy.attachments_size() > static_cast<int>(domain::kMaxAttachments)) {
    return absl::InvalidArgumentError(
        absl::StrCat("case.attachments: ", copy.attachments_size(),
                     " attachments, at most ", domain::kMaxAttachments));
  }
  for (int i = 0; i < copy.attachments_size(); ++i) {
    const pwx::v1::AttachmentMeta& a = copy.attachments(i);
    if (!domain::IsSha256Hex(a.sha256())) {
      return absl::InvalidArgumentError(
          absl::StrCat("case.attachments[", i,
                       "].sha256: must be 64 lower-case hex digits"));
    }
    if (absl::Status s =
            domain::ValidateAttachmentNames(a.file_name(), a.media_type());
        !s.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("case.attachments[", i, "].",
                       absl::StripPrefix(s.message(), "header.")));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<bool> CaseManager::PutSharedCopy(
    const Case& copy, const std::string& sender,
    storage::WriteBatch* batch) const {
  if (absl::Status s = domain::ValidateCaseId("case.id", copy.id()); !s.ok()) {
    return s;
  }
  if (copy.owner_authority() != sender ||
      !absl::StartsWith(copy.id(), absl::StrCat(sender, "-"))) {
    return absl::PermissionDeniedError(absl::StrCat(
        sender, " shared case ", copy.id(), " owned by ",
        copy.owner_authority().empty() ? "nobody" : copy.owner_authority(),
        ": a node shares only its own cases"));
  }
  if (copy.version() == 0) {
    return absl::InvalidArgumentError("case.version: must be at least 1");
  }
  // The checks a local case passes (on a scratch copy: what is stored is
  // what the owner sent).
  Case scratch = copy;
  if (absl::Status s = domain::ValidateCaseContent(&scratch); !s.ok()) {
    return s;
  }
  if (absl::Status s = ValidateSharedNotesAndAttachments(copy); !s.ok()) {
    return s;
  }
  absl::StatusOr<std::optional<storage::StoredCase>> stored =
      cases_.Get(copy.id());
  if (!stored.ok()) return stored.status();
  const storage::StoredCase* previous =
      stored->has_value() ? &**stored : nullptr;
  if (previous != nullptr && previous->record.version() >= copy.version()) {
    if (previous->record.version() == copy.version() &&
        previous->bytes != copy.SerializeAsString()) {
      // The owner numbered two different cases or versions alike (it was
      // restored from a backup and reissued the id): keep the copy held,
      // and say so in the log instead of dropping the share unnoticed.
      batch->AppendAudit(server::AuditEntryBytes(
          ToProtoTime(Now()), options_.authority_id,
          absl::StrCat("peer:", sender), "case.copy_conflict", copy.id(),
          domain::Sha256Hex(copy.SerializeAsString()), copy.version()));
    }
    return false;
  }
  cases_.Put(copy, previous, batch);
  return true;
}

absl::Status CaseManager::CheckOwned(const Case& c) const {
  if (c.owner_authority() == options_.authority_id) return absl::OkStatus();
  // A peer shared it: only the owner changes it, by sharing it again.
  return absl::FailedPreconditionError(
      absl::StrCat("case ", c.id(), " belongs to ", c.owner_authority(),
                   ": this node holds a read-only copy shared by it"));
}

void CaseManager::Mutate(std::string id, std::string action, Change change,
                         std::string user, CaseCallback done,
                         int attempts_left) {
  absl::StatusOr<std::optional<storage::StoredCase>> stored = cases_.Get(id);
  if (!stored.ok()) {
    done(stored.status());
    return;
  }
  if (!stored->has_value()) {
    done(NotFound(id));
    return;
  }
  if (absl::Status s = CheckOwned((*stored)->record); !s.ok()) {
    done(s);
    return;
  }
  auto next = std::make_shared<Case>((*stored)->record);
  storage::WriteBatch batch;
  if (absl::Status s = change(next.get(), &batch); !s.ok()) {
    done(s);
    return;
  }
  next->set_version((*stored)->record.version() + 1);
  next->set_updated_by(user);
  *next->mutable_updated_at() = ToProtoTime(Now());
  const std::string bytes = cases_.Put(*next, &**stored, &batch);
  batch.AppendAudit(AuditEntryBytes(next->updated_at(), user, action, id,
                                    domain::Sha256Hex(bytes)));
  kv_->WriteAsync(
      std::move(batch),
      [this, next, id = std::move(id), action = std::move(action),
       change = std::move(change), user = std::move(user),
       done = std::move(done), attempts_left](absl::Status s) mutable {
        if (absl::IsAborted(s) && attempts_left > 1) {
          Mutate(std::move(id), std::move(action), std::move(change),
                 std::move(user), std::move(done), attempts_left - 1);
          return;
        }
        if (absl::IsAborted(s)) {
          done(absl::AbortedError(absl::StrCat(
              "case ", id, " is being changed by others; try again")));
          return;
        }
        if (!s.ok()) {
          done(s);
          return;
        }
        done(std::move(*next));
      });
}

void CaseManager::Update(const pwx::v1::UpdateCaseRequest& request,
                         const std::string& user, CaseCallback done) {
  if (absl::Status s = domain::ValidateCaseId("id", request.id()); !s.ok()) {
    done(s);
    return;
  }
  if (request.expected_version() == 0) {
    done(absl::InvalidArgumentError(
        "expected_version: is required (the version you read)"));
    return;
  }
  Case patch = request.case_();
  google::protobuf::FieldMask mask = request.update_mask();
  Change change = [patch = std::move(patch), mask = std::move(mask),
                   expected = request.expected_version()](
                      Case* c, storage::WriteBatch*) -> absl::Status {
    if (c->version() != expected) {
      return absl::AbortedError(
          absl::StrCat("case ", c->id(), " is at version ", c->version(),
                       ", not the expected version ", expected,
                       "; read it again and reapply your change"));
    }
    if (absl::Status s = domain::ApplyCaseUpdate(patch, mask, c); !s.ok()) {
      return s;
    }
    return domain::ValidateCaseContent(c);
  };
  Mutate(request.id(), std::string(kActionUpdate), std::move(change), user,
         std::move(done), kMaxAttempts);
}

absl::StatusOr<pwx::v1::ListCasesResponse> CaseManager::List(
    const pwx::v1::ListCasesRequest& request) const {
  storage::CaseQuery query;
  if (!pwx::v1::CaseStatus_IsValid(request.status())) {
    return absl::InvalidArgumentError(
        absl::StrCat("status: unknown value ", request.status()));
  }
  query.status = request.status();
  if (!request.country_of_establishment().empty()) {
    if (absl::Status s = domain::ValidateCountry(
            "country_of_establishment", request.country_of_establishment());
        !s.ok()) {
      return s;
    }
    query.country_of_establishment = request.country_of_establishment();
  }
  if (!request.sector_nace().empty()) {
    absl::StatusOr<std::string> nace =
        domain::NormalizeNace("sector_nace", request.sector_nace());
    if (!nace.ok()) return nace.status();
    query.sector_prefix = *std::move(nace);
  }
  if (absl::Status s = domain::ValidateText("text", request.text(), 200);
      !s.ok()) {
    return s;
  }
  if (!request.text().empty()) {
    query.predicate = [text = request.text()](const Case& c) {
      return domain::MatchesText(c, text);
    };
  }
  if (request.page_size() < 0 || request.page_size() > kMaxPageSize) {
    return absl::InvalidArgumentError(
        absl::StrCat("page_size: must be between 0 and ", kMaxPageSize));
  }
  const int page_size =
      request.page_size() == 0 ? kDefaultPageSize : request.page_size();
  absl::StatusOr<storage::CasePage> page =
      cases_.List(query, page_size, request.page_token());
  if (!page.ok()) return page.status();
  pwx::v1::ListCasesResponse response;
  for (Case& c : page->cases) *response.add_cases() = std::move(c);
  response.set_next_page_token(std::move(page->next_page_token));
  return response;
}

void CaseManager::ListForUser(const pwx::v1::ListCasesRequest& request,
                              const std::string& user, CaseListCallback done) {
  absl::StatusOr<pwx::v1::ListCasesResponse> response = List(request);
  if (!response.ok()) {
    done(response.status());
    return;
  }
  std::vector<std::string> ids;
  ids.reserve(static_cast<size_t>(response->cases_size()));
  for (const Case& c : response->cases()) ids.push_back(c.id());
  std::string sha256 = domain::Sha256Hex(response->SerializeAsString());
  const auto count = static_cast<uint64_t>(response->cases_size());
  auto page =
      std::make_shared<pwx::v1::ListCasesResponse>(*std::move(response));
  AuditRead(user, kActionList, "", std::move(sha256), count, ids,
            [page, done = std::move(done)](absl::Status s) {
              if (!s.ok()) {
                done(s);
                return;
              }
              done(std::move(*page));
            });
}

void CaseManager::AddNote(const pwx::v1::AddNoteRequest& request,
                          const std::string& user, CaseCallback done) {
  if (absl::Status s = domain::ValidateCaseId("case_id", request.case_id());
      !s.ok()) {
    done(s);
    return;
  }
  if (absl::Status s = domain::ValidateNoteText("text", request.text());
      !s.ok()) {
    done(s);
    return;
  }
  pwx::v1::Note note;
  note.set_author(user);
  note.set_text(request.text());
  *note.mutable_created_at() = ToProtoTime(Now());
  Change change = [note = std::move(note)](
                      Case* c, storage::WriteBatch*) -> absl::Status {
    if (static_cast<size_t>(c->notes_size()) >= domain::kMaxNotes) {
      return absl::FailedPreconditionError(
          absl::StrCat("case ", c->id(), " has the maximum of ",
                       domain::kMaxNotes, " notes"));
    }
    *c->add_notes() = note;
    return absl::OkStatus();
  };
  Mutate(request.case_id(), std::string(kActionNote), std::move(change), user,
         std::move(done), kMaxAttempts);
}

absl::Status CaseManager::CheckAttachmentHeader(
    const pwx::v1::AttachmentHeader& header) const {
  if (absl::Status s =
          domain::ValidateCaseId("header.case_id", header.case_id());
      !s.ok()) {
    return s;
  }
  if (absl::Status s = domain::ValidateAttachmentNames(header.file_name(),
                                                       header.media_type());
      !s.ok()) {
    return s;
  }
  absl::StatusOr<Case> c = Get(header.case_id());
  if (!c.ok()) return c.status();
  if (absl::Status s = CheckOwned(*c); !s.ok()) return s;
  if (static_cast<size_t>(c->attachments_size()) >= domain::kMaxAttachments) {
    return absl::FailedPreconditionError(
        absl::StrCat("case ", c->id(), " has the maximum of ",
                     domain::kMaxAttachments, " attachments"));
  }
  return absl::OkStatus();
}

void CaseManager::AddAttachment(const pwx::v1::AttachmentHeader& header,
                                const SpoolFile* content,
                                const std::string& user, CaseCallback done) {
  if (absl::Status s = CheckAttachmentHeader(header); !s.ok()) {
    done(s);
    return;
  }
  if (content->size() > options_.max_attachment_bytes) {
    done(absl::ResourceExhaustedError(absl::StrCat(
        "attachment: ", content->size(), " bytes exceed the limit of ",
        options_.max_attachment_bytes, " bytes")));
    return;
  }
  pwx::v1::AttachmentMeta meta;
  meta.set_sha256(content->Sha256Hex());
  meta.set_file_name(header.file_name());
  meta.set_media_type(header.media_type().empty() ? "application/octet-stream"
                                                  : header.media_type());
  meta.set_size_bytes(content->size());
  meta.set_uploaded_by(user);
  *meta.mutable_uploaded_at() = ToProtoTime(Now());
  // The chunks first, a few per write; then the attachment joins its case
  // with the content's size, in one change.
  WriteBlobChunks(
      kv_, content,
      [this, case_id = header.case_id(), meta = std::move(meta), user,
       done = std::move(done)](absl::Status s) mutable {
        if (!s.ok()) {
          done(s);
          return;
        }
        Change change =
            [this, meta](Case* c, storage::WriteBatch* batch) -> absl::Status {
          if (static_cast<size_t>(c->attachments_size()) >=
              domain::kMaxAttachments) {
            return absl::FailedPreconditionError(
                absl::StrCat("case ", c->id(), " has the maximum of ",
                             domain::kMaxAttachments, " attachments"));
          }
          if (absl::Status s =
                  cases_.PutBlobSize(meta.sha256(), meta.size_bytes(), batch);
              !s.ok()) {
            return s;
          }
          *c->add_attachments() = meta;
          return absl::OkStatus();
        };
        Mutate(std::move(case_id), std::string(kActionAttach),
               std::move(change), std::move(user), std::move(done),
               kMaxAttempts);
      });
}

absl::StatusOr<pwx::v1::AttachmentMeta> CaseManager::FindAttachment(
    const std::string& case_id, const std::string& sha256) const {
  if (!domain::IsSha256Hex(sha256)) {
    return absl::InvalidArgumentError(
        "sha256: must be 64 lower-case hex digits");
  }
  absl::StatusOr<Case> c = Get(case_id);
  if (!c.ok()) return c.status();
  if (c->owner_authority() != options_.authority_id) {
    // A share carries no content: a copy's reference must never resolve to
    // a blob this node holds for another case.
    return absl::FailedPreconditionError(absl::StrCat(
        "case ", case_id, " is a copy shared by ", c->owner_authority(),
        ": its attachments stay with ", c->owner_authority()));
  }
  for (const pwx::v1::AttachmentMeta& meta : c->attachments()) {
    if (meta.sha256() == sha256) return meta;
  }
  return absl::NotFoundError(
      absl::StrCat("case ", case_id, " has no attachment ", sha256));
}

void CaseManager::FindAttachmentForUser(const std::string& case_id,
                                        const std::string& sha256,
                                        const std::string& user,
                                        AttachmentCallback done) {
  absl::StatusOr<pwx::v1::AttachmentMeta> meta =
      FindAttachment(case_id, sha256);
  if (!meta.ok()) {
    done(meta.status());
    return;
  }
  auto found = std::make_shared<pwx::v1::AttachmentMeta>(*std::move(meta));
  AuditRead(user, kActionAttachmentRead, case_id, sha256, 0, {},
            [found, done = std::move(done)](absl::Status s) {
              if (!s.ok()) {
                done(s);
                return;
              }
              done(std::move(*found));
            });
}

absl::StatusOr<std::string> CaseManager::AttachmentChunk(
    const std::string& sha256, uint64_t index) const {
  return cases_.BlobChunk(sha256, index);
}

}  // namespace pwx::server
