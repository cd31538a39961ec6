// Shared by the files of the `pwx plan` commands (cli_plan.cc,
// cli_plan_work.cc, cli_plan_act.cc); not a public API.
#ifndef PWX_CLIENT_CLI_PLAN_ACT_H_
#define PWX_CLIENT_CLI_PLAN_ACT_H_

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "client/cli_internal.h"
#include "client/plan_client.h"
#include "client/plan_input.h"
#include "pwx/v1/plan.pb.h"
#include "pwx/v1/plan_service.pb.h"

namespace pwx::client::internal::plan_cli {

inline constexpr char kChangeFooter[] =
    "Made at the lead's node, the change is done at once. Made at a\n"
    "participant's node, it goes to the lead, and this node's copy changes\n"
    "once the lead sequences it; a change the lead refuses is listed by\n"
    "`pwx plan show ID`.\n\n"
    "With --output json, prints the pwx.v1.PlanChangeResponse: \"plan\" (the\n"
    "plan as this node holds it: \"id\", \"state\" as PLAN_STATE_..., ...),\n"
    "\"event\" (the change) and \"sequenced\".";

// A usage error "ID: ..." unless `id` is a plan id.
absl::Status CheckId(const std::string& id);

absl::StatusOr<PlanClient> ConnectPlans(CommandEnv& env);

// Prints the change an RPC returned, or passes its error on.
absl::Status PrintChange(
    const absl::StatusOr<pwx::v1::PlanChangeResponse>& change, CommandEnv& env);

// The content flags and --content FILE of create, edit and amend.
struct ContentInput {
  PlanContentFlags flags;
  std::string file;
};

// Every flag a change may take; each verb binds the ones it reads.
struct ActFlags {
  std::string id;
  std::string reason;
  std::string authority;
  std::string text;
  std::vector<std::string> remove_actions;
  std::vector<std::string> values;
  ContentInput content;
  // action add
  std::string kind;
  std::string date;
  std::string end_date;
  std::string place;
  std::string responsible;
  std::vector<std::string> inspectors;
  std::string description;
  // finding add
  std::string action;
  std::optional<int> workers;
  std::optional<int> undertakings;
  std::vector<std::string> irregularities;
  std::vector<std::string> requests;
  std::string notes;
};

// The connection and the plan as it stands, made when first needed so that
// flags are checked before anything reaches the server. One per command;
// not thread-safe.
class Session {
 public:
  Session(CommandEnv& env, std::string id) : env_(env), id_(std::move(id)) {}

  absl::StatusOr<const PlanClient*> Client() {
    if (!client_.has_value()) {
      absl::StatusOr<PlanClient> client = ConnectPlans(env_);
      if (!client.ok()) return client.status();
      client_.emplace(*std::move(client));
    }
    return &*client_;
  }

  absl::StatusOr<pwx::v1::Plan> Current() {
    absl::StatusOr<const PlanClient*> client = Client();
    if (!client.ok()) return client.status();
    absl::StatusOr<pwx::v1::GetPlanResponse> view = (*client)->GetPlan(id_);
    if (!view.ok()) return view.status();
    return std::move(*view->mutable_plan());
  }

 private:
  CommandEnv& env_;
  std::string id_;
  std::optional<PlanClient> client_;
};

// Fills the action of `step` from the flags; may read the plan through
// `session`.
using FillStep = std::function<absl::Status(const ActFlags&, Session& session,
                                            pwx::v1::PlanEvent* step)>;
// Binds the verb's own options.
using BindOptions = std::function<void(CLI::App*, ActFlags*)>;

// Adds `verb` under `parent`: a change of the plan ID (the required
// positional) whose action `fill` makes from the options `bind` adds.
// `footer` goes before the common footer. Returns the new subcommand.
CLI::App* AddAct(CLI::App* parent, Command* selected, const std::string& verb,
                 const std::string& help, const std::string& footer,
                 const BindOptions& bind, FillStep fill);

// Binds a required --reason.
BindOptions Reason(const std::string& help);

// Adds `action add`, `finding add`, `measure` and `report [submit]` under
// `plans` (cli_plan_work.cc).
void AddWorkCommands(CLI::App* plans, Command* selected);

}  // namespace pwx::client::internal::plan_cli

#endif  // PWX_CLIENT_CLI_PLAN_ACT_H_
