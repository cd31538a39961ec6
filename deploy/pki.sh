#!/usr/bin/env bash
# A small PKI for pwx nodes and their users, with the openssl CLI only.
# ECDSA P-256 keys (PKCS#8 PEM), SHA-256 signatures. Run with --help.
set -euo pipefail

readonly PROG="pki.sh"
readonly CA_DAYS=3650    # 10 years
readonly NODE_DAYS=730   # 2 years
readonly USER_DAYS=365   # 1 year
readonly ID_RE='^[A-Z]{2}-[A-Z0-9]{2,16}$'
readonly USER_RE='^[a-z0-9][a-z0-9._-]{0,63}$'
readonly DNS_RE='^(\*\.)?[A-Za-z0-9]([A-Za-z0-9-]{0,62})(\.[A-Za-z0-9]([A-Za-z0-9-]{0,62}))*$'

usage() {
  cat <<'EOF'
Usage:
  pki.sh authority --out DIR --id ID [--name NAME] [--dns HOST]... [--ip ADDR]... [--force]
  pki.sh user      --out DIR --id ID --name USER [--force]
  pki.sh revoke    --out DIR --id ID --cert FILE
  pki.sh crl       --out DIR --id ID [--days N]
  pki.sh card      --out DIR --id ID --endpoint HOST:PORT [--name NAME]
  pki.sh --help

authority  Creates the certificate authority of one pwx authority and the
           certificate of its node:
             DIR/ID/ca.pem, DIR/ID/ca.key      self-signed CA, CN "ID CA", 10 years
             DIR/ID/node.pem, DIR/ID/node.key  CN=ID, 2 years, serverAuth+clientAuth,
               SAN URI:pwx://authority/ID, DNS:localhost, IP:127.0.0.1,
               plus every --dns HOST and --ip ADDR
           ID is "CC-NAME": two upper-case letters (ISO 3166, EL for Greece), a
           dash, 2-16 upper-case letters or digits, e.g. FR-DGT, PL-PIP.
           --name sets the organisation (O=) of the CA and node certificates,
           e.g. --name "Direction générale du travail".

user       Issues a user (client) certificate signed by ID's CA:
             DIR/ID/users/USER.pem, DIR/ID/users/USER.key  CN=USER, 1 year, clientAuth
             DIR/ID/users/USER.p12  the same key and certificate with the CA, as
               PKCS#12 with an empty password, for the browser (the node's web
               page); the import steps for Chromium and Firefox are printed
           USER: lower-case letters, digits, '.', '_', '-'; at most 64 characters,
           starting with a letter or digit. The CA must exist (run 'authority' first).

revoke     Records that the certificate FILE, issued by ID's CA (a node's or a
           user's), is revoked, in DIR/ID/ca-db. Run 'crl' afterwards.

crl        Writes DIR/ID/crl.pem, the revocation list of ID's CA signed by it,
           valid for N days (default 30; write a new one before then). Peers
           put it where their federation.crl_files names (ID's own node, for
           its users: api.crl_files), replacing the file in one rename; a
           running node reads it again within seconds: a revoked certificate
           then gets no TLS session.

card       Writes DIR/ID/identity.card, the identity card peers add with
           `pwx peer add FILE`: ID, NAME, the federation endpoint HOST:PORT,
           the CA certificate and the node certificate (which signs the
           node's envelopes when it is also the audit signing certificate,
           the default). A running node writes the same card with
           `pwx admin identity export FILE`.

Existing files are kept, never overwritten, unless --force is given (--force on
'authority' replaces the CA too, which invalidates every certificate it issued).
Keys are written with mode 600. Every certificate, new or kept, is checked with
'openssl verify' against its CA, and every key against its certificate.

Examples:
  deploy/pki.sh authority --out var/pki --id FR-DGT --name "Direction générale du travail" \
      --dns pwx.travail.example.fr
  deploy/pki.sh user --out var/pki --id FR-DGT --name alice
EOF
}

die() {
  echo "$PROG: error: $*" >&2
  exit 1
}

usage_error() {
  echo "$PROG: $*" >&2
  echo "Run '$PROG --help' for usage." >&2
  exit 2
}

need_value() {  # need_value OPTION "$#"
  [[ "$2" -ge 2 ]] || usage_error "option $1 needs a value"
}

# parse_options CMD SPEC... -- ARG...: reads a command's options into the
# caller's local variables. A SPEC is NAME= (--NAME VALUE or --NAME=VALUE
# sets $NAME), NAME=FUNCTION (the value is passed to FUNCTION) or NAME (the
# flag --NAME sets $NAME to 1). Anything else is a usage error naming CMD.
parse_options() {
  local _po_cmd="$1" _po_arg _po_spec _po_name _po_fn _po_value _po_found
  shift
  local -a _po_specs=()
  while [[ "$1" != "--" ]]; do _po_specs+=("$1"); shift; done
  shift
  while [[ $# -gt 0 ]]; do
    _po_arg="$1"
    [[ "$_po_arg" == "-h" || "$_po_arg" == "--help" ]] && { usage; exit 0; }
    _po_found=0
    for _po_spec in "${_po_specs[@]}"; do
      _po_name="${_po_spec%%=*}"
      if [[ "$_po_spec" != *=* ]]; then
        [[ "$_po_arg" == "--$_po_name" ]] || continue
        printf -v "$_po_name" '%s' 1
        shift
      else
        _po_fn="${_po_spec#*=}"
        if [[ "$_po_arg" == "--$_po_name" ]]; then
          need_value "$_po_arg" "$#"
          _po_value="$2"
          shift 2
        elif [[ "$_po_arg" == "--$_po_name="* ]]; then
          _po_value="${_po_arg#*=}"
          shift
        else
          continue
        fi
        if [[ -n "$_po_fn" ]]; then
          "$_po_fn" "$_po_value"
        else
          printf -v "$_po_name" '%s' "$_po_value"
        fi
      fi
      _po_found=1
      break
    done
    [[ $_po_found -eq 1 ]] || usage_error "$_po_cmd: unknown argument '$_po_arg'"
  done
}

# require CMD NAME WHAT...: each $NAME must be set ("CMD: --NAME WHAT is
# required" otherwise).
require() {
  local _rq_cmd="$1"
  shift
  while [[ $# -gt 0 ]]; do
    [[ -n "${!1}" ]] || usage_error "$_rq_cmd: --$1 $2 is required"
    shift 2
  done
}

# Escapes a value for openssl's -subj syntax ("/CN=...").
subj_escape() {
  local v="$1"
  v="${v//\\/\\\\}"
  v="${v//\//\\/}"
  v="${v//+/\\+}"
  v="${v//=/\\=}"
  printf '%s' "$v"
}

# new_key FILE: an ECDSA P-256 private key, PKCS#8 PEM, mode 600.
new_key() {
  (umask 077 && openssl genpkey -algorithm EC \
    -pkeyopt ec_paramgen_curve:P-256 -pkeyopt ec_param_enc:named_curve \
    -out "$1" 2>/dev/null) || die "openssl could not generate a key in $1"
  chmod 600 "$1"
}

random_serial() {
  echo "0x$(openssl rand -hex 16)"
}

# key_matches_cert KEY CERT: true when KEY is the private key of CERT.
key_matches_cert() {
  local a b
  a="$(openssl pkey -in "$1" -pubout 2>/dev/null)" || return 1
  b="$(openssl x509 -in "$2" -noout -pubkey 2>/dev/null)" || return 1
  [[ -n "$a" && "$a" == "$b" ]]
}

# check_cert CA CERT KEY PURPOSE...: openssl verify for each purpose, and the
# key against the certificate.
check_cert() {
  local ca="$1" cert="$2" key="$3" purpose out
  shift 3
  for purpose in "$@"; do
    out="$(openssl verify -x509_strict -CAfile "$ca" -purpose "$purpose" "$cert" 2>&1)" ||
      die "openssl verify ($purpose) failed for $cert against $ca:"$'\n'"$out"$'\n'"(was the CA replaced? then remove $cert and its key, or reissue with --force)"
  done
  key_matches_cert "$key" "$cert" || die "$key is not the private key of $cert"
}

check_ca() {
  local ca="$1" key="$2" out
  out="$(openssl verify -x509_strict -CAfile "$ca" "$ca" 2>&1)" ||
    die "openssl verify failed for the CA certificate $ca:"$'\n'"$out"
  key_matches_cert "$key" "$ca" || die "$key is not the private key of $ca"
}

describe() {  # describe CERT
  openssl x509 -in "$1" -noout -subject -enddate -nameopt utf8,sep_comma_plus_space |
    sed 's/^/    /'
}

# Writes the openssl extension sections used by this script to FILE.
write_ext_config() {
  local file="$1" id="$2"
  shift 2
  local i=1 j=1 d
  {
    cat <<'EOF'
[ca_ext]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always

[user_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid, issuer

[node_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth, clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid, issuer
subjectAltName = @node_san

[node_san]
EOF
    echo "URI.1 = pwx://authority/$id"
    for d in "${NODE_DNS[@]}"; do echo "DNS.$i = $d"; i=$((i + 1)); done
    for d in "${NODE_IPS[@]}"; do echo "IP.$j = $d"; j=$((j + 1)); done
  } >"$file"
}

# issue CA_PEM CA_KEY SUBJ DAYS EXT_SECTION EXT_FILE KEY CERT
issue() {
  local ca="$1" ca_key="$2" subj="$3" days="$4" section="$5" ext="$6" key="$7" cert="$8"
  local csr="$WORK/req.csr" out
  out="$(openssl req -new -key "$key" -utf8 -subj "$subj" -out "$csr" 2>&1)" ||
    die "openssl req failed for $subj:"$'\n'"$out"
  out="$(openssl x509 -req -in "$csr" -CA "$ca" -CAkey "$ca_key" -set_serial "$(random_serial)" \
    -days "$days" -sha256 -extfile "$ext" -extensions "$section" -out "$cert" 2>&1)" ||
    die "openssl x509 failed for $subj:"$'\n'"$out"
  chmod 644 "$cert"
}

cmd_authority() {
  local out="" id="" name="" force=0
  NODE_DNS=(localhost)
  NODE_IPS=(127.0.0.1)
  parse_options authority out= id= name= dns=add_dns ip=add_ip force -- "$@"
  require authority out DIR id ID
  check_id "$id"
  if [[ -n "$name" && "$name" =~ [[:cntrl:]] ]]; then
    die "--name must not contain control characters"
  fi

  local dir="$out/$id"
  local ca="$dir/ca.pem" ca_key="$dir/ca.key" node="$dir/node.pem" node_key="$dir/node.key"
  mkdir -p "$dir" || die "cannot create $dir"
  setup_work "$dir"
  write_ext_config "$WORK/ext.cnf" "$id"

  local org=""
  [[ -n "$name" ]] && org="/O=$(subj_escape "$name")"

  if [[ $force -eq 0 && -e "$ca" && -e "$ca_key" ]]; then
    check_ca "$ca" "$ca_key"
    echo "$PROG: CA of $id exists, kept: $ca"
  else
    if [[ $force -eq 0 && (-e "$ca" || -e "$ca_key") ]]; then
      die "only one of $ca and $ca_key exists; restore the other, or rerun with --force to replace the CA (this invalidates every certificate it issued)"
    fi
    if [[ $force -eq 1 && -e "$ca" ]]; then
      echo "$PROG: --force: replacing the CA of $id; certificates it issued (node, users) no longer verify" >&2
    fi
    new_key "$WORK/ca.key"
    local out_msg
    out_msg="$(openssl req -x509 -new -key "$WORK/ca.key" -utf8 \
      -subj "/CN=$(subj_escape "$id CA")$org" -days "$CA_DAYS" -sha256 \
      -set_serial "$(random_serial)" -config "$WORK/ext.cnf" -extensions ca_ext \
      -out "$WORK/ca.pem" 2>&1)" || die "openssl could not create the CA of $id:"$'\n'"$out_msg"
    check_ca "$WORK/ca.pem" "$WORK/ca.key"
    chmod 644 "$WORK/ca.pem"
    mv -f "$WORK/ca.key" "$ca_key"
    mv -f "$WORK/ca.pem" "$ca"
    echo "$PROG: created the CA of $id: $ca"
    force=1  # a new CA needs a new node certificate
  fi
  describe "$ca"

  if [[ $force -eq 0 && -e "$node" && -e "$node_key" ]]; then
    check_cert "$ca" "$node" "$node_key" sslserver sslclient
    echo "$PROG: node certificate of $id exists, kept (use --force to reissue): $node"
  else
    if [[ $force -eq 0 && (-e "$node" || -e "$node_key") ]]; then
      die "only one of $node and $node_key exists; remove it to issue a new node certificate"
    fi
    new_key "$WORK/node.key"
    issue "$ca" "$ca_key" "/CN=$id$org" "$NODE_DAYS" node_ext "$WORK/ext.cnf" \
      "$WORK/node.key" "$WORK/node.pem"
    check_cert "$ca" "$WORK/node.pem" "$WORK/node.key" sslserver sslclient
    mv -f "$WORK/node.key" "$node_key"
    mv -f "$WORK/node.pem" "$node"
    echo "$PROG: issued the node certificate of $id: $node"
  fi
  describe "$node"
  openssl x509 -in "$node" -noout -ext subjectAltName 2>/dev/null | sed -n '2,$p' |
    sed 's/^ */    SAN: /'
}

cmd_user() {
  local out="" id="" name="" force=0
  parse_options user out= id= name= force -- "$@"
  require user out DIR id ID name USER
  check_id "$id"
  [[ "$name" =~ $USER_RE ]] ||
    die "invalid user name '$name': expected lower-case letters, digits, '.', '_' or '-', at most 64 characters, starting with a letter or digit (regex $USER_RE)"

  local dir="$out/$id"
  local ca="$dir/ca.pem" ca_key="$dir/ca.key"
  [[ -f "$ca" && -f "$ca_key" ]] ||
    die "no CA for $id in $dir (need ca.pem and ca.key); create it first: $PROG authority --out $out --id $id"
  local users="$dir/users"
  local cert="$users/$name.pem" key="$users/$name.key"
  mkdir -p "$users" || die "cannot create $users"
  setup_work "$dir"
  NODE_DNS=()
  NODE_IPS=()
  write_ext_config "$WORK/ext.cnf" "$id"

  check_ca "$ca" "$ca_key"
  if [[ $force -eq 0 && -e "$cert" && -e "$key" ]]; then
    check_cert "$ca" "$cert" "$key" sslclient
    echo "$PROG: certificate of user $name ($id) exists, kept (use --force to reissue): $cert"
  else
    if [[ $force -eq 0 && (-e "$cert" || -e "$key") ]]; then
      die "only one of $cert and $key exists; remove it or rerun with --force"
    fi
    new_key "$WORK/user.key"
    issue "$ca" "$ca_key" "/CN=$name" "$USER_DAYS" user_ext "$WORK/ext.cnf" \
      "$WORK/user.key" "$WORK/user.pem"
    check_cert "$ca" "$WORK/user.pem" "$WORK/user.key" sslclient
    mv -f "$WORK/user.key" "$key"
    mv -f "$WORK/user.pem" "$cert"
    echo "$PROG: issued the certificate of user $name ($id): $cert"
  fi
  describe "$cert"
  write_p12 "$name" "$id" "$ca" "$cert" "$key" "$users/$name.p12"
  # The certificate proves who the user is; what they may do is a role held
  # by the node, granted by a coordinator or a bootstrap admin.
  echo "    roles are granted on the node: pwx user grant $name inspector|coordinator|auditor|admin"
}

# write_p12 USER ID CA CERT KEY P12: the browser's copy of the user's key
# and certificate (with the CA), rewritten when the certificate is newer.
write_p12() {
  local name="$1" id="$2" ca="$3" cert="$4" key="$5" p12="$6" out_text
  if [[ ! -e "$p12" || "$cert" -nt "$p12" ]]; then
    # An empty password: Chromium's NSS import (pk12util -W '') and
    # Firefox's dialog both accept it; the file is as secret as the key.
    out_text="$(umask 077 && openssl pkcs12 -export -in "$cert" -inkey "$key" \
      -certfile "$ca" -name "$name ($id)" -passout pass: -out "$WORK/user.p12" 2>&1)" ||
      die "openssl pkcs12 failed for $cert:"$'\n'"$out_text"
    chmod 600 "$WORK/user.p12"
    mv -f "$WORK/user.p12" "$p12"
    echo "$PROG: wrote $p12 (PKCS#12, empty password) for the web page"
  fi
  cat <<EOF
    web page: import $p12 (empty password) and trust $ca for websites
      Chromium: pk12util -i $p12 -d sql:\$HOME/.pki/nssdb -W ''
                certutil -d sql:\$HOME/.pki/nssdb -A -t "C,," -n "$id CA" -i $ca
                (or Settings > Privacy and security > Security > Manage certificates)
      Firefox:  Settings > Privacy & Security > Certificates > View Certificates:
                Your Certificates > Import... $p12 (empty password);
                Authorities > Import... $ca, "Trust this CA to identify websites"
EOF
}

check_id() {
  [[ "$1" =~ $ID_RE ]] ||
    die "invalid authority id '$1': expected CC-NAME, two upper-case letters, a dash and 2-16 upper-case letters or digits, e.g. FR-DGT (regex $ID_RE)"
}

add_dns() {
  [[ "$1" =~ $DNS_RE && ${#1} -le 253 ]] || die "invalid --dns name '$1'"
  local d
  for d in "${NODE_DNS[@]}"; do [[ "$d" == "$1" ]] && return 0; done
  NODE_DNS+=("$1")
}

add_ip() {
  local ip="$1"
  if [[ "$ip" =~ ^([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})$ ]]; then
    local o
    for o in "${BASH_REMATCH[@]:1}"; do
      [[ $((10#$o)) -le 255 ]] || die "invalid --ip address '$ip'"
    done
  elif ! [[ "$ip" =~ ^[0-9A-Fa-f:.]+$ && "$ip" == *:* ]]; then
    die "invalid --ip address '$ip' (IPv4 or IPv6 expected)"
  fi
  local d
  for d in "${NODE_IPS[@]}"; do [[ "$d" == "$ip" ]] && return 0; done
  NODE_IPS+=("$ip")
}

# A private scratch directory beside the outputs, so that the final mv is a
# rename on the same file system; removed on exit.
setup_work() {
  WORK="$(mktemp -d "$1/.pki.XXXXXX")" || die "cannot create a temporary directory in $1"
  trap 'rm -rf "$WORK"' EXIT
}

# write_ca_config FILE DIR: an `openssl ca` configuration over the CA in DIR
# and its revocation database DIR/ca-db.
write_ca_config() {
  local file="$1" dir="$2" days="${3:-30}"
  mkdir -p "$dir/ca-db" || die "cannot create $dir/ca-db"
  [[ -f "$dir/ca-db/index.txt" ]] || : >"$dir/ca-db/index.txt"
  [[ -f "$dir/ca-db/crlnumber" ]] || echo 01 >"$dir/ca-db/crlnumber"
  cat >"$file" <<EOF
[ca]
default_ca = pwx_ca

[pwx_ca]
database = $dir/ca-db/index.txt
crlnumber = $dir/ca-db/crlnumber
certificate = $dir/ca.pem
private_key = $dir/ca.key
default_md = sha256
default_crl_days = $days
crl_extensions = crl_ext

[crl_ext]
authorityKeyIdentifier = keyid:always
EOF
}

cmd_revoke() {
  local out="" id="" cert=""
  parse_options revoke out= id= cert= -- "$@"
  require revoke out DIR id ID cert FILE
  check_id "$id"
  local dir="$out/$id" out_text
  [[ -f "$dir/ca.pem" && -f "$dir/ca.key" ]] || die "no CA for $id in $dir"
  [[ -f "$cert" ]] || die "no such certificate file: $cert"
  out_text="$(openssl verify -CAfile "$dir/ca.pem" "$cert" 2>&1)" ||
    die "$cert was not issued by the CA of $id:"$'\n'"$out_text"
  setup_work "$dir"
  write_ca_config "$WORK/ca.cnf" "$dir"
  out_text="$(openssl ca -config "$WORK/ca.cnf" -revoke "$cert" 2>&1)" ||
    die "openssl ca -revoke failed for $cert:"$'\n'"$out_text"
  echo "$PROG: revoked $(openssl x509 -in "$cert" -noout -subject -serial | tr '\n' ' ')"
  echo "$PROG: now write the list: $PROG crl --out $out --id $id"
}

cmd_crl() {
  local out="" id="" days=30
  parse_options crl out= id= days= -- "$@"
  require crl out DIR id ID
  [[ "$days" =~ ^[1-9][0-9]{0,3}$ ]] || die "--days must be 1 to 9999, not '$days'"
  check_id "$id"
  local dir="$out/$id" out_text
  [[ -f "$dir/ca.pem" && -f "$dir/ca.key" ]] || die "no CA for $id in $dir"
  setup_work "$dir"
  write_ca_config "$WORK/ca.cnf" "$dir" "$days"
  out_text="$(openssl ca -config "$WORK/ca.cnf" -gencrl -out "$WORK/crl.pem" 2>&1)" ||
    die "openssl ca -gencrl failed:"$'\n'"$out_text"
  out_text="$(openssl crl -in "$WORK/crl.pem" -CAfile "$dir/ca.pem" -noout 2>&1)" ||
    die "the new CRL does not verify against $dir/ca.pem:"$'\n'"$out_text"
  mv -f "$WORK/crl.pem" "$dir/crl.pem"
  chmod 644 "$dir/crl.pem"
  echo "$PROG: wrote $dir/crl.pem ($(grep -c . "$dir/ca-db/index.txt") revoked, valid $days days)"
}

# textproto_string FILE: FILE's contents as a protobuf text-format string.
textproto_string() {
  local s
  s="$(cat "$1")"
  s="${s//\\/\\\\}"
  s="${s//\"/\\\"}"
  s="${s//$'\n'/\\n}"
  printf '"%s\\n"' "$s"
}

cmd_card() {
  local out="" id="" endpoint="" name=""
  parse_options card out= id= endpoint= name= -- "$@"
  require card out DIR id ID endpoint HOST:PORT
  check_id "$id"
  [[ "$endpoint" =~ ^[^:[:space:]]+:[0-9]{1,5}$ ]] ||
    die "--endpoint must be HOST:PORT, not '$endpoint'"
  [[ "$name" =~ [[:cntrl:]] ]] && die "--name must not contain control characters"
  local dir="$out/$id"
  [[ -f "$dir/ca.pem" && -f "$dir/node.pem" ]] ||
    die "no CA or node certificate for $id in $dir; create them first: $PROG authority --out $out --id $id"
  local quoted_name="${name//\\/\\\\}"
  quoted_name="${quoted_name//\"/\\\"}"
  {
    echo "# pwx identity card of $id (text-format pwx.v1.IdentityCard), for \`pwx peer add\`."
    echo "authority_id: \"$id\""
    echo "authority_name: \"$quoted_name\""
    echo "federation_endpoint: \"$endpoint\""
    echo "ca_certificate_pem: $(textproto_string "$dir/ca.pem")"
    # Only the node certificate itself (not a chain) signs.
    echo "signing_certificate_pem: $(openssl x509 -in "$dir/node.pem" >"$dir/.card.pem" && textproto_string "$dir/.card.pem")"
  } >"$dir/identity.card.tmp" || die "cannot write $dir/identity.card"
  rm -f "$dir/.card.pem"
  mv -f "$dir/identity.card.tmp" "$dir/identity.card"
  chmod 644 "$dir/identity.card"
  echo "$PROG: wrote $dir/identity.card ($id at $endpoint)"
}

main() {
  command -v openssl >/dev/null 2>&1 ||
    die "openssl not found (Debian: apt-get install openssl, or run deploy/install-deps.sh)"
  [[ $# -gt 0 ]] || { usage >&2; exit 2; }
  local cmd="$1"
  shift
  case "$cmd" in
    authority) cmd_authority "$@" ;;
    user) cmd_user "$@" ;;
    revoke) cmd_revoke "$@" ;;
    crl) cmd_crl "$@" ;;
    card) cmd_card "$@" ;;
    -h|--help|help) usage ;;
    *) usage_error "unknown command '$cmd'" ;;
  esac
}

WORK=""
NODE_DNS=()
NODE_IPS=()
main "$@"
