// Attachments of requests: uploads by this node's users, downloads, and
// the contents of the other party's attachments as they arrive over the
// federation. An attachment's metadata is an attach event, folded like any
// other step (server/domain/request_rules.h); its bytes are stored as a
// blob by the node that attached it (server/blob_writer.h, shared with
// case attachments) and travel to the other party as
// RequestAttachmentChunk events.
//
// Bytes never ride in a step's batch (a send may carry
// kMaxRequestAttachments documents of attachments.max_bytes each: hundreds
// of MiB in one write). The step's batch holds the promise instead: a
// record per document and peer ("rq.out", storage/request_store.h) saying
// which chunk goes next. A background round (RoundRunner) then queues
// content_chunks_per_write chunks at a time, read from the blob store, in
// one write with the move of the record, so:
//   - the step and its promise commit together: a crash after the step
//     loses no document, and the round resumes at start;
//   - each chunk is queued exactly once (the record's move requires the
//     record as read); the receiver also ignores a chunk it holds;
//   - chunks follow their attach event in the outbox (they are queued
//     after its commit), as ApplyChunk needs: it ignores a chunk of an
//     attachment the request does not list;
//   - memory and the largest write stay at a few chunks: no more are
//     queued while content_window envelopes wait for the peer's receipts,
//     so stamping and delivering never hold more either.
// Forwards and split-offs promise contents the same way. The receiver
// keeps them per request and offers them once all arrived and their
// SHA-256 is the attachment's.
#include <algorithm>
#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "server/audit_trail.h"
#include "server/blob_writer.h"
#include "server/domain/case_rules.h"
#include "server/domain/digest.h"
#include "server/domain/request_rules.h"
#include "server/requests.h"
#include "storage/case_store.h"

namespace pwx::server {
namespace {

using pwx::v1::Request;
using pwx::v1::RequestAttachment;
using pwx::v1::RequestEvent;

constexpr int kAttachAttempts = 5;
// Promised contents one shipping round reads.
constexpr size_t kMaxPromisesPerRound = 1000;
constexpr char kDefaultMediaType[] = "application/octet-stream";

// Chunks an attachment of `size` bytes travels in: at least one, so that
// an empty file arrives too.
uint64_t TransportChunks(uint64_t size) {
  return size == 0
             ? 1
             : (size + storage::kBlobChunkBytes - 1) / storage::kBlobChunkBytes;
}

// The length of chunk `index` of a content of `size` bytes.
uint64_t ChunkLength(uint64_t size, uint64_t index) {
  const uint64_t start = index * storage::kBlobChunkBytes;
  return std::min<uint64_t>(storage::kBlobChunkBytes, size - start);
}

const RequestAttachment* FindIn(const Request& r, const std::string& sha256) {
  for (const RequestAttachment& a : r.attachments()) {
    if (a.sha256() == sha256) return &a;
  }
  return nullptr;
}

}  // namespace

std::vector<std::string> RequestAttachmentContent::Objects(
    const pwx::v1::Event& event) const {
  return {event.request_attachment_chunk().request_id()};
}

absl::Status RequestAttachmentContent::Apply(const pwx::v1::Event& event,
                                             const std::string& sender,
                                             storage::WriteBatch* batch) const {
  return requests_->ApplyChunk(event.request_attachment_chunk(), sender, batch);
}

absl::Status Requests::CheckAttachmentHeader(
    const pwx::v1::RequestAttachmentHeader& header) const {
  if (absl::Status s =
          domain::ValidateRequestId("header.request_id", header.request_id());
      !s.ok()) {
    return s;
  }
  absl::StatusOr<storage::StoredRequest> stored =
      LoadExisting(header.request_id());
  if (!stored.ok()) return stored.status();
  const Request& r = stored->record;
  if (absl::Status s = domain::ValidateAttachmentNames(header.file_name(),
                                                       header.media_type());
      !s.ok()) {
    return s;
  }
  const pwx::v1::RequestSide side = domain::SideOf(r, options_.authority_id);
  if (side == pwx::v1::REQUEST_SIDE_UNSPECIFIED) {
    return absl::PermissionDeniedError(
        absl::StrCat("request ", r.id(), " was forwarded to ", r.recipient(),
                     ": this node's authority is no longer a party to it"));
  }
  if (absl::Status s = domain::CheckAttach(r, side); !s.ok()) return s;
  if (r.attachments_size() >= domain::kMaxRequestAttachments) {
    return absl::FailedPreconditionError(absl::StrCat(
        "request ", r.id(), " has ", domain::kMaxRequestAttachments,
        " attachments, the most a request holds"));
  }
  return absl::OkStatus();
}

void Requests::AddAttachment(const pwx::v1::RequestAttachmentHeader& header,
                             const SpoolFile* content, const std::string& user,
                             RequestCallback done) {
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
  WriteBlobChunks(kv_, content,
                  [this, header, content, user,
                   done = std::move(done)](absl::Status s) mutable {
                    if (!s.ok()) {
                      done(s);
                      return;
                    }
                    AttachOnce(std::move(header), content, std::move(user),
                               std::move(done), kAttachAttempts);
                  });
}

void Requests::AttachOnce(pwx::v1::RequestAttachmentHeader header,
                          const SpoolFile* content, std::string user,
                          RequestCallback done, int attempts_left) {
  const std::string id = header.request_id();
  absl::StatusOr<storage::StoredRequest> stored =
      LoadAsSeen(id, header.has_expected_history()
                         ? std::optional<uint32_t>(header.expected_history())
                         : std::nullopt);
  if (!stored.ok()) {
    done(stored.status());
    return;
  }
  const storage::StoredRequest& previous = *stored;
  const Request& current = previous.record;
  const std::string& me = options_.authority_id;
  const pwx::v1::RequestSide side = domain::SideOf(current, me);
  if (side == pwx::v1::REQUEST_SIDE_UNSPECIFIED) {
    done(absl::PermissionDeniedError(
        absl::StrCat("request ", id, " was forwarded to ", current.recipient(),
                     ": this node's authority is no longer a party to it")));
    return;
  }
  const bool draft = current.state() == pwx::v1::REQUEST_STATE_DRAFT;
  RequestEvent e = draft ? RequestEvent() : domain::NextEvent(current, me);
  e.set_author(me);
  *e.mutable_at() = ToProtoTime(Now());
  e.set_user(user);
  pwx::v1::AttachAction* attach = e.mutable_attach();
  attach->set_sha256(content->Sha256Hex());
  attach->set_file_name(header.file_name());
  attach->set_media_type(header.media_type().empty() ? kDefaultMediaType
                                                     : header.media_type());
  attach->set_size_bytes(content->size());

  auto next = std::make_shared<Request>(current);
  storage::WriteBatch batch;
  std::set<std::string> woken;
  std::string to;
  if (draft) {
    // Only this node holds a draft: the attachment waits in it for the
    // send, which makes its attach event.
    if (absl::Status s = domain::ApplyTransition(e, next.get()); !s.ok()) {
      done(s);
      return;
    }
  } else {
    Request check = current;
    if (absl::Status s = domain::ApplyTransition(e, &check); !s.ok()) {
      done(s);
      return;
    }
    if (absl::StatusOr<int> added = domain::MergeEvents({e}, next.get());
        !added.ok()) {
      done(added.status());
      return;
    }
    to = side == pwx::v1::REQUEST_SIDE_REQUESTER ? current.recipient()
                                                 : current.requester();
    if (absl::Status s =
            Ship(id, current.requester(), to, {e}, user, &batch, &woken);
        !s.ok()) {
      done(s);
      return;
    }
    if (absl::Status s = PromiseContents(*next, to, {attach->sha256()}, user,
                                         &batch, attach->sha256());
        !s.ok()) {
      done(s);
      return;
    }
  }
  if (absl::Status s = storage::CaseStore(kv_).PutBlobSize(
          attach->sha256(), attach->size_bytes(), &batch);
      !s.ok()) {
    done(s);
    return;
  }
  store_.Put(*next, &previous, &batch);
  batch.AppendAudit(AuditEntryBytes(
      ToProtoTime(Now()), me, user, "request.attach", id, EventSha256(e), 0,
      to.empty() ? std::vector<std::string>{} : std::vector<std::string>{to}));
  kv_->WriteAsync(std::move(batch), [this, header = std::move(header), content,
                                     user, next, woken, done = std::move(done),
                                     attempts_left](absl::Status s) mutable {
    if (absl::IsAborted(s) && attempts_left > 1) {
      // The other side's event landed meanwhile: check again.
      AttachOnce(std::move(header), content, std::move(user), std::move(done),
                 attempts_left - 1);
      return;
    }
    if (!s.ok()) {
      done(s);
      return;
    }
    for (const std::string& peer : woken) wake_(peer);
    shipper_->Wake();
    done(ViewAfterChange(*next, user));
  });
}

absl::StatusOr<bool> Requests::HoldsContent(const std::string& id,
                                            const RequestAttachment& a) const {
  if (a.authority() == options_.authority_id) {
    absl::StatusOr<std::optional<uint64_t>> size =
        storage::CaseStore(kv_).BlobSize(a.sha256());
    if (!size.ok()) return size.status();
    return size->has_value();
  }
  absl::StatusOr<std::optional<uint64_t>> size =
      store_.ReceivedSize(id, a.sha256());
  if (!size.ok()) return size.status();
  return size->has_value();
}

void Requests::MarkAvailable(Request* r) const {
  for (RequestAttachment& a : *r->mutable_attachments()) {
    absl::StatusOr<bool> holds = HoldsContent(r->id(), a);
    a.set_content_available(holds.ok() && *holds);
  }
}

std::vector<RequestEvent> Requests::DraftAttachEvents(
    const Request& draft, const RequestEvent& send) const {
  std::vector<RequestEvent> out;
  uint64_t seq = send.author_seq();
  uint64_t lamport = send.lamport();
  for (const RequestAttachment& a : draft.attachments()) {
    RequestEvent& e = out.emplace_back();
    e.set_author(send.author());
    e.set_author_seq(++seq);
    e.set_lamport(++lamport);
    *e.mutable_at() = send.at();
    e.set_user(a.uploaded_by());
    pwx::v1::AttachAction* attach = e.mutable_attach();
    attach->set_sha256(a.sha256());
    attach->set_file_name(a.file_name());
    attach->set_media_type(a.media_type());
    attach->set_size_bytes(a.size_bytes());
  }
  return out;
}

absl::Status Requests::PromiseContents(const Request& r,
                                       const std::string& peer,
                                       const std::vector<std::string>& sha256s,
                                       const std::string& user,
                                       storage::WriteBatch* batch,
                                       const std::string& stored_now) const {
  if (peers_->Find(peer) == nullptr) {
    return absl::FailedPreconditionError(absl::StrCat(
        peer,
        " is no longer a peer of this node, so no attachment reaches it"));
  }
  for (const RequestAttachment& a : r.attachments()) {
    if (!sha256s.empty() && std::find(sha256s.begin(), sha256s.end(),
                                      a.sha256()) == sha256s.end()) {
      continue;
    }
    if (a.sha256() != stored_now) {
      absl::StatusOr<bool> holds = HoldsContent(r.id(), a);
      if (!holds.ok()) return holds.status();
      if (!*holds) continue;  // not arrived here: the peer gets it no other way
    }
    storage::OutgoingContent promise;
    promise.peer = peer;
    promise.id = r.id();
    promise.sha256 = a.sha256();
    promise.user = user;
    store_.PutOutgoing(promise, batch);
  }
  return absl::OkStatus();
}

absl::StatusOr<RoundRunner::Round> Requests::ShipContents() {
  absl::StatusOr<std::vector<storage::OutgoingContent>> promised =
      store_.Outgoing(kMaxPromisesPerRound);
  if (!promised.ok()) return promised.status();
  if (promised->empty()) return RoundRunner::Round::kIdle;
  bool progress = false;
  absl::Status failed;
  const std::string* last_peer = nullptr;
  for (const storage::OutgoingContent& c : *promised) {
    // One content per peer and round: peers take turns.
    if (last_peer != nullptr && *last_peer == c.peer) continue;
    last_peer = &c.peer;
    std::shared_ptr<const PeerInfo> info = peers_->Find(c.peer);
    if (info == nullptr) {
      // Removed: its outbox went with it, and so do the promises to it.
      storage::WriteBatch batch;
      store_.AdvanceOutgoing(c, c.next, true, &batch);
      if (absl::Status s = kv_->Write(std::move(batch)); !s.ok()) failed = s;
      progress = true;
      continue;
    }
    absl::StatusOr<storage::OutboxStats> stats = outbox_->Stats(c.peer);
    if (!stats.ok()) {
      failed = stats.status();
      continue;
    }
    const uint64_t waiting = stats->pending + stats->queued;
    if (waiting >= options_.content_window) continue;  // until receipts come
    const uint64_t room = options_.content_window - waiting;
    absl::Status s =
        ShipChunks(c,
                   std::max<uint64_t>(
                       1, std::min(room, options_.content_chunks_per_write)),
                   *info);
    if (s.ok() || absl::IsAborted(s)) {
      // Aborted: the promise changed meanwhile; the next round reads it.
      progress = true;
      if (s.ok()) wake_(c.peer);
    } else if (absl::IsResourceExhausted(s)) {
      // The peer's queue is full: wait for its receipts.
    } else {
      failed = s;
    }
  }
  if (!failed.ok()) return failed;
  return progress ? RoundRunner::Round::kMore : RoundRunner::Round::kWaiting;
}

absl::Status Requests::ShipChunks(const storage::OutgoingContent& c,
                                  uint64_t count, const PeerInfo& peer) {
  absl::StatusOr<std::optional<storage::StoredRequest>> stored =
      store_.Get(c.id);
  if (!stored.ok()) return stored.status();
  // A content whose attach event lost to another step is not offered:
  // its promise ends.
  const RequestAttachment* a =
      stored->has_value() ? FindIn((*stored)->record, c.sha256) : nullptr;
  const uint64_t chunks = a == nullptr ? 0 : TransportChunks(a->size_bytes());
  const uint64_t end = std::min(chunks, c.next + count);
  storage::WriteBatch batch;
  absl::Status lost;
  uint64_t i = c.next;
  for (; i < end; ++i) {
    std::string data;
    if (a->size_bytes() > 0) {  // an empty file: one empty chunk
      absl::StatusOr<std::string> read = AttachmentChunk(c.id, *a, i);
      if (!read.ok()) {
        lost = read.status();
        break;
      }
      data = *std::move(read);
    }
    pwx::v1::Event event;
    pwx::v1::RequestAttachmentChunk* chunk =
        event.mutable_request_attachment_chunk();
    chunk->set_request_id(c.id);
    chunk->set_sha256(c.sha256);
    chunk->set_index(i);
    chunk->set_data(std::move(data));
    if (absl::Status s = outbox_->Queue(peer, event, c.user, &batch); !s.ok()) {
      return s;
    }
  }
  if (!lost.ok() && !absl::IsNotFound(lost) && !absl::IsDataLoss(lost)) {
    return lost;  // a read that may work next time
  }
  // A content gone from this node ends its promise too (said once, below).
  store_.AdvanceOutgoing(c, i, !lost.ok() || i >= chunks, &batch);
  if (absl::Status s = kv_->Write(std::move(batch)); !s.ok()) return s;
  if (!lost.ok()) {
    return absl::DataLossError(absl::StrCat(
        "request ", c.id, ": attachment ", c.sha256, " could not be sent to ",
        c.peer, " from chunk ", i, ": ", lost.message()));
  }
  return absl::OkStatus();
}

absl::Status Requests::ApplyChunk(const pwx::v1::RequestAttachmentChunk& in,
                                  const std::string& sender,
                                  storage::WriteBatch* batch) const {
  const std::string& id = in.request_id();
  if (absl::Status s =
          domain::ValidateRequestId("request_attachment_chunk.request_id", id);
      !s.ok()) {
    return s;
  }
  if (!domain::IsSha256Hex(in.sha256())) {
    return absl::InvalidArgumentError(
        "request_attachment_chunk.sha256: must be 64 lower-case hex digits");
  }
  absl::StatusOr<std::optional<storage::StoredRequest>> stored =
      Load(id, batch);
  if (!stored.ok()) return stored.status();
  if (!stored->has_value()) {
    return absl::PermissionDeniedError(
        absl::StrCat(sender, " sent attachment content for request ", id,
                     ", which this node does not hold"));
  }
  const Request& r = (*stored)->record;
  const RequestAttachment* a = FindIn(r, in.sha256());
  // An attachment whose event lost to another step (superseded) is not
  // offered: its bytes are not kept either.
  if (a == nullptr || a->authority() == options_.authority_id) {
    return absl::OkStatus();
  }
  // The party that attached it sends it; the requester also passes on the
  // attachments of a request it forwards.
  if (sender != a->authority() && sender != r.requester()) {
    return absl::PermissionDeniedError(absl::StrCat(
        sender, " sent the content of ", a->authority(),
        "'s attachment on request ", id, ": a node sends its own attachments"));
  }
  if (a->size_bytes() > options_.max_attachment_bytes) {
    // Larger than this node keeps: not kept, said once in the log, and the
    // link goes on.
    if (in.index() == 0) {
      batch->AppendAudit(AuditEntryBytes(
          ToProtoTime(Now()), options_.authority_id,
          absl::StrCat("peer:", sender), "request.attachment.refused", id,
          in.sha256(), a->size_bytes(), {a->authority()}));
    }
    return absl::OkStatus();
  }
  const uint64_t chunks = TransportChunks(a->size_bytes());
  if (in.index() >= chunks) {
    return absl::InvalidArgumentError(absl::StrCat(
        "request_attachment_chunk.index: ", in.index(), " but attachment ",
        a->sha256(), " has ", chunks, " chunks"));
  }
  const uint64_t length =
      a->size_bytes() == 0 ? 0 : ChunkLength(a->size_bytes(), in.index());
  if (in.data().size() != length) {
    return absl::InvalidArgumentError(
        absl::StrCat("request_attachment_chunk.data: ", in.data().size(),
                     " bytes, but chunk ", in.index(), " of attachment ",
                     a->sha256(), " has ", length));
  }
  absl::StatusOr<std::optional<uint64_t>> whole =
      store_.ReceivedSize(id, in.sha256(), batch);
  if (!whole.ok()) return whole.status();
  if (whole->has_value()) return absl::OkStatus();  // arrived already
  store_.PutReceivedChunk(id, in.sha256(), in.index(), in.data(), batch);
  // Complete once every chunk is here; chunks arrive in order, so looking
  // from the last one back finds a missing one at once.
  for (uint64_t j = chunks; j-- > 0;) {
    if (j == in.index()) continue;
    absl::StatusOr<std::optional<std::string>> held =
        store_.ReceivedChunk(id, in.sha256(), j, batch);
    if (!held.ok()) return held.status();
    if (!held->has_value()) return absl::OkStatus();
  }
  domain::Sha256Hasher hasher;
  for (uint64_t j = 0; j < chunks; ++j) {
    absl::StatusOr<std::optional<std::string>> held =
        store_.ReceivedChunk(id, in.sha256(), j, batch);
    if (!held.ok()) return held.status();
    if (held->has_value()) hasher.Update(**held);
  }
  const bool matches = hasher.Hex() == in.sha256();
  if (matches) {
    store_.PutReceivedSize(id, in.sha256(), a->size_bytes(), batch);
  } else {
    // Not offered, and not kept: a later, right delivery starts afresh.
    store_.DeleteReceivedChunks(id, in.sha256(), chunks, batch);
  }
  batch->AppendAudit(AuditEntryBytes(
      ToProtoTime(Now()), options_.authority_id, absl::StrCat("peer:", sender),
      matches ? "request.attachment.arrived" : "request.attachment.mismatch",
      id, in.sha256(), 0, {a->authority()}));
  return absl::OkStatus();
}

void Requests::FindAttachmentForUser(const std::string& id,
                                     const std::string& sha256,
                                     const std::string& user,
                                     RequestAttachmentCallback done) const {
  absl::StatusOr<storage::StoredRequest> stored = LoadExisting(id);
  if (!stored.ok()) {
    done(stored.status());
    return;
  }
  if (!domain::IsSha256Hex(sha256)) {
    done(
        absl::InvalidArgumentError("sha256: must be 64 lower-case hex digits"));
    return;
  }
  const Request& r = stored->record;
  if (HidesPersonalData(r)) {
    const bool alert = r.content().kind() == pwx::v1::REQUEST_KIND_ALERT;
    done(absl::PermissionDeniedError(absl::StrCat(
        "request ", id, " awaits acceptance at ", options_.authority_id,
        ": its attachments stay hidden (need-to-know) until someone here ",
        alert ? "acknowledges" : "accepts", " it (pwx request ",
        alert ? "acknowledge " : "accept ", id, ")")));
    return;
  }
  const RequestAttachment* a = FindIn(r, sha256);
  if (a == nullptr) {
    done(absl::NotFoundError(
        absl::StrCat("request ", id, " has no attachment ", sha256)));
    return;
  }
  absl::StatusOr<bool> holds = HoldsContent(id, *a);
  if (!holds.ok()) {
    done(holds.status());
    return;
  }
  if (!*holds) {
    done(absl::FailedPreconditionError(absl::StrCat(
        "the content of attachment ", sha256, " of request ", id,
        " has not arrived from ", a->authority(), " yet: try again later")));
    return;
  }
  auto meta = std::make_shared<RequestAttachment>(*a);
  meta->set_content_available(true);
  storage::WriteBatch batch;
  batch.AppendAudit(AuditEntryBytes(ToProtoTime(Now()), options_.authority_id,
                                    user, "request.attachment.read", id,
                                    sha256));
  batch.set_max_delay(options_.read_entry_delay);
  kv_->WriteAsync(std::move(batch), [meta, id, done](absl::Status s) {
    if (!s.ok()) {
      done(absl::Status(
          s.code(),
          absl::StrCat("the request.attachment.read audit entry of ", id,
                       " was not stored, so no byte is sent: ", s.message())));
      return;
    }
    done(std::move(*meta));
  });
}

absl::StatusOr<std::string> Requests::AttachmentChunk(
    const std::string& id, const RequestAttachment& attachment,
    uint64_t index) const {
  if (attachment.authority() == options_.authority_id) {
    return storage::CaseStore(kv_).BlobChunk(attachment.sha256(), index);
  }
  absl::StatusOr<std::optional<std::string>> chunk =
      store_.ReceivedChunk(id, attachment.sha256(), index);
  if (!chunk.ok()) return chunk.status();
  if (!chunk->has_value()) {
    return absl::DataLossError(
        absl::StrCat("request ", id, ": chunk ", index, " of attachment ",
                     attachment.sha256(), " is missing"));
  }
  return **std::move(chunk);
}

}  // namespace pwx::server
