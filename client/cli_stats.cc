// `pwx stats`: the Single Market Scoreboard indicators per peer.
#include <memory>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "client/cli_internal.h"
#include "client/request_client.h"
#include "client/request_output.h"
#include "server/domain/fields.h"

namespace pwx::client::internal {
namespace {

struct StatsFlags {
  std::string peer;
  std::string from;
  std::string to;
};

absl::Status RunStats(const StatsFlags& flags, CommandEnv& env) {
  pwx::v1::GetStatsRequest request;
  if (!flags.peer.empty()) {
    if (absl::Status s = FlagUsage(
            "--peer", domain::ValidateAuthorityId("--peer", flags.peer));
        !s.ok()) {
      return s;
    }
  }
  std::optional<absl::CivilDay> from;
  std::optional<absl::CivilDay> to;
  if (!flags.from.empty()) {
    absl::StatusOr<absl::CivilDay> day =
        domain::ParseDate("--from", flags.from);
    if (!day.ok()) return FlagUsage("--from", day.status());
    from = *day;
  }
  if (!flags.to.empty()) {
    absl::StatusOr<absl::CivilDay> day = domain::ParseDate("--to", flags.to);
    if (!day.ok()) return FlagUsage("--to", day.status());
    to = *day;
  }
  if (from.has_value() && to.has_value() && *to < *from) {
    return UsageError(
        absl::StrCat("--to: ", flags.to, " is before --from ", flags.from));
  }
  request.set_peer(flags.peer);
  request.set_from(flags.from);
  request.set_to(flags.to);
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = env.connect();
  if (!channel.ok()) return channel.status();
  RequestClient client(*std::move(channel), env.timeout);
  absl::StatusOr<pwx::v1::GetStatsResponse> stats = client.GetStats(request);
  if (!stats.ok()) return stats.status();
  PrintStats(*stats, env.format, env.out);
  return absl::OkStatus();
}

}  // namespace

void AddStatsCommand(CLI::App& app, Command* selected) {
  CLI::App* command = app.add_subcommand(
      "stats",
      "The Single Market Scoreboard indicators per peer, computed from the "
      "request histories (inspectors and auditors)");
  command->footer(
      "For each peer: how it answered the requests this node sent it, and\n"
      "how this node answered its requests. Indicators: accepted within 7\n"
      "days, average days to answer, answered by the agreed date, negative\n"
      "timeliness and effort ratings; each with the number of requests it\n"
      "is computed from and its band (green, yellow, red).\n\n"
      "With --output json, prints the pwx.v1.GetStatsResponse.");
  auto flags = std::make_shared<StatsFlags>();
  command->add_option("--peer", flags->peer,
                      "One peer authority (default: every peer)");
  command->add_option("--from", flags->from,
                      "First day of the period, YYYY-MM-DD (requests sent "
                      "from then; default: 365 days ago)");
  command->add_option("--to", flags->to,
                      "Last day of the period, YYYY-MM-DD (default: today)");
  command->callback([selected, flags] {
    *selected = [flags](CommandEnv& env) { return RunStats(*flags, env); };
  });
}

}  // namespace pwx::client::internal
