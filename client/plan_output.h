// Printing joint inspection plans for people (aligned text) or programs
// (the protobuf JSON mapping, like every other command).
#ifndef PWX_CLIENT_PLAN_OUTPUT_H_
#define PWX_CLIENT_PLAN_OUTPUT_H_

#include <ostream>

#include "client/output.h"
#include "pwx/v1/plan.pb.h"
#include "pwx/v1/plan_service.pb.h"

namespace pwx::client {

// The result of a change: what was done and, for a change made at a
// participant's node (sequenced false), that it went to the lead and that
// this node's copy changes once the lead sequences it; then the plan's
// header. JSON: the PlanChangeResponse ("plan", "event", "sequenced").
void PrintPlanChange(const pwx::v1::PlanChangeResponse& change,
                     OutputFormat format, std::ostream& out);

// `pwx plan show`: a "CONFIDENTIAL" banner when the plan is confidential on
// this node, the header (kind, lead, state, seq) and content, participants
// with their status and decline reasons, the actions by date with their
// responsible authority and number of findings, the report's due date and
// parts, indicator values, the refusals of this node's changes and the
// history. JSON: the GetPlanResponse ("plan", "refusals").
void PrintPlanView(const pwx::v1::GetPlanResponse& view, OutputFormat format,
                   std::ostream& out);

// A page (or, for --all, every page merged) of plans: one aligned row each;
// for the table, a hint with the next page token when there is one.
void PrintPlanList(const pwx::v1::ListPlansResponse& list, OutputFormat format,
                   std::ostream& out);

// `pwx plan report`: due date (OVERDUE flagged), the findings per authority
// and in total, irregularities by category, indicators against their
// targets, and the parts still missing.
void PrintPlanReport(const pwx::v1::PlanReportSummary& report,
                     OutputFormat format, std::ostream& out);

}  // namespace pwx::client

#endif  // PWX_CLIENT_PLAN_OUTPUT_H_
