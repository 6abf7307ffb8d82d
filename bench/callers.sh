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

# export_bench_ids DATABASE: BENCH_IDS, the rows that a filter by ID names (a query writes @ORG@,
# @SME@…, and bench/body.py makes them global IDs): ones that exist at every scale.
export_bench_ids() {
  BENCH_IDS=$(psql -At -d "$1" -c "
    SELECT 'ORG=Organization:' || (SELECT id FROM organizations WHERE code = '${INSTITUTIONS[member]}')
    UNION ALL SELECT 'ISSUER=Organization:' || (SELECT min(issuer_id) FROM qualification_schemes)
    UNION ALL SELECT 'SCHEME=QualificationScheme:' || (SELECT id FROM qualification_schemes WHERE code = 'sme-consultant')
    UNION ALL SELECT 'COORD=Coordinator:' || (SELECT min(coordinator_id) FROM awards)
    UNION ALL SELECT 'SME=Sme:' || (SELECT min(sme_id) FROM evaluations)
    UNION ALL SELECT 'HOLDER=Organization:' || (SELECT min(holder_id) FROM patents)
    UNION ALL SELECT 'PATENT=Patent:' || (SELECT min(id) FROM patents)
    UNION ALL SELECT 'BANK=Organization:' || (SELECT min(bank_id) FROM referrals)
    UNION ALL SELECT 'NEED=BusinessNeed:' || (SELECT min(need_id) FROM proposals)" | tr '\n' ' ')
  export BENCH_IDS
}
