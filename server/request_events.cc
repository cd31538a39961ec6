// The peer side of Requests: events from the other party's node, and what
// this node records by itself in answer (receipts, hand-offs, split-off
// requests). The local side (drafts, users' transitions, reads, lists) is
// in requests.cc.
#include <map>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "server/audit_trail.h"
#include "server/domain/digest.h"
#include "server/domain/fields.h"
#include "server/domain/request_rules.h"
#include "server/requests.h"

namespace pwx::server {
namespace {

using pwx::v1::Request;
using pwx::v1::RequestEvent;

constexpr int kMaxEventsPerDelivery = 1000;

}  // namespace

std::vector<std::string> Requests::Objects(const pwx::v1::Event& event) const {
  return {event.request_events().request_id()};
}

absl::Status Requests::Apply(const pwx::v1::Event& event,
                             const std::string& sender,
                             storage::WriteBatch* batch) const {
  const pwx::v1::RequestEvents& in = event.request_events();
  const std::string& id = in.request_id();
  if (absl::Status s =
          domain::ValidateRequestId("request_events.request_id", id);
      !s.ok()) {
    return s;
  }
  if (in.events().empty()) {
    return absl::InvalidArgumentError("request_events.events: is empty");
  }
  if (in.events_size() > kMaxEventsPerDelivery) {
    return absl::InvalidArgumentError(absl::StrCat(
        "request_events.events: more than ", kMaxEventsPerDelivery, " events"));
  }
  if (!absl::StartsWith(id, absl::StrCat(in.requester(), "-R-"))) {
    return absl::InvalidArgumentError(
        absl::StrCat("request_events.requester: ", in.requester(),
                     " did not number request ", id));
  }
  absl::StatusOr<std::optional<storage::StoredRequest>> stored =
      Load(id, batch);
  if (!stored.ok()) return stored.status();
  const storage::StoredRequest* previous =
      stored->has_value() ? &**stored : nullptr;
  // The events held, by identity, as their author made them.
  std::map<std::pair<std::string, uint64_t>, std::string> known;
  if (previous != nullptr) {
    if (previous->record.requester() != in.requester()) {
      return absl::InvalidArgumentError(
          absl::StrCat("request_events.requester: request ", id, " is ",
                       previous->record.requester(), "'s"));
    }
    for (const RequestEvent& e : previous->record.history()) {
      known.emplace(std::pair(e.author(), e.author_seq()), EventSha256(e));
    }
  }
  const bool from_requester = sender == in.requester();
  std::vector<RequestEvent> fresh;
  bool conflict = false;
  for (int i = 0; i < in.events_size(); ++i) {
    const RequestEvent& e = in.events(i);
    const std::string f = absl::StrCat("request_events.events[", i, "]");
    if (auto it = known.find({e.author(), e.author_seq()}); it != known.end()) {
      // Held already; one that differs means its author reissued the
      // request id (it was restored from a backup): the request held stays
      // as it is, and the log says so rather than dropping it unnoticed.
      conflict = conflict || it->second != EventSha256(e);
      continue;
    }
    if (absl::Status s = domain::ValidateAuthorityId(f + ".author", e.author());
        !s.ok()) {
      return s;
    }
    if (e.author_seq() == 0 || e.lamport() == 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(f, ".author_seq: author_seq and lamport start at 1"));
    }
    if (e.author() != sender && !from_requester) {
      // Only the requester passes on others' events (a hand-off).
      return absl::PermissionDeniedError(
          absl::StrCat(sender, " sent an event of ", e.author(), " on request ",
                       id, ": a node sends its own events"));
    }
    if (e.author() == options_.authority_id) {
      return absl::PermissionDeniedError(
          absl::StrCat(sender, " sent an event of this node on request ", id,
                       " that this node never made"));
    }
    if (absl::Status s =
            domain::CheckAuthorSide(e, e.author() == in.requester());
        !s.ok()) {
      return s;
    }
    const pwx::v1::RequestContent* content = e.has_send() ? &e.send().content()
                                             : e.has_modify()
                                                 ? &e.modify().content()
                                                 : nullptr;
    if (content != nullptr) {
      if (absl::Status s = domain::ValidateContent(
              f + (e.has_send() ? ".send.content" : ".modify.content"),
              *content, true, options_.has_question);
          !s.ok()) {
        return s;
      }
    }
    RequestEvent copy = e;
    copy.clear_superseded();
    copy.clear_superseded_reason();
    fresh.push_back(std::move(copy));
  }
  if (conflict ||
      (previous != nullptr && previous->record.reissued_by_requester() &&
       from_requester)) {
    batch->AppendAudit(AuditEntryBytes(
        ToProtoTime(Now()), options_.authority_id,
        absl::StrCat("peer:", sender), "request.conflict", id,
        domain::Sha256Hex(in.SerializeAsString()), 0, {in.requester()}));
    if (!previous->record.reissued_by_requester()) {
      Request marked = previous->record;
      marked.set_reissued_by_requester(true);
      store_.Put(marked, previous, batch);
    }
    return absl::OkStatus();
  }
  if (fresh.empty()) return absl::OkStatus();  // a redelivery
  Request next;
  if (previous == nullptr) {
    if (!from_requester) {
      return absl::PermissionDeniedError(
          absl::StrCat(sender, " is not the requester of ", id,
                       ", which this node does not hold"));
    }
    absl::StatusOr<Request> folded = domain::FoldHistory(id, fresh);
    if (!folded.ok()) return folded.status();
    next = *std::move(folded);
    if (next.requester() != in.requester()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "request_events.events: request ", id, " was sent by ",
          next.requester(), ", not its requester ", in.requester()));
    }
    if (next.recipient() != options_.authority_id) {
      return absl::PermissionDeniedError(
          absl::StrCat("request ", id, " is addressed to ", next.recipient(),
                       ", not to this node"));
    }
  } else {
    next = previous->record;
    bool party = sender == next.requester() || sender == next.recipient();
    for (const RequestEvent& e : next.history()) {
      party = party || e.author() == sender;
    }
    if (!party) {
      return absl::PermissionDeniedError(
          absl::StrCat(sender, " is not a party to request ", id));
    }
    if (absl::StatusOr<int> added = domain::MergeEvents(fresh, &next);
        !added.ok()) {
      return added.status();
    }
  }
  const google::protobuf::Timestamp now = ToProtoTime(Now());
  for (const RequestEvent& e : fresh) {
    batch->AppendAudit(AuditEntryBytes(
        now, options_.authority_id, absl::StrCat("peer:", sender),
        absl::StrCat("request.", domain::ActionName(e)), id, EventSha256(e), 0,
        {e.author()}));
  }
  std::set<std::string> woken;
  if (absl::Status s =
          FollowUp(previous == nullptr ? nullptr : &previous->record, &next,
                   batch, &woken);
      !s.ok()) {
    return s;
  }
  store_.Put(next, previous, batch);
  return absl::OkStatus();
}

absl::Status Requests::FollowUp(const Request* before, Request* after,
                                storage::WriteBatch* batch,
                                std::set<std::string>* woken) const {
  const std::string& me = options_.authority_id;
  const google::protobuf::Timestamp now = ToProtoTime(Now());
  auto record = [&](RequestEvent e, std::string to) -> absl::Status {
    *e.mutable_at() = now;
    Request check = *after;
    if (absl::Status s = domain::ApplyTransition(e, &check); !s.ok()) {
      return absl::InternalError(
          absl::StrCat("request ", after->id(), ": the node's own ",
                       domain::ActionName(e), " was refused: ", s.message()));
    }
    if (absl::StatusOr<int> added = domain::MergeEvents({e}, after);
        !added.ok()) {
      return added.status();
    }
    batch->AppendAudit(AuditEntryBytes(
        now, me, "", absl::StrCat("request.", domain::ActionName(e)),
        after->id(), EventSha256(e), 0, {to}));
    return Ship(after->id(), after->requester(), to, {e}, "", batch, woken);
  };
  // The recipient's node records the receipt: the period starts here.
  if (after->recipient() == me &&
      after->state() == pwx::v1::REQUEST_STATE_SENT) {
    const absl::CivilDay today = Today();
    const int days = domain::PeriodDays(after->content());
    absl::StatusOr<absl::CivilDay> due =
        options_.working_days.add(me, today, days);
    std::string version = options_.working_days.version;
    if (!due.ok()) {
      // No calendar for this state: weekends only, and the version says so.
      due = WeekdaysOnly().add(me, today, days);
      version = "weekdays-only";
    }
    RequestEvent e = domain::NextEvent(*after, me);
    pwx::v1::ReceiveAction* receive = e.mutable_receive();
    receive->set_received_date(DateString(today));
    receive->set_due_date(DateString(*due));
    receive->set_period_days(days);
    receive->set_calendar_version(version);
    if (absl::Status s = record(std::move(e), after->requester()); !s.ok()) {
      return s;
    }
  }
  if (after->requester() != me) return absl::OkStatus();
  // A forward: pass the request on with its history, or give it back.
  if (before != nullptr && before->recipient() != after->recipient() &&
      after->state() == pwx::v1::REQUEST_STATE_SENT &&
      !after->forwarded_from().empty()) {
    const std::string& to = after->recipient();
    if (peers_->Find(to) != nullptr) {
      std::vector<RequestEvent> all(after->history().begin(),
                                    after->history().end());
      if (absl::Status s = Ship(after->id(), me, to, all, "", batch, woken);
          !s.ok()) {
        return s;
      }
      // And the attachments' contents this node holds.
      if (absl::Status s = PromiseContents(*after, to, {}, "", batch);
          !s.ok()) {
        return s;
      }
    } else {
      RequestEvent e = domain::NextEvent(*after, me);
      e.mutable_handoff_failed()->set_to(to);
      e.mutable_handoff_failed()->set_reason(
          absl::StrCat(to, " is not a peer of ", me));
      std::string back = after->forwarded_from();
      if (absl::Status s = record(std::move(e), std::move(back)); !s.ok()) {
        return s;
      }
    }
  }
  // Splits: each new split-off id becomes a request of this node.
  const int had = before == nullptr ? 0 : before->split_into_size();
  if (after->split_into_size() > had) {
    std::vector<const RequestEvent*> splits;
    for (const RequestEvent& e : after->history()) {
      if (e.has_split() && !e.superseded()) splits.push_back(&e);
    }
    for (int i = had; i < after->split_into_size(); ++i) {
      if (static_cast<size_t>(i) >= splits.size()) break;
      if (absl::Status s =
              CreateSplitOff(*after, *splits[static_cast<size_t>(i)],
                             after->split_into(i), batch, woken);
          !s.ok()) {
        return s;
      }
    }
  }
  return absl::OkStatus();
}

absl::Status Requests::CreateSplitOff(const Request& parent,
                                      const RequestEvent& split,
                                      const std::string& id,
                                      storage::WriteBatch* batch,
                                      std::set<std::string>* woken) const {
  absl::StatusOr<std::optional<storage::StoredRequest>> existing =
      Load(id, batch);
  if (!existing.ok()) return existing.status();
  if (existing->has_value()) return absl::OkStatus();
  pwx::v1::RequestContent content = parent.content();
  content.clear_questions();
  for (const pwx::v1::Question& q : split.split().moved()) {
    *content.add_questions() = q;
  }
  const std::string& to = split.split().to();
  Request child;
  child.set_id(id);
  child.set_requester(options_.authority_id);
  child.set_recipient(to);
  *child.mutable_content() = content;
  child.set_state(pwx::v1::REQUEST_STATE_DRAFT);
  // The requester's documents supporting the request go along (IMI
  // practice); what the recipient attached to its answer stays with the
  // request it answers. A draft holds them until it is sent.
  for (const pwx::v1::RequestAttachment& a : parent.attachments()) {
    if (a.side() == pwx::v1::REQUEST_SIDE_REQUESTER &&
        a.authority() == options_.authority_id) {
      pwx::v1::RequestAttachment* copy = child.add_attachments();
      *copy = a;
      copy->clear_content_available();
    }
  }
  std::shared_ptr<const PeerInfo> info = peers_->Find(to);
  const bool send =
      info != nullptr && !content.questions().empty() &&
      domain::ValidateContent("content", content, true, options_.has_question)
          .ok();
  if (send) {
    RequestEvent e;
    e.set_author(options_.authority_id);
    e.set_author_seq(1);
    e.set_lamport(1);
    *e.mutable_at() = ToProtoTime(Now());
    *e.mutable_send()->mutable_content() = content;
    e.mutable_send()->set_to(to);
    e.mutable_send()->set_split_from(parent.id());
    std::vector<RequestEvent> events = DraftAttachEvents(child, e);
    events.insert(events.begin(), e);
    absl::StatusOr<Request> sent = domain::FoldHistory(id, events);
    if (!sent.ok()) return sent.status();
    child = *std::move(sent);
    if (absl::Status s =
            Ship(id, options_.authority_id, to, events, "", batch, woken);
        !s.ok()) {
      return s;
    }
    // Their contents, as a forward passes them on.
    if (absl::Status s = PromiseContents(child, to, {}, "", batch); !s.ok()) {
      return s;
    }
  }
  child.set_split_from(parent.id());
  const std::string bytes = store_.Put(child, nullptr, batch);
  batch->AppendAudit(
      AuditEntryBytes(ToProtoTime(Now()), options_.authority_id, "",
                      send ? "request.send" : "request.create", id,
                      domain::Sha256Hex(bytes), 0, {parent.id(), to}));
  return absl::OkStatus();
}

void Requests::AfterCommit(const pwx::v1::Event& event,
                           const std::string& sender) const {
  (void)sender;
  absl::StatusOr<std::optional<storage::StoredRequest>> stored =
      store_.Get(event.request_events().request_id());
  if (!stored.ok() || !stored->has_value()) return;
  const Request& r = (*stored)->record;
  // Contents it promised (a forward's, a split-off's) go out now.
  shipper_->Wake();
  for (const std::string& peer : {r.requester(), r.recipient()}) {
    if (peer != options_.authority_id) wake_(peer);
  }
  for (const std::string& child : r.split_into()) {
    absl::StatusOr<std::optional<storage::StoredRequest>> c = store_.Get(child);
    if (c.ok() && c->has_value() &&
        (*c)->record.recipient() != options_.authority_id) {
      wake_((*c)->record.recipient());
    }
  }
}

}  // namespace pwx::server
