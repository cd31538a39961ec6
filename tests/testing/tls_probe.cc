#include "tests/testing/tls_probe.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

namespace pwx::testing {
namespace {

thread_local int tickets = 0;

int CountTicket(SSL* /*ssl*/, SSL_SESSION* /*session*/) {
  ++tickets;
  return 0;  // not kept
}

std::string Errors() {
  std::string out;
  while (unsigned long e = ERR_get_error()) {
    char buffer[256];
    ERR_error_string_n(e, buffer, sizeof(buffer));
    if (!out.empty()) out += "; ";
    out += buffer;
  }
  return out.empty() ? std::strerror(errno) : out;
}

}  // namespace

std::string ToString(TlsOutcome outcome) {
  switch (outcome) {
    case TlsOutcome::kRefusedInHandshake:
      return "refused in the handshake";
    case TlsOutcome::kClosedAfterHandshake:
      return "closed after the handshake";
    case TlsOutcome::kAccepted:
      return "accepted";
  }
  return "?";
}

TlsProbe ProbeTls(int port, const KeyPair* client, bool tls13) {
  signal(SIGPIPE, SIG_IGN);
  tickets = 0;
  std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> ctx(
      SSL_CTX_new(TLS_client_method()), SSL_CTX_free);
  const int version = tls13 ? TLS1_3_VERSION : TLS1_2_VERSION;
  SSL_CTX_set_min_proto_version(ctx.get(), version);
  SSL_CTX_set_max_proto_version(ctx.get(), version);
  SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_NONE, nullptr);
  SSL_CTX_set_session_cache_mode(ctx.get(), SSL_SESS_CACHE_CLIENT);
  SSL_CTX_sess_set_new_cb(ctx.get(), &CountTicket);
  static const unsigned char kAlpn[] = {2, 'h', '2'};
  SSL_CTX_set_alpn_protos(ctx.get(), kAlpn, sizeof(kAlpn));
  if (client != nullptr) {
    BIO* cert = BIO_new_mem_buf(client->cert_pem.data(),
                                static_cast<int>(client->cert_pem.size()));
    BIO* key = BIO_new_mem_buf(client->key_pem.data(),
                               static_cast<int>(client->key_pem.size()));
    X509* x = PEM_read_bio_X509(cert, nullptr, nullptr, nullptr);
    EVP_PKEY* k = PEM_read_bio_PrivateKey(key, nullptr, nullptr, nullptr);
    SSL_CTX_use_certificate(ctx.get(), x);
    SSL_CTX_use_PrivateKey(ctx.get(), k);
    X509_free(x);
    EVP_PKEY_free(k);
    BIO_free(cert);
    BIO_free(key);
  }
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address = {};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval timeout = {5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) !=
      0) {
    close(fd);
    return {TlsOutcome::kRefusedInHandshake,
            std::string("connect: ") + std::strerror(errno)};
  }
  std::unique_ptr<SSL, decltype(&SSL_free)> ssl(SSL_new(ctx.get()), SSL_free);
  SSL_set_fd(ssl.get(), fd);
  TlsProbe probe;
  if (SSL_connect(ssl.get()) != 1) {
    probe = {TlsOutcome::kRefusedInHandshake, "SSL_connect: " + Errors()};
  } else {
    // The client preface and an empty SETTINGS frame.
    static const char kPreface[] =
        "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\0\0\0\4\0\0\0\0\0";
    SSL_write(ssl.get(), kPreface, sizeof(kPreface) - 1);
    char buffer[64];
    const int n = SSL_read(ssl.get(), buffer, sizeof(buffer));
    if (n > 0) {
      probe = {TlsOutcome::kAccepted, "the server answered"};
    } else if (tls13 && tickets == 0) {
      probe = {TlsOutcome::kRefusedInHandshake,
               "closed without a session ticket: " + Errors()};
    } else {
      probe = {TlsOutcome::kClosedAfterHandshake,
               "closed after the handshake: " + Errors()};
    }
  }
  close(fd);
  ERR_clear_error();
  return probe;
}

}  // namespace pwx::testing
