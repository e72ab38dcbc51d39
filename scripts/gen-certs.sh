#!/usr/bin/env bash
# Makes the certificates of a local mutual-TLS cluster with openssl: a CA, one certificate per node
# and one client certificate, as PEM files in $DATA_DIR/tls/ (docs/security.md).
#
# Usage: scripts/gen-certs.sh [--nodes N] [--force]   (from any directory)
#   --nodes N  certificates for nodes 1 to N (default 3; more than start-cluster.sh's --nodes leaves
#             room for scripts/add-node.sh, which also runs this script for its new node).
#   --force    make every file anew (a new CA: the running nodes' and clients' files no longer match
#             until they are restarted with the new ones); without it, existing files are kept and
#             only missing ones made.
#   DATA_DIR  as for start-cluster.sh (default: <repo>/data).
# Writes, all EC P-256 with keys in PKCS#8 (openssl genpkey; key files mode 600), valid 825 days:
#   ca.pem, ca.key           the CA ("raftlog local CA")
#   node-N.pem, node-N.key   CN=node-N, SAN DNS:localhost, IP:127.0.0.1, serverAuth and clientAuth
#   client.pem, client.key   CN=client, clientAuth
# Point the CLI at them with RAFTLOG_CA=$DATA_DIR/tls/ca.pem RAFTLOG_CERT=$DATA_DIR/tls/client.pem
# RAFTLOG_KEY=$DATA_DIR/tls/client.key (or --ca, --cert, --cert-key).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DATA_DIR=$(realpath -m -- "${DATA_DIR:-$ROOT/data}")
TLS_DIR=$DATA_DIR/tls
DAYS=825

die() {
  echo "gen-certs: $*" >&2
  exit 1
}

usage() {
  sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'
}

# Writes a new EC P-256 key in PKCS#8 PEM to $1, readable by its owner only.
new_key() {
  (umask 077 && openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null) ||
    die "openssl genpkey failed for $1"
  chmod 600 "$1"
}

make_ca() {
  new_key "$TLS_DIR/ca.key"
  openssl req -x509 -new -key "$TLS_DIR/ca.key" -sha256 -days "$DAYS" -subj "/CN=raftlog local CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -out "$TLS_DIR/ca.pem" 2>/dev/null || die "openssl could not make the CA"
}

# Issues $TLS_DIR/$1.pem (CN=$1) and its key $1.key, signed by the CA, with the extensions $2.
issue() {
  local name=$1 ext=$2 csr ext_file
  csr=$(mktemp)
  ext_file=$(mktemp)
  printf '%s\n' "$ext" >"$ext_file"
  new_key "$TLS_DIR/$name.key"
  openssl req -new -key "$TLS_DIR/$name.key" -subj "/CN=$name" -out "$csr" 2>/dev/null &&
    openssl x509 -req -in "$csr" -CA "$TLS_DIR/ca.pem" -CAkey "$TLS_DIR/ca.key" -CAcreateserial \
      -days "$DAYS" -sha256 -extfile "$ext_file" -out "$TLS_DIR/$name.pem" 2>/dev/null ||
    { rm -f "$csr" "$ext_file"; die "openssl could not issue $name.pem"; }
  rm -f "$csr" "$ext_file"
}

main() {
  local nodes=3 force=false made=() i
  while (($#)); do
    case $1 in
      --nodes)
        [[ $# -ge 2 && $2 =~ ^[1-9][0-9]*$ ]] || die "--nodes needs a number of nodes"
        nodes=$2
        shift
        ;;
      --force) force=true ;;
      -h | --help) usage && exit 0 ;;
      *) usage >&2 && die "unknown argument: $1" ;;
    esac
    shift
  done
  command -v openssl >/dev/null || die "openssl is not on PATH"
  mkdir -p "$TLS_DIR"
  if $force || [[ ! -f $TLS_DIR/ca.pem || ! -f $TLS_DIR/ca.key ]]; then
    # A new CA: every certificate of the old one goes too.
    rm -f "$TLS_DIR"/node-*.pem "$TLS_DIR"/node-*.key "$TLS_DIR"/client.pem "$TLS_DIR"/client.key
    make_ca
    made+=(ca.pem)
  fi
  for ((i = 1; i <= nodes; i++)); do
    [[ -f $TLS_DIR/node-$i.pem && -f $TLS_DIR/node-$i.key ]] && continue
    issue "node-$i" "basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth,clientAuth
subjectAltName=DNS:localhost,IP:127.0.0.1"
    made+=("node-$i.pem")
  done
  if [[ ! -f $TLS_DIR/client.pem || ! -f $TLS_DIR/client.key ]]; then
    issue client "basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=clientAuth"
    made+=(client.pem)
  fi
  if ((${#made[@]} == 0)); then
    echo "certificates in $TLS_DIR are all there (kept; --force makes new ones)"
  else
    echo "made in $TLS_DIR: ${made[*]} (and their keys)"
  fi
}

main "$@"
