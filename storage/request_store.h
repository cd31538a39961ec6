// Cross-border requests and their secondary indexes, laid out on a KvStore.
// Knows keys and encodings only: the rules live in
// server/domain/request_rules.h.
//
// Layout (box: 1 inbox, 2 outbox; mask: the filters an index serves, bits
// 1 state, 2 peer, 4 kind, 8 urgent only, with an index for each of the
// 16 combinations, the urgent ones holding urgent requests only):
//   requests String(id)                                  -> pwx.v1.Request
//   index    "rq.x" Uint64(mask) Uint64(box) [Uint64(state)] [String(peer)]
//                   [Uint64(kind)] String(id)                       -> ""
//            "rq.d" the same, then String(due date) String(id)      -> ""
//                   (only while the recipient owes an answer)
//            "rq.case"  String(case id)            String(id) -> ""
//            "rq.sent"  String(date sent)          String(id) -> ""
//   meta     "request_index_version"                          -> Uint64(2)
//   meta     "request_number" Uint64(year)                    -> Uint64
//   blobs    "rq.in" String(id) String(sha256) Uint64(chunk)  -> bytes
//            "rq.in" String(id) String(sha256)         -> Uint64(size)
//            (another party's attachment content, as its chunks arrive,
//            and the record that all did and matched)
//            "rq.out" String(peer) String(id) String(sha256)
//                                              -> Uint64(next chunk)
//                                              String(user)
//            (a content promised to a peer whose chunks from `next chunk`
//            on are still to be queued for it)
#ifndef PWX_STORAGE_REQUEST_STORE_H_
#define PWX_STORAGE_REQUEST_STORE_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "pwx/v1/request.pb.h"
#include "pwx/v1/request_service.pb.h"
#include "storage/index_floors.h"
#include "storage/kv_store.h"

namespace pwx::storage {

struct StoredRequest {
  pwx::v1::Request record;
  std::string bytes;
  // True when read from a batch not yet committed (an earlier envelope of
  // the same delivery): its Put already carries the precondition.
  bool in_batch = false;
};

// What the indexes of a request say, as this node sees it.
struct RequestFacets {
  pwx::v1::RequestBox box = pwx::v1::REQUEST_BOX_UNSPECIFIED;
  // As seen here: FORWARDED for one this authority passed on.
  pwx::v1::RequestState state = pwx::v1::REQUEST_STATE_UNSPECIFIED;
  std::string peer;
  // Set while the recipient owes an answer and this node is a party.
  std::string open_due_date;
};

struct RequestQuery {
  pwx::v1::RequestBox box = pwx::v1::REQUEST_BOX_UNSPECIFIED;
  pwx::v1::RequestState state = pwx::v1::REQUEST_STATE_UNSPECIFIED;
  pwx::v1::RequestKind kind = pwx::v1::REQUEST_KIND_UNSPECIFIED;
  bool urgent_only = false;
  std::string peer;
  // Open requests due in [due_from, due_before) ("YYYY-MM-DD"; empty
  // due_from: from the earliest), by due date; set due_before to use it.
  std::string due_from;
  std::string due_before;
};

// A content of request `id` promised to `peer`: its chunks from `next` on
// are still to be queued, on behalf of `user`.
struct OutgoingContent {
  std::string peer;
  std::string id;
  std::string sha256;
  uint64_t next = 0;
  std::string user;
  // The stored value, which AdvanceOutgoing requires unchanged.
  std::string bytes;
};

struct RequestPage {
  std::vector<pwx::v1::Request> requests;
  std::string next_page_token;
};

// Thread-safe: stateless over a thread-safe KvStore.
class RequestStore {
 public:
  // `kv` must outlive the store; `authority_id` is this node's.
  RequestStore(KvStore* kv, std::string authority_id)
      : kv_(kv), authority_id_(std::move(authority_id)) {}

  // The facets of `request` at this node.
  RequestFacets Facets(const pwx::v1::Request& request) const;

  absl::StatusOr<std::optional<StoredRequest>> Get(std::string_view id) const;
  // The request as `pending` (a batch not yet committed) writes it, if it
  // does (in_batch set), else as stored.
  absl::StatusOr<std::optional<StoredRequest>> Get(
      std::string_view id, const WriteBatch* pending) const;

  // Adds the writes that store `record` and keep its index entries in step,
  // with a precondition that the stored bytes are still `previous->bytes`
  // (no request, when null). Returns the bytes stored.
  std::string Put(const pwx::v1::Request& record, const StoredRequest* previous,
                  WriteBatch* batch) const;

  // A page of the requests matching `query`, read from the index of exactly
  // its filters (so the entries read are the requests returned, whatever
  // the filters), by due date for a due range, by id otherwise. The request
  // records of a page are read in one MultiGet. INVALID_ARGUMENT naming
  // "page_token" for a token not issued for this query.
  absl::StatusOr<RequestPage> List(const RequestQuery& query, int page_size,
                                   std::string_view page_token) const;

  // Brings the indexes of a database written by an older build to this
  // layout (index version 2); does nothing when they are. Call once at
  // start, before any request is written.
  absl::Status UpgradeIndexes() const;

  // The ids of the requests about case `case_id`.
  absl::StatusOr<std::vector<std::string>> ForCase(
      std::string_view case_id) const;

  // Every request sent in [from, to] ("YYYY-MM-DD", inclusive), for the
  // scoreboard.
  absl::StatusOr<std::vector<pwx::v1::Request>> SentBetween(
      std::string_view from, std::string_view to) const;

  // The last request number recorded for `year` (0 for none), and the
  // write that records `number`. Batches may commit out of order, so the
  // record may lag: a new request's own precondition (no request with its
  // id) keeps ids unique, and the caller moves past a taken one.
  absl::StatusOr<uint64_t> LastNumber(int year) const;
  void PutLastNumber(int year, uint64_t number, WriteBatch* batch) const;

  // The content of an attachment another party attached to request `id`,
  // kept per request as its chunks (kBlobChunkBytes each but the last)
  // arrive, apart from this node's own blobs: it is offered only once
  // every chunk arrived and the whole matched its SHA-256
  // (PutReceivedSize).
  void PutReceivedChunk(std::string_view id, std::string_view sha256,
                        uint64_t index, std::string_view data,
                        WriteBatch* batch) const;
  // Chunk `index`, as `pending` writes it if it does, else as stored;
  // std::nullopt when it has not arrived.
  absl::StatusOr<std::optional<std::string>> ReceivedChunk(
      std::string_view id, std::string_view sha256, uint64_t index,
      const WriteBatch* pending = nullptr) const;
  // Removes chunks [0, count) of the content `sha256` of request `id`.
  void DeleteReceivedChunks(std::string_view id, std::string_view sha256,
                            uint64_t count, WriteBatch* batch) const;
  // Records that the content `sha256` of request `id` arrived whole.
  void PutReceivedSize(std::string_view id, std::string_view sha256,
                       uint64_t size, WriteBatch* batch) const;
  // The size of a content that arrived whole, as `pending` writes it if it
  // does, else as stored; std::nullopt while it has not.
  absl::StatusOr<std::optional<uint64_t>> ReceivedSize(
      std::string_view id, std::string_view sha256,
      const WriteBatch* pending = nullptr) const;

  // Contents promised to peers (server/request_attachments.cc ships them
  // in bounded writes). PutOutgoing adds the promise of `content` from
  // chunk content.next on, replacing one of the same peer, request and
  // content.
  void PutOutgoing(const OutgoingContent& content, WriteBatch* batch) const;
  // Adds the move of `content` (as read, required unchanged) to chunk
  // `next`, or its removal when `done`.
  void AdvanceOutgoing(const OutgoingContent& content, uint64_t next, bool done,
                       WriteBatch* batch) const;
  // The promises held, by peer, request and content, at most `limit`.
  absl::StatusOr<std::vector<OutgoingContent>> Outgoing(size_t limit) const;

 private:
  // The index keys of `r`; with `ranges`, also the prefix length of each
  // "rq.x"/"rq.d" key (0 for the others).
  std::vector<std::string> IndexKeys(
      const pwx::v1::Request& r, std::vector<size_t>* ranges = nullptr) const;

  KvStore* kv_;
  const std::string authority_id_;
  // The floors of the "rq.x" and "rq.d" ranges (storage/index_floors.h),
  // shared by copies of this store: List relies on every Put of requests to
  // `kv_` going through this store or a copy of it.
  IndexFloors floors_;
  // The floor of the promises' range, which ended promises fill with
  // deletions; Outgoing relies on PutOutgoing in the same way.
  IndexFloors outgoing_floors_;
};

}  // namespace pwx::storage

#endif  // PWX_STORAGE_REQUEST_STORE_H_
