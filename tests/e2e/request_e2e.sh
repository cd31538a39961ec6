#!/usr/bin/env bash
# End-to-end test of cross-border requests between three pwx-server
# processes, FR-DGT, PL-PIP and DE-FKS, each a peer of the others, driven
# through the pwx CLI as their inspectors. Registered with ctest as
# request_e2e:
#
#   request_e2e.sh PWX_SERVER_BINARY PWX_CLI_BINARY PKI_SH
#
# Checks, through `--output json` read with jq: an information request run
# to closure (personal data hidden until accepted; both nodes end with the
# same state, due date and history); a forward to a third node and a split
# to it (`<id>-S1`), each run to closure; an alert acknowledged; a recovery
# of a penalty accepted, challenged, resumed, answered and closed; refusals
# (not a peer, wrong side, wrong state) that change nothing; documents
# attached by both sides that arrive identical (cmp), hidden and refused
# before acceptance; `pwx request
# overdue` and `pwx stats`; the recipient killed right after a send: the
# request arrives once and runs to closure. Needs jq.
set -euo pipefail

E2E_NAME="request_e2e"
# shellcheck source=tests/e2e/lib.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"
e2e_binaries "$@"
command -v jq >/dev/null || { echo "$E2E_NAME: needs jq (deploy/install-deps.sh)" >&2; exit 2; }

readonly START_TIMEOUT_S=60  # generous: sanitizer builds start slowly
readonly DELIVERY_TIMEOUT_S=120
readonly CLI_TIMEOUT_S=30
declare -A AUTHORITY=([FR]="FR-DGT" [PL]="PL-PIP" [DE]="DE-FKS")
declare -A USER_OF=([FR]="alice" [PL]="piotr" [DE]="dieter")
readonly NODES=(FR PL DE)
FEDERATION_CONFIG="retry_initial_ms: 50 retry_max_ms: 500 call_timeout_ms: 2000"
e2e_tmpdir
readonly PKI="$T/pki"
# shellcheck source=tests/e2e/nodes.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/nodes.sh"

# create NODE ARGS...: `pwx request create` on NODE; sets RID to the
# draft's id.
create() {
  local node="$1"
  shift
  pwx "$node" --output json request create "$@"
  must "${AUTHORITY[$node]} creates a request"
  RID="$(q .id)"
  [[ "$RID" =~ ^${AUTHORITY[$node]}-R-[0-9]{4}-[0-9]{6}$ ]] ||
    fail "create prints the draft's id" "id '$RID'"
  [[ "$(q .state)" == REQUEST_STATE_DRAFT ]] ||
    fail "create makes a draft" "state $(q .state)"
}

# act NODE VERB ID ARGS...: one transition, which must succeed.
act() {
  local node="$1" verb="$2" id="$3"
  shift 3
  pwx "$node" --output json request "$verb" "$id" "$@"
  must "${AUTHORITY[$node]}: pwx request $verb $id"
}

# show NODE ID: `pwx request show ID --output json` on NODE, into $T/out;
# saved as $T/show.NODE too.
show() {
  pwx "$1" --output json request show "$2"
  must "${AUTHORITY[$1]} shows $2"
  cp "$T/out" "$T/show.$1"
}

# in_state NODE ID STATE: NODE holds ID in REQUEST_STATE_<STATE>.
in_state() {
  pwx "$1" --output json request show "$2"
  [[ $RC -eq 0 && "$(q .state)" == "REQUEST_STATE_$3" ]]
}

# reaches NODE ID STATE: waits for it.
reaches() {
  eventually "$2 reaches ${AUTHORITY[$1]} as $3" in_state "$1" "$2" "$3"
}

# hlen NODE ID: sets HLEN to the number of history entries NODE holds.
hlen() {
  show "$1" "$2"
  HLEN="$(q '.history | length')"
}

# same_on A B ID: both nodes hold ID with the same state, due date and
# history (waiting until B has as many history entries as A).
same_on() {
  local a="$1" b="$2" id="$3" n
  hlen "$a" "$id"
  n="$HLEN"
  has_n() { hlen "$b" "$id"; [[ "$HLEN" -eq "$n" ]]; }
  eventually "${AUTHORITY[$b]} has the $n history entries of $id" has_n
  show "$a" "$id"
  show "$b" "$id"
  local field
  for field in .state .dueDate '.history'; do
    if ! diff <(jq -S "$field" "$T/show.$a") <(jq -S "$field" "$T/show.$b") >"$T/diff"; then
      sed 's/^/#   /' "$T/diff"
      fail "$id: ${AUTHORITY[$a]} and ${AUTHORITY[$b]} agree on $field" "they differ"
    fi
  done
  [[ -n "$(jq -r '.dueDate // empty' "$T/show.$a")" ]] || fail "$id has a due date" "none"
}

# listed NODE BOX ID STATE: NODE's `pwx request BOX` lists ID once, in
# REQUEST_STATE_<STATE>.
listed() {
  pwx "$1" --output json request "$2" --all
  [[ $RC -eq 0 ]] || return 1
  [[ "$(jq --arg id "$3" '[.requests[]? | select(.id == $id)] | length' "$T/out")" -eq 1 &&
     "$(jq -r --arg id "$3" '.requests[]? | select(.id == $id) | .state' "$T/out")" == "REQUEST_STATE_$4" ]]
}

# expect_refused WHAT NODE ID CODE TEXT ARGS...: `pwx ARGS` on NODE fails
# with exit 1, "CODE" and TEXT on stderr, and ID's history on NODE keeps
# its length.
expect_refused() {
  local what="$1" node="$2" id="$3" code="$4" text="$5" before after
  shift 5
  hlen "$node" "$id"
  before="$HLEN"
  pwx "$node" "$@"
  expect_err "$what" 1 "pwx: $code: "
  grep -qF -- "$text" <<<"$ERR" || fail "$what" "expected '$text' on stderr"
  hlen "$node" "$id"
  after="$HLEN"
  [[ "$after" -eq "$before" ]] || fail "$what: nothing changed" \
    "history went from $before to $after entries"
}

{
  for node in "${NODES[@]}"; do
    bash "$PKI_SH" authority --out "$PKI" --id "${AUTHORITY[$node]}"
    bash "$PKI_SH" user --out "$PKI" --id "${AUTHORITY[$node]}" --name "${USER_OF[$node]}"
  done
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
ok "three nodes, each a peer of the others"

# --- An information request, FR-DGT to PL-PIP, to closure ------------------
create FR --to PL-PIP --kind information --lang en \
  --subject "Demo Bau Sp. z o.o., PL5260001246; worker Jan Kowalski" \
  --question EST-01 --question A1-01 --text "Who pays the workers' travel?"
info="$RID"
[[ "$(q '.content.questions | length')" -eq 3 &&
   "$(q '.content.questions[0].code')" == EST-01 &&
   "$(q '.content.questions[1].code')" == A1-01 &&
   "$(q '.content.questions[2].text')" == "Who pays the workers' travel?" ]] ||
  fail "the draft has the two catalogue questions and the free one" "$(q .content.questions)"
act FR send "$info"
eventually "PL-PIP's inbox lists $info awaiting acceptance" listed PL inbox "$info" AWAITING_ACCEPTANCE
show PL "$info"
[[ "$(q .personalDataHidden)" == true && "$(q '.content.subject // ""')" == "" ]] ||
  fail "before acceptance PL-PIP sees no personal data" "hidden $(q .personalDataHidden), subject '$(q .content.subject)'"
[[ "$(q '.content.questions[0].code')" == EST-01 ]] ||
  fail "before acceptance PL-PIP sees what is asked" "$(q .content.questions)"
ok "information request sent: PL-PIP's inbox has it awaiting acceptance, personal data hidden"
act PL accept "$info"
show PL "$info"
[[ "$(q '.personalDataHidden // false')" == false &&
   "$(q .content.subject)" == "Demo Bau Sp. z o.o., PL5260001246; worker Jan Kowalski" &&
   "$(q '.content.questions[2].text')" == "Who pays the workers' travel?" ]] ||
  fail "after acceptance PL-PIP sees the personal data" "subject '$(q .content.subject)'"
act PL answer "$info" --text "Registered in Warsaw since 2011; A1 issued; travel paid by the employer."
reaches FR "$info" ANSWERED
act FR close "$info" --rating timeliness=positive,effort=positive
reaches PL "$info" CLOSED
same_on FR PL "$info"
[[ "$(jq -r .state "$T/show.FR")" == REQUEST_STATE_CLOSED ]] || fail "closed" "$(jq -r .state "$T/show.FR")"
[[ "$(jq -r '[.history[] | keys[] | select(IN("send","receive","accept","answer","close"))] | join(",")' "$T/show.FR")" == "send,receive,accept,answer,close" ]] ||
  fail "the history is send, receive, accept, answer, close" "$(jq -c '[.history[] | keys]' "$T/show.FR")"
due="$(jq -r .dueDate "$T/show.FR")"
pwx PL request show "$info"
must "PL-PIP shows $info as a table"
grep -qF "$due" "$T/out" || fail "the table prints the due date $due" "not in it"
grep -qE "^history \(5\)" "$T/out" || fail "the table prints the history" "no 'history (5)'"
grep -qF "close" "$T/out" || fail "the table's history has the close" "not in it"
ok "information request accepted, answered, closed: same state, due date $due and history on both"

# --- Attachments: a contract copy out, A1 forms back ------------------------
create FR --to PL-PIP --kind information --subject "Budimex SA, contract check" --question EST-01
att="$RID"
head -c 700000 /dev/urandom >"$T/contract.pdf"
pwx FR --output json request attach "$att" "$T/contract.pdf"
must "FR-DGT attaches the contract to the draft"
contract_sha="$(sha256sum "$T/contract.pdf" | cut -d' ' -f1)"
[[ "$(q '.attachments[0].sha256')" == "$contract_sha" && "$(q '.attachments[0].fileName')" == contract.pdf ]] ||
  fail "the draft lists the contract" "$(q -c .attachments)"
act FR send "$att"
reaches PL "$att" AWAITING_ACCEPTANCE
show PL "$att"
[[ "$(q '.attachments | length')" -eq 1 && "$(q '.attachments[0].fileName // ""')" == "" ]] ||
  fail "before acceptance PL-PIP sees one attachment, not its name" "$(q -c .attachments)"
expect_refused "PL-PIP may not download before accepting" PL "$att" PERMISSION_DENIED "awaits acceptance" \
  request download "$att" "$contract_sha" --out "$T/contract.PL"
[[ ! -e "$T/contract.PL" ]] || fail "a refused download writes nothing" "$T/contract.PL exists"
expect_refused "PL-PIP may not attach before accepting" PL "$att" PERMISSION_DENIED "only the requester" \
  request attach "$att" "$T/contract.pdf"
act PL accept "$att"
downloaded() {
  pwx PL request download "$att" "$contract_sha" --out "$T/contract.PL" --force
  [[ $RC -eq 0 ]]
}
eventually "PL-PIP downloads the contract" downloaded
cmp -s "$T/contract.pdf" "$T/contract.PL" || fail "the contract arrives identical on PL-PIP" "cmp differs"
head -c 300000 /dev/urandom >"$T/a1-forms.pdf"
pwx PL --output json request attach "$att" "$T/a1-forms.pdf"
must "PL-PIP attaches the A1 forms to its answer"
a1_sha="$(sha256sum "$T/a1-forms.pdf" | cut -d' ' -f1)"
act PL answer "$att" --text "Contract checked; A1 forms attached."
reaches FR "$att" ANSWERED
fr_downloaded() {
  pwx FR --output json request download "$att" "$a1_sha" --out "$T/a1.FR" --force
  [[ $RC -eq 0 ]]
}
eventually "FR-DGT downloads the A1 forms" fr_downloaded
cmp -s "$T/a1-forms.pdf" "$T/a1.FR" || fail "the A1 forms arrive identical on FR-DGT" "cmp differs"
[[ "$(q .attachment.authority)" == PL-PIP ]] || fail "the download names who attached it" "$(q -c .attachment)"
act FR close "$att"
reaches PL "$att" CLOSED
same_on FR PL "$att"
[[ "$(jq -r '[.history[] | keys[] | select(IN("send","attach","accept","answer","close"))] | join(",")' "$T/show.FR")" == "send,attach,accept,attach,answer,close" ]] ||
  fail "the history records both attachments" "$(jq -c '[.history[] | keys]' "$T/show.FR")"
expect_refused "a closed request takes no attachment" FR "$att" FAILED_PRECONDITION "CLOSED" \
  request attach "$att" "$T/contract.pdf"
ok "attachments: the contract went to PL-PIP and the A1 forms to FR-DGT, identical; hidden and refused before acceptance"

# --- Forwarded by PL-PIP to DE-FKS ------------------------------------------
create FR --to PL-PIP --kind information --subject "Baustelle Lyon" --question EST-02
fwd="$RID"
act FR send "$fwd"
eventually "$fwd reaches PL-PIP" listed PL inbox "$fwd" AWAITING_ACCEPTANCE
act PL accept "$fwd"
act PL forward "$fwd" --to DE-FKS --reason "the undertaking is registered in Germany"
eventually "DE-FKS's inbox lists $fwd awaiting acceptance" listed DE inbox "$fwd" AWAITING_ACCEPTANCE
act DE accept "$fwd"
act DE answer "$fwd" --text "Registered in Cologne."
reaches FR "$fwd" ANSWERED
act FR close "$fwd"
reaches DE "$fwd" CLOSED
same_on FR DE "$fwd"
[[ "$(jq -r .recipient "$T/show.FR")" == DE-FKS ]] || fail "the recipient is now DE-FKS" "$(jq -r .recipient "$T/show.FR")"
show PL "$fwd"
[[ "$(q .state)" == REQUEST_STATE_FORWARDED ]] || fail "PL-PIP sees it forwarded" "$(q .state)"
ok "forwarded PL-PIP → DE-FKS: DE-FKS accepted and answered, FR-DGT closed; FR-DGT and DE-FKS agree"

# --- Split by PL-PIP: question 2 to DE-FKS ----------------------------------
create FR --to PL-PIP --kind information --subject "Split case" \
  --question EST-01 --question A1-01 --text "And the wages?"
split="$RID"
act FR send "$split"
eventually "$split reaches PL-PIP" listed PL inbox "$split" AWAITING_ACCEPTANCE
act PL accept "$split"
act PL split "$split" --to DE-FKS --question 2 --reason "A1 certificates are German"
eventually "DE-FKS's inbox lists $split-S1" listed DE inbox "$split-S1" AWAITING_ACCEPTANCE
show DE "$split-S1"
[[ "$(q .splitFrom)" == "$split" && "$(q '.content.questions | length')" -eq 1 &&
   "$(q '.content.questions[0].code')" == A1-01 ]] ||
  fail "$split-S1 is split from $split with question 2" "$(cat "$T/out")"
act DE accept "$split-S1"
act DE answer "$split-S1" --text "A1 DE-2026-1 valid."
act PL answer "$split" --text "Registered; wages paid."
reaches FR "$split" ANSWERED
reaches FR "$split-S1" ANSWERED
act FR close "$split"
act FR close "$split-S1"
reaches PL "$split" CLOSED
reaches DE "$split-S1" CLOSED
same_on FR PL "$split"
[[ "$(jq -r '.splitInto | join(",")' "$T/show.FR")" == "$split-S1" ]] ||
  fail "$split lists $split-S1" "$(jq -c .splitInto "$T/show.FR")"
same_on FR DE "$split-S1"
ok "split: question 2 went to DE-FKS as $split-S1; both requests closed, histories agree"

# --- An alert; a recovery of a penalty --------------------------------------
create FR --to PL-PIP --kind alert --subject "Letterbox company suspected" \
  --text "Undertaking without activity in Poland"
alert="$RID"
act FR send "$alert"
eventually "$alert reaches PL-PIP" listed PL inbox "$alert" AWAITING_ACCEPTANCE
show PL "$alert"
[[ "$(q .personalDataHidden)" == true && "$(q '.content.subject // ""')" == "" ]] ||
  fail "before acknowledging PL-PIP sees no personal data" "subject '$(q .content.subject)'"
act PL acknowledge "$alert"
reaches FR "$alert" ACKNOWLEDGED
show PL "$alert"
[[ "$(q '.personalDataHidden // false')" == false &&
   "$(q .content.subject)" == "Letterbox company suspected" ]] ||
  fail "acknowledged, the alert shows its subject on PL-PIP" "subject '$(q .content.subject)'"
same_on PL FR "$alert"
ok "alert acknowledged by PL-PIP, which then sees what it is about; both agree"

create FR --to PL-PIP --kind recovery --subject "Fine of Demo Bau" \
  --addressee-name "Demo Bau Sp. z o.o." --addressee-address "ul. Prosta 1, Warszawa" \
  --addressee-id PL5260001246 --facts "No prior declaration of 3 workers" \
  --infringement "Missing SIPSI declaration" --rules "Code du travail L1264-1" \
  --instrument "Décision 2026-17" --assessing-authority "DREETS Auvergne-Rhône-Alpes" \
  --challenge-body "Tribunal administratif de Lyon" --enforceable-date 2026-01-15 \
  --penalty-nature "Administrative fine" --amount 1250.00 --currency EUR \
  --served --service-details "Registered letter, 2026-01-02" --final \
  --claim "Fine 1250 EUR"
rec="$RID"
act FR send "$rec"
eventually "$rec reaches PL-PIP" listed PL inbox "$rec" AWAITING_ACCEPTANCE
act PL accept "$rec"
show PL "$rec"
[[ "$(q .content.kind)" == REQUEST_KIND_RECOVERY_OF_PENALTY &&
   "$(q .content.penalty.amount.currency)" == EUR &&
   "$(q .content.penalty.amount.cents)" == 125000 &&
   "$(q .content.penalty.addresseeName)" == "Demo Bau Sp. z o.o." &&
   "$(q .content.penalty.enforceableDate)" == 2026-01-15 ]] ||
  fail "PL-PIP has the Art. 16 instrument with 1250.00 EUR" "$(q -c .content.penalty)"
reaches FR "$rec" ACCEPTED
act FR challenge "$rec" --reason "Appeal lodged before the Tribunal administratif de Lyon"
reaches PL "$rec" SUSPENDED
act FR resume "$rec"
reaches PL "$rec" ACCEPTED
act PL answer "$rec" --text "Recovered 1250.00 EUR."
reaches FR "$rec" ANSWERED
act FR close "$rec"
reaches PL "$rec" CLOSED
same_on FR PL "$rec"
ok "recovery of 1250.00 EUR: accepted, challenged, resumed, answered, closed; both agree"

# --- Refusals ----------------------------------------------------------------
pwx FR --output json request outbox --all
must "FR-DGT lists its outbox"
sent_before="$(q '.requests | length')"
pwx FR request create --to ES-ITSS --kind information --question EST-01
expect_err "a request to an authority that is not a peer is refused" 1 "pwx: NOT_FOUND: "
grep -qF "ES-ITSS is not a peer" <<<"$ERR" || fail "the refusal names ES-ITSS" "$ERR"
pwx FR --output json request outbox --all
[[ "$(q '.requests | length')" -eq "$sent_before" ]] || fail "no draft was made" "outbox $(q '.requests | length')"
ok "a request to ES-ITSS, not a peer: NOT_FOUND, no draft"

create FR --to PL-PIP --kind information --question EST-03
wrong="$RID"
act FR send "$wrong"
eventually "$wrong reaches PL-PIP" listed PL inbox "$wrong" AWAITING_ACCEPTANCE
expect_refused "answer before accept is refused" PL "$wrong" FAILED_PRECONDITION \
  "AWAITING_ACCEPTANCE" request answer "$wrong" --text "too soon"
act PL accept "$wrong"
act PL answer "$wrong" --text "Fine."
expect_refused "the recipient cannot close" PL "$wrong" PERMISSION_DENIED \
  "only the requester" request close "$wrong"
reaches FR "$wrong" ANSWERED
expect_refused "the requester cannot answer" FR "$wrong" PERMISSION_DENIED \
  "only the recipient" request answer "$wrong" --text "mine"
act FR close "$wrong"
same_on FR PL "$wrong"
ok "wrong state (answer while AWAITING_ACCEPTANCE: FAILED_PRECONDITION) and wrong side (PERMISSION_DENIED): nothing changed"

# --- Overdue and the scoreboard ---------------------------------------------
for node in FR PL; do
  pwx "$node" --output json request overdue --all
  must "${AUTHORITY[$node]}: pwx request overdue"
  [[ "$(q '.requests | length')" -eq 0 ]] || fail "nothing is overdue" "$(q -c .requests)"
done
pwx FR stats
must "pwx stats prints a table"
pwx FR --output json stats
must "pwx stats --output json"
[[ "$(q '[.peers[] | select(.peer == "PL-PIP")] | length')" -eq 1 ]] ||
  fail "the scoreboard lists PL-PIP" "$(cat "$T/out")"
names="$(q '[.peers[] | select(.peer == "PL-PIP") | .asRecipient[].name] | sort | join(",")')"
[[ "$names" == "accepted_within_7_days,answered_by_agreed_date,average_days_to_answer,negative_effort_ratings,negative_timeliness_ratings" ]] ||
  fail "PL-PIP has the five indicators" "$names"
[[ "$(q '.peers[] | select(.peer == "PL-PIP") | .asRecipient[] | select(.name == "accepted_within_7_days") | .count')" -ge 4 &&
   "$(q '.peers[] | select(.peer == "PL-PIP") | .asRecipient[] | select(.name == "accepted_within_7_days") | .band')" == green ]] ||
  fail "PL-PIP accepted every request within 7 days" "$(q -c '.peers[] | select(.peer == "PL-PIP")')"
ok "pwx request overdue is empty; pwx stats lists PL-PIP with its indicators"

# --- The recipient killed right after a send ---------------------------------
create FR --to PL-PIP --kind information --subject "Restart" --question EST-04
rst="$RID"
act FR send "$rst"
stop PL KILL
start PL
eventually "$rst reaches PL-PIP after its restart" listed PL inbox "$rst" AWAITING_ACCEPTANCE
show PL "$rst"
[[ "$(q '[.history[] | select(.send)] | length')" -eq 1 &&
   "$(q '[.history[] | select(.receive)] | length')" -eq 1 ]] ||
  fail "$rst arrived once" "$(q -c '[.history[] | keys]')"
act PL accept "$rst"
act PL answer "$rst" --text "After the restart."
reaches FR "$rst" ANSWERED
act FR close "$rst"
reaches PL "$rst" CLOSED
same_on FR PL "$rst"
listed PL inbox "$rst" CLOSED || fail "PL-PIP's inbox lists $rst once, closed" "$(cat "$T/out")"
ok "PL-PIP killed right after the send: $rst arrived once and ran to closure"

e2e_done
