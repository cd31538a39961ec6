// Printing cross-border requests and the scoreboard for people (aligned
// text) or programs (the protobuf JSON mapping, like every other command).
#ifndef PWX_CLIENT_REQUEST_OUTPUT_H_
#define PWX_CLIENT_REQUEST_OUTPUT_H_

#include <ostream>
#include <string>

#include "client/output.h"
#include "pwx/v1/request.pb.h"
#include "pwx/v1/request_service.pb.h"

namespace pwx::client {

// A request: its header (parties, state, due date and working days left,
// who must act next, open proposals, hidden personal data), then its
// questions numbered from 1, its answers and its history oldest first, one
// line per event, superseded events marked "SUPERSEDED: <why>".
void PrintRequest(const pwx::v1::Request& request, OutputFormat format,
                  std::ostream& out);

// A page (or, for --all, every page merged) of requests: one aligned row
// each; for the table, a hint with the next page token when there is one.
void PrintRequestList(const pwx::v1::ListRequestsResponse& list,
                      OutputFormat format, std::ostream& out);

// The scoreboard: per peer, the indicators of how the peer answered this
// node's requests and how this node answered the peer's.
void PrintStats(const pwx::v1::GetStatsResponse& stats, OutputFormat format,
                std::ostream& out);

// "answer", "propose-date", ...: the action of `event` as the CLI names its
// verbs; "" when none is set.
std::string EventActionName(const pwx::v1::RequestEvent& event);

}  // namespace pwx::client

#endif  // PWX_CLIENT_REQUEST_OUTPUT_H_
