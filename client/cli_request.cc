// `pwx request ...` and `pwx stats`: cross-border requests between
// authorities, from the draft to the closure, and the scoreboard.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "client/cli_internal.h"
#include "client/output.h"
#include "client/request_client.h"
#include "client/request_input.h"
#include "client/request_output.h"
#include "server/domain/catalogue.h"
#include "server/domain/fields.h"

namespace pwx::client::internal {
namespace {

constexpr char kJsonFooter[] =
    "With --output json, prints the request in the protobuf JSON mapping\n"
    "(pwx.v1.Request: \"id\", \"state\" as REQUEST_STATE_..., \"dueDate\",\n"
    "\"history\" oldest first, ...).";
constexpr char kStates[] =
    "draft, sent, awaiting-acceptance, accepted, answered, closed, withdrawn, "
    "rejected, suspended, acknowledged, forwarded";
constexpr char kKinds[] = "information, notification, recovery or alert";
constexpr char kGrounds[] =
    "incomplete, mismatch, disproportionate-cost, below-threshold or "
    "fundamental-rights";

absl::Status CheckId(const std::string& id) {
  if (absl::StripAsciiWhitespace(id).empty()) {
    return UsageError("ID: must not be empty");
  }
  return absl::OkStatus();
}

absl::StatusOr<RequestClient> ConnectRequests(CommandEnv& env) {
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = env.connect();
  if (!channel.ok()) return channel.status();
  return RequestClient(*std::move(channel), env.timeout);
}

// Prints the request an RPC returned, or passes its error on.
absl::Status PrintResult(const absl::StatusOr<pwx::v1::Request>& request,
                         CommandEnv& env) {
  if (!request.ok()) return request.status();
  PrintRequest(*request, env.format, env.out);
  return absl::OkStatus();
}

// Binds an optional text option.
void Text(CLI::App* command, const std::string& name,
          std::optional<std::string>* to, const std::string& help) {
  command->add_option_function<std::string>(
      name, [to](const std::string& value) { *to = value; }, help);
}

// Binds a yes/no flag; `negatable` adds "--no-NAME" (modify turns it off).
void YesNo(CLI::App* command, const std::string& name, std::optional<bool>* to,
           const std::string& help, bool negatable) {
  const std::string names =
      negatable ? absl::StrCat(name, ",!--no-", name.substr(2)) : name;
  command->add_flag_function(
      names, [to](int64_t count) { *to = count > 0; },
      negatable ? absl::StrCat(help, " (--no-", name.substr(2), ": not)")
                : help);
}

// The content flags of create and modify.
void AddContentOptions(CLI::App* command, RequestContentFlags* f, bool modify) {
  YesNo(command, "--urgent", &f->urgent,
        "Urgent: due in 2 working days; needs --urgency-reason", modify);
  Text(command, "--urgency-reason", &f->urgency_reason,
       "Why it is urgent (required with --urgent, Art. 6(6))");
  Text(command, "--case", &f->case_id,
       "A case of this node the request is about, e.g. FR-DGT-2026-000001");
  Text(command, "--subject", &f->subject,
       "What and whom it is about: undertaking, workers (free text)");
  Text(command, "--lang", &f->language,
       "The language the free texts are written in (ISO 639-1, e.g. fr)");
  command->add_option_function<int>(
      "--agreed-period", [f](const int& days) { f->agreed_period_days = days; },
      "A shorter period agreed between the two states, in working days (0: "
      "the legal one, 2 urgent, 25 otherwise)");
  command
      ->add_option("--question", f->questions,
                   "A catalogue question, repeatable: CODE (e.g. EST-01, see "
                   "`pwx catalogue list`) or CODE=TEXT to add your own words "
                   "to it; numbered in the order given")
      ->allow_extra_args(false);
  command
      ->add_option("--text", f->texts,
                   "A free-text question of its own, repeatable; numbered "
                   "after the --question ones")
      ->allow_extra_args(false);
  const std::string penalty = " (notification and recovery, Art. 16)";
  Text(command, "--addressee-name", &f->addressee_name,
       "Name of the addressee of the decision" + penalty);
  Text(command, "--addressee-address", &f->addressee_address,
       "Their address" + penalty);
  Text(command, "--addressee-id", &f->addressee_id,
       "Their registration, VAT or identity numbers" + penalty);
  Text(command, "--facts", &f->facts, "A summary of the facts" + penalty);
  Text(command, "--infringement", &f->infringement,
       "The nature of the infringement" + penalty);
  Text(command, "--rules", &f->rules, "The applicable rules" + penalty);
  Text(command, "--instrument", &f->instrument,
       "The instrument permitting enforcement, and other documents" + penalty);
  Text(command, "--assessing-authority", &f->assessing_authority,
       "The authority that assessed the penalty" + penalty);
  Text(command, "--challenge-body", &f->challenge_body,
       "The body competent for a challenge" + penalty);
  Text(command, "--enforceable-date", &f->enforceable_date,
       "YYYY-MM-DD the decision became enforceable or final (recovery)");
  Text(command, "--penalty-nature", &f->penalty_nature,
       "The nature of the penalty (recovery)");
  Text(command, "--amount", &f->amount,
       "The amount, exactly: 1250, 1250.5 or 1250.50; needs --currency");
  Text(command, "--currency", &f->currency, "ISO 4217 code, e.g. EUR, PLN");
  Text(command, "--enforcement-dates", &f->enforcement_dates,
       "Dates relevant to enforcement (recovery)");
  YesNo(command, "--served", &f->served, "The decision was served (recovery)",
        modify);
  Text(command, "--service-details", &f->service_details,
       "How and when it was served (recovery)");
  YesNo(command, "--in-default", &f->in_default,
        "The decision was given in default (recovery)", modify);
  YesNo(command, "--final", &f->final,
        "No further appeal is possible (recovery)", modify);
  Text(command, "--claim", &f->claim,
       "The underlying claim and its components (recovery)");
}

// --- request create --------------------------------------------------------

struct CreateFlags {
  std::string to;
  RequestContentFlags content;
};

absl::Status RunCreate(const CreateFlags& flags, CommandEnv& env) {
  if (absl::Status s = CheckAuthority("--to", flags.to); !s.ok()) return s;
  pwx::v1::CreateRequestRequest request;
  request.set_recipient(flags.to);
  if (absl::Status s =
          ApplyContentFlags(flags.content, request.mutable_content());
      !s.ok()) {
    return AsUsage(s);
  }
  absl::StatusOr<RequestClient> client = ConnectRequests(env);
  if (!client.ok()) return client.status();
  return PrintResult(client->CreateRequest(request), env);
}

void AddCreate(CLI::App* requests, Command* selected) {
  CLI::App* command = requests->add_subcommand(
      "create",
      "Create a draft request to a peer authority and print it (its id "
      "first); `pwx request send ID` sends it");
  command->footer(absl::StrCat(
      "Questions are numbered in order: the --question ones first, then each\n"
      "--text. The penalty flags are for notification and recovery requests\n"
      "only.\n\n",
      kJsonFooter));
  auto flags = std::make_shared<CreateFlags>();
  command
      ->add_option("--to", flags->to,
                   "The authority that must answer, a peer, e.g. PL-PIP")
      ->required();
  command
      ->add_option_function<std::string>(
          "--kind",
          [flags](const std::string& kind) { flags->content.kind = kind; },
          absl::StrCat("The kind of request: ", kKinds))
      ->required();
  AddContentOptions(command, &flags->content, /*modify=*/false);
  command->callback([selected, flags] {
    *selected = [flags](CommandEnv& env) { return RunCreate(*flags, env); };
  });
}

// --- request show ----------------------------------------------------------

void AddShow(CLI::App* requests, Command* selected) {
  CLI::App* command = requests->add_subcommand(
      "show",
      "Show a request: parties, state, due date and working days left, who "
      "must act next, its questions, answers and history");
  command->footer(kJsonFooter);
  auto id = std::make_shared<std::string>();
  command->add_option("ID", *id, "Request id, e.g. FR-DGT-R-2026-000001")
      ->required();
  auto language = std::make_shared<std::string>();
  command->add_option("--lang", *language,
                      "The language of the catalogue questions: en, fr, de, "
                      "pl, ro, es, it or pt (default: your `pwx user "
                      "set-language`, else en)");
  command->callback([selected, id, language] {
    *selected = [id, language](CommandEnv& env) -> absl::Status {
      if (absl::Status s = CheckId(*id); !s.ok()) return s;
      if (!language->empty()) {
        if (absl::Status s = domain::ValidateLanguage("--lang", *language);
            !s.ok()) {
          return UsageError(s.message());
        }
      }
      absl::StatusOr<RequestClient> client = ConnectRequests(env);
      if (!client.ok()) return client.status();
      return PrintResult(client->GetRequest(*id, *language), env);
    };
  });
}

// --- transitions -----------------------------------------------------------

// Every flag a transition may take; each verb binds the ones it reads.
struct ActFlags {
  std::string id;
  std::optional<uint32_t> expected_history;
  std::string text;
  std::string reason;
  std::string to;
  std::string date;
  std::string ground;
  std::string rating;
  std::string rating_timeliness;
  std::string rating_effort;
  std::vector<int> questions;
  bool partial = false;
  RequestContentFlags content;
};

// The connection and the request as it stands, made when first needed so
// that flags are checked before anything reaches the server.
class Session {
 public:
  Session(CommandEnv& env, std::string id) : env_(env), id_(std::move(id)) {}

  absl::StatusOr<const RequestClient*> Client() {
    if (!client_.has_value()) {
      absl::StatusOr<RequestClient> client = ConnectRequests(env_);
      if (!client.ok()) return client.status();
      client_.emplace(*std::move(client));
    }
    return &*client_;
  }

  absl::StatusOr<pwx::v1::Request> Current() {
    absl::StatusOr<const RequestClient*> client = Client();
    if (!client.ok()) return client.status();
    return (*client)->GetRequest(id_);
  }

 private:
  CommandEnv& env_;
  std::string id_;
  std::optional<RequestClient> client_;
};

// Fills the action of `step` from the flags; may read the request through
// `session`.
using FillStep = std::function<absl::Status(const ActFlags&, Session& session,
                                            pwx::v1::RequestEvent* step)>;
// Binds the verb's own options.
using BindOptions = std::function<void(CLI::App*, ActFlags*)>;

absl::Status RunAct(const ActFlags& flags, const FillStep& fill,
                    CommandEnv& env) {
  if (absl::Status s = CheckId(flags.id); !s.ok()) return s;
  Session session(env, flags.id);
  pwx::v1::ActRequest request;
  request.set_id(flags.id);
  if (flags.expected_history.has_value()) {
    request.set_expected_history(*flags.expected_history);
  }
  if (absl::Status s = fill(flags, session, request.mutable_step()); !s.ok()) {
    return s;
  }
  absl::StatusOr<const RequestClient*> client = session.Client();
  if (!client.ok()) return client.status();
  return PrintResult((*client)->Act(request), env);
}

void AddAct(CLI::App* requests, Command* selected, const std::string& verb,
            const std::string& help, const BindOptions& bind, FillStep fill) {
  CLI::App* command = requests->add_subcommand(verb, help);
  command->footer(absl::StrCat(
      "Prints the request afterwards. With --expected-history N the step is\n"
      "refused (ABORTED) if the request's history no longer has N entries:\n"
      "someone acted since you looked.\n\n",
      kJsonFooter));
  auto flags = std::make_shared<ActFlags>();
  command->add_option("ID", flags->id, "Request id, e.g. FR-DGT-R-2026-000001")
      ->required();
  command->add_option_function<uint32_t>(
      "--expected-history",
      [flags](const uint32_t& n) { flags->expected_history = n; },
      "Act only if the history still has this many entries");
  if (bind) bind(command, flags.get());
  auto shared_fill = std::make_shared<FillStep>(std::move(fill));
  command->callback([selected, flags, shared_fill] {
    *selected = [flags, shared_fill](CommandEnv& env) {
      return RunAct(*flags, *shared_fill, env);
    };
  });
}

// Option binders shared by several verbs.
BindOptions Reason(bool required, const std::string& help) {
  return [required, help](CLI::App* c, ActFlags* f) {
    CLI::Option* o = c->add_option("--reason", f->reason, help);
    if (required) o->required();
  };
}

BindOptions RequiredText(const std::string& help) {
  return [help](CLI::App* c, ActFlags* f) {
    c->add_option("--text", f->text, help)->required();
  };
}

BindOptions Both(BindOptions a, BindOptions b) {
  return [a = std::move(a), b = std::move(b)](CLI::App* c, ActFlags* f) {
    a(c, f);
    b(c, f);
  };
}

absl::Status FillSplit(const ActFlags& f, Session& session,
                       pwx::v1::RequestEvent* step) {
  if (absl::Status s = CheckAuthority("--to", f.to); !s.ok()) return s;
  for (int number : f.questions) {
    if (number < 1) {
      return UsageError(absl::StrCat(
          "--question: ", number,
          " is not a question number (they start at 1, as `pwx request "
          "show` prints them)"));
    }
  }
  // The numbers are checked against the request itself, so that a wrong one
  // is reported the way `show` numbers questions.
  absl::StatusOr<pwx::v1::Request> current = session.Current();
  if (!current.ok()) return current.status();
  absl::StatusOr<std::vector<int32_t>> indexes = QuestionIndexes(
      "--question", f.questions, current->content().questions_size());
  if (!indexes.ok()) return AsUsage(indexes.status());
  pwx::v1::SplitAction* split = step->mutable_split();
  split->set_to(f.to);
  split->set_reason(f.reason);
  for (int32_t index : *indexes) split->add_questions(index);
  return absl::OkStatus();
}

absl::Status FillClose(const ActFlags& f, Session&,
                       pwx::v1::RequestEvent* step) {
  pwx::v1::Rating given;
  pwx::v1::Rating* rating = &given;
  if (!f.rating.empty()) {
    if (absl::Status s = ParseRatingSpec("--rating", f.rating, rating);
        !s.ok()) {
      return AsUsage(s);
    }
  }
  const std::pair<const std::string*, const char*> parts[] = {
      {&f.rating_timeliness, "--rating-timeliness"},
      {&f.rating_effort, "--rating-effort"},
  };
  for (const auto& [value, flag] : parts) {
    if (value->empty()) continue;
    absl::StatusOr<pwx::v1::Rating::Value> parsed = ParseRating(*value);
    if (!parsed.ok()) return FlagUsage(flag, parsed.status());
    if (value == &f.rating_timeliness) {
      rating->set_timeliness(*parsed);
    } else {
      rating->set_effort(*parsed);
    }
  }
  pwx::v1::CloseAction* close = step->mutable_close();
  if (given.ByteSizeLong() > 0) *close->mutable_rating() = given;
  return absl::OkStatus();
}

absl::Status FillModify(const ActFlags& f, Session& session,
                        pwx::v1::RequestEvent* step) {
  if (!AnyContentFlag(f.content)) {
    return UsageError(
        "nothing to modify: give at least one content flag (see --help)");
  }
  // Checked on a scratch copy first, so that a typo never reaches the
  // server; a penalty kind lets every flag through to its own check.
  pwx::v1::RequestContent scratch;
  scratch.set_kind(pwx::v1::REQUEST_KIND_RECOVERY_OF_PENALTY);
  scratch.set_urgent(true);
  scratch.set_urgency_reason("-");
  scratch.mutable_penalty()->mutable_amount()->set_currency("EUR");
  if (absl::Status s = ApplyContentFlags(f.content, &scratch); !s.ok()) {
    return AsUsage(s);
  }
  absl::StatusOr<pwx::v1::Request> current = session.Current();
  if (!current.ok()) return current.status();
  pwx::v1::RequestContent content = current->content();
  for (pwx::v1::Question& q : *content.mutable_questions()) {
    q.clear_catalogue_text();
  }
  if (absl::Status s = ApplyContentFlags(f.content, &content); !s.ok()) {
    return AsUsage(s);
  }
  *step->mutable_modify()->mutable_content() = std::move(content);
  return absl::OkStatus();
}

void AddTransitions(CLI::App* r, Command* selected) {
  const BindOptions none;
  AddAct(r, selected, "send", "Send a draft to its recipient (requester)", none,
         [](const ActFlags&, Session&, pwx::v1::RequestEvent* step) {
           step->mutable_send();
           return absl::OkStatus();
         });
  AddAct(
      r, selected, "accept",
      "Accept a request you received, stating when you expect to reply "
      "(recipient); its personal data become visible to you",
      [](CLI::App* c, ActFlags* f) {
        c->add_option("--expected-date", f->date,
                      "YYYY-MM-DD you expect to reply by (default: the due "
                      "date)");
      },
      [](const ActFlags& f, Session&, pwx::v1::RequestEvent* step) {
        if (!f.date.empty()) {
          if (absl::Status s = CheckDate("--expected-date", f.date); !s.ok()) {
            return s;
          }
        }
        step->mutable_accept()->set_expected_date(f.date);
        return absl::OkStatus();
      });
  AddAct(r, selected, "clarify",
         "Ask the other side for clarification: the recipient about the "
         "request, the requester about the answer",
         RequiredText("What needs clarifying"),
         [](const ActFlags& f, Session&, pwx::v1::RequestEvent* step) {
           if (absl::Status s = CheckText("--text", f.text); !s.ok()) return s;
           step->mutable_clarify()->set_text(f.text);
           return absl::OkStatus();
         });
  AddAct(r, selected, "reply", "Reply to a request for clarification",
         RequiredText("The clarification"),
         [](const ActFlags& f, Session&, pwx::v1::RequestEvent* step) {
           if (absl::Status s = CheckText("--text", f.text); !s.ok()) return s;
           step->mutable_reply()->set_text(f.text);
           return absl::OkStatus();
         });
  AddAct(r, selected, "answer",
         "Answer a request you accepted, in full or in part (recipient)",
         Both(RequiredText("The answer"),
              [](CLI::App* c, ActFlags* f) {
                c->add_flag("--partial", f->partial,
                            "An answer in part: the request stays accepted");
              }),
         [](const ActFlags& f, Session&, pwx::v1::RequestEvent* step) {
           if (absl::Status s = CheckText("--text", f.text); !s.ok()) return s;
           step->mutable_answer()->set_text(f.text);
           step->mutable_answer()->set_partial(f.partial);
           return absl::OkStatus();
         });
  const BindOptions to = [](CLI::App* c, ActFlags* f) {
    c->add_option("--to", f->to,
                  "The competent authority, a peer, e.g. DE-ZOLL")
        ->required();
  };
  AddAct(r, selected, "forward",
         "Forward a request to the competent authority (recipient); the "
         "requester is told",
         Both(to, Reason(false, "Why it goes there")),
         [](const ActFlags& f, Session&, pwx::v1::RequestEvent* step) {
           if (absl::Status s = CheckAuthority("--to", f.to); !s.ok()) {
             return s;
           }
           step->mutable_forward()->set_to(f.to);
           step->mutable_forward()->set_reason(f.reason);
           return absl::OkStatus();
         });
  AddAct(r, selected, "split",
         "Move some questions to another authority as a new, linked request "
         "(recipient); the requester's documents go with it, the "
         "recipient's own stay",
         Both(Both(to, Reason(false, "Why they go there")),
              [](CLI::App* c, ActFlags* f) {
                c->add_option("--question", f->questions,
                              "A question to move, by its number in `pwx "
                              "request show` (from 1); repeatable")
                    ->required()
                    ->allow_extra_args(false);
              }),
         FillSplit);
  AddAct(r, selected, "reject",
         "Reject a request with a reason (recipient); for penalty requests "
         "give the Art. 17 ground",
         Both(Reason(true, "Why it is rejected"),
              [](CLI::App* c, ActFlags* f) {
                c->add_option("--ground", f->ground,
                              absl::StrCat("Art. 17 ground: ", kGrounds));
              }),
         [](const ActFlags& f, Session&, pwx::v1::RequestEvent* step) {
           if (absl::Status s = CheckText("--reason", f.reason); !s.ok()) {
             return s;
           }
           pwx::v1::RejectAction* reject = step->mutable_reject();
           reject->set_reason(f.reason);
           if (!f.ground.empty()) {
             absl::StatusOr<pwx::v1::RefusalGround> ground =
                 ParseRefusalGround(f.ground);
             if (!ground.ok()) return FlagUsage("--ground", ground.status());
             reject->set_ground(*ground);
           }
           return absl::OkStatus();
         });
  AddAct(r, selected, "withdraw",
         "Withdraw a request before it is answered (requester)",
         Reason(false, "Why it is withdrawn"),
         [](const ActFlags& f, Session&, pwx::v1::RequestEvent* step) {
           step->mutable_withdraw()->set_reason(f.reason);
           return absl::OkStatus();
         });
  AddAct(
      r, selected, "close",
      "Close an answered request, accepting the answer (requester): formal "
      "closure, with optional ratings of the recipient",
      [](CLI::App* c, ActFlags* f) {
        c->add_option("--rating", f->rating,
                      "Both ratings at once: timeliness=positive|negative,"
                      "effort=positive|negative (either part optional)");
        c->add_option("--rating-timeliness", f->rating_timeliness,
                      "positive or negative");
        c->add_option("--rating-effort", f->rating_effort,
                      "positive or negative");
      },
      FillClose);
  AddAct(r, selected, "reopen", "Reopen a closed request (requester)",
         Reason(false, "Why it is reopened"),
         [](const ActFlags& f, Session&, pwx::v1::RequestEvent* step) {
           step->mutable_reopen()->set_reason(f.reason);
           return absl::OkStatus();
         });
  AddAct(r, selected, "delay",
         "Send a delay notice (Art. 6(5)) with a reason and a proposed date "
         "(recipient)",
         Both(Reason(true, "Why the answer is late"),
              [](CLI::App* c, ActFlags* f) {
                c->add_option("--date", f->date,
                              "The proposed date, YYYY-MM-DD")
                    ->required();
              }),
         [](const ActFlags& f, Session&, pwx::v1::RequestEvent* step) {
           if (absl::Status s = CheckText("--reason", f.reason); !s.ok()) {
             return s;
           }
           if (absl::Status s = CheckDate("--date", f.date); !s.ok()) return s;
           step->mutable_delay()->set_reason(f.reason);
           step->mutable_delay()->set_proposed_date(f.date);
           return absl::OkStatus();
         });
  AddAct(r, selected, "propose-date",
         "Propose another due date; the other side accepts it or proposes "
         "another",
         Both(Reason(false, "Why"),
              [](CLI::App* c, ActFlags* f) {
                c->add_option("--date", f->date,
                              "The proposed date, YYYY-MM-DD")
                    ->required();
              }),
         [](const ActFlags& f, Session&, pwx::v1::RequestEvent* step) {
           if (absl::Status s = CheckDate("--date", f.date); !s.ok()) return s;
           step->mutable_propose_date()->set_date(f.date);
           step->mutable_propose_date()->set_reason(f.reason);
           return absl::OkStatus();
         });
  AddAct(r, selected, "accept-date",
         "Accept the other side's open date proposal: it becomes the due date",
         none, [](const ActFlags&, Session&, pwx::v1::RequestEvent* step) {
           step->mutable_accept_date();
           return absl::OkStatus();
         });
  AddAct(r, selected, "challenge",
         "Notify that the penalty is challenged (Art. 18, requester): "
         "enforcement is suspended until resumed or withdrawn",
         Reason(true, "The challenge: by whom, before which body"),
         [](const ActFlags& f, Session&, pwx::v1::RequestEvent* step) {
           if (absl::Status s = CheckText("--reason", f.reason); !s.ok()) {
             return s;
           }
           step->mutable_challenge()->set_reason(f.reason);
           return absl::OkStatus();
         });
  AddAct(r, selected, "resume",
         "Resume a suspended penalty request after the challenge (requester)",
         none, [](const ActFlags&, Session&, pwx::v1::RequestEvent* step) {
           step->mutable_resume();
           return absl::OkStatus();
         });
  AddAct(r, selected, "acknowledge", "Acknowledge an alert (recipient)", none,
         [](const ActFlags&, Session&, pwx::v1::RequestEvent* step) {
           step->mutable_acknowledge();
           return absl::OkStatus();
         });
  AddAct(
      r, selected, "modify",
      "Change what a request says before it is answered (requester): "
      "only the content flags given; --question/--text replace the "
      "questions",
      [](CLI::App* c, ActFlags* f) {
        AddContentOptions(c, &f->content, /*modify=*/true);
      },
      FillModify);
}

// --- request list|inbox|outbox|overdue -------------------------------------

struct ListFlags {
  std::string state;
  std::string kind;
  bool urgent = false;
  std::string peer;
  int due_within = 0;
  int page_size = 0;
  std::string page_token;
  bool all = false;
};

absl::Status RunList(const ListFlags& flags,
                     pwx::v1::ListRequestsRequest request, CommandEnv& env) {
  if (!flags.state.empty()) {
    absl::StatusOr<pwx::v1::RequestState> state =
        ParseRequestState(flags.state);
    if (!state.ok()) return FlagUsage("--state", state.status());
    request.set_state(*state);
  }
  if (!flags.kind.empty()) {
    absl::StatusOr<pwx::v1::RequestKind> kind = ParseRequestKind(flags.kind);
    if (!kind.ok()) return FlagUsage("--kind", kind.status());
    request.set_kind(*kind);
  }
  if (!flags.peer.empty()) {
    if (absl::Status s = CheckAuthority("--peer", flags.peer); !s.ok()) {
      return s;
    }
    request.set_peer(flags.peer);
  }
  request.set_urgent_only(flags.urgent);
  request.set_due_within_days(flags.due_within);
  request.set_page_size(flags.page_size);
  request.set_page_token(flags.page_token);
  absl::StatusOr<RequestClient> client = ConnectRequests(env);
  if (!client.ok()) return client.status();
  absl::StatusOr<pwx::v1::ListRequestsResponse> list =
      flags.all ? client->ListAllRequests(request)
                : client->ListRequests(request);
  if (!list.ok()) return list.status();
  PrintRequestList(*list, env.format, env.out);
  return absl::OkStatus();
}

void AddList(CLI::App* requests, Command* selected, const std::string& name,
             const std::string& help,
             const pwx::v1::ListRequestsRequest& base) {
  CLI::App* command = requests->add_subcommand(name, help);
  command->footer(
      "Columns: id, kind, the peer authority, state, due date, working days\n"
      "left (while the recipient must act) and who must act next. With\n"
      "--output json, prints the pwx.v1.ListRequestsResponse (requests\n"
      "without history and personal data, nextPageToken).");
  auto flags = std::make_shared<ListFlags>();
  if (!base.overdue()) {
    command->add_option("--state", flags->state,
                        absl::StrCat("Only requests in this state: ", kStates));
  }
  command->add_option("--kind", flags->kind,
                      absl::StrCat("Only this kind: ", kKinds));
  command->add_flag("--urgent", flags->urgent, "Only urgent requests");
  command->add_option("--peer", flags->peer,
                      "Only requests with this authority, e.g. PL-PIP");
  if (!base.overdue()) {
    command
        ->add_option("--due-within", flags->due_within,
                     "Only open requests due within N working days, soonest "
                     "first")
        ->check(CLI::PositiveNumber);
  }
  command
      ->add_option("--page-size", flags->page_size,
                   "Requests per page (server default 50, at most 500)")
      ->check(CLI::Range(1, 500));
  command->add_option("--page-token", flags->page_token,
                      "Continue from this token (printed after a page)");
  command->add_flag("--all", flags->all,
                    "Follow page tokens and print every matching request");
  command->callback([selected, flags, base] {
    *selected = [flags, base](CommandEnv& env) {
      return RunList(*flags, base, env);
    };
  });
}

void AddLists(CLI::App* requests, Command* selected) {
  pwx::v1::ListRequestsRequest request;
  AddList(requests, selected, "list",
          "List the requests this authority sent or received", request);
  request.set_box(pwx::v1::REQUEST_BOX_INBOX);
  AddList(requests, selected, "inbox",
          "List the requests this authority received", request);
  request.set_box(pwx::v1::REQUEST_BOX_OUTBOX);
  AddList(requests, selected, "outbox", "List the requests this authority sent",
          request);
  request.set_box(pwx::v1::REQUEST_BOX_UNSPECIFIED);
  request.set_overdue(true);
  AddList(requests, selected, "overdue",
          "List open requests past their due date, sent or received, most "
          "overdue first; with --due-within N, then those due within N "
          "working days",
          request);
}

}  // namespace

void AddRequestCommands(CLI::App& app, Command* selected) {
  CLI::App* requests = app.add_subcommand(
      "request",
      "Cross-border requests between authorities: information, penalty "
      "notification and recovery, alerts");
  requests->require_subcommand(1);
  requests->footer(
      "A request goes: create (a draft) -> send -> accept -> answer -> close.\n"
      "Each step prints the request; `show` prints it with its history.\n"
      "`attach` and `download` carry documents (a contract copy, A1 forms).");
  AddCreate(requests, selected);
  AddShow(requests, selected);
  AddTransitions(requests, selected);
  AddRequestAttachmentCommands(requests, selected);
  AddLists(requests, selected);
  AddStatsCommand(app, selected);
}

}  // namespace pwx::client::internal
