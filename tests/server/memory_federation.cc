#include "tests/server/memory_federation.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "pwx/v1/audit.pb.h"
#include "storage/audit_log.h"
#include "storage/memory_store.h"

namespace pwx::server::fed_testing {
namespace {

// Runs an asynchronous call and waits for its result.
template <typename T, typename Call>
T Await(Call call) {
  absl::Notification done;
  T result = absl::UnknownError("no answer");
  call([&](T r) {
    result = std::move(r);
    done.Notify();
  });
  done.WaitForNotification();
  return result;
}

}  // namespace

absl::Status RecordingHandler::Apply(const pwx::v1::Event& event,
                                     const std::string& /*sender*/,
                                     storage::WriteBatch* batch) const {
  const pwx::v1::Case& c = event.case_shared().case_();
  if (c.id().empty()) {
    return absl::InvalidArgumentError("case.id: is required");
  }
  batch->Put(storage::Column::kCases, c.id(), absl::StrCat(c.version()));
  return absl::OkStatus();
}

MemoryTransport::~MemoryTransport() {
  Shutdown();
  std::vector<std::thread> hung;
  {
    absl::MutexLock lock(&mu_);
    hung.swap(hung_);
  }
  for (std::thread& t : hung) t.join();
}

// Guards every node map: a node leaves its map when it is destroyed, while
// other nodes' dispatchers may be delivering to it. Held (shared) for the
// whole of a delivery's hand-over, so a node is never destroyed under one.
absl::Mutex& NodesMutex() {
  static absl::Mutex* const mu = new absl::Mutex;
  return *mu;
}

void MemoryTransport::Deliver(const PeerInfo& peer,
                              const pwx::v1::DeliverRequest& request,
                              pwx::v1::DeliverResponse* response,
                              absl::Time deadline,
                              std::function<void(absl::Status)> done) {
  absl::ReaderMutexLock nodes(&NodesMutex());
  auto it = nodes_->find(peer.authority());
  MemoryNode* to = it == nodes_->end() ? nullptr : it->second;
  if (to == nullptr || to->down()) {
    done(absl::UnavailableError(absl::StrCat(peer.authority(), " is down")));
    return;
  }
  if (to->hang()) {
    // Accepts and never answers: the deadline ends the call.
    absl::MutexLock lock(&mu_);
    hung_.emplace_back([this, deadline, done = std::move(done)] {
      absl::MutexLock lock(&mu_);
      mu_.AwaitWithDeadline(absl::Condition(&shut_down_), deadline);
      done(shut_down_ ? absl::CancelledError("stopping")
                      : absl::DeadlineExceededError("Deadline Exceeded"));
    });
    return;
  }
  to->Receive(self_, request, response, std::move(done));
}

void MemoryTransport::Shutdown() {
  absl::MutexLock lock(&mu_);
  shut_down_ = true;
}

MemoryNode::MemoryNode(std::string id,
                       std::map<std::string, MemoryNode*>* nodes,
                       MemoryNodeOptions options)
    : id_(std::move(id)),
      nodes_(nodes),
      options_(options),
      ca_(::pwx::testing::TestCa::Create(id_)),
      keys_(ca_.IssueNode(id_)) {
  {
    absl::WriterMutexLock nodes(&NodesMutex());
    (*nodes_)[id_] = this;
  }
  Start();
}

MemoryNode::~MemoryNode() {
  {
    absl::WriterMutexLock nodes(&NodesMutex());
    if (auto it = nodes_->find(id_);
        it != nodes_->end() && it->second == this) {
      nodes_->erase(it);
    }
  }
  absl::WriterMutexLock lock(&life_);
  Stop();
}

void MemoryNode::Start(bool keep_store) {
  if (!keep_store) {
    auto measured = std::make_unique<::pwx::testing::MeasuredStore>(
        storage::NewMemoryStore());
    measured_ = measured.get();
    kv_ = std::move(measured);
  }
  fed_ = *storage::FederationStore::Open(kv_.get());
  peers_ = *PeerRegistry::Open(kv_.get(), fed_.get(), id_, {});
  TreeHeadSignerOptions head_options;
  head_options.authority_id = id_;
  head_options.sign_interval = absl::Milliseconds(50);
  head_options.certificate_pem = keys_.cert_pem;
  head_options.key_pem = keys_.key_pem;
  heads_ = *TreeHeadSigner::Open(kv_.get(), head_options);
  signer_ = *domain::Signer::FromPem(keys_.key_pem);
  handlers_.Add(&handler_);
  OutboxOptions outbox_options;
  outbox_options.authority_id = id_;
  outbox_options.max_batch = 100;
  outbox_options.keep_delivered = options_.keep_delivered;
  outbox_options.max_queued_per_peer = options_.max_queued_per_peer;
  outbox_ = std::make_unique<Outbox>(outbox_options, kv_.get(), fed_.get(),
                                     &handlers_, signer_.get());
  transport_ = std::make_unique<MemoryTransport>(id_, nodes_);
  DispatcherOptions dispatcher_options;
  dispatcher_options.retry_initial = absl::Milliseconds(10);
  dispatcher_options.retry_max = absl::Milliseconds(100);
  dispatcher_options.call_timeout = options_.call_timeout;
  // The handler is registered before the dispatcher's threads start, since
  // they read the handlers.
  RequestsOptions requests_options;
  requests_options.authority_id = id_;
  if (options_.clock) requests_options.clock = options_.clock;
  requests_ = std::make_unique<Requests>(
      std::move(requests_options), kv_.get(), peers_.get(), outbox_.get(),
      [this](const std::string& peer) {
        if (OutboxDispatcher* d = wake_target_.load(); d != nullptr) {
          d->Wake(peer);
        }
      });
  handlers_.Add(requests_.get());
  handlers_.Add(requests_->content_handler());
  PlansOptions plans_options;
  plans_options.authority_id = id_;
  plans_ = std::make_unique<Plans>(
      std::move(plans_options), kv_.get(), peers_.get(), outbox_.get(),
      [this](const std::string& peer) {
        if (OutboxDispatcher* d = wake_target_.load(); d != nullptr) {
          d->Wake(peer);
        }
      });
  handlers_.Add(plans_.get());
  outbox_->OnRepaired([plans = plans_.get()](const std::string& peer) {
    plans->ResendOpenPlans(peer);
  });
  dispatcher_ = std::make_unique<OutboxDispatcher>(
      dispatcher_options, outbox_.get(), peers_.get(), transport_.get());
  wake_target_ = dispatcher_.get();
  InboxOptions inbox_options;
  inbox_options.authority_id = id_;
  inbox_options.quota_events_per_hour = options_.quota_events_per_hour;
  inbox_options.quota_bytes_per_hour = options_.quota_bytes_per_hour;
  if (options_.clock) inbox_options.clock = options_.clock;
  inbox_ =
      std::make_unique<Inbox>(std::move(inbox_options), kv_.get(), fed_.get(),
                              &handlers_, heads_.get(), signer_.get());
  plans_->CatchUpAll().IgnoreError();
}

void MemoryNode::Stop(bool keep_store) {
  wake_target_ = nullptr;
  dispatcher_->Stop();
  inbox_->Stop();
  requests_.reset();
  plans_.reset();
  dispatcher_.reset();
  transport_.reset();
  inbox_.reset();
  outbox_.reset();
  heads_->Stop().IgnoreError();
  heads_.reset();
  peers_.reset();
  fed_.reset();
  if (!keep_store) kv_.reset();
}

void MemoryNode::Restart() {
  absl::WriterMutexLock lock(&life_);
  Stop(/*keep_store=*/true);
  Start(/*keep_store=*/true);
}

void MemoryNode::Receive(const std::string& from,
                         const pwx::v1::DeliverRequest& request,
                         pwx::v1::DeliverResponse* response,
                         std::function<void(absl::Status)> done) {
  absl::ReaderMutexLock lock(&life_);
  std::shared_ptr<const PeerInfo> sender = peers_->Find(from);
  if (sender == nullptr) {
    done(absl::PermissionDeniedError(
        absl::StrCat(from, " is not a peer of ", id_)));
    return;
  }
  if (!sender->active()) {
    done(absl::UnavailableError(absl::StrCat(from, " is suspended on ", id_)));
    return;
  }
  inbox_->Deliver(
      from, *sender->signing_key, request, response,
      [sender, done = std::move(done)](absl::Status s) { done(std::move(s)); });
}

void MemoryNode::Restore() {
  absl::WriterMutexLock lock(&life_);
  Stop();
  Start();
}

pwx::v1::IdentityCard MemoryNode::Card() const {
  pwx::v1::IdentityCard card;
  card.set_authority_id(id_);
  card.set_federation_endpoint("127.0.0.1:1");
  card.set_ca_certificate_pem(ca_.cert_pem());
  card.set_signing_certificate_pem(keys_.cert_pem);
  return card;
}

absl::Status MemoryNode::AddPeer(const pwx::v1::IdentityCard& card) {
  return Await<absl::StatusOr<pwx::v1::Peer>>(
             [&](auto done) { peers_->Add(card, "carol", done); })
      .status();
}

absl::Status MemoryNode::UpdatePeer(const pwx::v1::IdentityCard& card) {
  return Await<absl::StatusOr<pwx::v1::Peer>>(
             [&](auto done) { peers_->Update(card, "carol", done); })
      .status();
}

absl::StatusOr<uint64_t> MemoryNode::RemovePeer(const std::string& peer) {
  return Await<absl::StatusOr<uint64_t>>(
      [&](auto done) { peers_->Remove(peer, "carol", done); });
}

absl::Status MemoryNode::Queue(const std::string& peer,
                               const std::string& case_id, uint64_t version) {
  std::shared_ptr<const PeerInfo> info = peers_->Find(peer);
  if (info == nullptr) return absl::NotFoundError(peer);
  pwx::v1::Event event;
  event.mutable_case_shared()->mutable_case_()->set_id(case_id);
  event.mutable_case_shared()->mutable_case_()->set_version(version);
  storage::WriteBatch batch;
  if (absl::Status s = outbox_->Queue(*info, event, "alice", &batch); !s.ok()) {
    return s;
  }
  if (absl::Status s = kv_->Write(std::move(batch)); !s.ok()) return s;
  dispatcher_->Wake(peer);
  return absl::OkStatus();
}

absl::StatusOr<pwx::v1::LinkRepairResponse> MemoryNode::Resend(
    const std::string& peer, uint64_t from) {
  auto r = Await<absl::StatusOr<pwx::v1::LinkRepairResponse>>(
      [&](auto done) { outbox_->Resend(peer, from, "carol", done); });
  dispatcher_->Wake(peer);
  return r;
}

absl::StatusOr<pwx::v1::LinkRepairResponse> MemoryNode::Skip(
    const std::string& peer, uint64_t to) {
  auto r = Await<absl::StatusOr<pwx::v1::LinkRepairResponse>>(
      [&](auto done) { outbox_->Skip(peer, to, "carol", done); });
  dispatcher_->Wake(peer);
  return r;
}

pwx::v1::PeerHealth MemoryNode::Health(const std::string& peer) {
  std::shared_ptr<const PeerInfo> info = peers_->Find(peer);
  pwx::v1::Peer record;
  if (info != nullptr) {
    record = info->peer;
  } else {
    record.mutable_card()->set_authority_id(peer);
  }
  return dispatcher_->Health(record);
}

uint64_t MemoryNode::Applied(const std::string& case_id) const {
  absl::StatusOr<std::optional<std::string>> v =
      kv_->Get(storage::Column::kCases, case_id);
  uint64_t version = 0;
  if (v.ok() && v->has_value()) {
    version = std::stoull(**v);
  }
  return version;
}

uint64_t MemoryNode::LastApplied(const std::string& sender) const {
  absl::StatusOr<uint64_t> last = fed_->LastApplied(sender);
  return last.ok() ? *last : 0;
}

std::vector<std::string> MemoryNode::AuditActions() const {
  storage::AuditLog log(kv_.get());
  std::vector<std::string> actions;
  absl::StatusOr<uint64_t> size = log.Size();
  if (!size.ok()) return actions;
  absl::StatusOr<std::vector<std::string>> entries = log.Entries(0, *size);
  if (!entries.ok()) return actions;
  for (const std::string& bytes : *entries) {
    pwx::v1::AuditEntry entry;
    entry.ParseFromString(bytes);
    actions.push_back(entry.action());
  }
  return actions;
}

int MemoryNode::Count(const std::string& action) const {
  int n = 0;
  for (const std::string& a : AuditActions()) n += a == action ? 1 : 0;
  return n;
}

uint64_t MemoryNode::CountSum(const std::string& action) const {
  storage::AuditLog log(kv_.get());
  uint64_t sum = 0;
  absl::StatusOr<uint64_t> size = log.Size();
  if (!size.ok()) return 0;
  absl::StatusOr<std::vector<std::string>> entries = log.Entries(0, *size);
  if (!entries.ok()) return 0;
  for (const std::string& bytes : *entries) {
    pwx::v1::AuditEntry entry;
    entry.ParseFromString(bytes);
    if (entry.action() == action) sum += entry.count();
  }
  return sum;
}

}  // namespace pwx::server::fed_testing
