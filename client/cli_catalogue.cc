// `pwx catalogue list`: the standard questions of cross-border requests, in
// the user's language.
#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "client/case_client.h"
#include "client/cli_internal.h"
#include "client/output.h"
#include "pwx/v1/catalogue_service.grpc.pb.h"
#include "server/domain/catalogue.h"

namespace pwx::client::internal {
namespace {

constexpr char kCatalogueFooter[] =
    "Requests name their questions by code (EST-01, A1-02, ...); each reader\n"
    "sees the text in their own language. Languages: en, fr, de, pl, ro, es,\n"
    "it, pt (a region may follow: pl-PL). Without --lang the node uses the\n"
    "language you chose with `pwx user set-language`, else English; a\n"
    "question without a text in that language is shown in English.\n"
    "Topics: establishment (Directive 2014/67/EU Art. 4(2)-(3)), a1,\n"
    "contract, pay, working-time (Art. 9(1)(b)), declaration (Art. 9(1)(a)),\n"
    "subcontracting, agency-work, self-employment, penalties (Art. 15-18).";

absl::StatusOr<pwx::v1::ListQuestionsResponse> ListQuestions(
    CommandEnv& env, const std::string& language) {
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = env.connect();
  if (!channel.ok()) return channel.status();
  std::unique_ptr<pwx::v1::CatalogueService::Stub> stub =
      pwx::v1::CatalogueService::NewStub(*std::move(channel));
  grpc::ClientContext context;
  if (env.timeout != absl::InfiniteDuration()) {
    context.set_deadline(std::chrono::system_clock::now() +
                         absl::ToChronoMilliseconds(env.timeout));
  }
  pwx::v1::ListQuestionsRequest request;
  request.set_language(language);
  pwx::v1::ListQuestionsResponse response;
  absl::Status status =
      FromGrpcStatus(stub->ListQuestions(&context, request, &response));
  if (!status.ok()) return status;
  return response;
}

void PrintQuestions(const pwx::v1::ListQuestionsResponse& list,
                    CommandEnv& env) {
  if (env.format == OutputFormat::kJson) {
    env.out << ToJson(list);
    return;
  }
  std::vector<std::vector<std::string>> rows;
  for (const pwx::v1::CatalogueQuestion& q : list.questions()) {
    // A question shown in English for want of a translation says so.
    std::string text = q.text();
    if (q.language() != list.language()) text += " [" + q.language() + "]";
    rows.push_back({q.code(), q.topic(), std::move(text)});
  }
  PrintTable({"CODE", "TOPIC", "TEXT"}, std::move(rows), env.out);
}

void AddList(CLI::App& catalogue, Command* selected) {
  CLI::App* list = catalogue.add_subcommand(
      "list",
      "List every question with its code, topic and text (any user with a "
      "role)");
  list->footer(kCatalogueFooter);
  auto language = std::make_shared<std::string>();
  list->add_option("--lang", *language,
                   "The language of the texts: en, fr, de, pl, ro, es, it or "
                   "pt (default: your `pwx user set-language`, else en)");
  list->callback([selected, language] {
    *selected = [language](CommandEnv& env) -> absl::Status {
      if (!language->empty()) {
        if (absl::Status s = domain::ValidateLanguage("--lang", *language);
            !s.ok()) {
          return UsageError(s.message());
        }
      }
      absl::StatusOr<pwx::v1::ListQuestionsResponse> questions =
          ListQuestions(env, *language);
      if (!questions.ok()) return questions.status();
      PrintQuestions(*questions, env);
      return absl::OkStatus();
    };
  });
}

}  // namespace

void AddCatalogueCommands(CLI::App& app, Command* selected) {
  CLI::App* catalogue = app.add_subcommand(
      "catalogue", "The standard questions of cross-border requests");
  catalogue->require_subcommand(1);
  catalogue->footer(kCatalogueFooter);
  AddList(*catalogue, selected);
}

}  // namespace pwx::client::internal
