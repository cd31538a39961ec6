// pwx_case_loader: stores N posting cases on a running node through its API
// port (mutual TLS, the user's certificate), as fast as the node takes
// them: CreateCase calls on the async gRPC client, many in flight over a few
// connections. For the web test's page loads at scale (web_e2e.sh); not a
// benchmark (the node's write path has its own), but it prints its rate.
//
//   pwx_case_loader --server localhost:7443 --ca ca.pem --cert alice.pem
//       --key alice.key --cases 100000 [--in-flight 256] [--connections 4]
//
// Exits 0 once every case is stored, 2 for a bad argument, 1 when a call
// fails (the first failure is printed: its case number, code and message).
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "pwx/v1/case_service.grpc.pb.h"

namespace {

struct Options {
  std::string server;
  std::string ca;
  std::string cert;
  std::string key;
  // Required; 1 to 10,000,000.
  int cases = 0;
  // Calls in flight at once. Default: 256.
  int in_flight = 256;
  // TLS connections the calls are spread over. Default: 4.
  int connections = 4;
};

[[noreturn]] void Usage(const std::string& why) {
  std::fprintf(stderr,
               "pwx_case_loader: %s\n"
               "usage: pwx_case_loader --server HOST:PORT --ca CA.pem --cert "
               "USER.pem --key USER.key --cases N [--in-flight K] "
               "[--connections C]\n",
               why.c_str());
  std::exit(2);
}

int IntFlag(absl::string_view flag, absl::string_view value, int min, int max) {
  int n = 0;
  if (!absl::SimpleAtoi(value, &n) || n < min || n > max) {
    Usage(absl::StrCat(flag, ": must be a number from ", min, " to ", max,
                       ", not '", value, "'"));
  }
  return n;
}

Options Parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const absl::string_view flag = argv[i];
    if (i + 1 >= argc) Usage(absl::StrCat(flag, ": needs a value"));
    const absl::string_view value = argv[++i];
    if (flag == "--server") {
      o.server = std::string(value);
    } else if (flag == "--ca") {
      o.ca = std::string(value);
    } else if (flag == "--cert") {
      o.cert = std::string(value);
    } else if (flag == "--key") {
      o.key = std::string(value);
    } else if (flag == "--cases") {
      o.cases = IntFlag(flag, value, 1, 10'000'000);
    } else if (flag == "--in-flight") {
      o.in_flight = IntFlag(flag, value, 1, 4096);
    } else if (flag == "--connections") {
      o.connections = IntFlag(flag, value, 1, 64);
    } else {
      Usage(absl::StrCat("unknown flag ", flag));
    }
  }
  for (const auto& [flag, value] :
       {std::pair{"--server", &o.server}, std::pair{"--ca", &o.ca},
        std::pair{"--cert", &o.cert}, std::pair{"--key", &o.key}}) {
    if (value->empty()) Usage(absl::StrCat(flag, " is required"));
  }
  if (o.cases == 0) Usage("--cases is required");
  return o;
}

std::string ReadPem(absl::string_view flag, const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  std::string content((std::istreambuf_iterator<char>(file)),
                      std::istreambuf_iterator<char>());
  if (!file.good() && !file.eof()) {
    Usage(absl::StrCat(flag, ": cannot read ", path));
  }
  if (content.find("-----BEGIN ") == std::string::npos) {
    Usage(absl::StrCat(flag, ": ", path, " is not a PEM file"));
  }
  return content;
}

// Case `n`: an undertaking of one of four sending states with two posted
// workers, names and numbers varying with n so that searches and lists
// see many distinct values. None is Polish: the web test counts the Polish
// cases to see that a refused call filed none.
pwx::v1::CreateCaseRequest MakeCase(int n) {
  static constexpr const char* kCountries[] = {"RO", "PT", "BG", "LT"};
  const char* country = kCountries[n % 4];
  pwx::v1::CreateCaseRequest request;
  pwx::v1::Case* c = request.mutable_case_();
  c->set_title(absl::StrFormat("Site %d, Lyon", n));
  c->mutable_undertaking()->set_name(absl::StrFormat("Bulk Bau %d", n));
  c->mutable_undertaking()->set_registration_number(
      absl::StrFormat("%s%010d", country, n));
  c->mutable_undertaking()->set_country_of_establishment(country);
  c->mutable_service_recipient()->set_name("Rhône Habitat SA");
  c->mutable_service_recipient()->set_country("FR");
  c->set_sector_nace(n % 2 == 0 ? "F41.20" : "F43.99");
  for (int w = 0; w < 2; ++w) {
    pwx::v1::PostedWorker* worker = c->add_workers();
    worker->set_full_name(absl::StrFormat("Worker %d-%d", n, w));
    worker->set_date_of_birth("1985-04-12");
    worker->set_nationality(country);
    worker->mutable_posting_period()->set_start_date("2026-02-01");
    worker->mutable_posting_period()->set_end_date("2026-06-30");
    worker->set_workplace("Lyon");
  }
  return request;
}

struct Call {
  int n = 0;
  grpc::ClientContext context;
  pwx::v1::Case reply;
  grpc::Status status;
  std::unique_ptr<grpc::ClientAsyncResponseReader<pwx::v1::Case>> reader;
};

}  // namespace

int main(int argc, char** argv) {
  const Options options = Parse(argc, argv);
  grpc::SslCredentialsOptions ssl;
  ssl.pem_root_certs = ReadPem("--ca", options.ca);
  ssl.pem_cert_chain = ReadPem("--cert", options.cert);
  ssl.pem_private_key = ReadPem("--key", options.key);
  std::vector<std::unique_ptr<pwx::v1::CaseService::Stub>> stubs;
  for (int i = 0; i < options.connections; ++i) {
    // Channels with distinct arguments get connections of their own.
    grpc::ChannelArguments args;
    args.SetInt("pwx.case_loader.connection", i);
    stubs.push_back(pwx::v1::CaseService::NewStub(grpc::CreateCustomChannel(
        options.server, grpc::SslCredentials(ssl), args)));
  }
  grpc::CompletionQueue queue;
  int next = 0;
  auto start = [&](int n) {
    auto* call = new Call;
    call->n = n;
    call->context.set_deadline(std::chrono::system_clock::now() +
                               std::chrono::seconds(120));
    call->reader = stubs[n % stubs.size()]->AsyncCreateCase(
        &call->context, MakeCase(n), &queue);
    call->reader->Finish(&call->reply, &call->status, call);
  };
  const auto began = std::chrono::steady_clock::now();
  for (; next < options.cases && next < options.in_flight; ++next) start(next);
  int done = 0;
  int failed = 0;
  void* tag = nullptr;
  bool ok = false;
  while (done < next && queue.Next(&tag, &ok)) {
    std::unique_ptr<Call> call(static_cast<Call*>(tag));
    ++done;
    if (!ok || !call->status.ok()) {
      if (failed++ == 0) {
        std::fprintf(stderr, "pwx_case_loader: case %d: %d %s\n", call->n,
                     static_cast<int>(call->status.error_code()),
                     call->status.error_message().c_str());
      }
      continue;
    }
    // After a failure, the calls in flight finish; no new one starts.
    if (failed == 0 && next < options.cases) start(next++);
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - began)
          .count();
  queue.Shutdown();
  while (queue.Next(&tag, &ok)) {
  }
  if (failed > 0) {
    std::fprintf(stderr, "pwx_case_loader: %d of %d calls failed\n", failed,
                 done);
    return 1;
  }
  std::printf("stored %d cases in %.1f s (%.0f cases/s, %d in flight)\n", done,
              seconds, done / seconds, options.in_flight);
  return 0;
}
