// pwx-server: one node of the pwx federation.
//
//   pwx-server --config FILE [overrides]
//   pwx-server restore --backup-dir DIR --data-dir DIR
#include <signal.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "server/config.h"
#include "server/logging.h"
#include "server/node.h"
#include "storage/rocks_store.h"

namespace {

// Flags that override the config file; unset ones leave it alone.
struct Overrides {
  std::optional<std::string> authority_id;
  std::optional<std::string> data_dir;
  std::optional<std::string> api_listen;
  std::optional<std::string> api_cert;
  std::optional<std::string> api_key;
  std::optional<std::string> api_client_ca;
  std::optional<std::string> log_format;
  std::optional<std::string> log_level;
  std::optional<std::string> federation_listen;
  std::optional<std::string> federation_advertise;
  std::optional<std::string> web_listen;
  std::vector<std::string> admin_users;
  // USER=ROLE each.
  std::vector<std::string> bootstrap_roles;
};

void Apply(const Overrides& o, pwx::v1::ServerConfig* c) {
  if (o.authority_id) c->set_authority_id(*o.authority_id);
  if (o.data_dir) c->set_data_dir(*o.data_dir);
  if (o.api_listen) c->mutable_api()->set_listen(*o.api_listen);
  if (o.api_cert) c->mutable_api()->set_cert_file(*o.api_cert);
  if (o.api_key) c->mutable_api()->set_key_file(*o.api_key);
  if (o.api_client_ca) c->mutable_api()->set_client_ca_file(*o.api_client_ca);
  if (o.log_format) c->mutable_log()->set_format(*o.log_format);
  if (o.log_level) c->mutable_log()->set_level(*o.log_level);
  if (o.federation_listen) {
    c->mutable_federation()->set_listen(*o.federation_listen);
  }
  if (o.web_listen) c->mutable_web()->set_listen(*o.web_listen);
  if (o.federation_advertise) {
    c->mutable_federation()->set_advertise(*o.federation_advertise);
  }
  for (const std::string& u : o.admin_users) c->add_admin_users(u);
  for (const std::string& given : o.bootstrap_roles) {
    // CLI11 has checked the '=' (see --bootstrap-role).
    const size_t eq = given.find('=');
    pwx::v1::BootstrapRole* role = c->add_bootstrap_roles();
    role->set_user(given.substr(0, eq));
    role->set_role(given.substr(eq + 1));
  }
}

int Fail(const absl::Status& status) {
  std::cerr << "pwx-server: " << status.message() << "\n";
  return 1;
}

// Writes `port` to `path` whole under a temporary name, so a reader never
// sees half.
void WritePortFile(const std::string& path, int port) {
  const std::string tmp = path + ".tmp";
  std::ofstream(tmp) << port << "\n";
  std::rename(tmp.c_str(), path.c_str());
}

int Serve(const std::string& config_path, const Overrides& overrides,
          const std::string& port_file, const std::string& federation_port_file,
          const std::string& web_port_file) {
  pwx::v1::ServerConfig config;
  if (!config_path.empty()) {
    absl::StatusOr<pwx::v1::ServerConfig> loaded =
        pwx::server::LoadConfigFile(config_path);
    if (!loaded.ok()) return Fail(loaded.status());
    config = *std::move(loaded);
  }
  Apply(overrides, &config);
  pwx::server::ApplyDefaults(&config);
  if (absl::Status s = pwx::server::ValidateConfig(config); !s.ok()) {
    return Fail(s);
  }
  if (absl::Status s = pwx::server::SetupLogging(config.log()); !s.ok()) {
    return Fail(s);
  }

  // Block the stop signals before any thread starts, so that only the
  // sigwait below receives them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  absl::StatusOr<pwx::server::NodeOptions> options =
      pwx::server::LoadNodeOptions(config);
  if (!options.ok()) return Fail(options.status());
  absl::StatusOr<std::unique_ptr<pwx::server::Node>> node =
      pwx::server::Node::Start(*std::move(options));
  if (!node.ok()) {
    spdlog::error("cannot start: {}", std::string(node.status().message()));
    return Fail(node.status());
  }
  if (!port_file.empty()) WritePortFile(port_file, (*node)->api_port());
  if (!federation_port_file.empty() && (*node)->federation_port() != 0) {
    WritePortFile(federation_port_file, (*node)->federation_port());
  }
  if (!web_port_file.empty() && (*node)->web_port() != 0) {
    WritePortFile(web_port_file, (*node)->web_port());
  }

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  spdlog::info("received signal {}; draining in-flight calls (up to {} s)",
               signal_number, config.shutdown_grace_seconds());
  (*node)->Shutdown(absl::Seconds(config.shutdown_grace_seconds()));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  // Debian's abseil is built with its lock-order checks on: the tests keep
  // them (they abort on an inversion), the node does not pay for them on
  // every lock.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  CLI::App app{
      "pwx-server: a node of the pwx posted-workers exchange.\n"
      "Serves the node's authority over mutual TLS; see README.md."};
  app.set_version_flag("--version", "pwx-server 0.1.0");
  app.require_subcommand(0, 1);

  std::string config_path;
  std::string port_file;
  Overrides o;
  app.add_option("--config", config_path,
                 "Config file (pwx.v1.ServerConfig in protobuf text format)")
      ->check(CLI::ExistingFile);
  app.add_option("--authority-id", o.authority_id, "Overrides authority_id");
  app.add_option("--data-dir", o.data_dir, "Overrides data_dir");
  app.add_option("--api-listen", o.api_listen, "Overrides api.listen");
  app.add_option("--api-cert", o.api_cert, "Overrides api.cert_file");
  app.add_option("--api-key", o.api_key, "Overrides api.key_file");
  app.add_option("--api-client-ca", o.api_client_ca,
                 "Overrides api.client_ca_file");
  app.add_option("--log-format", o.log_format, "Overrides log.format")
      ->check(CLI::IsMember({"text", "json"}));
  app.add_option("--log-level", o.log_level, "Overrides log.level");
  app.add_option("--admin-user", o.admin_users,
                 "Adds to admin_users (repeatable)");
  app.add_option("--bootstrap-role", o.bootstrap_roles,
                 "USER=ROLE: adds to bootstrap_roles, e.g. alice=inspector "
                 "(repeatable)")
      ->check(CLI::Validator(
          [](std::string& value) -> std::string {
            return value.find('=') == std::string::npos || value.front() == '='
                       ? "'" + value + "' is not USER=ROLE"
                       : "";
          },
          "USER=ROLE"));
  app.add_option("--port-file", port_file,
                 "Write the bound API port to this file once listening");
  std::string federation_port_file;
  app.add_option("--federation-listen", o.federation_listen,
                 "Overrides federation.listen");
  app.add_option("--federation-advertise", o.federation_advertise,
                 "Overrides federation.advertise");
  app.add_option("--federation-port-file", federation_port_file,
                 "Write the bound federation port to this file once "
                 "listening");

  std::string web_port_file;
  app.add_option("--web-listen", o.web_listen, "Overrides web.listen");
  app.add_option("--web-port-file", web_port_file,
                 "Write the bound web page port to this file once listening");

  CLI::App* restore = app.add_subcommand(
      "restore", "Restore the latest backup into an empty data directory");
  std::string backup_dir;
  std::string restore_dir;
  restore->add_option("--backup-dir", backup_dir, "Backup directory")
      ->required();
  restore
      ->add_option("--data-dir", restore_dir,
                   "Data directory to create (must not hold a database)")
      ->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }

  if (*restore) {
    if (absl::Status s =
            pwx::storage::RestoreLatestBackup(backup_dir, restore_dir);
        !s.ok()) {
      return Fail(s);
    }
    std::cout << "restored the latest backup of " << backup_dir << " into "
              << restore_dir << "\n";
    return 0;
  }
  return Serve(config_path, o, port_file, federation_port_file, web_port_file);
}
