-- bench/lua/replay.lua — wrk script shared by every ./kaeru bench measurement.
--
-- Without BENCH_SPEC: wrk's own request (GET of the URL given to wrk).
-- With BENCH_SPEC=FILE: replays the requests of FILE, one a line, tab-separated:
--     METHOD <TAB> PATH <TAB> HEADERS <TAB> BODY
-- HEADERS is "-" or "Name: value|Name: value"; a non-empty BODY is sent as application/json.
-- Line k goes to wrk thread k mod BENCH_THREADS; each thread cycles through its lines in order,
-- so a run spreads over every order, RMA or item of the file. Requests are formatted once, in
-- init, so the Lua cost per request is a table lookup.
--
-- done() prints one machine-readable line for bench/run.sh:
--     BENCH requests=N duration_us=N p50_us=N p99_us=N max_us=N status_errors=N socket_errors=N

local threads_made = 0
function setup(thread)
  thread:set("id", threads_made)
  threads_made = threads_made + 1
end

reqs, nreqs = {}, 0
local i = 0

function init(args)
  local spec = os.getenv("BENCH_SPEC")
  if spec == nil or spec == "" then return end
  local nthreads = tonumber(os.getenv("BENCH_THREADS") or "1")
  local row = 0
  for line in io.lines(spec) do
    if row % nthreads == id then
      local method, path, headers, body = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t?(.*)$")
      local h = {}
      if headers ~= "-" and headers ~= "" then
        for pair in headers:gmatch("[^|]+") do
          local k, v = pair:match("^%s*([^:]+):%s*(.-)%s*$")
          h[k] = v
        end
      end
      if body ~= nil and body ~= "" then
        h["Content-Type"] = "application/json"
      else
        body = nil
      end
      nreqs = nreqs + 1
      reqs[nreqs] = wrk.format(method, path, h, body)
    end
    row = row + 1
  end
end

function request()
  if nreqs == 0 then return wrk.request() end
  i = i + 1
  if i > nreqs then i = 1 end
  return reqs[i]
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "BENCH requests=%d duration_us=%d p50_us=%d p99_us=%d max_us=%d status_errors=%d socket_errors=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), latency.max,
    e.status, e.connect + e.read + e.write + e.timeout))
end
