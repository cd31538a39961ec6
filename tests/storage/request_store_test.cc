// RequestStore's lists: every combination of filters, over both boxes, page
// by page, returns exactly the requests a plain filter of all of them
// returns, in the same order, after requests moved between states, also
// with lists running while they move; and a database indexed by an older
// build is brought to the current layout.
#include "storage/request_store.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "server/domain/request_rules.h"
#include "storage/key_codec.h"
#include "storage/memory_store.h"
#include "tests/domain/request_samples.h"

namespace pwx::storage {
namespace {

using pwx::v1::Request;
using pwx::v1::RequestBox;
using pwx::v1::RequestKind;
using pwx::v1::RequestState;

constexpr char kSelf[] = "FR-DGT";
const std::vector<std::string> kPeers = {"PL-PIP", "DE-FKS", "RO-ITM",
                                         "CZ-SUIP"};

// The entries of the index column under `tag`.
size_t CountPrefix(const KvStore& kv, std::string_view tag) {
  const std::string prefix = KeyBuilder().String(tag).Build();
  std::unique_ptr<Iterator> it = kv.NewIterator(Column::kIndex);
  size_t n = 0;
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix);
       it->Next()) {
    ++n;
  }
  return n;
}

// Builds requests the way nodes fold them, in stages a request goes
// through, and stores each stage over the last one.
class RequestStoreTest : public ::testing::Test {
 protected:
  RequestStoreTest() : kv_(NewMemoryStore()), store_(kv_.get(), kSelf) {}

  // Request `n`, with its history cut after `stage` steps (1 sent and
  // received, 2 accepted, 3 answered, 4 closed).
  Request Make(int n, int stage) const {
    std::mt19937_64 rng(static_cast<uint64_t>(n));
    const std::string& peer = kPeers[rng() % kPeers.size()];
    const bool outbox = rng() % 2 == 0;
    pwx::v1::RequestContent content =
        testing::SampleInformation(static_cast<uint64_t>(n));
    if (rng() % 4 == 0) {
      content.set_kind(pwx::v1::REQUEST_KIND_NOTIFICATION_OF_DECISION);
    }
    if (rng() % 5 == 0) {
      content.set_urgent(true);
      content.set_urgency_reason("the site closes on Friday");
    }
    const absl::CivilDay received =
        absl::CivilDay(2026, 11, 1) + static_cast<int>(rng() % 20);
    const absl::CivilDay due = received + 5 + static_cast<int>(rng() % 30);
    const absl::Time at = absl::FromCivil(received, absl::UTCTimeZone()) +
                          absl::Hours(9) + absl::Minutes(n % 60);
    testing::SampleHistory h(outbox ? kSelf : peer, outbox ? peer : kSelf);
    h.Send(content, at);
    h.Receive(received, due, "eu-2026.1", at + absl::Seconds(2));
    if (stage >= 2) h.Accept(due - 1, at + absl::Hours(20));
    if (stage >= 3) h.Answer(at + absl::Hours(50));
    if (stage >= 4) h.Close(at + absl::Hours(60));
    absl::StatusOr<Request> r = domain::FoldHistory(
        domain::FormatRequestId(outbox ? kSelf : peer, 2026, n + 1),
        h.events());
    EXPECT_TRUE(r.ok()) << r.status();
    return *r;
  }

  // Stores request `n` at `stage`, over what is stored.
  void Store(int n, int stage) {
    const Request r = Make(n, stage);
    absl::StatusOr<std::optional<StoredRequest>> previous = store_.Get(r.id());
    ASSERT_TRUE(previous.ok()) << previous.status();
    WriteBatch batch;
    store_.Put(r, previous->has_value() ? &**previous : nullptr, &batch);
    ASSERT_TRUE(kv_->Write(std::move(batch)).ok());
    stored_[r.id()] = r;
  }

  // The ids `query` should list, by a plain filter of every request.
  std::vector<std::string> Expected(const RequestQuery& q) const {
    std::vector<std::tuple<std::string, std::string>> hits;
    for (const auto& [id, r] : stored_) {
      const RequestFacets f = store_.Facets(r);
      if (q.box != pwx::v1::REQUEST_BOX_UNSPECIFIED && f.box != q.box) continue;
      if (q.state != pwx::v1::REQUEST_STATE_UNSPECIFIED && f.state != q.state) {
        continue;
      }
      if (q.kind != pwx::v1::REQUEST_KIND_UNSPECIFIED &&
          r.content().kind() != q.kind) {
        continue;
      }
      if (q.urgent_only && !r.content().urgent()) continue;
      if (!q.peer.empty() && f.peer != q.peer) continue;
      if (!q.due_before.empty() &&
          (f.open_due_date.empty() || f.open_due_date >= q.due_before ||
           f.open_due_date < q.due_from)) {
        continue;
      }
      hits.emplace_back(q.due_before.empty() ? "" : f.open_due_date, id);
    }
    std::sort(hits.begin(), hits.end());
    std::vector<std::string> ids;
    for (const auto& hit : hits) ids.push_back(std::get<1>(hit));
    return ids;
  }

  // Every page of `query`, `page_size` at a time.
  std::vector<std::string> AllPages(const RequestQuery& q, int page_size) {
    std::vector<std::string> ids;
    std::string token;
    for (int pages = 0; pages < 1000; ++pages) {
      absl::StatusOr<RequestPage> page = store_.List(q, page_size, token);
      EXPECT_TRUE(page.ok()) << page.status();
      if (!page.ok()) break;
      EXPECT_LE(static_cast<int>(page->requests.size()), page_size);
      for (const Request& r : page->requests) ids.push_back(r.id());
      token = page->next_page_token;
      if (token.empty()) break;
    }
    return ids;
  }

  std::unique_ptr<KvStore> kv_;
  RequestStore store_;
  std::map<std::string, Request> stored_;
};

TEST_F(RequestStoreTest, EveryCombinationOfFiltersListsExactlyItsRequests) {
  constexpr int kRequests = 240;
  std::mt19937_64 rng(7);
  std::vector<int> stage(kRequests, 0);
  // Each request is stored at its first stage, then most move on, some
  // several times, so that entries of earlier states must have gone.
  for (int n = 0; n < kRequests; ++n) Store(n, stage[n] = 1);
  for (int round = 0; round < 3; ++round) {
    for (int n = 0; n < kRequests; ++n) {
      if (rng() % 3 != 0 && stage[n] < 4) Store(n, ++stage[n]);
    }
  }

  const std::vector<RequestBox> boxes = {pwx::v1::REQUEST_BOX_UNSPECIFIED,
                                         pwx::v1::REQUEST_BOX_INBOX,
                                         pwx::v1::REQUEST_BOX_OUTBOX};
  const std::vector<RequestState> states = {
      pwx::v1::REQUEST_STATE_UNSPECIFIED,
      pwx::v1::REQUEST_STATE_AWAITING_ACCEPTANCE,
      pwx::v1::REQUEST_STATE_ACCEPTED, pwx::v1::REQUEST_STATE_CLOSED};
  const std::vector<RequestKind> kinds = {
      pwx::v1::REQUEST_KIND_UNSPECIFIED, pwx::v1::REQUEST_KIND_INFORMATION,
      pwx::v1::REQUEST_KIND_NOTIFICATION_OF_DECISION};
  const std::vector<std::pair<std::string, std::string>> due_ranges = {
      {"", ""}, {"", "2026-11-25"}, {"2026-11-20", "2026-12-10"}};
  int non_empty = 0;
  for (const RequestBox box : boxes) {
    for (const RequestState state : states) {
      for (const std::string peer : {"", "PL-PIP", "CZ-SUIP"}) {
        for (const RequestKind kind : kinds) {
          for (const bool urgent : {false, true}) {
            for (const auto& [from, before] : due_ranges) {
              RequestQuery q;
              q.box = box;
              q.state = state;
              q.peer = peer;
              q.kind = kind;
              q.urgent_only = urgent;
              q.due_from = from;
              q.due_before = before;
              const std::vector<std::string> want = Expected(q);
              if (!want.empty()) ++non_empty;
              ASSERT_EQ(AllPages(q, 7), want)
                  << "box " << box << " state " << state << " peer " << peer
                  << " kind " << kind << " urgent " << urgent << " due ["
                  << from << ", " << before << ")";
            }
          }
        }
      }
    }
  }
  // The combinations are not all trivially empty.
  EXPECT_GT(non_empty, 200);

  // Each request has one entry in each index of its filters, and none is
  // left behind by an earlier state: 8 indexes by id for a request (16 for
  // an urgent one), as many by due date while an answer is owed.
  size_t by_id = 0;
  size_t by_due = 0;
  for (const auto& [id, r] : stored_) {
    const size_t masks = r.content().urgent() ? 16 : 8;
    by_id += masks;
    if (!store_.Facets(r).open_due_date.empty()) by_due += masks;
  }
  EXPECT_EQ(CountPrefix(*kv_, "rq.x"), by_id);
  EXPECT_EQ(CountPrefix(*kv_, "rq.d"), by_due);
}

// Lists seek to where their range's live entries start (the floors of
// storage/index_floors.h), past the deletions left by requests that moved
// on. A request moving into a list below that point, even while a list runs
// before its write commits, is listed once its write is.
TEST_F(RequestStoreTest, ListsStayExactWhileRequestsMoveInAndOut) {
  constexpr int kRequests = 120;
  std::mt19937_64 rng(11);
  std::vector<int> stage(kRequests, 0);
  std::vector<RequestQuery> queries;
  for (const RequestState state :
       {pwx::v1::REQUEST_STATE_AWAITING_ACCEPTANCE,
        pwx::v1::REQUEST_STATE_ACCEPTED, pwx::v1::REQUEST_STATE_ANSWERED,
        pwx::v1::REQUEST_STATE_CLOSED}) {
    for (const RequestBox box :
         {pwx::v1::REQUEST_BOX_UNSPECIFIED, pwx::v1::REQUEST_BOX_INBOX}) {
      RequestQuery q;
      q.state = state;
      q.box = box;
      queries.push_back(q);
    }
  }
  RequestQuery owed;
  owed.due_before = "2026-12-31";
  queries.push_back(owed);
  auto check_all = [&](const std::string& when) {
    for (const RequestQuery& q : queries) {
      ASSERT_EQ(AllPages(q, 5), Expected(q))
          << when << ", state " << q.state << " box " << q.box;
    }
  };
  for (int step = 0; step < 600; ++step) {
    const int n = static_cast<int>(rng() % kRequests);
    if (stage[n] == 4) continue;
    const Request r = Make(n, ++stage[n]);
    absl::StatusOr<std::optional<StoredRequest>> previous = store_.Get(r.id());
    ASSERT_TRUE(previous.ok()) << previous.status();
    WriteBatch batch;
    store_.Put(r, previous->has_value() ? &**previous : nullptr, &batch);
    // Lists while the move is built but not written do not see it...
    if (rng() % 2 == 0) check_all(absl::StrCat("step ", step, " in flight"));
    ASSERT_TRUE(kv_->Write(std::move(batch)).ok());
    stored_[r.id()] = r;
    // ...and lists after it do.
    if (rng() % 3 == 0) check_all(absl::StrCat("step ", step));
  }
  check_all("at the end");
}

// A move that is built and then dropped (its write refused) leaves the lists
// as they were.
TEST_F(RequestStoreTest, ADroppedMoveChangesNoList) {
  for (int n = 0; n < 20; ++n) Store(n, 2);
  RequestQuery accepted;
  accepted.state = pwx::v1::REQUEST_STATE_ACCEPTED;
  const std::vector<std::string> before = AllPages(accepted, 50);
  ASSERT_EQ(before.size(), 20u);
  for (int n = 0; n < 10; ++n) Store(n, 3);
  ASSERT_EQ(AllPages(accepted, 50), Expected(accepted));
  {
    const Request r = Make(12, 3);
    absl::StatusOr<std::optional<StoredRequest>> previous = store_.Get(r.id());
    ASSERT_TRUE(previous.ok() && previous->has_value());
    WriteBatch dropped;
    store_.Put(r, &**previous, &dropped);
    EXPECT_EQ(AllPages(accepted, 50), Expected(accepted));
  }
  EXPECT_EQ(AllPages(accepted, 50), Expected(accepted));
  EXPECT_EQ(AllPages(accepted, 50).size(), 10u);
}

TEST_F(RequestStoreTest, AFullPageHasATokenOnlyWhenMoreFollow) {
  for (int n = 0; n < 10; ++n) Store(n, 1);
  RequestQuery q;
  absl::StatusOr<RequestPage> all = store_.List(q, 10, "");
  ASSERT_TRUE(all.ok()) << all.status();
  EXPECT_EQ(all->requests.size(), 10u);
  EXPECT_EQ(all->next_page_token, "");
  absl::StatusOr<RequestPage> first = store_.List(q, 9, "");
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->requests.size(), 9u);
  ASSERT_NE(first->next_page_token, "");
  absl::StatusOr<RequestPage> rest = store_.List(q, 9, first->next_page_token);
  ASSERT_TRUE(rest.ok()) << rest.status();
  ASSERT_EQ(rest->requests.size(), 1u);
  EXPECT_EQ(rest->requests[0].id(), all->requests[9].id());
}

TEST_F(RequestStoreTest, ATokenOfOtherFiltersIsRefused) {
  for (int n = 0; n < 12; ++n) Store(n, 1);
  RequestQuery inbox;
  inbox.box = pwx::v1::REQUEST_BOX_INBOX;
  RequestQuery both;
  RequestQuery due;
  due.due_before = "2027-01-01";
  RequestQuery later_due;
  later_due.due_before = "2027-02-01";
  for (const auto& [issued, replayed] :
       std::vector<std::pair<RequestQuery, RequestQuery>>{
           {both, inbox}, {inbox, both}, {due, later_due}, {due, both}}) {
    absl::StatusOr<RequestPage> page = store_.List(issued, 1, "");
    ASSERT_TRUE(page.ok()) << page.status();
    ASSERT_NE(page->next_page_token, "");
    absl::StatusOr<RequestPage> replay =
        store_.List(replayed, 1, page->next_page_token);
    EXPECT_EQ(replay.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_TRUE(absl::StrContains(replay.status().message(), "page_token"))
        << replay.status();
  }
  absl::StatusOr<RequestPage> garbage = store_.List(both, 1, "not a token!");
  EXPECT_EQ(garbage.status().code(), absl::StatusCode::kInvalidArgument);
}

// The entries of an index of the first layout (one index per filter).
std::vector<std::string> FirstLayoutKeys(const Request& r, uint64_t box) {
  std::vector<std::string> keys;
  for (uint64_t b : {uint64_t{0}, box}) {
    keys.push_back(
        KeyBuilder().String("rq.all").Uint64(b).String(r.id()).Build());
    keys.push_back(KeyBuilder()
                       .String("rq.state")
                       .Uint64(b)
                       .Uint64(static_cast<uint64_t>(r.state()))
                       .String(r.id())
                       .Build());
    keys.push_back(KeyBuilder()
                       .String("rq.due")
                       .Uint64(b)
                       .String(r.due_date())
                       .String(r.id())
                       .Build());
  }
  return keys;
}

TEST_F(RequestStoreTest, UpgradeIndexesRebuildsAnOlderLayout) {
  // A database as the first layout wrote it: records and their old index
  // entries, and no index version.
  WriteBatch batch;
  for (int n = 0; n < 30; ++n) {
    const Request r = Make(n, 1 + n % 4);
    const RequestFacets f = store_.Facets(r);
    batch.Put(Column::kRequests, KeyBuilder().String(r.id()).Build(),
              r.SerializeAsString());
    for (const std::string& k :
         FirstLayoutKeys(r, static_cast<uint64_t>(f.box))) {
      batch.Put(Column::kIndex, k, "");
    }
    stored_[r.id()] = r;
  }
  ASSERT_TRUE(kv_->Write(std::move(batch)).ok());
  ASSERT_EQ(AllPages(RequestQuery(), 50), std::vector<std::string>());

  ASSERT_TRUE(store_.UpgradeIndexes().ok());
  for (std::string_view old : {"rq.all", "rq.state", "rq.due"}) {
    EXPECT_EQ(CountPrefix(*kv_, old), 0u) << old;
  }
  RequestQuery accepted;
  accepted.state = pwx::v1::REQUEST_STATE_ACCEPTED;
  RequestQuery overdue;
  overdue.due_before = "2026-12-01";
  for (const RequestQuery& q : {RequestQuery(), accepted, overdue}) {
    EXPECT_EQ(AllPages(q, 4), Expected(q));
  }
  EXPECT_EQ(AllPages(RequestQuery(), 50).size(), 30u);

  // Once upgraded, a later start leaves the indexes alone.
  WriteBatch stray;
  stray.Put(Column::kIndex, FirstLayoutKeys(stored_.begin()->second, 1)[0], "");
  ASSERT_TRUE(kv_->Write(std::move(stray)).ok());
  ASSERT_TRUE(store_.UpgradeIndexes().ok());
  EXPECT_EQ(CountPrefix(*kv_, "rq.all"), 1u);
}

TEST_F(RequestStoreTest, UpgradeIndexesOfANewDatabaseRecordsTheVersion) {
  ASSERT_TRUE(store_.UpgradeIndexes().ok());
  absl::StatusOr<std::optional<std::string>> version =
      kv_->Get(Column::kMeta, "request_index_version");
  ASSERT_TRUE(version.ok());
  ASSERT_TRUE(version->has_value());
  KeyReader reader(**version);
  absl::StatusOr<uint64_t> v = reader.Uint64();
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(*v, 2u);
}

TEST_F(RequestStoreTest, UpgradeIndexesRefusesAMalformedVersion) {
  WriteBatch batch;
  batch.Put(Column::kMeta, "request_index_version", "x");
  ASSERT_TRUE(kv_->Write(std::move(batch)).ok());
  absl::Status s = store_.UpgradeIndexes();
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(s.message(), "malformed request index version");
}

}  // namespace
}  // namespace pwx::storage
