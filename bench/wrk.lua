-- wrk script for bench/run: POSTs one GraphQL request (the JSON body in the file $BENCH_BODY),
-- with a bearer token when $BENCH_TOKEN is set.
-- Prints one line that bench/run reads: BENCH key=value ...

local body_file = assert(io.open(os.getenv("BENCH_BODY"), "rb"))
wrk.method = "POST"
wrk.body = body_file:read("*a")
body_file:close()
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/graphql-response+json"
local token = os.getenv("BENCH_TOKEN")
if token ~= nil and token ~= "" then
  wrk.headers["Authorization"] = "Bearer " .. token
end

-- Replies are not read here: parsing every body in Lua would take CPU from the server on the same
-- cores. GraphQL errors are counted by the server (iin_graphql_errors_total), non-2xx by wrk.
function done(summary, latency, requests)
  local socket = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.timeout
  io.write(string.format(
    "BENCH requests=%d duration_us=%d p50_us=%d p99_us=%d non2xx=%d socket_errors=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    summary.errors.status, socket))
end
