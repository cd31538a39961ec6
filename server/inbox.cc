#include "server/inbox.h"

#include <algorithm>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "server/audit_trail.h"
#include "server/domain/envelope.h"
#include "server/domain/merkle.h"

namespace pwx::server {

Inbox::Inbox(InboxOptions options, storage::KvStore* kv,
             storage::FederationStore* fed, const EventHandlers* handlers,
             TreeHeadSigner* heads, const domain::Signer* signer)
    : options_(std::move(options)),
      kv_(kv),
      fed_(fed),
      handlers_(handlers),
      heads_(heads),
      signer_(signer),
      log_(kv) {}

Inbox::~Inbox() { Stop(); }

void Inbox::Stop() {
  absl::MutexLock lock(&mu_);
  stopping_ = true;
  mu_.Await(absl::Condition(
      +[](int* n) { return *n == 0; }, &in_flight_));
}

void Inbox::Deliver(const std::string& sender,
                    const domain::Verifier& sender_key,
                    const pwx::v1::DeliverRequest& request,
                    pwx::v1::DeliverResponse* response,
                    std::function<void(absl::Status)> done) {
  if (request.envelopes_size() == 0) {
    done(absl::InvalidArgumentError("envelopes: none sent"));
    return;
  }
  if (absl::Status s = TakeQuota(sender, request); !s.ok()) {
    done(s);
    return;
  }
  absl::StatusOr<uint64_t> last = fed_->LastApplied(sender);
  if (!last.ok()) {
    done(last.status());
    return;
  }

  // Verifying signatures is most of the work: two threads share it.
  const int n = request.envelopes_size();
  std::vector<absl::StatusOr<pwx::v1::EnvelopeBody>> opened(
      static_cast<size_t>(n), absl::UnknownError("not opened"));
  auto open = [&](int from, int to) {
    for (int i = from; i < to; ++i) {
      opened[static_cast<size_t>(i)] = domain::OpenEnvelope(
          request.envelopes(i), sender, options_.authority_id, sender_key);
    }
  };
  if (n >= 16) {
    std::thread helper(open, n / 2, n);
    open(0, n / 2);
    helper.join();
  } else {
    open(0, n);
  }

  storage::WriteBatch batch;
  uint64_t next = *last;
  const google::protobuf::Timestamp now = ToProtoTime(absl::Now());
  const std::string actor = absl::StrCat("peer:", sender);
  // For each receipt, the position of its envelope.receive entry among the
  // batch's audit entries; -1 for envelopes applied before.
  auto entry_of_receipt = std::make_shared<std::vector<int>>();
  // What was applied, for the handlers' AfterCommit.
  auto applied = std::make_shared<
      std::vector<std::pair<const EventHandler*, pwx::v1::Event>>>();
  for (int i = 0; i < n; ++i) {
    absl::StatusOr<pwx::v1::EnvelopeBody>& body =
        opened[static_cast<size_t>(i)];
    if (!body.ok()) {
      done(body.status());
      return;
    }
    const uint64_t sequence = body->sequence();
    const std::string body_sha256 =
        domain::BodySha256(request.envelopes(i).body());
    if (sequence <= *last) {
      // Delivered before: answer with the first receipt, apply nothing.
      absl::StatusOr<std::optional<pwx::v1::Receipt>> earlier =
          fed_->Received(body->message_id());
      if (!earlier.ok()) {
        done(earlier.status());
        return;
      }
      if (!earlier->has_value()) {
        done(domain::LinkRefusal(
            absl::StrCat("envelope ", body->message_id(), ": sequence ",
                         sequence, " was declared withdrawn by ", sender,
                         "; this node expects ", *last + 1),
            *last + 1));
        return;
      }
      if ((*earlier)->body_sha256() != body_sha256) {
        done(domain::LinkRefusal(
            absl::StrCat("envelope ", body->message_id(),
                         ": this node applied another envelope with that "
                         "sequence; it has applied ",
                         sender, "'s envelopes through ", *last, " (was ",
                         sender, " restored from a backup?)"),
            *last + 1));
        return;
      }
      pwx::v1::Receipt receipt = **earlier;
      receipt.set_duplicate(true);
      *response->add_receipts() = std::move(receipt);
      entry_of_receipt->push_back(-1);
      continue;
    }
    if (sequence <= next) {
      done(absl::InvalidArgumentError(
          absl::StrCat("envelopes[", i, "]: repeats sequence ", sequence)));
      return;
    }
    const uint64_t follows =
        body->has_follows() ? body->follows() : sequence - 1;
    if (follows > next) {
      done(domain::LinkRefusal(
          absl::StrCat("envelope.body.sequence: ", sequence, " from ", sender,
                       " leaves a gap: expected ", next + 1),
          next + 1));
      return;
    }
    const pwx::v1::Event& event = body->event();
    const EventHandler* handler = handlers_->Find(event);
    if (handler == nullptr) {
      done(absl::InvalidArgumentError(
          absl::StrCat("envelopes[", i, "].body.event: payload ",
                       static_cast<int>(event.payload_case()),
                       " is not understood by this node")));
      return;
    }
    if (absl::Status s = handler->Apply(event, sender, &batch); !s.ok()) {
      // A field path first for a bad field (logs keep only the path).
      done(absl::Status(
          s.code(),
          absl::IsInvalidArgument(s)
              ? absl::StrCat("envelopes[", i, "].body.event.", s.message(),
                             " (", body->message_id(), ")")
              : absl::StrCat("envelope ", body->message_id(), ": ",
                             s.message())));
      return;
    }
    applied->emplace_back(handler, event);
    if (body->has_follows()) {
      // The sender withdrew what lies between: say so in the log, with how
      // many sequences this node will never get.
      // (Named by the sender, so the message's only entry stays its
      // "envelope.receive".)
      batch.AppendAudit(AuditEntryBytes(
          now, options_.authority_id, actor, "envelope.gap", sender,
          absl::BytesToHexString(body_sha256), sequence - 1 - next));
    }
    pwx::v1::Receipt receipt;
    receipt.set_message_id(body->message_id());
    receipt.set_sender(sender);
    receipt.set_sequence(sequence);
    receipt.set_body_sha256(body_sha256);
    fed_->PutReceived(receipt, &batch);
    batch.AppendAudit(AuditEntryBytes(now, options_.authority_id, actor,
                                      "envelope.receive", body->message_id(),
                                      absl::BytesToHexString(body_sha256), 0,
                                      handler->Objects(event)));
    *response->add_receipts() = std::move(receipt);
    // Handlers may add entries of their own: count what the batch holds.
    entry_of_receipt->push_back(static_cast<int>(batch.audit_entries().size()) -
                                1);
    next = sequence;
  }
  if (next > *last) fed_->PutLastApplied(sender, *last, next, &batch);
  {
    absl::MutexLock lock(&mu_);
    if (stopping_) {
      done(absl::UnavailableError("this node is stopping"));
      return;
    }
    ++in_flight_;
  }
  kv_->WriteAsyncWithAuditIndex(
      std::move(batch),
      [this, &request, response, sender, entry_of_receipt, applied,
       done = std::move(done)](absl::StatusOr<uint64_t> first) mutable {
        worker_.Post([this, &request, response, sender, entry_of_receipt,
                      applied, first, done = std::move(done)] {
          absl::Status status = first.status();
          if (absl::IsAborted(status)) {
            status = absl::UnavailableError(
                absl::StrCat("another delivery from ", sender,
                             " was applied meanwhile; retry"));
          }
          if (status.ok()) {
            status =
                CompleteReceipts(request, *first, *entry_of_receipt, response);
            for (const auto& [handler, event] : *applied) {
              handler->AfterCommit(event, sender);
            }
          }
          done(status);
          absl::MutexLock lock(&mu_);
          --in_flight_;
        });
      });
}

absl::Status Inbox::TakeQuota(const std::string& sender,
                              const pwx::v1::DeliverRequest& request) {
  uint64_t bytes = 0;
  for (const pwx::v1::Envelope& e : request.envelopes()) {
    bytes += e.body().size() + e.signature().size();
  }
  const uint64_t events = static_cast<uint64_t>(request.envelopes_size());
  const absl::Time now = options_.clock();
  absl::MutexLock lock(&mu_);
  auto it = quotas_.find(sender);
  if (it == quotas_.end()) {
    it = quotas_
             .emplace(sender,
                      domain::HourlyQuota(options_.quota_events_per_hour,
                                          options_.quota_bytes_per_hour, now))
             .first;
  }
  if (it->second.TryTake(events, bytes, now)) return absl::OkStatus();
  return absl::ResourceExhaustedError(absl::StrCat(
      sender, " is over its quota of ", options_.quota_events_per_hour,
      " envelopes and ", options_.quota_bytes_per_hour,
      " bytes an hour (federation.quota_events_per_hour, "
      "federation.quota_bytes_per_hour): a delivery of ",
      events, " envelopes, ", bytes, " bytes refused; retry later"));
}

absl::Status Inbox::CompleteReceipts(const pwx::v1::DeliverRequest& request,
                                     uint64_t first_entry,
                                     const std::vector<int>& entry_of_receipt,
                                     pwx::v1::DeliverResponse* response) {
  uint64_t highest = 0;
  for (int i = 0; i < response->receipts_size(); ++i) {
    pwx::v1::Receipt& r = *response->mutable_receipts(i);
    const int entry = entry_of_receipt[static_cast<size_t>(i)];
    if (entry >= 0) {
      r.set_audit_index(first_entry + static_cast<uint64_t>(entry));
    } else {
      // Applied by an earlier delivery: its "envelope.receive" entry is the
      // message's only entry.
      absl::StatusOr<std::vector<uint64_t>> index =
          log_.ObjectEntries(r.message_id(), 0, 1);
      if (!index.ok()) return index.status();
      if (index->empty()) {
        return absl::DataLossError(
            absl::StrCat("no audit entry for ", r.message_id()));
      }
      r.set_audit_index(index->front());
    }
    highest = std::max(highest, r.audit_index());
  }
  absl::StatusOr<pwx::v1::SignedTreeHead> head =
      heads_->HeadCovering(highest + 1);
  if (!head.ok()) return head.status();
  *response->mutable_tree_head() = *std::move(head);
  const uint64_t known = request.known_tree_size();
  if (known > 0 && known <= response->tree_head().tree_size()) {
    absl::StatusOr<std::vector<domain::Hash>> proof =
        log_.ConsistencyProof(known, response->tree_head().tree_size());
    if (!proof.ok()) return proof.status();
    for (const domain::Hash& h : *proof) {
      response->add_consistency_proof(std::string(domain::HashBytes(h)));
    }
  }
  return domain::SignReceipts(*signer_, response);
}

}  // namespace pwx::server
