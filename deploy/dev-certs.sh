#!/usr/bin/env bash
# Development certificates for mutual TLS, made with Debian's openssl: a CA,
# a server certificate for localhost, 127.0.0.1 and ::1, and client
# certificates whose SPIFFE ID (URI SAN) names an agency and a role.
# For development and tests only: a partnership issues real ones from its
# own PKI (see the README, "Mutual TLS").
#
# Usage:
#   deploy/dev-certs.sh DIR                 CA, server and the example clients (if DIR has no CA yet)
#   deploy/dev-certs.sh DIR client AGENCY ROLE [--expired]
#                                           one more client: DIR/AGENCY.ROLE.{pem,key}
#   deploy/dev-certs.sh DIR revoke AGENCY ROLE
#                                           revoke that client and rewrite DIR/crl/ (for --tls_crl_dir)
# Environment: TRUST_DOMAIN (default ethrec).
#
# Files: DIR/ca.pem (give to --tls_client_ca and the clients' --tls_ca),
# DIR/server.{pem,key} (--tls_cert, --tls_key), DIR/AGENCY.ROLE.{pem,key}
# (the clients' --tls_cert, --tls_key), DIR/crl/ (--tls_crl_dir). Keys are
# EC P-256 and mode 0600.
set -euo pipefail

die() { echo "dev-certs: $*" >&2; exit 2; }
[ $# -ge 1 ] || die "usage: dev-certs.sh DIR [client AGENCY ROLE [--expired] | revoke AGENCY ROLE]"
dir=$1
shift
trust_domain=${TRUST_DOMAIN:-ethrec}
command -v openssl >/dev/null || die "openssl is not installed (apt-get install openssl)"
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
umask 077
# openssl.cnf reads the client SAN from the environment; it must always be set.
export SPIFFE_SAN=URI:unused

name_ok() { [[ $1 =~ ^[a-z0-9.-]{1,64}$ ]] || die "'$1' must be 1-64 characters of a-z, 0-9, '-' and '.'"; }

# openssl ca's configuration: its database lives in DIR/ca/.
write_config() {
  mkdir -p "$dir/ca/issued"
  [ -f "$dir/ca/index.txt" ] || : >"$dir/ca/index.txt"
  [ -f "$dir/ca/serial" ] || openssl rand -hex 16 >"$dir/ca/serial"
  [ -f "$dir/ca/crlnumber" ] || echo 1000 >"$dir/ca/crlnumber"
  cat >"$dir/ca/openssl.cnf" <<CNF
[ca]
default_ca = dev_ca
[dev_ca]
dir = $dir/ca
database = \$dir/index.txt
new_certs_dir = \$dir/issued
serial = \$dir/serial
crlnumber = \$dir/crlnumber
certificate = $dir/ca.pem
private_key = $dir/ca/ca.key
default_md = sha256
default_days = 825
default_crl_days = 30
policy = any
unique_subject = no
copy_extensions = none
[any]
commonName = supplied
[server_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1, IP:::1
[client_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
subjectAltName = \$ENV::SPIFFE_SAN
CNF
}

make_ca() {
  openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -keyout "$dir/ca/ca.key" -out "$dir/ca.pem" -days 3650 -subj "/CN=ethrec development CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
}

# sign NAME SUBJECT EXTENSION [openssl ca date options...]
sign() {
  local name=$1 subject=$2 ext=$3
  shift 3
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -keyout "$dir/$name.key" -out "$dir/ca/$name.csr" -subj "/CN=$subject" 2>/dev/null
  openssl ca -batch -config "$dir/ca/openssl.cnf" -extensions "$ext" -notext \
    -in "$dir/ca/$name.csr" -out "$dir/$name.pem" "$@" 2>/dev/null \
    || die "openssl ca could not sign $name"
  rm -f "$dir/ca/$name.csr"
}

client() {
  local agency=$1 role=$2 expired=${3:-}
  name_ok "$agency"
  name_ok "$role"
  local dates=()
  if [ "$expired" = "--expired" ]; then
    dates=(-startdate 20200101000000Z -enddate 20210101000000Z)
  elif [ -n "$expired" ]; then
    die "unknown option $expired"
  fi
  SPIFFE_SAN="URI:spiffe://$trust_domain/agency/$agency/role/$role" \
    sign "$agency.$role" "$agency $role" client_ext "${dates[@]}"
  echo "dev-certs: $dir/$agency.$role.pem (spiffe://$trust_domain/agency/$agency/role/$role)"
}

crl() {
  mkdir -p "$dir/crl"
  rm -f "$dir/crl/"*
  openssl ca -config "$dir/ca/openssl.cnf" -gencrl -out "$dir/crl/ca.crl.pem" 2>/dev/null
  openssl rehash "$dir/crl" >/dev/null 2>&1 || die "openssl rehash failed"
}

case "${1:-}" in
  "")
    [ -f "$dir/ca.pem" ] && die "$dir already holds a CA; use 'client' to add a certificate"
    write_config
    make_ca
    sign server localhost server_ext
    for who in camden-csc:record-system north-gp:record-system partnership-dq:data-quality-officer \
               partnership-audit:auditor; do
      client "${who%%:*}" "${who##*:}"
    done
    crl
    echo "dev-certs: CA $dir/ca.pem, server $dir/server.pem (localhost, 127.0.0.1, ::1), CRLs in $dir/crl"
    ;;
  client)
    [ $# -ge 3 ] || die "usage: dev-certs.sh DIR client AGENCY ROLE [--expired]"
    [ -f "$dir/ca.pem" ] || die "$dir holds no CA: run dev-certs.sh $dir first"
    write_config
    client "$2" "$3" "${4:-}"
    ;;
  revoke)
    [ $# -eq 3 ] || die "usage: dev-certs.sh DIR revoke AGENCY ROLE"
    [ -f "$dir/$2.$3.pem" ] || die "no certificate $dir/$2.$3.pem"
    write_config
    openssl ca -config "$dir/ca/openssl.cnf" -revoke "$dir/$2.$3.pem" 2>/dev/null || die "could not revoke $2.$3"
    crl
    echo "dev-certs: revoked $2.$3; CRL rewritten in $dir/crl"
    ;;
  *) die "unknown command '$1'" ;;
esac
