#include "server/domain/signing.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <memory>
#include <string>

namespace pwx::domain {
namespace {

using ::testing::HasSubstr;

// PEM private and public keys of a fresh key pair made by `gen`.
struct Pem {
  std::string private_key;
  std::string public_key;
};

Pem MakeKey(EVP_PKEY* key) {
  Pem pem;
  BIO* priv = BIO_new(BIO_s_mem());
  BIO* pub = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(priv, key, nullptr, nullptr, 0, nullptr, nullptr);
  PEM_write_bio_PUBKEY(pub, key);
  char* data = nullptr;
  long n = BIO_get_mem_data(priv, &data);
  pem.private_key.assign(data, n);
  n = BIO_get_mem_data(pub, &data);
  pem.public_key.assign(data, n);
  BIO_free(priv);
  BIO_free(pub);
  EVP_PKEY_free(key);
  return pem;
}

Pem P256() { return MakeKey(EVP_EC_gen("P-256")); }

TEST(SigningTest, SignatureVerifiesWithTheMatchingKeyOnly) {
  Pem a = P256();
  Pem b = P256();
  auto signer = Signer::FromPem(a.private_key);
  ASSERT_TRUE(signer.ok()) << signer.status();
  absl::StatusOr<std::string> sig = (*signer)->Sign("tree head 42");
  ASSERT_TRUE(sig.ok());
  auto verifier = Verifier::FromPublicKeyPem(a.public_key);
  ASSERT_TRUE(verifier.ok()) << verifier.status();
  EXPECT_TRUE((*verifier)->Verify("tree head 42", *sig).ok());
  EXPECT_TRUE(absl::IsDataLoss((*verifier)->Verify("tree head 43", *sig)));
  std::string flipped = *sig;
  flipped[flipped.size() / 2] ^= 0x01;
  EXPECT_FALSE((*verifier)->Verify("tree head 42", flipped).ok());
  auto other = Verifier::FromPublicKeyPem(b.public_key);
  ASSERT_TRUE(other.ok());
  EXPECT_FALSE((*other)->Verify("tree head 42", *sig).ok());
}

TEST(SigningTest, NonP256KeysAndGarbageAreRefused) {
  Pem p384 = MakeKey(EVP_EC_gen("P-384"));
  EXPECT_THAT(Signer::FromPem(p384.private_key).status().message(),
              HasSubstr("not an ECDSA P-256 key"));
  EXPECT_THAT(Verifier::FromPublicKeyPem(p384.public_key).status().message(),
              HasSubstr("not an ECDSA P-256 key"));
  EXPECT_TRUE(absl::IsInvalidArgument(Signer::FromPem("garbage").status()));
  EXPECT_TRUE(absl::IsInvalidArgument(
      Verifier::FromCertificatePem("garbage").status()));
}

TEST(SigningTest, TreeHeadInputBindsEveryField) {
  const absl::Time t = absl::FromUnixSeconds(1700000000);
  const std::string root(32, '\x11');
  const std::string base = TreeHeadSigningInput("FR-DGT", 10, root, t);
  EXPECT_EQ(base, TreeHeadSigningInput("FR-DGT", 10, root, t));
  EXPECT_NE(base, TreeHeadSigningInput("PL-PIP", 10, root, t));
  EXPECT_NE(base, TreeHeadSigningInput("FR-DGT", 11, root, t));
  EXPECT_NE(base,
            TreeHeadSigningInput("FR-DGT", 10, std::string(32, '\x12'), t));
  EXPECT_NE(base,
            TreeHeadSigningInput("FR-DGT", 10, root, t + absl::Nanoseconds(1)));
}

}  // namespace
}  // namespace pwx::domain
