# Who asks a bench query, for bench/run, bench/ab and bench/profile (which source this file).
# A query is asked anonymously unless its file has a line `# caller: member` (a member of
# syn-org-00001) or `# caller: network_admin` (a network admin of the network itself).

declare -A INSTITUTIONS=([member]=syn-org-00001 [network_admin]="${IIN_NETWORK_INSTITUTION:-iin-japan}")
declare -A TOKENS

# mint_tokens BIN DATABASE_URL: a two-hour token for each caller, into TOKENS.
mint_tokens() {
  local role
  for role in "${!INSTITUTIONS[@]}"; do
    TOKENS[$role]=$(DATABASE_URL="$2" "$1" token --sub bench \
      --institution "${INSTITUTIONS[$role]}" --role "$role" --ttl 2h | tail -n 1)
  done
}

# caller_of FILE: the caller a query file names; nothing for an anonymous query.
caller_of() {
  sed -n 's/^# caller: *\([a-z_]*\).*/\1/p' "$1" | head -n 1
}

# free_port: a TCP port on 127.0.0.1 that nothing listens on.
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
