#include "server/requests.h"

#include <algorithm>
#include <map>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "server/audit_trail.h"
#include "server/domain/digest.h"
#include "server/domain/fields.h"
#include "server/domain/request_rules.h"
#include "server/domain/scoreboard.h"
#include "storage/case_store.h"

namespace pwx::server {
namespace {

using pwx::v1::Request;
using pwx::v1::RequestEvent;

constexpr int kDefaultPageSize = 50;
constexpr int kMaxPageSize = 500;
constexpr int kActAttempts = 5;

absl::Status NotFound(const std::string& id) {
  return absl::NotFoundError(absl::StrCat("request ", id, " does not exist"));
}

bool IsWeekend(absl::CivilDay d) {
  const absl::Weekday w = absl::GetWeekday(d);
  return w == absl::Weekday::saturday || w == absl::Weekday::sunday;
}

// The action of `step` as an event's action (the rest of `step` ignored).
void CopyAction(const RequestEvent& step, RequestEvent* e) {
  RequestEvent action = step;
  action.clear_author();
  action.clear_author_seq();
  action.clear_lamport();
  action.clear_at();
  action.clear_user();
  action.clear_superseded();
  action.clear_superseded_reason();
  e->MergeFrom(action);
}

// Events as they travel: without what the fold computes.
std::vector<RequestEvent> ForShipping(std::vector<RequestEvent> events) {
  for (RequestEvent& e : events) {
    e.clear_superseded();
    e.clear_superseded_reason();
  }
  return events;
}

}  // namespace

std::string Requests::DateString(absl::CivilDay day) {
  return absl::FormatCivilTime(day);
}

std::string Requests::EventSha256(const RequestEvent& e) {
  RequestEvent plain = e;
  plain.clear_superseded();
  plain.clear_superseded_reason();
  return domain::Sha256Hex(plain.SerializeAsString());
}

WorkingDays WeekdaysOnly() {
  WorkingDays w;
  w.add = [](const std::string&, absl::CivilDay from,
             int n) -> absl::StatusOr<absl::CivilDay> {
    absl::CivilDay d = from;
    while (n > 0) {
      d += 1;
      if (!IsWeekend(d)) --n;
    }
    return d;
  };
  w.between = [](const std::string&, absl::CivilDay from, absl::CivilDay to) {
    int sign = 1;
    if (to < from) {
      std::swap(from, to);
      sign = -1;
    }
    int n = 0;
    for (absl::CivilDay d = from + 1; d <= to; d += 1) {
      if (!IsWeekend(d)) ++n;
    }
    return sign * n;
  };
  w.version = "weekdays-only";
  return w;
}

WorkingDays CalendarWorkingDays(const domain::Calendars* calendars) {
  WorkingDays w;
  w.add = [calendars](const std::string& authority, absl::CivilDay from,
                      int n) -> absl::StatusOr<absl::CivilDay> {
    const domain::WorkingCalendar* c = calendars->For(authority);
    if (c == nullptr) {
      return absl::NotFoundError(
          absl::StrCat("no working-day calendar for ", authority));
    }
    return c->TryAddWorkingDays(from, n);
  };
  w.between = [calendars](const std::string& authority, absl::CivilDay from,
                          absl::CivilDay to) {
    const domain::WorkingCalendar* c = calendars->For(authority);
    if (c != nullptr) {
      absl::StatusOr<int> n = c->TryWorkingDaysBetween(from, to);
      if (n.ok()) return *n;
    }
    return WeekdaysOnly().between(authority, from, to);
  };
  w.version = calendars->version();
  return w;
}

Requests::Requests(RequestsOptions options, storage::KvStore* kv,
                   PeerRegistry* peers, Outbox* outbox,
                   std::function<void(const std::string&)> wake)
    : options_(std::move(options)),
      kv_(kv),
      store_(kv, options_.authority_id),
      peers_(peers),
      outbox_(outbox),
      wake_(std::move(wake)) {
  shipper_ = std::make_unique<RoundRunner>(
      absl::StrCat("request documents of ", options_.authority_id),
      [this] { return ShipContents(); }, options_.content_poll);
}

Requests::~Requests() { shipper_->Stop(); }

absl::Time Requests::Now() const {
  return options_.clock ? options_.clock() : absl::Now();
}

absl::CivilDay Requests::Today() const {
  return absl::ToCivilDay(Now(), absl::UTCTimeZone());
}

absl::Status Requests::CheckPeer(absl::string_view field,
                                 const std::string& authority) const {
  if (peers_->Find(authority) == nullptr) {
    return absl::NotFoundError(absl::StrCat(
        field, ": ", authority, " is not a peer of this node (pwx peer list)"));
  }
  return absl::OkStatus();
}

void Requests::RecordNumber(storage::WriteBatch* batch) {
  const int year = static_cast<int>(Today().year());
  absl::MutexLock lock(&mu_);
  store_.PutLastNumber(year, last_number_[year], batch);
}

absl::StatusOr<std::string> Requests::NextId() {
  const int year = static_cast<int>(Today().year());
  absl::MutexLock lock(&mu_);
  auto it = last_number_.find(year);
  if (it == last_number_.end()) {
    absl::StatusOr<uint64_t> last = store_.LastNumber(year);
    if (!last.ok()) return last.status();
    it = last_number_.emplace(year, *last).first;
  }
  ++it->second;
  return domain::FormatRequestId(options_.authority_id, year, it->second);
}

absl::StatusOr<std::optional<storage::StoredRequest>> Requests::Load(
    const std::string& id, const storage::WriteBatch* batch) const {
  return store_.Get(id, batch);
}

bool Requests::HidesPersonalData(const Request& r) const {
  if (r.requester() == options_.authority_id) return false;
  // On the recipient's side, personal data show once someone here
  // accepted the request (need-to-know), or acknowledged it (an alert is
  // never accepted), and stay shown after a forward.
  for (const RequestEvent& e : r.history()) {
    if ((e.has_accept() || e.has_acknowledge()) && !e.superseded() &&
        e.author() == options_.authority_id) {
      return false;
    }
  }
  return true;
}

void Requests::FillView(Request* r, const std::string& language,
                        bool hide_personal) const {
  const pwx::v1::RequestSide side = domain::SideOf(*r, options_.authority_id);
  r->set_my_side(side);
  if (side == pwx::v1::REQUEST_SIDE_UNSPECIFIED &&
      r->state() != pwx::v1::REQUEST_STATE_DRAFT) {
    r->set_state(pwx::v1::REQUEST_STATE_FORWARDED);
  } else {
    r->set_next_actor(domain::NextActor(*r));
  }
  if (domain::AwaitsAnswer(*r) && side != pwx::v1::REQUEST_SIDE_UNSPECIFIED) {
    absl::StatusOr<absl::CivilDay> due =
        domain::ParseDate("due_date", r->due_date());
    if (due.ok()) {
      const absl::CivilDay today = Today();
      r->set_working_days_left(
          options_.working_days.between(r->recipient(), today, *due));
      r->set_overdue(today > *due);
    }
  }
  if (hide_personal) {
    domain::HidePersonalData(r);
    r->set_personal_data_hidden(true);
  }
  if (options_.question_text) {
    for (pwx::v1::Question& q : *r->mutable_content()->mutable_questions()) {
      if (q.code().empty()) continue;
      std::optional<std::string> text =
          options_.question_text(q.code(), language.empty() ? "en" : language);
      if (text) q.set_catalogue_text(*text);
    }
  }
}

absl::Status Requests::Ship(const std::string& request_id,
                            const std::string& requester,
                            const std::string& peer,
                            const std::vector<RequestEvent>& events,
                            const std::string& user, storage::WriteBatch* batch,
                            std::set<std::string>* woken) const {
  std::shared_ptr<const PeerInfo> info = peers_->Find(peer);
  if (info == nullptr) {
    return absl::FailedPreconditionError(
        absl::StrCat(peer,
                     " is no longer a peer of this node, so nothing reaches "
                     "it: add it again (pwx peer add) to go on with request ",
                     request_id));
  }
  pwx::v1::Event event;
  pwx::v1::RequestEvents* payload = event.mutable_request_events();
  payload->set_request_id(request_id);
  payload->set_requester(requester);
  for (RequestEvent& e : ForShipping(events)) {
    *payload->add_events() = std::move(e);
  }
  if (absl::Status s = outbox_->Queue(*info, event, user, batch); !s.ok()) {
    return s;
  }
  woken->insert(peer);
  return absl::OkStatus();
}

void Requests::Create(const pwx::v1::CreateRequestRequest& request,
                      const std::string& user, RequestCallback done) {
  const std::string& to = request.recipient();
  if (absl::Status s = domain::ValidateAuthorityId("recipient", to); !s.ok()) {
    done(s);
    return;
  }
  if (to == options_.authority_id) {
    done(absl::InvalidArgumentError(
        "recipient: a request goes to another authority than this node's"));
    return;
  }
  if (absl::Status s = CheckPeer("recipient", to); !s.ok()) {
    done(s);
    return;
  }
  pwx::v1::RequestContent content = request.content();
  if (content.language().empty() && options_.user_language) {
    content.set_language(options_.user_language(user));
  }
  for (pwx::v1::Question& q : *content.mutable_questions()) {
    if (!q.text().empty() && q.language().empty()) {
      q.set_language(content.language());
    }
    q.clear_catalogue_text();
  }
  if (absl::Status s = domain::ValidateContent("content", content, false,
                                               options_.has_question);
      !s.ok()) {
    done(s);
    return;
  }
  if (!content.case_id().empty()) {
    absl::StatusOr<std::optional<storage::StoredCase>> c =
        storage::CaseStore(kv_).Get(content.case_id());
    if (!c.ok()) {
      done(c.status());
      return;
    }
    if (!c->has_value()) {
      done(absl::NotFoundError(absl::StrCat(
          "content.case_id: case ", content.case_id(), " does not exist")));
      return;
    }
  }
  InsertDraft(to, std::move(content), user, std::move(done), kActAttempts);
}

void Requests::InsertDraft(std::string to, pwx::v1::RequestContent content,
                           std::string user, RequestCallback done,
                           int attempts_left) {
  absl::StatusOr<std::string> id = NextId();
  if (!id.ok()) {
    done(id.status());
    return;
  }
  auto r = std::make_shared<Request>();
  r->set_id(*id);
  r->set_requester(options_.authority_id);
  r->set_recipient(to);
  *r->mutable_content() = content;
  r->set_state(pwx::v1::REQUEST_STATE_DRAFT);
  storage::WriteBatch batch;
  const std::string bytes = store_.Put(*r, nullptr, &batch);
  RecordNumber(&batch);
  batch.AppendAudit(AuditEntryBytes(ToProtoTime(Now()), options_.authority_id,
                                    user, "request.create", *id,
                                    domain::Sha256Hex(bytes), 0, {to}));
  kv_->WriteAsync(std::move(batch),
                  [this, r, to = std::move(to), content = std::move(content),
                   user = std::move(user), done = std::move(done),
                   attempts_left](absl::Status s) mutable {
                    if (absl::IsAborted(s) && attempts_left > 1) {
                      // The id was taken (the number record lagged): take the
                      // next.
                      InsertDraft(std::move(to), std::move(content),
                                  std::move(user), std::move(done),
                                  attempts_left - 1);
                      return;
                    }
                    if (!s.ok()) {
                      done(s);
                      return;
                    }
                    done(ViewAfterChange(*r, user));
                  });
}

absl::StatusOr<storage::StoredRequest> Requests::LoadExisting(
    const std::string& id) const {
  if (absl::Status s = domain::ValidateRequestId("id", id); !s.ok()) return s;
  absl::StatusOr<std::optional<storage::StoredRequest>> stored = store_.Get(id);
  if (!stored.ok()) return stored.status();
  if (!stored->has_value()) return NotFound(id);
  return **std::move(stored);
}

absl::StatusOr<storage::StoredRequest> Requests::LoadAsSeen(
    const std::string& id, std::optional<uint32_t> expected) const {
  absl::StatusOr<storage::StoredRequest> stored = LoadExisting(id);
  if (!stored.ok()) return stored.status();
  const int now = stored->record.history_size();
  if (expected.has_value() && *expected != static_cast<uint32_t>(now)) {
    return absl::AbortedError(
        absl::StrCat("request ", id, " changed meanwhile: it has ", now,
                     " history entries, not ", *expected, "; show it again"));
  }
  return stored;
}

Request Requests::ViewAfterChange(Request r, const std::string& user) const {
  FillView(&r, options_.user_language ? options_.user_language(user) : "",
           HidesPersonalData(r));
  MarkAvailable(&r);
  return r;
}

void Requests::Get(const std::string& id, const std::string& user,
                   RequestCallback done, const std::string& language) {
  absl::StatusOr<storage::StoredRequest> stored = LoadExisting(id);
  if (!stored.ok()) {
    done(stored.status());
    return;
  }
  auto view = std::make_shared<Request>(stored->record);
  MarkAvailable(view.get());
  const bool hide = HidesPersonalData(*view);
  FillView(view.get(),
           !language.empty()        ? language
           : options_.user_language ? options_.user_language(user)
                                    : "",
           hide);
  if (hide) {
    done(std::move(*view));
    return;
  }
  // Personal data go out only once the record of this read is durable.
  storage::WriteBatch batch;
  batch.AppendAudit(AuditEntryBytes(ToProtoTime(Now()), options_.authority_id,
                                    user, "request.read", id,
                                    domain::Sha256Hex(stored->bytes)));
  batch.set_max_delay(options_.read_entry_delay);
  kv_->WriteAsync(std::move(batch), [view, id, done](absl::Status s) {
    if (!s.ok()) {
      done(absl::Status(s.code(),
                        absl::StrCat("the request.read audit entry of ", id,
                                     " was not stored, so the request is not "
                                     "returned: ",
                                     s.message())));
      return;
    }
    done(std::move(*view));
  });
}

void Requests::Act(const pwx::v1::ActRequest& request, const std::string& user,
                   RequestCallback done) {
  ActOnce(request, user, std::move(done), kActAttempts);
}

void Requests::ActOnce(pwx::v1::ActRequest request, std::string user,
                       RequestCallback done, int attempts_left) {
  const std::string& id = request.id();
  absl::StatusOr<storage::StoredRequest> stored =
      LoadAsSeen(id, request.has_expected_history()
                         ? std::optional<uint32_t>(request.expected_history())
                         : std::nullopt);
  if (!stored.ok()) {
    done(stored.status());
    return;
  }
  const storage::StoredRequest& previous = *stored;
  const Request& current = previous.record;
  const RequestEvent& step = request.step();
  if (step.action_case() == RequestEvent::ACTION_NOT_SET) {
    done(absl::InvalidArgumentError("step: names no action"));
    return;
  }
  if (step.has_attach()) {
    done(absl::InvalidArgumentError(
        "step: an attachment comes with its bytes: upload it "
        "(UploadRequestAttachment, pwx request attach)"));
    return;
  }
  const std::string action = domain::ActionName(step);
  auto next = std::make_shared<Request>(current);
  std::set<std::string> woken;
  storage::WriteBatch batch;
  std::string event_sha256;

  if (current.state() == pwx::v1::REQUEST_STATE_DRAFT ||
      (current.state() == pwx::v1::REQUEST_STATE_WITHDRAWN &&
       current.history().empty())) {
    if (current.state() != pwx::v1::REQUEST_STATE_DRAFT) {
      done(absl::FailedPreconditionError(absl::StrCat(
          "request ", id, " is WITHDRAWN: cannot ", action, " it")));
      return;
    }
    // Only the requester's node holds a draft.
    if (step.has_modify()) {
      pwx::v1::RequestContent content = step.modify().content();
      if (content.kind() == pwx::v1::REQUEST_KIND_UNSPECIFIED) {
        content.set_kind(current.content().kind());
      }
      if (absl::Status s = domain::ValidateContent(
              "modify.content", content, false, options_.has_question);
          !s.ok()) {
        done(s);
        return;
      }
      *next->mutable_content() = std::move(content);
    } else if (step.has_withdraw()) {
      next->set_state(pwx::v1::REQUEST_STATE_WITHDRAWN);
    } else if (step.has_send()) {
      if (absl::Status s = domain::ValidateContent("content", current.content(),
                                                   true, options_.has_question);
          !s.ok()) {
        done(s);
        return;
      }
      RequestEvent e;
      e.set_author(options_.authority_id);
      e.set_author_seq(1);
      e.set_lamport(1);
      *e.mutable_at() = ToProtoTime(Now());
      e.set_user(user);
      *e.mutable_send()->mutable_content() = current.content();
      e.mutable_send()->set_to(current.recipient());
      e.mutable_send()->set_split_from(current.split_from());
      // The draft's attachments go with it, as attach events and contents.
      std::vector<RequestEvent> events = DraftAttachEvents(current, e);
      events.insert(events.begin(), e);
      absl::StatusOr<Request> sent = domain::FoldHistory(id, events);
      if (!sent.ok()) {
        done(sent.status());
        return;
      }
      *next = *std::move(sent);
      if (absl::Status s = Ship(id, options_.authority_id, current.recipient(),
                                events, user, &batch, &woken);
          !s.ok()) {
        done(s);
        return;
      }
      if (absl::Status s =
              PromiseContents(*next, current.recipient(), {}, user, &batch);
          !s.ok()) {
        done(s);
        return;
      }
      event_sha256 = EventSha256(e);
    } else {
      done(absl::FailedPreconditionError(
          absl::StrCat("request ", id, " is DRAFT: send it (pwx request send ",
                       id, ") before you ", action, " it")));
      return;
    }
  } else {
    const pwx::v1::RequestSide side =
        domain::SideOf(current, options_.authority_id);
    if (side == pwx::v1::REQUEST_SIDE_UNSPECIFIED) {
      done(absl::PermissionDeniedError(absl::StrCat(
          "request ", id, " was forwarded to ", current.recipient(),
          ": this node's authority is no longer a party to it")));
      return;
    }
    RequestEvent e = domain::NextEvent(current, options_.authority_id);
    CopyAction(step, &e);
    *e.mutable_at() = ToProtoTime(Now());
    e.set_user(user);
    // What only this node fills in, and its own checks.
    if (e.has_forward()) {
      if (absl::Status s =
              domain::ValidateAuthorityId("forward.to", e.forward().to());
          !s.ok()) {
        done(s);
        return;
      }
      if (absl::Status s = CheckPeer("forward.to", e.forward().to()); !s.ok()) {
        done(s);
        return;
      }
    }
    if (e.has_split()) {
      if (absl::Status s =
              domain::ValidateAuthorityId("split.to", e.split().to());
          !s.ok()) {
        done(s);
        return;
      }
      if (absl::Status s = CheckPeer("split.to", e.split().to()); !s.ok()) {
        done(s);
        return;
      }
      e.mutable_split()->clear_moved();
      for (int i = 0; i < e.split().questions_size(); ++i) {
        const int q = e.split().questions(i);
        if (q >= 0 && q < current.content().questions_size()) {
          *e.mutable_split()->add_moved() = current.content().questions(q);
        }
      }
    }
    if (e.has_modify()) {
      pwx::v1::RequestContent* content = e.mutable_modify()->mutable_content();
      if (content->kind() == pwx::v1::REQUEST_KIND_UNSPECIFIED) {
        content->set_kind(current.content().kind());
      }
      for (pwx::v1::Question& q : *content->mutable_questions()) {
        q.clear_catalogue_text();
      }
      if (absl::Status s = domain::ValidateContent("modify.content", *content,
                                                   true, options_.has_question);
          !s.ok()) {
        done(s);
        return;
      }
    }
    if (e.has_send() || e.has_receive() || e.has_handoff_failed()) {
      done(absl::InvalidArgumentError(absl::StrCat(
          "step: ", action, " is recorded by the node itself, not made")));
      return;
    }
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
    const std::string to = side == pwx::v1::REQUEST_SIDE_REQUESTER
                               ? current.recipient()
                               : current.requester();
    if (absl::Status s =
            Ship(id, current.requester(), to, {e}, user, &batch, &woken);
        !s.ok()) {
      done(s);
      return;
    }
    event_sha256 = EventSha256(e);
  }
  const std::string bytes = store_.Put(*next, &previous, &batch);
  batch.AppendAudit(AuditEntryBytes(
      ToProtoTime(Now()), options_.authority_id, user,
      absl::StrCat("request.", action), id,
      event_sha256.empty() ? domain::Sha256Hex(bytes) : event_sha256));
  kv_->WriteAsync(std::move(batch), [this, request = std::move(request), user,
                                     next, woken, done = std::move(done),
                                     attempts_left](absl::Status s) mutable {
    if (absl::IsAborted(s) && attempts_left > 1) {
      // The other side's event landed meanwhile: check again on what
      // is stored now.
      ActOnce(std::move(request), std::move(user), std::move(done),
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

absl::StatusOr<pwx::v1::ListRequestsResponse> Requests::List(
    const pwx::v1::ListRequestsRequest& request) const {
  storage::RequestQuery q;
  q.box = request.box();
  q.state = request.state();
  q.kind = request.kind();
  q.urgent_only = request.urgent_only();
  if (!request.peer().empty()) {
    if (absl::Status s = domain::ValidateAuthorityId("peer", request.peer());
        !s.ok()) {
      return s;
    }
    q.peer = request.peer();
  }
  if (!pwx::v1::RequestState_IsValid(request.state())) {
    return absl::InvalidArgumentError("state: unknown state");
  }
  if (!pwx::v1::RequestKind_IsValid(request.kind())) {
    return absl::InvalidArgumentError("kind: unknown kind");
  }
  if (request.page_size() < 0 || request.page_size() > kMaxPageSize) {
    return absl::InvalidArgumentError(
        absl::StrCat("page_size: must be 0 to ", kMaxPageSize));
  }
  if (request.due_within_days() < 0 || request.due_within_days() > 366) {
    return absl::InvalidArgumentError(
        "due_within_days: must be 0 to 366 working days");
  }
  const absl::CivilDay today = Today();
  const int within = request.due_within_days();
  if (within > 0) {
    // Both: the overdue, then those due within (a dashboard's one call).
    if (!request.overdue()) q.due_from = DateString(today);
    // An upper bound in calendar days, whichever state's calendar counts:
    // the exact count on the recipient's calendar filters below.
    q.due_before = DateString(today + (within * 7) / 5 + 15);
  } else if (request.overdue()) {
    q.due_before = DateString(today);
  }
  const int page_size =
      request.page_size() == 0 ? kDefaultPageSize : request.page_size();
  pwx::v1::ListRequestsResponse response;
  std::string token = request.page_token();
  // A due-within filter may drop candidates: read on until the page is
  // full or the index ends.
  while (true) {
    absl::StatusOr<storage::RequestPage> page =
        store_.List(q, page_size - response.requests_size(), token);
    if (!page.ok()) return page.status();
    for (Request& r : page->requests) {
      r.clear_history();
      FillView(&r, "", true);
      r.set_personal_data_hidden(false);
      if (within > 0 && r.working_days_left() > within) continue;
      *response.add_requests() = std::move(r);
    }
    token = page->next_page_token;
    if (token.empty() || response.requests_size() >= page_size) break;
  }
  response.set_next_page_token(token);
  return response;
}

absl::StatusOr<pwx::v1::GetStatsResponse> Requests::Stats(
    const pwx::v1::GetStatsRequest& request) const {
  const absl::CivilDay today = Today();
  domain::ScorePeriod period{today - 365, today};
  if (!request.from().empty()) {
    absl::StatusOr<absl::CivilDay> from =
        domain::ParseDate("from", request.from());
    if (!from.ok()) return from.status();
    period.from = *from;
  }
  if (!request.to().empty()) {
    absl::StatusOr<absl::CivilDay> to = domain::ParseDate("to", request.to());
    if (!to.ok()) return to.status();
    period.to = *to;
  }
  if (period.to < period.from) {
    return absl::InvalidArgumentError("to: must not be before from");
  }
  if (period.to - period.from > 366 * 10) {
    return absl::InvalidArgumentError("from: a period of at most ten years");
  }
  if (!request.peer().empty()) {
    if (absl::Status s = domain::ValidateAuthorityId("peer", request.peer());
        !s.ok()) {
      return s;
    }
  }
  // Through the index of send days: only the period's requests are read.
  absl::StatusOr<std::vector<Request>> requests =
      store_.SentBetween(DateString(period.from), DateString(period.to));
  if (!requests.ok()) return requests.status();
  pwx::v1::GetStatsResponse response =
      domain::ComputeScoreboard(options_.authority_id, *requests, period,
                                std::string_view(request.peer()), Now());
  return response;
}

absl::StatusOr<std::vector<std::string>> Requests::ForCase(
    const std::string& case_id) const {
  return store_.ForCase(case_id);
}

}  // namespace pwx::server
