// `pwx plan ...`: joint inspection plans (cooperation plans, concerted and
// joint inspections), from the lead's draft to the closed report. The
// changes of a running plan and the report are in cli_plan_work.cc.
#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "client/cli_internal.h"
#include "client/cli_plan_act.h"
#include "client/output.h"
#include "client/plan_client.h"
#include "client/plan_input.h"
#include "client/plan_output.h"
#include "server/domain/case_rules.h"

namespace pwx::client::internal {
namespace plan_cli {
namespace {

constexpr char kContentFooter[] =
    "Content flags: a flag left out leaves that part as it is. A repeatable\n"
    "flag (--objective, --operational-objective, --sector, --target, --case,\n"
    "--indicator) given replaces that whole list with the values given, in\n"
    "order: to add a sector, give the existing ones and the new one; give it\n"
    "once with an empty value (--sector '') to empty the list. --ela ''\n"
    "removes ELA. --content FILE takes the whole content from a\n"
    "pwx.v1.PlanContent in protobuf JSON (the \"content\" of `pwx plan show\n"
    "ID --output json`) and cannot be combined with content flags. Errors\n"
    "name the flag and, for a repeated one, its position from 1\n"
    "(--target[2]: ...).\n\n";
constexpr char kStates[] =
    "draft, proposed, agreed, in-progress, reported, closed, cancelled";

// Binds an optional text option.
void Text(CLI::App* command, const std::string& name,
          std::optional<std::string>* to, const std::string& help) {
  command->add_option_function<std::string>(
      name, [to](const std::string& value) { *to = value; }, help);
}

void List(CLI::App* command, const std::string& name,
          std::vector<std::string>* to, const std::string& help) {
  command->add_option(name, *to, help)->allow_extra_args(false);
}

void AddContentOptions(CLI::App* command, ContentInput* in, bool changing) {
  PlanContentFlags* f = &in->flags;
  if (changing) Text(command, "--title", &f->title, "The plan's title");
  List(command, "--objective", &f->objectives,
       "A strategic objective, repeatable");
  List(command, "--operational-objective", &f->operational_objectives,
       "An operational objective, repeatable");
  List(command, "--sector", &f->sectors,
       "A NACE Rev. 2 code, repeatable, e.g. F41.20 or 41.2");
  List(command, "--target", &f->targets,
       "A target undertaking, repeatable: \"name=..;reg=..;country=CC\" "
       "(name required)");
  List(command, "--case", &f->case_ids,
       "A case the plan is about, repeatable, e.g. FR-DGT-2026-000001");
  Text(command, "--scope", &f->scope, "The scope (needed to propose)");
  Text(command, "--purpose", &f->purpose, "The purpose (needed to propose)");
  Text(command, "--legal-basis", &f->legal_basis,
       "The legal basis (needed to propose)");
  const std::string short_notice =
      changing ? "--short-notice,!--no-short-notice" : "--short-notice";
  command->add_flag_function(
      short_notice, [f](int64_t count) { f->short_notice = count > 0; },
      changing ? "Short-notice inspections are allowed (--no-short-notice: "
                 "not)"
               : "Short-notice inspections are allowed");
  Text(command, "--ela", &f->ela,
       "ELA's part: AUTH:coordinator or AUTH:observer, e.g. "
       "EU-ELA:coordinator");
  command->add_option_function<int>(
      "--report-due-months",
      [f](const int& months) { f->report_due_months = months; },
      "Months after the last action's end the report is due (0: 6)");
  List(command, "--indicator", &f->indicators,
       "An indicator, repeatable: \"id=..;source=manual|workers-checked|"
       "undertakings-checked|irregularities|requests-opened;target=N"
       "[;at-most][;unit=..][;description=..]\"");
  Text(command, "--description", &f->description,
       "A case description (free text)");
  command->add_option("--content", in->file,
                      "A file with the whole pwx.v1.PlanContent in protobuf "
                      "JSON; not with content flags");
}

// The content `in` makes from `base`: the file's, or `base` with the flags
// applied. A usage error naming the flag.
absl::StatusOr<pwx::v1::PlanContent> BuildContent(
    const ContentInput& in, const pwx::v1::PlanContent& base) {
  if (!in.file.empty()) {
    if (std::optional<std::string> flag = FirstContentFlag(in.flags)) {
      return UsageError(
          absl::StrCat("--content: not with ", *flag,
                       " (give the whole content in the file, or flags)"));
    }
    absl::StatusOr<std::string> json = ReadInputFile("--content", in.file);
    if (!json.ok()) return json.status();
    absl::StatusOr<pwx::v1::PlanContent> content =
        ParsePlanContentJson("--content", *json);
    if (!content.ok()) return AsUsage(content.status());
    return content;
  }
  pwx::v1::PlanContent content = base;
  if (absl::Status s = ApplyPlanContentFlags(in.flags, &content); !s.ok()) {
    return AsUsage(s);
  }
  return content;
}

bool AnyContent(const ContentInput& in) {
  return !in.file.empty() || FirstContentFlag(in.flags).has_value();
}

// --- plan create -----------------------------------------------------------

struct CreateFlags {
  std::string kind;
  std::vector<std::string> participants;
  ContentInput content;
};

absl::Status RunCreate(const CreateFlags& flags, CommandEnv& env) {
  pwx::v1::CreatePlanRequest request;
  pwx::v1::CreatePlanAction* create = request.mutable_create();
  absl::StatusOr<pwx::v1::PlanKind> kind = ParsePlanKind(flags.kind);
  if (!kind.ok()) return FlagUsage("--kind", kind.status());
  create->set_kind(*kind);
  for (size_t i = 0; i < flags.participants.size(); ++i) {
    if (absl::Status s = CheckAuthority(
            absl::StrCat("--participant[", i + 1, "]"), flags.participants[i]);
        !s.ok()) {
      return s;
    }
    create->add_participants(flags.participants[i]);
  }
  if (flags.content.file.empty() && !flags.content.flags.title.has_value()) {
    return UsageError("--title: required (or --content FILE)");
  }
  if (flags.content.flags.title.has_value()) {
    if (absl::Status s = CheckText("--title", *flags.content.flags.title);
        !s.ok()) {
      return s;
    }
  }
  absl::StatusOr<pwx::v1::PlanContent> content =
      BuildContent(flags.content, pwx::v1::PlanContent());
  if (!content.ok()) return content.status();
  *create->mutable_content() = *std::move(content);
  absl::StatusOr<PlanClient> client = ConnectPlans(env);
  if (!client.ok()) return client.status();
  return PrintChange(client->CreatePlan(request), env);
}

void AddCreate(CLI::App* plans, Command* selected) {
  CLI::App* command = plans->add_subcommand(
      "create",
      "Create a draft plan led by this node's authority and print it (its "
      "id first); `pwx plan propose ID` sends it to the participants");
  command->footer(absl::StrCat(kContentFooter, kChangeFooter));
  auto flags = std::make_shared<CreateFlags>();
  command
      ->add_option("--kind", flags->kind,
                   "joint (inspection), concerted (inspection) or "
                   "cooperation (plan)")
      ->required();
  command->add_option_function<std::string>(
      "--title",
      [flags](const std::string& t) { flags->content.flags.title = t; },
      "The plan's title (required unless --content)");
  command
      ->add_option("--participant", flags->participants,
                   "An authority invited from the start, a peer, e.g. "
                   "PL-PIP; repeatable")
      ->allow_extra_args(false);
  AddContentOptions(command, &flags->content, /*changing=*/false);
  command->callback([selected, flags] {
    *selected = [flags](CommandEnv& env) { return RunCreate(*flags, env); };
  });
}

absl::Status FillEdit(const ActFlags& f, Session& session,
                      pwx::v1::PlanEvent* step) {
  if (!AnyContent(f.content)) {
    return UsageError("give a content flag or --content FILE to change");
  }
  pwx::v1::PlanContent base;
  if (f.content.file.empty()) {
    // Check the flags before reading the plan.
    if (absl::Status s = BuildContent(f.content, base).status(); !s.ok()) {
      return s;
    }
    absl::StatusOr<pwx::v1::Plan> current = session.Current();
    if (!current.ok()) return current.status();
    base = current->content();
  }
  absl::StatusOr<pwx::v1::PlanContent> content = BuildContent(f.content, base);
  if (!content.ok()) return content.status();
  *step->mutable_edit_draft()->mutable_content() = *std::move(content);
  return absl::OkStatus();
}

absl::Status FillAmend(const ActFlags& f, Session& session,
                       pwx::v1::PlanEvent* step) {
  if (absl::Status s = CheckText("--reason", f.reason); !s.ok()) return s;
  if (!AnyContent(f.content) && f.remove_actions.empty()) {
    return UsageError(
        "give content flags, --content FILE or --remove-action to amend");
  }
  pwx::v1::AmendAction* amend = step->mutable_amend();
  amend->set_reason(f.reason);
  std::set<std::string> removed;
  for (size_t i = 0; i < f.remove_actions.size(); ++i) {
    const std::string& id = f.remove_actions[i];
    const std::string flag = absl::StrCat("--remove-action[", i + 1, "]");
    if (absl::Status s = CheckText(flag, id); !s.ok()) return s;
    if (!removed.insert(id).second) {
      return UsageError(absl::StrCat(flag, ": ", id, " given twice"));
    }
    amend->add_removed_actions(id);
  }
  if (AnyContent(f.content)) {
    pwx::v1::PlanEvent edit;
    if (absl::Status s = FillEdit(f, session, &edit); !s.ok()) return s;
    *amend->mutable_content() =
        std::move(*edit.mutable_edit_draft()->mutable_content());
    amend->set_replaces_content(true);
  }
  return absl::OkStatus();
}

void AddChanges(CLI::App* p, Command* selected) {
  const BindOptions none;
  const std::string no_footer;
  AddAct(
      p, selected, "edit",
      "Change a draft's content (lead; draft only): only the content flags "
      "given",
      kContentFooter,
      [](CLI::App* c, ActFlags* f) {
        AddContentOptions(c, &f->content, /*changing=*/true);
      },
      FillEdit);
  AddAct(
      p, selected, "invite",
      "Invite an authority, a peer of this node (lead); once proposed, "
      "it must agree before the plan is agreed again",
      no_footer,
      [](CLI::App* c, ActFlags* f) {
        c->add_option("--authority", f->authority,
                      "The authority to invite, e.g. RO-ITM")
            ->required();
      },
      [](const ActFlags& f, Session&, pwx::v1::PlanEvent* step) {
        if (absl::Status s = CheckAuthority("--authority", f.authority);
            !s.ok()) {
          return s;
        }
        step->mutable_invite()->set_authority(f.authority);
        return absl::OkStatus();
      });
  AddAct(p, selected, "propose",
         "Propose the draft to the participants (lead): it needs a scope, a "
         "purpose, a legal basis and an objective",
         no_footer, none,
         [](const ActFlags&, Session&, pwx::v1::PlanEvent* step) {
           step->mutable_propose();
           return absl::OkStatus();
         });
  AddAct(p, selected, "agree",
         "Agree to the plan for this node's authority (a coordinator of an "
         "invited participant)",
         no_footer, none,
         [](const ActFlags&, Session&, pwx::v1::PlanEvent* step) {
           step->mutable_agree();
           return absl::OkStatus();
         });
  AddAct(p, selected, "decline",
         "Decline the plan with written reasons (a coordinator of an invited "
         "participant): this node receives nothing more",
         no_footer, Reason("The written reasons"),
         [](const ActFlags& f, Session&, pwx::v1::PlanEvent* step) {
           if (absl::Status s = CheckText("--reason", f.reason); !s.ok()) {
             return s;
           }
           step->mutable_decline()->set_reason(f.reason);
           return absl::OkStatus();
         });
  AddAct(
      p, selected, "amend",
      "Amend a proposed, agreed or running plan (lead): new content and/or "
      "removed actions; the participants it touches must agree again",
      absl::StrCat(
          "With content flags, the new content is the plan's current content\n"
          "with the flags applied on top: `amend ID --reason R --scope X`\n"
          "changes only the scope.\n\n",
          kContentFooter),
      [](CLI::App* c, ActFlags* f) {
        Reason("Why it is amended")(c, f);
        c->add_option("--remove-action", f->remove_actions,
                      "An action to remove, e.g. A2; repeatable")
            ->allow_extra_args(false);
        AddContentOptions(c, &f->content, /*changing=*/true);
      },
      FillAmend);
  AddAct(p, selected, "start", "Start an agreed plan (lead)", no_footer, none,
         [](const ActFlags&, Session&, pwx::v1::PlanEvent* step) {
           step->mutable_start();
           return absl::OkStatus();
         });
  AddAct(p, selected, "close", "Close a reported plan (lead)", no_footer, none,
         [](const ActFlags&, Session&, pwx::v1::PlanEvent* step) {
           step->mutable_close();
           return absl::OkStatus();
         });
  AddAct(p, selected, "cancel", "Cancel the plan before it is reported (lead)",
         no_footer, Reason("Why it is cancelled"),
         [](const ActFlags& f, Session&, pwx::v1::PlanEvent* step) {
           if (absl::Status s = CheckText("--reason", f.reason); !s.ok()) {
             return s;
           }
           step->mutable_cancel()->set_reason(f.reason);
           return absl::OkStatus();
         });
}

// --- plan show|report|list -------------------------------------------------

void AddShow(CLI::App* plans, Command* selected) {
  CLI::App* command = plans->add_subcommand(
      "show",
      "Show a plan: kind, lead, state, participants, the schedule of "
      "actions, the report, refusals of this node's changes, the history");
  command->footer(
      "With --output json, prints the pwx.v1.GetPlanResponse: \"plan\"\n"
      "(\"id\", \"state\" as PLAN_STATE_..., \"content\", \"participants\",\n"
      "\"actions\", \"history\", \"confidential\", ...) and \"refusals\".");
  auto id = std::make_shared<std::string>();
  command->add_option("ID", *id, "Plan id, e.g. FR-DGT-P-2026-000001")
      ->required();
  command->callback([selected, id] {
    *selected = [id](CommandEnv& env) -> absl::Status {
      if (absl::Status s = CheckId(*id); !s.ok()) return s;
      absl::StatusOr<PlanClient> client = ConnectPlans(env);
      if (!client.ok()) return client.status();
      absl::StatusOr<pwx::v1::GetPlanResponse> view = client->GetPlan(*id);
      if (!view.ok()) return view.status();
      PrintPlanView(*view, env.format, env.out);
      return absl::OkStatus();
    };
  });
}

struct ListFlags {
  std::string state;
  std::string upcoming_from;
  std::string case_id;
  int page_size = 0;
  std::string page_token;
  bool all = false;
};

absl::Status RunList(const ListFlags& flags, CommandEnv& env) {
  pwx::v1::ListPlansRequest request;
  if (!flags.state.empty()) {
    absl::StatusOr<pwx::v1::PlanState> state = ParsePlanState(flags.state);
    if (!state.ok()) return FlagUsage("--state", state.status());
    request.set_state(*state);
  }
  if (!flags.upcoming_from.empty()) {
    if (!flags.state.empty()) {
      return UsageError("--upcoming-from: not with --state");
    }
    if (absl::Status s = CheckDate("--upcoming-from", flags.upcoming_from);
        !s.ok()) {
      return s;
    }
    request.set_upcoming_from(flags.upcoming_from);
  }
  if (!flags.case_id.empty()) {
    if (!flags.state.empty() || !flags.upcoming_from.empty()) {
      return UsageError("--case: not with --state or --upcoming-from");
    }
    if (absl::Status s = domain::ValidateCaseId("--case", flags.case_id);
        !s.ok()) {
      return FlagUsage("--case", s);
    }
    request.set_case_id(flags.case_id);
  }
  request.set_page_size(flags.page_size);
  request.set_page_token(flags.page_token);
  absl::StatusOr<PlanClient> client = ConnectPlans(env);
  if (!client.ok()) return client.status();
  absl::StatusOr<pwx::v1::ListPlansResponse> list =
      flags.all ? client->ListAllPlans(request) : client->ListPlans(request);
  if (!list.ok()) return list.status();
  PrintPlanList(*list, env.format, env.out);
  return absl::OkStatus();
}

void AddList(CLI::App* plans, Command* selected) {
  CLI::App* command = plans->add_subcommand(
      "list",
      "List the plans this node holds (as lead or participant): by state "
      "then id, by the date of the next action, or those about a case");
  command->footer(
      "Columns: id, kind, lead, state, number of actions, the first action's\n"
      "date, title. With --output json, prints the pwx.v1.ListPlansResponse\n"
      "(\"plans\", each with \"id\" and \"state\" as PLAN_STATE_..., without\n"
      "history and personal data; \"nextPageToken\").");
  auto flags = std::make_shared<ListFlags>();
  command->add_option("--state", flags->state,
                      absl::StrCat("Only plans in this state: ", kStates));
  command->add_option("--upcoming-from", flags->upcoming_from,
                      "YYYY-MM-DD: instead, the plans not yet reported with "
                      "an action on or after this day, soonest first");
  command->add_option("--case", flags->case_id,
                      "Case id, e.g. FR-DGT-2026-000042: instead, the plans "
                      "whose content names this case (--case of create or "
                      "amend), by id, through the node's index");
  command
      ->add_option("--page-size", flags->page_size,
                   "Plans per page (server default 50, at most 100)")
      ->check(CLI::Range(1, 100));
  command->add_option("--page-token", flags->page_token,
                      "Continue from this token (printed after a page)");
  command->add_flag("--all", flags->all,
                    "Follow page tokens and print every matching plan");
  command->callback([selected, flags] {
    *selected = [flags](CommandEnv& env) { return RunList(*flags, env); };
  });
}

}  // namespace
}  // namespace plan_cli

void AddPlanCommands(CLI::App& app, Command* selected) {
  CLI::App* plans = app.add_subcommand(
      "plan",
      "Joint inspection plans: cooperation plans, concerted and joint "
      "inspections (Reg. (EU) 2019/1149, Art. 8-9)");
  plans->require_subcommand(1);
  plans->footer(
      "A plan goes: create (a draft, with `action add` and `invite`) ->\n"
      "propose -> agree (each participant's coordinator, on its node) ->\n"
      "start -> finding add -> report submit (each authority that agreed) ->\n"
      "close. `show` prints it with its schedule and history, `report` the\n"
      "findings and indicators. Every command takes --output json.");
  plan_cli::AddCreate(plans, selected);
  plan_cli::AddChanges(plans, selected);
  plan_cli::AddWorkCommands(plans, selected);
  plan_cli::AddShow(plans, selected);
  plan_cli::AddList(plans, selected);
}

}  // namespace pwx::client::internal
