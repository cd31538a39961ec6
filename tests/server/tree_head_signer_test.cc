// The tree head signer over the in-memory store: when it signs, what it
// signs, and that heads are stored durably.
#include "server/tree_head_signer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "server/domain/merkle.h"
#include "server/domain/signing.h"
#include "storage/audit_log.h"
#include "storage/memory_store.h"
#include "storage/tree_head_store.h"
#include "tests/testing/test_pki.h"

namespace pwx::server {
namespace {

// Generous: the machine may be slow and busy.
constexpr absl::Duration kPatience = absl::Seconds(60);

class TreeHeadSignerTest : public ::testing::Test {
 protected:
  TreeHeadSignerTest()
      : ca_(testing::TestCa::Create("FR-DGT")),
        keys_(ca_.IssueNode("FR-DGT")),
        kv_(storage::NewMemoryStore()) {}

  std::unique_ptr<TreeHeadSigner> Open(
      uint64_t every, absl::Duration interval,
      std::function<absl::Time()> clock = nullptr) {
    TreeHeadSignerOptions options;
    options.authority_id = "FR-DGT";
    options.sign_every_entries = every;
    options.sign_interval = interval;
    options.certificate_pem = keys_.cert_pem;
    options.key_pem = keys_.key_pem;
    options.clock = std::move(clock);
    absl::StatusOr<std::unique_ptr<TreeHeadSigner>> signer =
        TreeHeadSigner::Open(kv_.get(), options);
    EXPECT_TRUE(signer.ok()) << signer.status();
    return signer.ok() ? *std::move(signer) : nullptr;
  }

  // Appends `n` entries in one batch, so that they commit together.
  void Append(int n) {
    storage::WriteBatch batch;
    for (int i = 0; i < n; ++i) {
      batch.AppendAudit("entry " + std::to_string(next_++));
    }
    ASSERT_TRUE(kv_->Write(std::move(batch)).ok());
  }

  // Waits for a head of at least `size` entries; nullopt after kPatience.
  static std::optional<pwx::v1::SignedTreeHead> WaitForHead(
      const TreeHeadSigner& signer, uint64_t size) {
    const absl::Time deadline = absl::Now() + kPatience;
    while (absl::Now() < deadline) {
      std::optional<pwx::v1::SignedTreeHead> head = signer.Latest();
      if (head.has_value() && head->tree_size() >= size) return head;
      absl::SleepFor(absl::Milliseconds(10));
    }
    return std::nullopt;
  }

  // The head verifies with the certificate it names and has the log's root.
  void ExpectValid(const pwx::v1::SignedTreeHead& head) {
    absl::StatusOr<std::optional<std::string>> pem =
        storage::TreeHeadStore(kv_.get()).Certificate(
            head.signer_certificate_sha256());
    ASSERT_TRUE(pem.ok() && pem->has_value());
    absl::StatusOr<std::unique_ptr<domain::Verifier>> verifier =
        domain::Verifier::FromCertificatePem(**pem);
    ASSERT_TRUE(verifier.ok()) << verifier.status();
    const absl::Time time = absl::FromUnixNanos(
        head.timestamp().seconds() * 1000000000 + head.timestamp().nanos());
    EXPECT_TRUE((*verifier)
                    ->Verify(domain::TreeHeadSigningInput(
                                 head.authority_id(), head.tree_size(),
                                 head.root_hash(), time),
                             head.signature())
                    .ok());
    absl::StatusOr<domain::Hash> root =
        storage::AuditLog(kv_.get()).Root(head.tree_size());
    ASSERT_TRUE(root.ok());
    EXPECT_EQ(head.root_hash(), std::string(domain::HashBytes(*root)));
    EXPECT_EQ(head.authority_id(), "FR-DGT");
  }

  testing::TestCa ca_;
  testing::KeyPair keys_;
  std::unique_ptr<storage::KvStore> kv_;
  int next_ = 0;
};

TEST_F(TreeHeadSignerTest, SignsAfterEnoughEntries) {
  std::unique_ptr<TreeHeadSigner> signer = Open(5, absl::Hours(1));
  ASSERT_NE(signer, nullptr);
  Append(4);
  absl::SleepFor(absl::Milliseconds(200));
  EXPECT_FALSE(signer->Latest().has_value());
  Append(1);
  std::optional<pwx::v1::SignedTreeHead> head = WaitForHead(*signer, 5);
  ASSERT_TRUE(head.has_value());
  EXPECT_EQ(head->tree_size(), 5u);
  ExpectValid(*head);
  absl::StatusOr<pwx::v1::SignerCertificate> sha =
      SignerCertificateOf(keys_.cert_pem);
  ASSERT_TRUE(sha.ok());
  EXPECT_EQ(head->signer_certificate_sha256(), sha->sha256());
}

TEST_F(TreeHeadSignerTest, HeadCoveringSignsOnlyWhenTheLatestFallsShort) {
  std::unique_ptr<TreeHeadSigner> signer = Open(1000, absl::Hours(1));
  ASSERT_NE(signer, nullptr);
  Append(3);
  absl::StatusOr<pwx::v1::SignedTreeHead> head = signer->HeadCovering(2);
  ASSERT_TRUE(head.ok()) << head.status();
  EXPECT_EQ(head->tree_size(), 3u);  // the current size, not just 2
  ExpectValid(*head);
  EXPECT_EQ(signer->Latest()->tree_size(), 3u);
  // Covered already: the same head, not a new signature.
  absl::StatusOr<pwx::v1::SignedTreeHead> again = signer->HeadCovering(3);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->signature(), head->signature());
  Append(2);
  absl::StatusOr<pwx::v1::SignedTreeHead> later = signer->HeadCovering(4);
  ASSERT_TRUE(later.ok()) << later.status();
  EXPECT_EQ(later->tree_size(), 5u);
  ExpectValid(*later);
  EXPECT_EQ(signer->HeadCovering(6).status().code(),
            absl::StatusCode::kOutOfRange);
}

TEST_F(TreeHeadSignerTest, SignsAfterTheIntervalAndNotWhenIdle) {
  std::unique_ptr<TreeHeadSigner> signer = Open(1000, absl::Milliseconds(50));
  ASSERT_NE(signer, nullptr);
  absl::SleepFor(absl::Milliseconds(200));
  EXPECT_FALSE(signer->Latest().has_value()) << "signed an empty log";
  Append(3);
  std::optional<pwx::v1::SignedTreeHead> head = WaitForHead(*signer, 3);
  ASSERT_TRUE(head.has_value());
  EXPECT_EQ(head->tree_size(), 3u);
  ExpectValid(*head);
  // Idle: no new head however long we wait.
  absl::SleepFor(absl::Milliseconds(300));
  EXPECT_EQ(signer->Latest()->SerializeAsString(), head->SerializeAsString());
  absl::StatusOr<std::vector<pwx::v1::SignedTreeHead>> stored =
      storage::TreeHeadStore(kv_.get()).Range(0, 1000);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->size(), 1u);

  Append(2);
  std::optional<pwx::v1::SignedTreeHead> second = WaitForHead(*signer, 5);
  ASSERT_TRUE(second.has_value());
  ExpectValid(*second);
  stored = storage::TreeHeadStore(kv_.get()).Range(0, 1000);
  ASSERT_TRUE(stored.ok());
  ASSERT_EQ(stored->size(), 2u);
  EXPECT_EQ((*stored)[0].tree_size(), 3u);
  EXPECT_EQ((*stored)[1].tree_size(), 5u);
}

TEST_F(TreeHeadSignerTest, StopSignsTheRestAndHeadsSurviveReopening) {
  std::unique_ptr<TreeHeadSigner> signer = Open(1000, absl::Hours(1));
  ASSERT_NE(signer, nullptr);
  Append(7);
  ASSERT_TRUE(signer->Stop().ok());
  std::optional<pwx::v1::SignedTreeHead> head = signer->Latest();
  ASSERT_TRUE(head.has_value());
  EXPECT_EQ(head->tree_size(), 7u);
  ExpectValid(*head);
  signer.reset();

  std::unique_ptr<TreeHeadSigner> reopened = Open(1000, absl::Hours(1));
  ASSERT_NE(reopened, nullptr);
  ASSERT_TRUE(reopened->Latest().has_value());
  EXPECT_EQ(reopened->Latest()->SerializeAsString(), head->SerializeAsString());
  absl::StatusOr<std::optional<pwx::v1::SignedTreeHead>> latest =
      storage::TreeHeadStore(kv_.get()).Latest();
  ASSERT_TRUE(latest.ok() && latest->has_value());
  EXPECT_EQ((*latest)->tree_size(), 7u);
  // Nothing grew: stopping again signs nothing new.
  ASSERT_TRUE(reopened->Stop().ok());
  absl::StatusOr<std::vector<pwx::v1::SignedTreeHead>> stored =
      storage::TreeHeadStore(kv_.get()).Range(0, 1000);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->size(), 1u);
}

TEST_F(TreeHeadSignerTest, RotatedKeysKeepOldCertificates) {
  std::unique_ptr<TreeHeadSigner> signer = Open(1000, absl::Hours(1));
  ASSERT_NE(signer, nullptr);
  Append(2);
  ASSERT_TRUE(signer->Stop().ok());
  signer.reset();
  const std::string old_sha = SignerCertificateOf(keys_.cert_pem)->sha256();
  keys_ = ca_.IssueNode("FR-DGT");
  signer = Open(1000, absl::Hours(1));
  ASSERT_NE(signer, nullptr);
  Append(2);
  ASSERT_TRUE(signer->Stop().ok());
  absl::StatusOr<std::vector<pwx::v1::SignedTreeHead>> stored =
      storage::TreeHeadStore(kv_.get()).Range(0, 1000);
  ASSERT_TRUE(stored.ok());
  ASSERT_EQ(stored->size(), 2u);
  EXPECT_EQ((*stored)[0].signer_certificate_sha256(), old_sha);
  EXPECT_NE((*stored)[1].signer_certificate_sha256(), old_sha);
  for (const pwx::v1::SignedTreeHead& head : *stored) ExpectValid(head);
  absl::StatusOr<std::vector<pwx::v1::SignerCertificate>> certificates =
      storage::TreeHeadStore(kv_.get()).Certificates();
  ASSERT_TRUE(certificates.ok());
  EXPECT_EQ(certificates->size(), 2u);
}

// A wall clock the test sets; read by the signer's thread.
class SetClock {
 public:
  explicit SetClock(absl::Time now) : now_(now) {}
  void Set(absl::Time now) {
    absl::MutexLock lock(&mu_);
    now_ = now;
  }
  std::function<absl::Time()> Fn() {
    return [this] {
      absl::MutexLock lock(&mu_);
      return now_;
    };
  }

 private:
  absl::Mutex mu_;
  absl::Time now_ ABSL_GUARDED_BY(mu_);
};

absl::Time TimeOf(const pwx::v1::SignedTreeHead& head) {
  return absl::FromUnixSeconds(head.timestamp().seconds()) +
         absl::Nanoseconds(head.timestamp().nanos());
}

TEST_F(TreeHeadSignerTest, AClockSteppedBackNeverDatesAHeadEarlier) {
  const absl::Time t0 =
      absl::FromUnixSeconds(1767225600) + absl::Nanoseconds(7);
  SetClock clock(t0);
  std::unique_ptr<TreeHeadSigner> signer =
      Open(1000, absl::Hours(1), clock.Fn());
  ASSERT_NE(signer, nullptr);
  Append(2);
  absl::StatusOr<pwx::v1::SignedTreeHead> first = signer->HeadCovering(2);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(TimeOf(*first), t0);

  // The clock is stepped back an hour: the next head keeps the latest time.
  clock.Set(t0 - absl::Hours(1));
  Append(1);
  absl::StatusOr<pwx::v1::SignedTreeHead> second = signer->HeadCovering(3);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(second->tree_size(), 3u);
  EXPECT_EQ(TimeOf(*second), t0);
  ExpectValid(*second);

  // So does a node restarted while the clock is still behind: the latest
  // head is the stored one.
  ASSERT_TRUE(signer->Stop().ok());
  signer.reset();
  signer = Open(1000, absl::Hours(1), clock.Fn());
  ASSERT_NE(signer, nullptr);
  Append(1);
  absl::StatusOr<pwx::v1::SignedTreeHead> third = signer->HeadCovering(4);
  ASSERT_TRUE(third.ok()) << third.status();
  EXPECT_EQ(TimeOf(*third), t0);
  ExpectValid(*third);

  // Once the clock is past the latest head again, heads carry its time.
  clock.Set(t0 + absl::Seconds(1));
  Append(1);
  absl::StatusOr<pwx::v1::SignedTreeHead> fourth = signer->HeadCovering(5);
  ASSERT_TRUE(fourth.ok()) << fourth.status();
  EXPECT_EQ(TimeOf(*fourth), t0 + absl::Seconds(1));

  absl::StatusOr<std::vector<pwx::v1::SignedTreeHead>> stored =
      storage::TreeHeadStore(kv_.get()).Range(0, 1000);
  ASSERT_TRUE(stored.ok());
  ASSERT_EQ(stored->size(), 4u);
  for (size_t i = 1; i < stored->size(); ++i) {
    EXPECT_GE(TimeOf((*stored)[i]), TimeOf((*stored)[i - 1]))
        << "head of " << (*stored)[i].tree_size();
  }
}

TEST_F(TreeHeadSignerTest, KeyOfAnotherCertificateIsRefused) {
  testing::KeyPair other = ca_.IssueNode("FR-DGT");
  TreeHeadSignerOptions options;
  options.authority_id = "FR-DGT";
  options.certificate_pem = keys_.cert_pem;
  options.key_pem = other.key_pem;
  absl::StatusOr<std::unique_ptr<TreeHeadSigner>> signer =
      TreeHeadSigner::Open(kv_.get(), options);
  EXPECT_TRUE(absl::IsInvalidArgument(signer.status())) << signer.status();
}

}  // namespace
}  // namespace pwx::server
