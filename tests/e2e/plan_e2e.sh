#!/usr/bin/env bash
# End-to-end test of `pwx plan` between two pwx-server processes, FR-DGT
# (the lead) and PL-PIP (a participant), peers of each other, driven through
# the pwx CLI as their users. Registered with ctest as plan_e2e:
#
#   plan_e2e.sh PWX_SERVER_BINARY PWX_CLI_BINARY PKI_SH
#
# Checks, through `--output json` read with jq: a joint inspection created,
# given two actions and proposed on FR-DGT reaches PL-PIP; PL-PIP's
# coordinator agrees there (the change goes to the lead: sequenced false;
# its inspector may not);
# the plan runs, each authority records the findings of its own action
# (another's is refused), each submits its part, the report counts both,
# FR-DGT closes it and both nodes list it closed with the same history.
# Needs jq.
set -euo pipefail

E2E_NAME="plan_e2e"
# shellcheck source=tests/e2e/lib.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"
e2e_binaries "$@"
command -v jq >/dev/null || { echo "$E2E_NAME: needs jq (deploy/install-deps.sh)" >&2; exit 2; }

readonly START_TIMEOUT_S=60  # generous: sanitizer builds start slowly
readonly DELIVERY_TIMEOUT_S=120
readonly CLI_TIMEOUT_S=30
declare -A AUTHORITY=([FR]="FR-DGT" [PL]="PL-PIP")
declare -A USER_OF=([FR]="alice" [PL]="piotr")
readonly NODES=(FR PL)
FEDERATION_CONFIG="retry_initial_ms: 50 retry_max_ms: 500 call_timeout_ms: 2000"
e2e_tmpdir
readonly PKI="$T/pki"
# shellcheck source=tests/e2e/nodes.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/nodes.sh"

# q [JQ OPTIONS] FILTER: jq -r on the last command's output ("" when it is
# not JSON, so that a check fails on the value rather than here).
q() { jq -r "$@" "$T/out" 2>/dev/null || true; }

# must WHAT: the last command succeeded.
must() { [[ $RC -eq 0 ]] || fail "$1" "exit $RC: $ERR"; }

# plan NODE ARGS...: `pwx plan ARGS --output json` on NODE, which must
# succeed.
plan() {
  local node="$1"
  shift
  pwx "$node" --output json plan "$@"
  must "${AUTHORITY[$node]}: pwx plan $*"
}

# in_state NODE ID STATE: NODE holds plan ID in PLAN_STATE_<STATE>.
in_state() {
  pwx "$1" --output json plan show "$2"
  [[ $RC -eq 0 && "$(q .plan.state)" == "PLAN_STATE_$3" ]]
}

# reaches NODE ID STATE: waits for it.
reaches() {
  eventually "$2 is ${3} on ${AUTHORITY[$1]}" in_state "$1" "$2" "$3"
}

# has_findings NODE ID ACTION: NODE holds findings of ACTION in plan ID.
has_findings() {
  pwx "$1" --output json plan show "$2"
  [[ $RC -eq 0 &&
     "$(q --arg a "$3" '[.plan.actions[] | select(.id == $a) | .findings[]?] | length')" -gt 0 ]]
}

{
  for node in "${NODES[@]}"; do
    bash "$PKI_SH" authority --out "$PKI" --id "${AUTHORITY[$node]}"
    bash "$PKI_SH" user --out "$PKI" --id "${AUTHORITY[$node]}" --name "${USER_OF[$node]}"
  done
  bash "$PKI_SH" user --out "$PKI" --id PL-PIP --name pawel
} >"$T/pki.log" 2>&1 || { cat "$T/pki.log"; fail "PKI is created" "pki.sh failed"; }
for node in "${NODES[@]}"; do start "$node"; done
for node in "${NODES[@]}"; do
  pwx "$node" admin identity export "$T/${AUTHORITY[$node]}.card"
  must "${AUTHORITY[$node]} exports its identity card"
done
pwx FR peer add "$T/PL-PIP.card"
must "FR-DGT adds PL-PIP"
pwx PL peer add "$T/FR-DGT.card"
must "PL-PIP adds FR-DGT"
pwx PL user grant pawel coordinator
must "PL-PIP's admin makes pawel a coordinator"
ok "two nodes, peers of each other; pawel coordinates PL-PIP"

# --- The lead drafts and proposes -------------------------------------------
plan FR create --kind joint --title "Construction sites Lyon" \
  --participant PL-PIP --objective "Fair posting in construction" \
  --sector 41.20 --target "name=Budimex SA;reg=PL5260001111;country=PL" \
  --scope "Lyon building sites" --purpose "Check pay and A1 forms" \
  --legal-basis "Reg. (EU) 2019/1149 Art. 9" \
  --indicator "id=workers;source=workers-checked;target=10"
id="$(q .plan.id)"
[[ "$id" =~ ^FR-DGT-P-[0-9]{4}-[0-9]{6}$ && "$(q .plan.state)" == PLAN_STATE_DRAFT &&
   "$(q .sequenced)" == true && "$(q '.plan.content.sectors[0]')" == F41.20 ]] ||
  fail "create prints the draft, sequenced, its sector normalised" "$(cat "$T/out")"
plan FR action add "$id" --kind inspection --date 2026-03-10 --end-date 2026-03-12 \
  --place "Lyon, rue Garibaldi" --responsible FR-DGT --inspector "Claire Martin"
plan FR action add "$id" --kind inspection --date 2026-03-11 --place "Lyon 7e" \
  --responsible PL-PIP
plan FR edit "$id" --scope "Lyon and Villeurbanne"
[[ "$(q .plan.content.scope)" == "Lyon and Villeurbanne" &&
   "$(q .plan.content.purpose)" == "Check pay and A1 forms" ]] ||
  fail "edit --scope changes only the scope" "$(q -c .plan.content)"
plan FR propose "$id"
[[ "$(q .plan.state)" == PLAN_STATE_PROPOSED ]] || fail "proposed" "$(q .plan.state)"
reaches PL "$id" PROPOSED
ok "drafted with two actions, edited, proposed: PL-PIP holds $id"

# --- The participant agrees on its own node ---------------------------------
pwx PL plan agree "$id"
expect_err "an inspector may not agree for PL-PIP" 1 "pwx: PERMISSION_DENIED: "
USER_OF[PL]=pawel
pwx PL plan agree "$id"
must "PL-PIP's coordinator agrees"
USER_OF[PL]=piotr
{ grep -qF "sent to the lead FR-DGT" "$T/out" && grep -qF "once the lead sequences it" "$T/out"; } ||
  fail "the agreement says it went to the lead" "$(cat "$T/out")"
reaches FR "$id" AGREED
reaches PL "$id" AGREED
ok "PL-PIP's agreement went to the lead; $id is agreed on both nodes"

# --- The plan runs ----------------------------------------------------------
plan FR start "$id"
reaches PL "$id" IN_PROGRESS
plan FR finding add "$id" --action A1 --workers 12 --undertakings 2 \
  --irregularity pay=3 --irregularity social-security=1 --notes "two without A1"
pwx PL plan finding add "$id" --action A1 --workers 1 --undertakings 1
expect_err "PL-PIP may not record the findings of FR-DGT's action" 1 "pwx: PERMISSION_DENIED: "
plan PL finding add "$id" --action A2 --workers 5 --undertakings 1
[[ "$(q .sequenced)" == false ]] || fail "a participant's finding goes to the lead" "$(q .sequenced)"
plan FR report submit "$id" --text "12 workers checked"
eventually "PL-PIP's finding reaches the lead" has_findings FR "$id" A2
plan PL report submit "$id" --text "5 workers checked"
reaches FR "$id" REPORTED
plan FR report "$id"
[[ "$(q .total.workersChecked)" -eq 17 && "$(q .total.irregularitiesTotal)" -eq 4 &&
   "$(q '.partsMissing | length')" -eq 0 && "$(q .complete)" == true &&
   "$(q '.indicators[0].met')" == true ]] ||
  fail "the report counts both authorities' findings" "$(cat "$T/out")"
pwx FR plan report "$id"
must "the report prints as a table"
grep -qE "^total +2 +2 +17 +3 +4 " "$T/out" || fail "the report table has the totals" "$(cat "$T/out")"
ok "run, a finding by each authority (another's refused), both parts in: reported"

# --- Closed on both ---------------------------------------------------------
plan FR close "$id"
reaches PL "$id" CLOSED
for node in "${NODES[@]}"; do
  plan "$node" list --state closed --all
  [[ "$(q --arg id "$id" '[.plans[] | select(.id == $id)] | length')" -eq 1 ]] ||
    fail "${AUTHORITY[$node]} lists $id closed" "$(cat "$T/out")"
  plan "$node" show "$id"
  jq -S .plan.history "$T/out" >"$T/history.$node"
done
diff "$T/history.FR" "$T/history.PL" >"$T/diff" ||
  { sed 's/^/#   /' "$T/diff"; fail "both nodes hold the same history" "they differ"; }
pwx PL plan show "$id"
must "PL-PIP shows $id as a table"
{ grep -qE "^PL-PIP +agreed" "$T/out" && grep -qE "^A2 +2026-03-11 +inspection" "$T/out"; } ||
  fail "the table shows the participant and the schedule" "$(cat "$T/out")"
ok "closed: both nodes list $id closed with the same history"

e2e_done
