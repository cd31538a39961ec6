#include "server/domain/digest.h"

#include <gtest/gtest.h>

#include <string>

namespace pwx::domain {
namespace {

TEST(Sha256HasherTest, HashesPartsAsTheWhole) {
  Sha256Hasher hasher;
  EXPECT_EQ(hasher.Hex(), Sha256Hex(""));
  hasher.Update("posted ");
  EXPECT_EQ(hasher.Hex(), Sha256Hex("posted "));
  hasher.Update("workers");
  EXPECT_EQ(hasher.Hex(), Sha256Hex("posted workers"));
  EXPECT_EQ(Sha256Hex(""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

}  // namespace
}  // namespace pwx::domain
