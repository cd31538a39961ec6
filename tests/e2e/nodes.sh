# Running pwx-server nodes in an end-to-end test (sourced after lib.sh, not
# run). The script declares, before sourcing:
#   declare -A AUTHORITY=([FR]="FR-DGT" ...)   node -> authority id
#   declare -A USER_OF=([FR]="alice" ...)      node -> its admin user
# and may set FEDERATION_CONFIG (lines inside every node's federation {})
# and USER_ROLES (the roles the users get, default "inspector auditor").
# Defines PID, API_PORT, FED_PORT, DATA_OF, API_CONFIG_OF,
# FEDERATION_CONFIG_OF (lines inside one node's api {} and federation {},
# read by start) and NODE_CONFIG_OF (top-level lines of one node's config,
# e.g. its web {} block) and these functions:
#   pwx NODE ARGS...      the CLI on NODE as its user (see run in lib.sh)
#   start NODE            starts the node (its user an admin with USER_ROLES
#                         from the command line); its federation
#                         port stays the same
#                         across restarts unless FED_PORT[NODE] is unset
#   stop NODE SIGNAL      sends SIGNAL (KILL, TERM) and waits for the exit
# Other processes the script starts in the background may go into PID under
# names of their own: they are killed on exit too, and stop stops them.
#   eventually WHAT FN    retries FN until it returns 0 or DELIVERY_TIMEOUT_S
#   peer_json NODE PEER   sets FLAT to PEER's object in NODE's peer list
declare -A PID=() API_PORT=() FED_PORT=() DATA_OF=()
declare -A API_CONFIG_OF=() FEDERATION_CONFIG_OF=() NODE_CONFIG_OF=()

e2e_on_exit() {
  local node
  for node in "${!PID[@]}"; do
    kill -CONT "${PID[$node]}" 2>/dev/null || true
    kill -KILL "${PID[$node]}" 2>/dev/null || true
    wait "${PID[$node]}" 2>/dev/null || true
  done
}

e2e_on_failure() {
  local node
  for node in "${!AUTHORITY[@]}"; do
    if [[ -f "$T/$node.log" ]]; then
      echo "#   --- last lines of the $node log ---"
      tail -n 40 "$T/$node.log" | sed 's/^/#   /'
    fi
  done
}

pwx() {
  local node="$1" id
  shift
  id="${AUTHORITY[$node]}"
  run "$CLI_BIN" --server "localhost:${API_PORT[$node]}" --ca "$PKI/$id/ca.pem" \
    --cert "$PKI/$id/users/${USER_OF[$node]}.pem" \
    --key "$PKI/$id/users/${USER_OF[$node]}.key" "$@"
}

start() {
  local node="$1" id fed
  id="${AUTHORITY[$node]}"
  fed="127.0.0.1:${FED_PORT[$node]:-0}"
  DATA_OF[$node]="${DATA_OF[$node]:-$T/data/$id}"
  rm -f "$T/$node.port" "$T/$node.fedport"
  cat >"$T/$node.textproto" <<CONFIG
api {
  ${API_CONFIG_OF[$node]:-}
}
federation {
  ${FEDERATION_CONFIG:-}
  ${FEDERATION_CONFIG_OF[$node]:-}
}
${NODE_CONFIG_OF[$node]:-}
CONFIG
  local roles=() role
  for role in ${USER_ROLES:-inspector auditor}; do
    roles+=(--bootstrap-role "${USER_OF[$node]}=$role")
  done
  CMD=""
  "$SERVER_BIN" \
    --config "$T/$node.textproto" \
    --authority-id "$id" \
    --data-dir "${DATA_OF[$node]}" \
    --api-listen 127.0.0.1:0 \
    --port-file "$T/$node.port" \
    --federation-listen "$fed" \
    --federation-port-file "$T/$node.fedport" \
    --api-cert "$PKI/$id/node.pem" \
    --api-key "$PKI/$id/node.key" \
    --api-client-ca "$PKI/$id/ca.pem" \
    --admin-user "${USER_OF[$node]}" \
    "${roles[@]}" \
    --log-format text \
    >>"$T/$node.log" 2>&1 </dev/null &
  PID[$node]=$!
  API_PORT[$node]="$(wait_port "$T/$node.port" "${PID[$node]}")" ||
    fail "$id starts" "no API port file"
  FED_PORT[$node]="$(wait_port "$T/$node.fedport" "${PID[$node]}")" ||
    fail "$id starts" "no federation port file"
}

stop() {
  local node="$1" signal="$2"
  kill -CONT "${PID[$node]}" 2>/dev/null || true
  kill "-$signal" "${PID[$node]}" 2>/dev/null || true
  wait "${PID[$node]}" 2>/dev/null || true
  unset "PID[$node]"
}

eventually() {
  local what="$1" deadline=$((SECONDS + ${DELIVERY_TIMEOUT_S:-120}))
  shift
  until "$@"; do
    ((SECONDS < deadline)) ||
      fail "$what" "not within ${DELIVERY_TIMEOUT_S:-120}s"
    sleep 0.2
  done
}

peer_json() {
  pwx "$1" --output json peer list
  [[ $RC -eq 0 ]] || fail "pwx peer list works" "exit $RC"
  # One peer's object: from its authority id to the next peer's.
  FLAT="$(sed -E "s/.*(\"authorityId\": *\"$2\")/\1/; s/\"peer\": *\{.*//" <<<"$FLAT")"
}
