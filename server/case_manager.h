// The node's posting cases: the operations of CaseService as plain C++, with
// no gRPC in them. Validates, applies the domain rules, and writes through
// the store's group-commit writer; completions are delivered by callback so
// RPC threads never wait for an fsync.
#ifndef PWX_SERVER_CASE_MANAGER_H_
#define PWX_SERVER_CASE_MANAGER_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "google/protobuf/timestamp.pb.h"
#include "pwx/v1/case_service.pb.h"
#include "pwx/v1/federation.pb.h"
#include "server/attachment_spool.h"
#include "storage/case_store.h"
#include "storage/kv_store.h"

namespace pwx::server {

using CaseCallback = std::function<void(absl::StatusOr<pwx::v1::Case>)>;
using CaseListCallback =
    std::function<void(absl::StatusOr<pwx::v1::ListCasesResponse>)>;
using AttachmentCallback =
    std::function<void(absl::StatusOr<pwx::v1::AttachmentMeta>)>;

struct CaseManagerOptions {
  // The node's authority; prefixes every case id. Required.
  std::string authority_id;
  // Largest attachment accepted. Default: 16 MiB.
  uint64_t max_attachment_bytes = uint64_t{16} << 20;
  // The clock stamped into created_at/updated_at. Default: absl::Now.
  std::function<absl::Time()> clock;
  // Longest wait of a read's audit entry for a commit to share; the read
  // answers once that commit is durable. Default: 100 ms.
  absl::Duration read_entry_delay = absl::Milliseconds(100);
};

// Audit: every change (Create, Update, AddNote, AddAttachment) appends
// exactly one pwx.v1.AuditEntry to the audit log in the same batch as the
// change, so a change without its entry cannot exist, and a refused change
// leaves none. The *ForUser reads, which hand personal data to a person,
// append a read entry and answer only once it is durable, so a crash never
// loses the record of a read that was answered. The entry joins the
// writer's next group commit, waiting up to read_entry_delay for one rather
// than costing an fsync of its own; the read waits as long. Get, List and
// FindAttachment log nothing; they are for the node's own use.
//
// Thread-safe. Callbacks run on the store's writer thread (for writes and
// audited reads) or on the calling thread (for failures found before
// writing); keep them short.
class CaseManager {
 public:
  // `kv` must outlive the manager.
  CaseManager(CaseManagerOptions options, storage::KvStore* kv);
  CaseManager(const CaseManager&) = delete;
  CaseManager& operator=(const CaseManager&) = delete;

  // Validates `draft`, assigns id, version 1, owner and audit fields, and
  // stores it. INVALID_ARGUMENT names the bad field.
  void Create(pwx::v1::Case draft, const std::string& user, CaseCallback done);

  // NOT_FOUND when there is no such case. Not audited: for the node's own
  // use, never to answer a person.
  absl::StatusOr<pwx::v1::Case> Get(const std::string& id) const;

  // Get() on behalf of `user`: when the case is found, appends a
  // "case.read" audit entry (hash of the stored record) and calls `done`
  // with the case once the entry is durable. When the entry cannot be
  // stored, `done` gets that error instead of the case: personal data is
  // never handed out without the record of it.
  void GetForUser(const std::string& id, const std::string& user,
                  CaseCallback done);

  // ABORTED when request.expected_version is not the current version.
  void Update(const pwx::v1::UpdateCaseRequest& request,
              const std::string& user, CaseCallback done);

  // One page of cases. Not audited, like Get().
  absl::StatusOr<pwx::v1::ListCasesResponse> List(
      const pwx::v1::ListCasesRequest& request) const;

  // List() on behalf of `user`: when it succeeds, appends one "case.list"
  // audit entry with the number of cases returned, their ids and the hash
  // of the serialized response, and calls `done` with the page once the
  // entry is durable (with the store's error instead, like GetForUser).
  void ListForUser(const pwx::v1::ListCasesRequest& request,
                   const std::string& user, CaseListCallback done);

  void AddNote(const pwx::v1::AddNoteRequest& request, const std::string& user,
               CaseCallback done);

  // Checks a header before any bytes are accepted: the case exists, the
  // names are valid and the case has room for another attachment.
  absl::Status CheckAttachmentHeader(
      const pwx::v1::AttachmentHeader& header) const;

  // Stores `content`, an upload spooled to a file, and adds its metadata to
  // the case. A content already stored (same SHA-256) is not written again;
  // another is read from the file and written a few chunks (1 MiB) per
  // write, so that memory stays bounded whatever its size.
  // RESOURCE_EXHAUSTED past max_attachment_bytes. `content` must stay
  // valid until `done` is called.
  void AddAttachment(const pwx::v1::AttachmentHeader& header,
                     const SpoolFile* content, const std::string& user,
                     CaseCallback done);

  // The metadata of an attachment of a case; NOT_FOUND when the case has no
  // attachment with that hash.
  absl::StatusOr<pwx::v1::AttachmentMeta> FindAttachment(
      const std::string& case_id, const std::string& sha256) const;

  // FindAttachment() for `user`, who is about to download the content:
  // when found, appends a "case.attachment.read" audit entry (object: the
  // case; hash: the attachment's) and calls `done` with the metadata once
  // the entry is durable (with the store's error instead, like GetForUser);
  // send no byte before.
  void FindAttachmentForUser(const std::string& case_id,
                             const std::string& sha256, const std::string& user,
                             AttachmentCallback done);

  // Chunk `index` of a stored content (storage::kBlobChunkBytes each).
  absl::StatusOr<std::string> AttachmentChunk(const std::string& sha256,
                                              uint64_t index) const;

  // Federation. The case `id` of this node, as a CaseShared event by `user`
  // for a peer, with the hash of the stored record (for the audit entry of
  // the share). FAILED_PRECONDITION for a copy a peer shared: only the
  // owner shares a case.
  struct Shareable {
    pwx::v1::CaseShared event;
    std::string content_sha256;
  };
  absl::StatusOr<Shareable> ShareableCopy(const std::string& id,
                                          const std::string& user) const;

  // Adds to `batch` the writes that store `copy`, a case that the peer
  // `sender` shares with this node, replacing its earlier copy (with a
  // precondition on it). The copy passes the same checks as a local case.
  // PERMISSION_DENIED unless the case is the sender's (its id and owner
  // name the sender); INVALID_ARGUMENT naming the field ("case.…") for a
  // malformed case. A copy no newer than the one held is not stored (a
  // late or repeated share never replaces a newer one): returns false then,
  // true when it stored the copy. A copy of the same version as the one
  // held but with other contents (the owner reissued a case id after a
  // restore) adds a "case.copy_conflict" audit entry and nothing else.
  absl::StatusOr<bool> PutSharedCopy(const pwx::v1::Case& copy,
                                     const std::string& sender,
                                     storage::WriteBatch* batch) const;

  uint64_t max_attachment_bytes() const {
    return options_.max_attachment_bytes;
  }

 private:
  // Changes a stored case: reads it, lets `change` edit the copy (and add
  // writes to the batch), bumps the version and writes it with a precondition
  // on the bytes read. A concurrent writer makes the precondition fail; the
  // read-change-write is then retried, so `change` must be a pure function
  // of the case it is given.
  // The batch also gets the change's audit entry, `action` by `user`.
  using Change =
      std::function<absl::Status(pwx::v1::Case*, storage::WriteBatch*)>;
  void Mutate(std::string id, std::string action, Change change,
              std::string user, CaseCallback done, int attempts_left);

  void Insert(pwx::v1::Case record, CaseCallback done, int attempts_left);

  // FAILED_PRECONDITION unless this node's authority owns `c`: copies that
  // peers shared are read-only.
  absl::Status CheckOwned(const pwx::v1::Case& c) const;

  // The next free sequence number for ids of `year`.
  absl::StatusOr<uint64_t> NextSequence(int year);

  absl::Time Now() const;

  // A serialized pwx.v1.AuditEntry of this node's authority.
  std::string AuditEntryBytes(
      const google::protobuf::Timestamp& time, const std::string& user,
      absl::string_view action, const std::string& object_id,
      std::string content_sha256, uint64_t count = 0,
      const std::vector<std::string>& object_ids = {}) const;

  // Submits a batch holding only a read's audit entry, allowed to wait up
  // to read_entry_delay for a commit to share, and calls `durable` with OK
  // once it is committed, or with the error (naming the read) when not.
  void AuditRead(const std::string& user, absl::string_view action,
                 const std::string& object_id, std::string content_sha256,
                 uint64_t count, const std::vector<std::string>& object_ids,
                 std::function<void(absl::Status)> durable);

  const CaseManagerOptions options_;
  storage::KvStore* const kv_;
  const storage::CaseStore cases_;

  absl::Mutex mu_;
  std::map<int, uint64_t> last_sequence_ ABSL_GUARDED_BY(mu_);
};

}  // namespace pwx::server

#endif  // PWX_SERVER_CASE_MANAGER_H_
