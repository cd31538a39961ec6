// Cross-border requests at one node: drafts, transitions made by this
// node's users, and the events the other side's node sends (the
// RequestEvents payload of the federation). Every change is one batch: the
// request, its indexes, its audit entry and the outgoing events (a
// transactional outbox), so a crash never leaves a transition half made or
// unsent. Documents' bytes are the exception: the batch holds the promise
// to send them (storage "rq.out" records), and a background round queues
// their chunks a few per write (see request_attachments.cc).
//
// The rules are domain code (server/domain/request_rules.h); this class
// reads and writes, fills what only a node knows (time, user, receipt date
// and due date on its calendar) and decides where events go:
//   - a node sends the events it authors to the other party;
//   - the recipient's node records the receipt itself (a receive event,
//     with the due date on its calendar) as soon as a request reaches it;
//   - the requester's node passes a forwarded request on to the new
//     authority with its whole history, or, when that authority is not its
//     peer, records a failed hand-off that gives the request back;
//   - the requester's node turns a split into a new request to the named
//     authority (sent at once when it is an active peer, a draft
//     otherwise), which carries the requester's documents of the request
//     split.
#ifndef PWX_SERVER_REQUESTS_H_
#define PWX_SERVER_REQUESTS_H_

#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "pwx/v1/request_service.pb.h"
#include "server/attachment_spool.h"
#include "server/domain/calendar.h"
#include "server/event_handler.h"
#include "server/outbox.h"
#include "server/peer_registry.h"
#include "server/round_runner.h"
#include "storage/kv_store.h"
#include "storage/request_store.h"

namespace pwx::server {

// Working days on the national calendars (domain::Calendars in a node).
struct WorkingDays {
  // The day `n` working days after `from` (not counted) in the state of
  // `authority` ("PL-PIP" → PL).
  std::function<absl::StatusOr<absl::CivilDay>(const std::string& authority,
                                               absl::CivilDay from, int n)>
      add;
  // Working days in (from, to] there; negative when to < from.
  std::function<int(const std::string& authority, absl::CivilDay from,
                    absl::CivilDay to)>
      between;
  // Stored with every due date.
  std::string version;
};

// Monday to Friday, no holidays: for tests that do not need a calendar.
WorkingDays WeekdaysOnly();

// The national calendars of `calendars` (which must outlive the result).
// A state without one gets an error from `add` (the receipt then counts
// weekends only and says so in its calendar version) and weekdays from
// `between`.
WorkingDays CalendarWorkingDays(const domain::Calendars* calendars);

struct RequestsOptions {
  // This node's authority. Required.
  std::string authority_id;
  WorkingDays working_days = WeekdaysOnly();
  // Whether a catalogue code exists; default: every code.
  std::function<bool(absl::string_view code)> has_question;
  // The catalogue text of `code` in `language`; default: none.
  std::function<std::optional<std::string>(absl::string_view code,
                                           absl::string_view language)>
      question_text;
  // The user's preferred language ("" when unset); default: "".
  std::function<std::string(const std::string& user)> user_language;
  // Audit entries of reads join the next group commit within this.
  absl::Duration read_entry_delay = absl::Milliseconds(1);
  // Largest attachment accepted (attachments.max_bytes). Default: 16 MiB.
  uint64_t max_attachment_bytes = uint64_t{16} << 20;
  // Chunks (storage::kBlobChunkBytes each) of the documents promised to a
  // peer that one write queues for it. Default: 4.
  uint64_t content_chunks_per_write = 4;
  // At most this many envelopes wait for a peer (queued, not yet
  // receipted) before more chunks are queued for it: what a send holds in
  // memory and writes at once stays bounded, whatever its documents' size.
  // Default: 8.
  uint64_t content_window = 8;
  // How soon chunks held back by content_window look again. Default: 50 ms.
  absl::Duration content_poll = absl::Milliseconds(50);
  std::function<absl::Time()> clock;
};

using RequestCallback = std::function<void(absl::StatusOr<pwx::v1::Request>)>;
using RequestAttachmentCallback =
    std::function<void(absl::StatusOr<pwx::v1::RequestAttachment>)>;

class Requests;

// The federation handler of RequestAttachmentChunk events: the bytes of
// the other party's attachments (Requests::ApplyChunk). Thread-safe.
class RequestAttachmentContent final : public EventHandler {
 public:
  // `requests` must outlive this.
  explicit RequestAttachmentContent(const Requests* requests)
      : requests_(requests) {}
  pwx::v1::Event::PayloadCase payload() const override {
    return pwx::v1::Event::kRequestAttachmentChunk;
  }
  std::vector<std::string> Objects(const pwx::v1::Event& event) const override;
  absl::Status Apply(const pwx::v1::Event& event, const std::string& sender,
                     storage::WriteBatch* batch) const override;

 private:
  const Requests* const requests_;
};

// Thread-safe.
class Requests final : public EventHandler {
 public:
  // Every pointer must outlive this. `wake` wakes a peer's dispatcher.
  // Starts the round that ships promised documents (those of before a
  // restart first); the destructor stops it.
  Requests(RequestsOptions options, storage::KvStore* kv, PeerRegistry* peers,
           Outbox* outbox, std::function<void(const std::string&)> wake);
  ~Requests();

  // A draft to request.recipient(), which must be a peer (NOT_FOUND).
  void Create(const pwx::v1::CreateRequestRequest& request,
              const std::string& user, RequestCallback done);

  // The request as `user` may see it: without personal data while it
  // awaits acceptance on this node's side as recipient. A read that returns
  // personal data returns once its "request.read" audit entry is durable.
  // Catalogue texts are in `language`, else the user's preference.
  void Get(const std::string& id, const std::string& user, RequestCallback done,
           const std::string& language = "");

  // One transition by `user` of this node's authority.
  void Act(const pwx::v1::ActRequest& request, const std::string& user,
           RequestCallback done);

  absl::StatusOr<pwx::v1::ListRequestsResponse> List(
      const pwx::v1::ListRequestsRequest& request) const;

  absl::StatusOr<pwx::v1::GetStatsResponse> Stats(
      const pwx::v1::GetStatsRequest& request) const;

  // ---- Attachments (request_attachments.cc) ----

  // Checks an upload's header before any byte is accepted: the request
  // exists, the names are valid, this node's side may attach now
  // (domain::CheckAttach) and the request has room for another.
  absl::Status CheckAttachmentHeader(
      const pwx::v1::RequestAttachmentHeader& header) const;

  // Stores `content`, an upload spooled to a file, as a blob (not again
  // when the same content is stored) and attaches it by `user`: in a
  // draft, to the draft (its attach event goes out with the send);
  // otherwise as an attach event, with a "request.attach" audit entry, and
  // the promise in the same batch that the content follows it to the other
  // party as RequestAttachmentChunk events (queued a few per write after
  // the commit). RESOURCE_EXHAUSTED past max_attachment_bytes;
  // ALREADY_EXISTS for a content the request has already. `content` must
  // stay valid until `done` is called.
  void AddAttachment(const pwx::v1::RequestAttachmentHeader& header,
                     const SpoolFile* content, const std::string& user,
                     RequestCallback done);

  // The attachment `sha256` of request `id`, for `user`, who is about to
  // download it: PERMISSION_DENIED while the request awaits acceptance at
  // this node as recipient (need-to-know); NOT_FOUND for a content the
  // request has not; FAILED_PRECONDITION while its bytes have not all
  // arrived from the party that attached it. Calls `done` once the
  // "request.attachment.read" audit entry is durable; send no byte before.
  void FindAttachmentForUser(const std::string& id, const std::string& sha256,
                             const std::string& user,
                             RequestAttachmentCallback done) const;

  // Chunk `index` (storage::kBlobChunkBytes each) of an attachment of
  // request `id` that FindAttachmentForUser returned.
  absl::StatusOr<std::string> AttachmentChunk(
      const std::string& id, const pwx::v1::RequestAttachment& attachment,
      uint64_t index) const;

  // Applies one RequestAttachmentChunk from `sender` (the handler above).
  absl::Status ApplyChunk(const pwx::v1::RequestAttachmentChunk& chunk,
                          const std::string& sender,
                          storage::WriteBatch* batch) const;

  uint64_t max_attachment_bytes() const {
    return options_.max_attachment_bytes;
  }
  // The handler to register for RequestAttachmentChunk events.
  const EventHandler* content_handler() const { return &content_handler_; }

  // The ids of the requests about this node's case `case_id`.
  absl::StatusOr<std::vector<std::string>> ForCase(
      const std::string& case_id) const;

  // EventHandler.
  pwx::v1::Event::PayloadCase payload() const override {
    return pwx::v1::Event::kRequestEvents;
  }
  std::vector<std::string> Objects(const pwx::v1::Event& event) const override;
  absl::Status Apply(const pwx::v1::Event& event, const std::string& sender,
                     storage::WriteBatch* batch) const override;
  void AfterCommit(const pwx::v1::Event& event,
                   const std::string& sender) const override;

 private:
  static std::string DateString(absl::CivilDay day);
  // What an event's audit entry hashes: the event without what the fold
  // computes.
  static std::string EventSha256(const pwx::v1::RequestEvent& e);
  absl::Time Now() const;
  absl::CivilDay Today() const;
  // Fills the read-only fields for a reader of this node.
  void FillView(pwx::v1::Request* r, const std::string& language,
                bool hide_personal) const;
  bool HidesPersonalData(const pwx::v1::Request& r) const;
  // `r` as `user` is shown it after a change they made: in their language,
  // personal data hidden as HidesPersonalData says, content_available set.
  pwx::v1::Request ViewAfterChange(pwx::v1::Request r,
                                   const std::string& user) const;
  absl::Status CheckPeer(absl::string_view field,
                         const std::string& authority) const;
  // Adds `events` for `peer` to `batch` (the peer must be known);
  // `woken` collects the peers to wake after the commit.
  absl::Status Ship(const std::string& request_id, const std::string& requester,
                    const std::string& peer,
                    const std::vector<pwx::v1::RequestEvent>& events,
                    const std::string& user, storage::WriteBatch* batch,
                    std::set<std::string>* woken) const;
  // What this node does by itself after `before` became `after`: the
  // receipt, hand-offs, split-off requests. Adds its events to `after` and
  // their writes to `batch`.
  absl::Status FollowUp(const pwx::v1::Request* before, pwx::v1::Request* after,
                        storage::WriteBatch* batch,
                        std::set<std::string>* woken) const;
  absl::Status CreateSplitOff(const pwx::v1::Request& parent,
                              const pwx::v1::RequestEvent& split,
                              const std::string& id, storage::WriteBatch* batch,
                              std::set<std::string>* woken) const;
  // The stored request `id`: INVALID_ARGUMENT naming "id" for a malformed
  // id, NOT_FOUND when there is none.
  absl::StatusOr<storage::StoredRequest> LoadExisting(
      const std::string& id) const;
  // LoadExisting, and ABORTED when the caller showed the request with
  // another number of history entries than it has now (`expected`, when
  // set): the user acts on what they saw, or is told to look again.
  absl::StatusOr<storage::StoredRequest> LoadAsSeen(
      const std::string& id, std::optional<uint32_t> expected) const;
  // The stored request, or the one `batch` already writes.
  absl::StatusOr<std::optional<storage::StoredRequest>> Load(
      const std::string& id, const storage::WriteBatch* batch) const;
  void InsertDraft(std::string to, pwx::v1::RequestContent content,
                   std::string user, RequestCallback done, int attempts_left);
  void ActOnce(pwx::v1::ActRequest request, std::string user,
               RequestCallback done, int attempts_left);
  absl::StatusOr<std::string> NextId();
  void AttachOnce(pwx::v1::RequestAttachmentHeader header,
                  const SpoolFile* content, std::string user,
                  RequestCallback done, int attempts_left);
  // Sets content_available on `r`'s attachments.
  void MarkAvailable(pwx::v1::Request* r) const;
  // Whether this node holds the whole content of `a` of request `id`.
  absl::StatusOr<bool> HoldsContent(const std::string& id,
                                    const pwx::v1::RequestAttachment& a) const;
  // The attach events of a draft's attachments, following `send` (the
  // draft's send event).
  std::vector<pwx::v1::RequestEvent> DraftAttachEvents(
      const pwx::v1::Request& draft, const pwx::v1::RequestEvent& send) const;
  // Adds to `batch` the promise to send `peer` the contents this node
  // holds of `r`'s attachments named by `sha256s` (every attachment when
  // empty), or, for `stored_now`, holds once `batch` commits. Its own come
  // from the blobs, another party's from what arrived. FAILED_PRECONDITION
  // when `peer` is not a peer.
  absl::Status PromiseContents(const pwx::v1::Request& r,
                               const std::string& peer,
                               const std::vector<std::string>& sha256s,
                               const std::string& user,
                               storage::WriteBatch* batch,
                               const std::string& stored_now = "") const;
  // One round of the shipping of promised contents: for each peer with
  // some, and room in its window, one write that queues the next chunks
  // of one content and moves its promise on.
  absl::StatusOr<RoundRunner::Round> ShipContents();
  // Queues chunks content.next to at most content.next + count of a
  // promised content for `peer`, and moves the promise on, in one write.
  absl::Status ShipChunks(const storage::OutgoingContent& content,
                          uint64_t count, const PeerInfo& peer);
  // Records the last number given out this year in `batch`.
  void RecordNumber(storage::WriteBatch* batch);

  const RequestsOptions options_;
  storage::KvStore* const kv_;
  storage::RequestStore store_;
  PeerRegistry* const peers_;
  Outbox* const outbox_;
  const std::function<void(const std::string&)> wake_;
  const RequestAttachmentContent content_handler_{this};

  absl::Mutex mu_;
  // Year -> last number given out, once read.
  std::map<int, uint64_t> last_number_ ABSL_GUARDED_BY(mu_);
  // Last: stopped before the rest goes.
  std::unique_ptr<RoundRunner> shipper_;
};

}  // namespace pwx::server

#endif  // PWX_SERVER_REQUESTS_H_
