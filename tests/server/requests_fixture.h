// The fixture of the Requests tests: three in-memory nodes (FR-DGT, PL-PIP,
// DE-FKS), peers of each other, and helpers that wait for an answer or for
// the nodes to agree. Attach uploads a document through a spool file.
#ifndef PWX_TESTS_SERVER_REQUESTS_FIXTURE_H_
#define PWX_TESTS_SERVER_REQUESTS_FIXTURE_H_

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "server/attachment_spool.h"
#include "server/domain/request_rules.h"
#include "server/requests.h"
#include "storage/case_store.h"
#include "tests/server/memory_federation.h"
#include "tests/testing/test_pki.h"

namespace pwx::server::fed_testing {

using ::pwx::v1::Request;
using ::pwx::v1::RequestEvent;

inline constexpr absl::Duration kPatience = absl::Seconds(60);

inline bool Eventually(const std::function<bool()>& done) {
  const absl::Time deadline = absl::Now() + kPatience;
  while (absl::Now() < deadline) {
    if (done()) return true;
    absl::SleepFor(absl::Milliseconds(5));
  }
  return done();
}

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

inline pwx::v1::RequestContent Information() {
  pwx::v1::RequestContent c;
  c.set_kind(pwx::v1::REQUEST_KIND_INFORMATION);
  c.set_subject("Bau GmbH; worker Jan Kowalski");
  c.add_questions()->set_code("EST-01");
  c.add_questions()->set_code("A1-01");
  pwx::v1::Question* q = c.add_questions();
  q->set_text("Where was Jan Kowalski recruited?");
  q->set_language("en");
  return c;
}

class RequestsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (MemoryNode* a : {&fr_, &pl_, &de_}) {
      for (MemoryNode* b : {&fr_, &pl_, &de_}) {
        if (a != b) {
          ASSERT_TRUE(a->AddPeer(b->Card()).ok());
        }
      }
    }
  }

  absl::StatusOr<Request> Create(MemoryNode& node, const std::string& to,
                                 pwx::v1::RequestContent content) {
    pwx::v1::CreateRequestRequest request;
    request.set_recipient(to);
    *request.mutable_content() = std::move(content);
    return Await<absl::StatusOr<Request>>(
        [&](auto done) { node.requests()->Create(request, "alice", done); });
  }

  absl::StatusOr<Request> Act(MemoryNode& node, const std::string& id,
                              RequestEvent step,
                              const std::string& user = "bob") {
    pwx::v1::ActRequest request;
    request.set_id(id);
    *request.mutable_step() = std::move(step);
    return Await<absl::StatusOr<Request>>(
        [&](auto done) { node.requests()->Act(request, user, done); });
  }

  absl::StatusOr<Request> Get(MemoryNode& node, const std::string& id) {
    return Await<absl::StatusOr<Request>>(
        [&](auto done) { node.requests()->Get(id, "bob", done); });
  }

  // The request as stored (the fold both nodes must agree on).
  std::string Stored(MemoryNode& node, const std::string& id) {
    absl::StatusOr<std::optional<storage::StoredRequest>> r =
        storage::RequestStore(node.kv(), node.id()).Get(id);
    if (!r.ok() || !r->has_value()) return "";
    return (*r)->bytes;
  }

  bool Converged(MemoryNode& a, MemoryNode& b, const std::string& id) {
    return Eventually([&] {
      const std::string x = Stored(a, id);
      return !x.empty() && x == Stored(b, id);
    });
  }

  std::string SentDraft(MemoryNode& from, const std::string& to,
                        pwx::v1::RequestContent content = Information()) {
    absl::StatusOr<Request> draft = Create(from, to, std::move(content));
    EXPECT_TRUE(draft.ok()) << draft.status();
    if (!draft.ok()) return "";
    RequestEvent send;
    send.mutable_send();
    absl::StatusOr<Request> sent = Act(from, draft->id(), send);
    EXPECT_TRUE(sent.ok()) << sent.status();
    return draft->id();
  }

  pwx::v1::RequestState StateAt(MemoryNode& node, const std::string& id) {
    absl::StatusOr<Request> r = Get(node, id);
    return r.ok() ? r->state() : pwx::v1::REQUEST_STATE_UNSPECIFIED;
  }

  bool Reaches(MemoryNode& node, const std::string& id,
               pwx::v1::RequestState state) {
    return Eventually([&] { return StateAt(node, id) == state; });
  }

  // Uploads `bytes` as `file_name` to request `id` at `node`, by `user`.
  absl::StatusOr<Request> Attach(MemoryNode& node, const std::string& id,
                                 const std::string& file_name,
                                 const std::string& bytes,
                                 const std::string& user = "bob") {
    absl::StatusOr<std::unique_ptr<SpoolFile>> file = spool_->Create();
    if (!file.ok()) return file.status();
    if (absl::Status s = (*file)->Append(bytes); !s.ok()) return s;
    pwx::v1::RequestAttachmentHeader header;
    header.set_request_id(id);
    header.set_file_name(file_name);
    header.set_media_type("application/pdf");
    if (absl::Status s = node.requests()->CheckAttachmentHeader(header);
        !s.ok()) {
      return s;
    }
    return Await<absl::StatusOr<Request>>([&](auto done) {
      node.requests()->AddAttachment(header, file->get(), user, done);
    });
  }

  // The bytes of attachment `sha256` of request `id` as `node` serves
  // them to `user`.
  absl::StatusOr<std::string> Download(MemoryNode& node, const std::string& id,
                                       const std::string& sha256,
                                       const std::string& user = "bob") {
    absl::StatusOr<pwx::v1::RequestAttachment> meta =
        Await<absl::StatusOr<pwx::v1::RequestAttachment>>([&](auto done) {
          node.requests()->FindAttachmentForUser(id, sha256, user, done);
        });
    if (!meta.ok()) return meta.status();
    std::string out;
    const uint64_t chunks =
        (meta->size_bytes() + storage::kBlobChunkBytes - 1) /
        storage::kBlobChunkBytes;
    for (uint64_t i = 0; i < chunks; ++i) {
      absl::StatusOr<std::string> chunk =
          node.requests()->AttachmentChunk(id, *meta, i);
      if (!chunk.ok()) return chunk.status();
      out += *chunk;
    }
    return out;
  }

  std::unique_ptr<AttachmentSpool> spool_ = *AttachmentSpool::Open(
      ::pwx::testing::MakeTempDir("requests") + "/spool");
  // How far PL-PIP's clock runs ahead of the real one.
  void AdvancePlClock(absl::Duration by) {
    pl_ahead_ms_ += absl::ToInt64Milliseconds(by);
  }

  std::map<std::string, MemoryNode*> nodes_;
  std::atomic<int64_t> pl_ahead_ms_{0};
  MemoryNode fr_{"FR-DGT", &nodes_};
  MemoryNode pl_{"PL-PIP", &nodes_, [this] {
                   MemoryNodeOptions options;
                   options.clock = [this] {
                     return absl::Now() +
                            absl::Milliseconds(pl_ahead_ms_.load());
                   };
                   return options;
                 }()};
  MemoryNode de_{"DE-FKS", &nodes_};
};

inline RequestEvent Step(const std::string& action) {
  RequestEvent e;
  if (action == "send") e.mutable_send();
  if (action == "accept") e.mutable_accept();
  if (action == "answer") e.mutable_answer()->set_text("Registered in 2019.");
  if (action == "close") {
    e.mutable_close()->mutable_rating()->set_timeliness(
        pwx::v1::Rating::POSITIVE);
  }
  if (action == "withdraw")
    e.mutable_withdraw()->set_reason("no longer needed");
  if (action == "acknowledge") e.mutable_acknowledge();
  if (action == "reopen") e.mutable_reopen()->set_reason("incomplete");
  if (action == "clarify") e.mutable_clarify()->set_text("Which site?");
  if (action == "reply") e.mutable_reply()->set_text("Site 4, Lyon.");
  if (action == "propose-date")
    e.mutable_propose_date()->set_date("2026-12-30");
  if (action == "accept-date") e.mutable_accept_date();
  if (action == "challenge") e.mutable_challenge()->set_reason("appeal lodged");
  if (action == "resume") e.mutable_resume();
  return e;
}

}  // namespace pwx::server::fed_testing

#endif  // PWX_TESTS_SERVER_REQUESTS_FIXTURE_H_
