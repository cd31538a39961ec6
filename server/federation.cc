#include "server/federation.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <random>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "google/protobuf/util/time_util.h"
#include "server/audit_trail.h"
#include "server/domain/digest.h"
#include "server/domain/envelope.h"
#include "server/domain/merkle.h"
#include "server/rpc_util.h"

namespace pwx::server {
namespace {

using google::protobuf::util::TimeUtil;

absl::Time FromProto(const google::protobuf::Timestamp& t) {
  return absl::FromUnixNanos(TimeUtil::TimestampToNanoseconds(t));
}

std::string Sha256Bytes(absl::string_view data) {
  const std::array<uint8_t, 32> digest = domain::Sha256({data});
  return std::string(reinterpret_cast<const char*>(digest.data()),
                     digest.size());
}

// OK when `head` is signed by `key` for `authority`.
absl::Status VerifyTreeHead(const pwx::v1::SignedTreeHead& head,
                            absl::string_view authority,
                            const domain::Verifier& key) {
  if (head.authority_id() != authority) {
    return absl::PermissionDeniedError(absl::StrCat(
        "tree head of \"", head.authority_id(), "\", not of ", authority));
  }
  if (!key.Verify(domain::TreeHeadSigningInput(head.authority_id(),
                                               head.tree_size(),
                                               head.root_hash(),
                                               FromProto(head.timestamp())),
                  head.signature())
           .ok()) {
    return absl::PermissionDeniedError(absl::StrCat(
        "the tree head of ", authority, " does not verify with its signing "
                                        "certificate"));
  }
  return absl::OkStatus();
}

// A delay around `base`: half to one and a half times, so that peers that
// failed together do not retry together.
absl::Duration Jitter(absl::Duration base) {
  thread_local std::mt19937_64 rng(std::random_device{}());
  std::uniform_real_distribution<double> factor(0.5, 1.5);
  return base * factor(rng);
}

}  // namespace

struct Federation::Dispatcher {
  std::string peer;
  bool wake = false;               // guarded by Federation::mu_
  grpc::ClientContext* in_flight = nullptr;  // guarded by Federation::mu_
  std::thread thread;
  // Dispatcher thread only.
  std::string channel_key;
  std::unique_ptr<pwx::v1::FederationService::Stub> stub;
};

Federation::Federation(FederationOptions options, storage::KvStore* kv,
                       storage::FederationStore* fed, PeerRegistry* peers,
                       CaseManager* cases, TreeHeadSigner* heads,
                       const domain::Signer* signer)
    : options_(std::move(options)),
      kv_(kv),
      fed_(fed),
      peers_(peers),
      cases_(cases),
      heads_(heads),
      signer_(signer),
      log_(kv) {
  worker_ = std::thread([this] { RunWorker(); });
  peers_->OnChange([this](const std::string& peer) { Wake(peer); });
  for (const pwx::v1::Peer& peer : peers_->List()) {
    Wake(peer.card().authority_id());
  }
}

Federation::~Federation() { Stop(); }

void Federation::Stop() {
  std::vector<std::thread> threads;
  {
    absl::MutexLock lock(&mu_);
    if (stopping_) return;
    stopping_ = true;
    for (auto& [peer, d] : dispatchers_) {
      if (d->in_flight != nullptr) d->in_flight->TryCancel();
      threads.push_back(std::move(d->thread));
    }
  }
  for (std::thread& t : threads) t.join();
  {
    // Inbound calls finish their writes and answers before the store goes.
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(
        +[](int* n) { return *n == 0; }, &inbound_));
  }
  Post(nullptr);  // ends the worker
  worker_.join();
}

void Federation::Post(std::function<void()> task) {
  absl::MutexLock lock(&mu_);
  tasks_.push_back(std::move(task));
}

void Federation::RunWorker() {
  while (true) {
    std::function<void()> task;
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(
          +[](std::deque<std::function<void()>>* q) { return !q->empty(); },
          &tasks_));
      task = std::move(tasks_.front());
      tasks_.pop_front();
    }
    if (!task) return;
    task();
  }
}

void Federation::Wake(const std::string& peer) {
  absl::MutexLock lock(&mu_);
  if (stopping_) return;
  auto [it, added] = dispatchers_.try_emplace(peer);
  if (added) {
    it->second = std::make_unique<Dispatcher>();
    it->second->peer = peer;
    Dispatcher* d = it->second.get();
    d->thread = std::thread([this, d] { RunDispatcher(d); });
  }
  it->second->wake = true;
}

void Federation::RecordProgress(const std::string& peer,
                                const absl::Status& status) {
  absl::MutexLock lock(&mu_);
  Progress& p = progress_[peer];
  if (status.ok()) {
    p.last_success = absl::Now();
    p.last_error.clear();
  } else {
    p.last_error = status.ToString();
    p.last_error_time = absl::Now();
  }
}

void Federation::RunDispatcher(Dispatcher* d) {
  absl::Duration backoff = options_.retry_initial;
  auto wait = [this, d](absl::Duration timeout, bool wakeable) {
    absl::MutexLock lock(&mu_);
    struct Args {
      Federation* self;
      Dispatcher* d;
      bool wakeable;
    } args{this, d, wakeable};
    mu_.AwaitWithTimeout(
        absl::Condition(
            +[](Args* a) ABSL_NO_THREAD_SAFETY_ANALYSIS {
              return a->self->stopping_ || (a->wakeable && a->d->wake);
            },
            &args),
        timeout);
    d->wake = false;
    return stopping_;
  };
  while (true) {
    {
      absl::MutexLock lock(&mu_);
      if (stopping_) return;
      d->wake = false;
    }
    std::shared_ptr<const PeerInfo> info = peers_->Find(d->peer);
    if (info == nullptr || !info->active()) {
      // Removed or suspended: nothing goes out until it changes.
      if (wait(absl::Seconds(1), true)) return;
      continue;
    }
    absl::Status status = StampPending(d->peer);
    absl::StatusOr<bool> sent = false;
    if (status.ok()) {
      sent = DeliverQueued(d, *info);
      status = sent.status();
    }
    if (!status.ok()) {
      RecordProgress(d->peer, status);
      spdlog::warn("federation: delivery to {} failed, retrying in ~{}: {}",
                   d->peer, absl::FormatDuration(backoff), status.ToString());
      if (wait(Jitter(backoff), false)) return;
      backoff = std::min(backoff * 2, options_.retry_max);
      continue;
    }
    backoff = options_.retry_initial;
    if (*sent) continue;  // there may be more
    if (wait(absl::Seconds(1), true)) return;
  }
}

absl::Status Federation::StampPending(const std::string& peer) {
  absl::StatusOr<std::vector<storage::OutboxEntry>> pending =
      fed_->Pending(peer, options_.max_batch);
  if (!pending.ok()) return pending.status();
  if (pending->empty()) return absl::OkStatus();
  absl::StatusOr<uint64_t> last = fed_->LastStamped(peer);
  if (!last.ok()) return last.status();
  uint64_t sequence = *last;
  const google::protobuf::Timestamp now = ToProtoTime(absl::Now());
  for (storage::OutboxEntry& e : *pending) {
    ++sequence;
    pwx::v1::EnvelopeBody body;
    body.set_message_id(
        domain::EnvelopeMessageId(options_.authority_id, peer, sequence));
    body.set_sender(options_.authority_id);
    body.set_recipient(peer);
    body.set_sequence(sequence);
    *body.mutable_sent() = now;
    *body.mutable_event() = e.item.event();
    absl::StatusOr<pwx::v1::Envelope> envelope =
        domain::SealEnvelope(body, *signer_);
    if (!envelope.ok()) return envelope.status();
    e.item.set_sequence(sequence);
    *e.item.mutable_envelope() = *std::move(envelope);
  }
  storage::WriteBatch batch;
  fed_->Stamp(peer, *pending, *last, &batch);
  return kv_->Write(std::move(batch));
}

absl::StatusOr<bool> Federation::DeliverQueued(Dispatcher* d,
                                               const PeerInfo& peer) {
  absl::StatusOr<std::vector<storage::OutboxEntry>> queued =
      fed_->Queued(d->peer, 0, options_.max_batch);
  if (!queued.ok()) return queued.status();
  if (queued->empty()) return false;

  const pwx::v1::IdentityCard& card = peer.peer.card();
  const std::string key = absl::StrCat(card.federation_endpoint(), "\n",
                                       card.ca_certificate_pem());
  if (d->stub == nullptr || d->channel_key != key) {
    // One long-lived channel per peer: TLS handshakes only on connect.
    grpc::SslCredentialsOptions tls;
    tls.pem_root_certs = card.ca_certificate_pem();
    tls.pem_private_key = options_.key_pem;
    tls.pem_cert_chain = options_.cert_pem;
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, 30'000);
    args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 10'000);
    args.SetMaxSendMessageSize(-1);
    d->stub = pwx::v1::FederationService::NewStub(grpc::CreateCustomChannel(
        card.federation_endpoint(), grpc::SslCredentials(tls), args));
    d->channel_key = key;
  }

  absl::StatusOr<std::optional<pwx::v1::SignedTreeHead>> known =
      fed_->PeerHead(d->peer);
  if (!known.ok()) return known.status();
  // Calls stay well below the 4 MiB that receivers accept by default.
  constexpr size_t kMaxRequestBytes = size_t{2} << 20;
  pwx::v1::DeliverRequest request;
  size_t bytes = 0;
  size_t count = 0;
  for (const storage::OutboxEntry& e : *queued) {
    bytes += e.item.envelope().ByteSizeLong();
    if (count > 0 && bytes > kMaxRequestBytes) break;
    *request.add_envelopes() = e.item.envelope();
    ++count;
  }
  queued->resize(count);
  if (known->has_value()) request.set_known_tree_size((*known)->tree_size());

  pwx::v1::DeliverResponse response;
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + options_.call_timeout));
  {
    absl::MutexLock lock(&mu_);
    if (stopping_) return absl::CancelledError("stopping");
    d->in_flight = &context;
  }
  grpc::Status rpc;
  absl::Notification answered;
  d->stub->async()->Deliver(&context, &request, &response,
                            [&rpc, &answered](grpc::Status s) {
                              rpc = std::move(s);
                              answered.Notify();
                            });
  // While the peer works, seal the next batch: signing and verifying then
  // overlap instead of taking turns.
  if (absl::Status s = StampPending(d->peer); !s.ok()) {
    spdlog::warn("federation: cannot stamp envelopes for {}: {}", d->peer,
                 s.ToString());
  }
  answered.WaitForNotification();
  {
    absl::MutexLock lock(&mu_);
    d->in_flight = nullptr;
  }
  if (!rpc.ok()) {
    return absl::Status(static_cast<absl::StatusCode>(rpc.error_code()),
                        absl::StrCat(d->peer, " answered: ",
                                     rpc.error_message()));
  }

  // The receipts must be the peer's, for exactly what was sent.
  if (absl::Status s =
          domain::VerifyReceipts(response, d->peer, *peer.signing_key);
      !s.ok()) {
    return s;
  }
  if (response.receipts_size() != request.envelopes_size()) {
    return absl::DataLossError(absl::StrCat(
        d->peer, " receipted ", response.receipts_size(), " of ",
        request.envelopes_size(), " envelopes"));
  }
  uint64_t highest_index = 0;
  for (int i = 0; i < response.receipts_size(); ++i) {
    const pwx::v1::Receipt& r = response.receipts(i);
    const pwx::v1::OutboxItem& item = (*queued)[static_cast<size_t>(i)].item;
    if (r.sequence() != item.sequence() ||
        r.message_id() != domain::EnvelopeMessageId(options_.authority_id,
                                                     d->peer, item.sequence()) ||
        r.body_sha256() != Sha256Bytes(item.envelope().body())) {
      return absl::DataLossError(absl::StrCat(
          d->peer, "'s receipt ", i, " is not for envelope ", item.sequence()));
    }
    highest_index = std::max(highest_index, r.audit_index());
  }
  const pwx::v1::SignedTreeHead& head = response.tree_head();
  if (absl::Status s = VerifyTreeHead(head, d->peer, *peer.signing_key);
      !s.ok()) {
    return s;
  }
  if (head.tree_size() <= highest_index) {
    return absl::DataLossError(absl::StrCat(
        d->peer, "'s tree head of ", head.tree_size(),
        " entries does not cover its receipts"));
  }
  // The peer's log must extend the one it showed before.
  bool consistent = true;
  std::string fork;
  if (known->has_value()) {
    const pwx::v1::SignedTreeHead& old = **known;
    if (absl::Status s = domain::CheckConsistentHead(
            old, head, response.consistency_proof());
        !s.ok()) {
      consistent = false;
      fork = absl::StrCat("the log of ", d->peer, " at ", head.tree_size(),
                          " entries is not consistent with its head at ",
                          old.tree_size(), " entries: ", s.message());
      spdlog::error("federation: {}; its receipts are kept as evidence", fork);
    }
  }

  storage::WriteBatch batch;
  fed_->Ack(d->peer, queued->front().item.sequence(),
            queued->back().item.sequence(), response, &batch);
  if (consistent) fed_->PutPeerHead(d->peer, head, &batch);
  const google::protobuf::Timestamp now = ToProtoTime(absl::Now());
  for (int i = 0; i < response.receipts_size(); ++i) {
    const pwx::v1::Receipt& r = response.receipts(i);
    const pwx::v1::Event& event =
        (*queued)[static_cast<size_t>(i)].item.event();
    std::vector<std::string> objects;
    if (event.has_case_shared()) objects.push_back(event.case_shared().case_().id());
    batch.AppendAudit(AuditEntryBytes(
        now, options_.authority_id, "node", "envelope.receipt", r.message_id(),
        absl::BytesToHexString(r.body_sha256()), 0, objects));
  }
  if (!consistent) {
    batch.AppendAudit(AuditEntryBytes(now, options_.authority_id, "node",
                                      "peer.fork", d->peer,
                                      domain::Sha256Hex(head.SerializeAsString())));
  }
  if (absl::Status s = kv_->Write(std::move(batch)); !s.ok()) return s;
  if (!consistent) {
    RecordProgress(d->peer, absl::DataLossError(fork));
  } else {
    RecordProgress(d->peer, absl::OkStatus());
  }
  return true;
}

void Federation::ShareCase(const std::string& case_id, const std::string& peer,
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
  pwx::v1::OutboxItem item;
  *item.mutable_event()->mutable_case_shared() = shareable->event;
  *item.mutable_queued() = ToProtoTime(absl::Now());
  item.set_queued_by(user);
  // Room for the envelope's other fields.
  if (item.event().ByteSizeLong() + 4096 > domain::kMaxEnvelopeBodyBytes) {
    done(absl::FailedPreconditionError(absl::StrCat(
        "case ", case_id, " is too large to share (",
        item.event().ByteSizeLong(), " bytes)")));
    return;
  }
  const uint64_t version = shareable->event.case_().version();
  storage::WriteBatch batch;
  fed_->RequirePeer(peer, info->stored_bytes, &batch);
  fed_->Enqueue(peer, item, &batch);
  batch.AppendAudit(AuditEntryBytes(item.queued(), options_.authority_id, user,
                                    "case.share", case_id,
                                    shareable->content_sha256, 0, {peer}));
  kv_->WriteAsync(std::move(batch), [this, peer, version, case_id,
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
    Wake(peer);
    pwx::v1::ShareCaseResponse response;
    response.set_version(version);
    done(std::move(response));
  });
}

pwx::v1::PeerHealth Federation::Health(const pwx::v1::Peer& peer) const {
  const std::string& id = peer.card().authority_id();
  pwx::v1::PeerHealth health;
  *health.mutable_peer() = peer;
  if (absl::StatusOr<storage::OutboxStats> stats = fed_->Stats(id);
      stats.ok()) {
    health.set_queued(stats->pending + stats->queued);
    if (stats->oldest != absl::InfiniteFuture()) {
      const absl::Duration lag = absl::Now() - stats->oldest;
      health.mutable_lag()->set_seconds(absl::ToInt64Seconds(lag));
      health.mutable_lag()->set_nanos(static_cast<int32_t>(
          absl::ToInt64Nanoseconds(lag - absl::Seconds(absl::ToInt64Seconds(lag)))));
    }
  }
  if (absl::StatusOr<uint64_t> last = fed_->LastStamped(id); last.ok()) {
    health.set_last_sequence(*last);
    health.set_acked_sequence(*last);
    absl::StatusOr<std::vector<storage::OutboxEntry>> first =
        fed_->Queued(id, 0, 1);
    if (first.ok() && !first->empty()) {
      health.set_acked_sequence(first->front().item.sequence() - 1);
    }
  }
  if (absl::StatusOr<uint64_t> received = fed_->LastApplied(id);
      received.ok()) {
    health.set_received_sequence(*received);
  }
  absl::MutexLock lock(&mu_);
  if (auto it = progress_.find(id); it != progress_.end()) {
    if (it->second.last_success != absl::InfinitePast()) {
      *health.mutable_last_success() = ToProtoTime(it->second.last_success);
    }
    health.set_last_error(it->second.last_error);
    if (it->second.last_error_time != absl::InfinitePast()) {
      *health.mutable_last_error_time() =
          ToProtoTime(it->second.last_error_time);
    }
  }
  return health;
}

grpc::ServerUnaryReactor* Federation::Deliver(
    grpc::CallbackServerContext* context,
    const pwx::v1::DeliverRequest* request,
    pwx::v1::DeliverResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  auto log = std::make_shared<CallLog>("Deliver", "");
  auto finish = [reactor, log](const absl::Status& status) {
    log->Finish(status);
    reactor->Finish(ToGrpcStatus(status));
    return reactor;
  };
  std::string cert_pem;
  if (std::shared_ptr<const grpc::AuthContext> auth = context->auth_context()) {
    std::vector<grpc::string_ref> certs =
        auth->FindPropertyValues("x509_pem_cert");
    if (!certs.empty()) cert_pem.assign(certs.front().data(), certs.front().size());
  }
  absl::StatusOr<std::string> sender = peers_->Authenticate(cert_pem);
  if (!sender.ok()) {
    spdlog::warn("federation: refused a delivery from {}: {}", context->peer(),
                 sender.status().ToString());
    return finish(sender.status());
  }
  log->set_object(*sender);
  std::shared_ptr<const PeerInfo> peer = peers_->Find(*sender);
  if (peer == nullptr) {
    return finish(absl::PermissionDeniedError(
        absl::StrCat(*sender, " is not a peer of this node")));
  }
  if (request->envelopes_size() == 0) {
    return finish(absl::InvalidArgumentError("envelopes: none sent"));
  }
  absl::StatusOr<uint64_t> last = fed_->LastApplied(*sender);
  if (!last.ok()) return finish(last.status());

  // Verifying signatures is most of the work: two threads share it.
  const int n = request->envelopes_size();
  std::vector<absl::StatusOr<pwx::v1::EnvelopeBody>> opened(
      static_cast<size_t>(n), absl::UnknownError("not opened"));
  auto open = [&](int from, int to) {
    for (int i = from; i < to; ++i) {
      opened[static_cast<size_t>(i)] =
          domain::OpenEnvelope(request->envelopes(i), *sender,
                               options_.authority_id, *peer->signing_key);
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
  // For each receipt, the position of its envelope.receive entry among the
  // batch's audit entries; -1 for envelopes applied before.
  auto entry_of_receipt = std::make_shared<std::vector<int>>();
  int entries = 0;
  for (int i = 0; i < n; ++i) {
    absl::StatusOr<pwx::v1::EnvelopeBody>& body =
        opened[static_cast<size_t>(i)];
    if (!body.ok()) {
      spdlog::warn("federation: refused envelope {} of a delivery from {}: {}",
                   i, *sender, body.status().ToString());
      return finish(body.status());
    }
    const uint64_t sequence = body->sequence();
    if (sequence <= *last) {
      // Delivered before: answer with the first receipt, apply nothing.
      absl::StatusOr<std::optional<pwx::v1::Receipt>> earlier =
          fed_->Received(body->message_id());
      if (!earlier.ok()) return finish(earlier.status());
      if (!earlier->has_value()) {
        return finish(absl::DataLossError(absl::StrCat(
            "no receipt of ", body->message_id(), ", applied before")));
      }
      pwx::v1::Receipt receipt = **earlier;
      receipt.set_duplicate(true);
      *response->add_receipts() = std::move(receipt);
      entry_of_receipt->push_back(-1);
      continue;
    }
    if (sequence <= next) {
      return finish(absl::InvalidArgumentError(absl::StrCat(
          "envelopes[", i, "]: repeats sequence ", sequence)));
    }
    if (sequence != next + 1) {
      return finish(absl::FailedPreconditionError(absl::StrCat(
          "envelope.body.sequence: ", sequence, " from ", *sender,
          " leaves a gap: expected ", next + 1)));
    }
    std::vector<std::string> objects;
    const pwx::v1::Event& event = body->event();
    std::string content;
    if (event.has_case_shared()) {
      absl::StatusOr<std::string> stored =
          cases_->PutSharedCopy(event.case_shared().case_(), *sender, &batch);
      if (!stored.ok()) {
        spdlog::warn("federation: refused envelope {} from {}: {}",
                     body->message_id(), *sender, stored.status().ToString());
        return finish(stored.status());
      }
      objects.push_back(event.case_shared().case_().id());
    } else {
      return finish(absl::InvalidArgumentError(
          absl::StrCat("envelope.body.event: payload ",
                       static_cast<int>(event.payload_case()),
                       " is not understood by this node")));
    }
    pwx::v1::Receipt receipt;
    receipt.set_message_id(body->message_id());
    receipt.set_sender(*sender);
    receipt.set_sequence(sequence);
    receipt.set_body_sha256(Sha256Bytes(request->envelopes(i).body()));
    fed_->PutReceived(receipt, &batch);
    batch.AppendAudit(AuditEntryBytes(
        now, options_.authority_id, absl::StrCat("peer:", *sender),
        "envelope.receive", body->message_id(),
        absl::BytesToHexString(receipt.body_sha256()), 0, objects));
    *response->add_receipts() = std::move(receipt);
    entry_of_receipt->push_back(entries++);
    next = sequence;
  }
  if (next > *last) fed_->PutLastApplied(*sender, *last, next, &batch);
  {
    absl::MutexLock lock(&mu_);
    if (stopping_) {
      return finish(absl::UnavailableError("this node is stopping"));
    }
    ++inbound_;
  }
  kv_->WriteAsyncWithAuditIndex(
      std::move(batch), [this, request, response, finish, sender = *sender,
                         entry_of_receipt](absl::StatusOr<uint64_t> first) {
        // The writer thread must not wait: sign on the worker.
        Post([this, request, response, finish, sender, entry_of_receipt,
              first] {
          absl::Status status = first.status();
          if (absl::IsAborted(status)) {
            status = absl::UnavailableError(
                absl::StrCat("another delivery from ", sender,
                             " was applied meanwhile; retry"));
          }
          if (status.ok()) {
            status =
                CompleteReceipts(*request, *first, *entry_of_receipt, response);
          }
          finish(status);
          absl::MutexLock lock(&mu_);
          --inbound_;
        });
      });
  return reactor;
}

absl::Status Federation::CompleteReceipts(
    const pwx::v1::DeliverRequest& request, uint64_t first_entry,
    const std::vector<int>& entry_of_receipt,
    pwx::v1::DeliverResponse* response) {
  uint64_t highest = 0;
  for (int i = 0; i < response->receipts_size(); ++i) {
    pwx::v1::Receipt& r = *response->mutable_receipts(i);
    const int entry = entry_of_receipt[static_cast<size_t>(i)];
    if (entry >= 0) {
      r.set_audit_index(first_entry + static_cast<uint64_t>(entry));
    } else {
      // Applied by an earlier call: its "envelope.receive" entry is the
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
