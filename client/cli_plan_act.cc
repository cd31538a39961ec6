#include "client/cli_plan_act.h"

#include <memory>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "client/plan_output.h"
#include "server/domain/fields.h"
#include "server/domain/plan_rules.h"

namespace pwx::client::internal::plan_cli {

absl::Status CheckId(const std::string& id) {
  return FlagUsage("ID", domain::ValidatePlanId("ID", id));
}

absl::StatusOr<PlanClient> ConnectPlans(CommandEnv& env) {
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = env.connect();
  if (!channel.ok()) return channel.status();
  return PlanClient(*std::move(channel), env.timeout);
}

absl::Status PrintChange(
    const absl::StatusOr<pwx::v1::PlanChangeResponse>& change,
    CommandEnv& env) {
  if (!change.ok()) return change.status();
  PrintPlanChange(*change, env.format, env.out);
  return absl::OkStatus();
}

namespace {

absl::Status RunAct(const ActFlags& flags, const FillStep& fill,
                    CommandEnv& env) {
  if (absl::Status s = CheckId(flags.id); !s.ok()) return s;
  Session session(env, flags.id);
  pwx::v1::ActOnPlanRequest request;
  request.set_id(flags.id);
  if (absl::Status s = fill(flags, session, request.mutable_step()); !s.ok()) {
    return s;
  }
  absl::StatusOr<const PlanClient*> client = session.Client();
  if (!client.ok()) return client.status();
  return PrintChange((*client)->ActOnPlan(request), env);
}

}  // namespace

CLI::App* AddAct(CLI::App* parent, Command* selected, const std::string& verb,
                 const std::string& help, const std::string& footer,
                 const BindOptions& bind, FillStep fill) {
  CLI::App* command = parent->add_subcommand(verb, help);
  command->footer(absl::StrCat(footer, kChangeFooter));
  auto flags = std::make_shared<ActFlags>();
  command->add_option("ID", flags->id, "Plan id, e.g. FR-DGT-P-2026-000001")
      ->required();
  if (bind) bind(command, flags.get());
  auto shared_fill = std::make_shared<FillStep>(std::move(fill));
  command->callback([selected, flags, shared_fill] {
    *selected = [flags, shared_fill](CommandEnv& env) {
      return RunAct(*flags, *shared_fill, env);
    };
  });
  return command;
}

BindOptions Reason(const std::string& help) {
  return [help](CLI::App* c, ActFlags* f) {
    c->add_option("--reason", f->reason, help)->required();
  };
}

}  // namespace pwx::client::internal::plan_cli
