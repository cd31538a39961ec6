#include "server/domain/quota.h"

#include "gtest/gtest.h"

namespace pwx::domain {
namespace {

const absl::Time kStart = absl::FromUnixSeconds(1'800'000'000);

TEST(HourlyQuotaTest, AllowsAnHoursWorthThenRefillsWithTime) {
  HourlyQuota quota(100, 0, kStart);
  EXPECT_TRUE(quota.TryTake(60, 0, kStart));
  EXPECT_TRUE(quota.TryTake(40, 0, kStart));
  EXPECT_FALSE(quota.TryTake(1, 0, kStart));
  // A quarter of an hour gives back a quarter of the allowance.
  EXPECT_FALSE(quota.TryTake(26, 0, kStart + absl::Minutes(15)));
  EXPECT_TRUE(quota.TryTake(25, 0, kStart + absl::Minutes(15)));
  // Never more than an hour's allowance, however long it waits.
  EXPECT_FALSE(quota.TryTake(101, 0, kStart + absl::Hours(48)));
  EXPECT_TRUE(quota.TryTake(100, 0, kStart + absl::Hours(48)));
}

TEST(HourlyQuotaTest, BytesAreLimitedApartAndARefusalTakesNothing) {
  HourlyQuota quota(1000, 1 << 20, kStart);
  EXPECT_FALSE(quota.TryTake(1, (1 << 20) + 1, kStart));
  // The refused call took none of the events either.
  EXPECT_TRUE(quota.TryTake(1000, 1 << 20, kStart));
  EXPECT_FALSE(quota.TryTake(1, 0, kStart));
}

TEST(HourlyQuotaTest, ZeroIsUnlimitedAndTimeNeverRunsBackwards) {
  HourlyQuota unlimited(0, 0, kStart);
  EXPECT_TRUE(unlimited.TryTake(1'000'000'000, 1ull << 40, kStart));
  HourlyQuota quota(10, 0, kStart + absl::Hours(1));
  EXPECT_TRUE(quota.TryTake(10, 0, kStart + absl::Hours(1)));
  // A clock stepped back refills nothing.
  EXPECT_FALSE(quota.TryTake(1, 0, kStart));
}

}  // namespace
}  // namespace pwx::domain
