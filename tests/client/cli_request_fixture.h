// The fixture of the `pwx request` and `pwx stats` tests: a fake
// RequestService and a request to print.
#ifndef PWX_TESTS_CLIENT_CLI_REQUEST_FIXTURE_H_
#define PWX_TESTS_CLIENT_CLI_REQUEST_FIXTURE_H_

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "google/protobuf/text_format.h"
#include "tests/client/cli_fixture.h"

namespace pwx::testing {

inline constexpr char kId[] = "FR-DGT-R-2026-000007";

template <typename Message>
Message FromText(const std::string& text) {
  Message message;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &message))
      << text;
  return message;
}

// An accepted information request from FR-DGT to PL-PIP, seen by FR-DGT,
// with three questions and a history of four events, the last superseded.
inline pwx::v1::Request AcceptedRequest() {
  return FromText<pwx::v1::Request>(R"pb(
    id: "FR-DGT-R-2026-000007"
    requester: "FR-DGT"
    recipient: "PL-PIP"
    content {
      kind: REQUEST_KIND_INFORMATION
      urgent: false
      subject: "Budimex SA, 4 workers in Lyon"
      case_id: "FR-DGT-2026-000002"
      language: "fr"
      questions {
        code: "EST-01"
        catalogue_text: "Where is the registered office?"
      }
      questions {
        code: "A1-01"
        catalogue_text: "Is an A1 issued?"
        text: "pour les 4 salariés"
        language: "fr"
      }
      questions { text: "Qui paie les salaires ?" language: "fr" }
    }
    state: REQUEST_STATE_ACCEPTED
    received_date: "2026-02-03"
    due_date: "2026-03-10"
    period_days: 25
    calendar_version: "eu-holidays-2026.1"
    expected_date: "2026-03-01"
    my_side: REQUEST_SIDE_REQUESTER
    next_actor: REQUEST_SIDE_RECIPIENT
    working_days_left: 12
    history {
      author: "FR-DGT"
      author_seq: 1
      lamport: 1
      at { seconds: 1770105600 }
      user: "alice"
      send { content { kind: REQUEST_KIND_INFORMATION } }
    }
    history {
      author: "PL-PIP"
      author_seq: 1
      lamport: 2
      at { seconds: 1770109200 }
      receive {
        received_date: "2026-02-03"
        due_date: "2026-03-10"
        period_days: 25
        calendar_version: "eu-holidays-2026.1"
      }
    }
    history {
      author: "PL-PIP"
      author_seq: 2
      lamport: 3
      at { seconds: 1770195600 }
      user: "piotr"
      accept { expected_date: "2026-03-01" }
    }
    history {
      author: "FR-DGT"
      author_seq: 2
      lamport: 4
      at { seconds: 1770199200 }
      user: "alice"
      withdraw { reason: "no longer needed" }
      superseded: true
      superseded_reason: "the answer crossed it"
    }
  )pb");
}

class CliRequestTest : public CliTest {
 protected:
  FakeRequestService& requests() { return node_->requests(); }

  // Runs `args`, expecting a usage error (exit 2) that names `flag`, and
  // that nothing reached the server.
  void ExpectUsageError(const std::vector<std::string>& args,
                        const std::string& flag) {
    const CliResult result = Run(args);
    EXPECT_EQ(result.exit_code, 2) << result.out;
    EXPECT_THAT(result.err, ::testing::HasSubstr(flag));
    const FakeRequestService::Seen seen = requests().seen();
    EXPECT_THAT(seen.creates, ::testing::IsEmpty());
    EXPECT_THAT(seen.acts, ::testing::IsEmpty());
    EXPECT_THAT(seen.lists, ::testing::IsEmpty());
    EXPECT_THAT(seen.stats, ::testing::IsEmpty());
  }
};

}  // namespace pwx::testing

#endif  // PWX_TESTS_CLIENT_CLI_REQUEST_FIXTURE_H_
