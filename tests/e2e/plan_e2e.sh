#!/usr/bin/env bash
# End-to-end test of joint inspection plans between three pwx-server
# processes, FR-DGT (the lead), PL-PIP and RO-ITM, each a peer of the
# others, driven through the pwx CLI as their users (inspector and
# coordinator). Registered with ctest as plan_e2e:
#
#   plan_e2e.sh PWX_SERVER_BINARY PWX_CLI_BINARY PKI_SH
#
# Checks, through `--output json` read with jq: a joint inspection drafted,
# edited and proposed, then agreed by the participants' coordinators (an
# inspector may not; a participant's change goes to the lead: sequenced
# false), with RO-ITM stopped during the agreement and catching up when it
# returns; an amendment that reopens the agreement; forbidden changes (a
# participant amending, a finding for another authority's action) refused
# with nothing changed; the findings aggregated in `pwx plan report`;
# `pwx plan list --output json` showing the same plans in the same states on
# the three nodes; a second plan declined by RO-ITM, whose copy turns
# confidential and stops changing. Needs jq.
set -euo pipefail

E2E_NAME="plan_e2e"
# shellcheck source=tests/e2e/lib.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"
e2e_binaries "$@"
command -v jq >/dev/null || { echo "$E2E_NAME: needs jq (deploy/install-deps.sh)" >&2; exit 2; }

readonly START_TIMEOUT_S=60  # generous: sanitizer builds start slowly
readonly DELIVERY_TIMEOUT_S=120
readonly CLI_TIMEOUT_S=30
declare -A AUTHORITY=([FR]="FR-DGT" [PL]="PL-PIP" [RO]="RO-ITM")
declare -A USER_OF=([FR]="alice" [PL]="piotr" [RO]="ioana")
readonly NODES=(FR PL RO)
USER_ROLES="inspector coordinator"
FEDERATION_CONFIG="retry_initial_ms: 50 retry_max_ms: 500 call_timeout_ms: 2000"
e2e_tmpdir
readonly PKI="$T/pki"
# shellcheck source=tests/e2e/nodes.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/nodes.sh"

# act NODE ARGS...: `pwx plan ARGS` on NODE, which must succeed.
act() {
  local node="$1"
  shift
  pwx "$node" --output json plan "$@"
  must "${AUTHORITY[$node]}: pwx plan $*"
}

# show NODE ID: `pwx plan show ID --output json` on NODE into $T/out, saved
# as $T/show.NODE too.
show() {
  pwx "$1" --output json plan show "$2"
  must "${AUTHORITY[$1]} shows plan $2"
  cp "$T/out" "$T/show.$1"
}

# at_seq NODE ID STATE SEQ: NODE holds plan ID in PLAN_STATE_<STATE> at
# sequence SEQ or later (any when SEQ is empty).
at_seq() {
  pwx "$1" --output json plan show "$2"
  [[ $RC -eq 0 && "$(q .plan.state)" == "PLAN_STATE_$3" ]] || return 1
  [[ -z "${4:-}" || "$(q '.plan.seq // 0')" -ge "$4" ]]
}

# reaches NODE ID STATE [SEQ]: waits for it.
reaches() {
  eventually "plan $2 reaches ${AUTHORITY[$1]} as $3${4:+ at seq $4 or later}" at_seq "$@"
}

# seq_of NODE ID: sets SEQ to NODE's version of plan ID.
seq_of() {
  show "$1" "$2"
  SEQ="$(q '.plan.seq // 0')"
}

# same_on ID NODES...: every node holds plan ID at the lead's version with
# the same state, participants, actions, report and history.
same_on() {
  local id="$1" node field
  shift
  seq_of FR "$id"
  local want="$SEQ" state
  state="$(jq -r .plan.state "$T/show.FR")"
  for node in "$@"; do
    reaches "$node" "$id" "${state#PLAN_STATE_}" "$want"
    show "$node" "$id"
    for field in .plan.state .plan.participants .plan.actions .plan.report .plan.history; do
      if ! diff <(jq -S "$field" "$T/show.FR") <(jq -S "$field" "$T/show.$node") >"$T/diff"; then
        sed 's/^/#   /' "$T/diff"
        fail "plan $id: FR-DGT and ${AUTHORITY[$node]} agree on $field" "they differ"
      fi
    done
  done
}

# status_of AUTHORITY: the participant's status in $T/out (a show).
status_of() {
  q --arg a "$1" '.plan.participants[] | select(.authority == $a) | .status'
}

# expect_refused WHAT NODE ID CODE TEXT ARGS...: `pwx plan ARGS` on NODE
# fails with exit 1, "CODE" and TEXT on stderr, and plan ID on NODE keeps
# its version.
expect_refused() {
  local what="$1" node="$2" id="$3" code="$4" text="$5" before
  shift 5
  seq_of "$node" "$id"
  before="$SEQ"
  pwx "$node" plan "$@"
  expect_err "$what" 1 "pwx: $code: "
  grep -qF -- "$text" <<<"$ERR" || fail "$what" "expected '$text' on stderr"
  seq_of "$node" "$id"
  [[ "$SEQ" == "$before" ]] || fail "$what: nothing changed" "seq went from $before to $SEQ"
}

{
  for node in "${NODES[@]}"; do
    bash "$PKI_SH" authority --out "$PKI" --id "${AUTHORITY[$node]}"
    bash "$PKI_SH" user --out "$PKI" --id "${AUTHORITY[$node]}" --name "${USER_OF[$node]}"
  done
  bash "$PKI_SH" user --out "$PKI" --id PL-PIP --name marek
} >"$T/pki.log" 2>&1 || { cat "$T/pki.log"; fail "PKI is created" "pki.sh failed"; }
for node in "${NODES[@]}"; do start "$node"; done
for node in "${NODES[@]}"; do
  pwx "$node" admin identity export "$T/${AUTHORITY[$node]}.card"
  must "${AUTHORITY[$node]} exports its identity card"
done
for node in "${NODES[@]}"; do
  for other in "${NODES[@]}"; do
    [[ "$node" == "$other" ]] && continue
    pwx "$node" peer add "$T/${AUTHORITY[$other]}.card"
    must "${AUTHORITY[$node]} adds ${AUTHORITY[$other]}"
  done
done
pwx PL user grant marek inspector
must "PL-PIP's admin makes marek an inspector"
ok "three nodes, each a peer of the others; marek is an inspector of PL-PIP"

# --- A joint inspection, proposed while RO-ITM is offline --------------------
today="$(date -u +%F)"
act FR create --kind joint --title "Lyon building sites, spring" \
  --participant PL-PIP --participant RO-ITM \
  --objective "Check the pay of workers posted to Lyon building sites" \
  --sector F41.20 --target "name=Demo Bau Sp. z o.o.;reg=PL5260001246;country=PL" \
  --scope "Lyon metropolitan area" --purpose "Pay and social security" \
  --legal-basis "Regulation (EU) 2019/1149, Art. 9" \
  --indicator "id=workers;source=workers-checked;target=20;unit=workers"
plan="$(q .plan.id)"
[[ "$plan" =~ ^FR-DGT-P-[0-9]{4}-[0-9]{6}$ && "$(q .plan.state)" == PLAN_STATE_DRAFT &&
   "$(q .sequenced)" == true && "$(q '.plan.content.sectors[0]')" == F41.20 ]] ||
  fail "create prints the draft's id, sequenced" "$(cat "$T/out")"
act FR edit "$plan" --purpose "Pay, working time and social security"
[[ "$(q .plan.content.purpose)" == "Pay, working time and social security" &&
   "$(q .plan.content.scope)" == "Lyon metropolitan area" ]] ||
  fail "edit --purpose changes only the purpose" "$(q -c .plan.content)"
act FR action add "$plan" --kind inspection --date "$today" --place "Lyon, Part-Dieu" \
  --responsible FR-DGT --inspector "Alice Martin"
[[ "$(q '.plan.actions[0].id')" == A1 ]] || fail "the first action is A1" "$(q -c .plan.actions)"
act FR action add "$plan" --kind information-exchange --date "$today" --place Warsaw \
  --responsible PL-PIP
stop RO TERM
act FR propose "$plan"
proposed="$(q .plan.seq)"
reaches PL "$plan" PROPOSED "$proposed"
USER_OF[PL]=marek
pwx PL plan agree "$plan"
expect_err "an inspector may not agree for PL-PIP" 1 "pwx: PERMISSION_DENIED: "
USER_OF[PL]=piotr
act PL agree "$plan"
[[ "$(q .sequenced)" == false ]] || fail "PL-PIP's agreement goes to the lead" "sequenced $(q .sequenced)"
eventually "FR-DGT records PL-PIP's agreement" at_seq FR "$plan" PROPOSED "$((proposed + 1))"
show FR "$plan"
[[ "$(status_of PL-PIP)" == PARTICIPANT_STATUS_AGREED &&
   "$(status_of RO-ITM)" == PARTICIPANT_STATUS_INVITED ]] ||
  fail "with RO-ITM offline the plan waits for its answer" "$(q -c .plan.participants)"
start RO
reaches RO "$plan" PROPOSED
act RO agree "$plan"
reaches FR "$plan" AGREED
same_on "$plan" PL RO
ok "proposed with RO-ITM offline: it caught up on its return and agreed; AGREED on the three nodes"

# --- Forbidden changes, refused with nothing changed ------------------------
expect_refused "a participant may not amend" PL "$plan" PERMISSION_DENIED \
  "only the lead (FR-DGT) may" amend "$plan" --reason "PL wants more" --scope "All of France"
act FR start "$plan"
reaches PL "$plan" IN_PROGRESS
expect_refused "PL-PIP may not record a finding for FR-DGT's action" PL "$plan" \
  PERMISSION_DENIED "responsible for action A1" \
  finding add "$plan" --action A1 --workers 3 --undertakings 1
ok "a participant's amendment and a finding for another authority's action are refused"

# --- An amendment reopens the agreement -------------------------------------
act FR amend "$plan" --reason "Add the Villeurbanne sites" --scope "Lyon and Villeurbanne"
[[ "$(q .plan.state)" == PLAN_STATE_PROPOSED && "$(q .plan.content.scope)" == "Lyon and Villeurbanne" ]] ||
  fail "the amendment reopens the agreement" "state $(q .plan.state), scope '$(q .plan.content.scope)'"
amended="$(q .plan.seq)"
for node in PL RO; do
  reaches "$node" "$plan" PROPOSED "$amended"
  act "$node" agree "$plan"
done
reaches FR "$plan" IN_PROGRESS
show FR "$plan"
[[ "$(q .plan.content.title)" == "Lyon building sites, spring" ]] ||
  fail "amending the scope keeps the rest of the content" "title '$(q .plan.content.title)'"
ok "the amendment reopened the agreement; both agreed again and the plan runs again"

# --- Findings, the report, closure ------------------------------------------
act FR finding add "$plan" --action A1 --workers 14 --undertakings 2 \
  --irregularity pay=3 --irregularity social-security=1
act PL finding add "$plan" --action A2 --workers 9 --undertakings 1 --irregularity pay=1
# PL-PIP's part of the report leaves after its finding, so the report is
# complete only with the finding in.
for node in FR PL RO; do
  act "$node" report submit "$plan" --text "${AUTHORITY[$node]}'s part of the report."
done
for node in "${NODES[@]}"; do reaches "$node" "$plan" REPORTED; done
pwx RO --output json plan report "$plan"
must "RO-ITM prints the report"
[[ "$(q .complete)" == true && "$(q .total.workersChecked)" == 23 &&
   "$(q .total.undertakingsChecked)" == 3 && "$(q .total.irregularitiesTotal)" == 5 ]] ||
  fail "the report adds up the findings" "$(q -c .total)"
[[ "$(q '.participants[] | select(.authority == "PL-PIP") | .totals.workersChecked')" == 9 &&
   "$(q '.participants[] | select(.authority == "FR-DGT") | .totals.workersChecked')" == 14 ]] ||
  fail "the report counts per authority" "$(q -c .participants)"
[[ "$(q '.indicators[0].met')" == true ]] || fail "23 workers checked meets the target of 20" "$(q -c .indicators)"
pwx FR plan report "$plan"
must "FR-DGT prints the report as a table"
grep -qF "23" "$T/out" || fail "the table shows the 23 workers checked" "$(cat "$T/out")"
act FR close "$plan"
for node in PL RO; do reaches "$node" "$plan" CLOSED; done
same_on "$plan" PL RO
ok "findings of FR-DGT and PL-PIP add up in the report on RO-ITM; closed on the three nodes"

# --- A decline: the declining node keeps a confidential copy ----------------
act FR create --kind concerted --title "Autumn campaign" --participant PL-PIP --participant RO-ITM \
  --objective "Working time in road transport" --sector H49.41 \
  --scope "Road hauliers in the Hauts-de-France" --purpose "Driving and rest times" \
  --legal-basis "Regulation (EU) 2019/1149, Art. 8"
second="$(q .plan.id)"
act FR action add "$second" --kind inspection --date "$today" --place Lille --responsible FR-DGT
act FR propose "$second"
reaches RO "$second" PROPOSED
reaches PL "$second" PROPOSED
act RO decline "$second" --reason "No inspectors free this autumn"
act PL agree "$second"
reaches FR "$second" AGREED
seq_of RO "$second"
ro_seq="$SEQ"
show RO "$second"
[[ "$(q .plan.confidential)" == true && "$(status_of RO-ITM)" == PARTICIPANT_STATUS_DECLINED ]] ||
  fail "RO-ITM's copy is confidential after its decline" "confidential $(q .plan.confidential)"
act FR action add "$second" --kind inspection --date "$today" --place Roubaix --responsible FR-DGT
act FR start "$second"
reaches PL "$second" IN_PROGRESS
seq_of RO "$second"
[[ "$SEQ" == "$ro_seq" ]] ||
  fail "RO-ITM receives no later change after declining" "its seq went from $ro_seq to $SEQ"
ok "RO-ITM declined the second plan: its copy is confidential and receives nothing more"

# --- The three nodes list the same plans in the same states -----------------
pwx FR --output json plan list --all
must "FR-DGT lists its plans"
jq -S '[.plans[] | select(.id == "'"$plan"'") | {id, state}]' "$T/out" >"$T/list.FR"
[[ "$(jq length "$T/list.FR")" -eq 1 ]] || fail "FR-DGT lists $plan" "$(cat "$T/out")"
for node in PL RO; do
  pwx "$node" --output json plan list --all
  must "${AUTHORITY[$node]} lists its plans"
  jq -S '[.plans[] | select(.id == "'"$plan"'") | {id, state}]' "$T/out" >"$T/list.$node"
  diff "$T/list.FR" "$T/list.$node" >"$T/diff" ||
    { sed 's/^/#   /' "$T/diff"; fail "${AUTHORITY[$node]} lists $plan as FR-DGT does" "differs"; }
done
pwx PL --output json plan list --state closed
must "PL-PIP lists its closed plans"
[[ "$(q --arg id "$plan" '[.plans[] | select(.id == $id)] | length')" -eq 1 &&
   "$(q --arg id "$second" '[.plans[] | select(.id == $id)] | length')" -eq 0 ]] ||
  fail "pwx plan list --state closed lists only the closed plan" "$(cat "$T/out")"
ok "pwx plan list --output json shows $plan CLOSED on the three nodes"

e2e_done
