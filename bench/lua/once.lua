-- bench/lua/once.lua — replay.lua's requests, each sent once (bench/lib.sh's wrk_once): how
-- ./kaeru bench --scale makes its data sets through the API at full speed.
--
-- Each thread sends its lines of BENCH_SPEC once; then, while the last answers come in, each
-- connection only sends GET /bench/idle (204 from nginx) every half second. The thread keeps its
-- count in BENCH_CAPTURE.<thread>.progress ("answered=N failed=N") and writes it to
-- BENCH_CAPTURE.<thread>.done once every line has its answer; the driver stops wrk when every
-- thread is done (or when the answers stop coming). Answers of 400 and above are failures; the
-- first few go to BENCH_CAPTURE.<thread>.failures. wrk calls request() once before the run to
-- check what it returns (on the first thread): each thread's first call answers the idle request,
-- so that no line is taken by that check.
dofile(os.getenv("BENCH_LUA") .. "/replay.lua")

local replay_init = init
local idle = nil
local sent, answered, failed = 0, 0, 0
local checked = false
local noted = 0 -- the second of the last progress note: the driver sees each second's count
local capture = nil

local function note(suffix)
  local f = io.open(capture .. suffix, "w")
  f:write(string.format("answered=%d failed=%d\n", answered, failed))
  f:close()
end

function init(args)
  replay_init(args)
  capture = os.getenv("BENCH_CAPTURE") .. "." .. id
  idle = wrk.format("GET", "/bench/idle")
  note(".progress")
  if nreqs == 0 then note(".done") end
end

function delay()
  if sent < nreqs then return 0 end
  return 500
end

function request()
  if not checked then
    checked = true
    return idle
  end
  if sent < nreqs then
    sent = sent + 1
    return reqs[sent]
  end
  return idle
end

function response(status, headers, body)
  if status == 204 then return end
  answered = answered + 1
  if status >= 400 then
    failed = failed + 1
    if failed <= 5 then
      local f = io.open(capture .. ".failures", "a")
      f:write(status, " ", (body or ""):sub(1, 300), "\n")
      f:close()
    end
  end
  local now = os.time()
  if now ~= noted then
    noted = now
    note(".progress")
  end
  if answered == nreqs then
    note(".progress")
    note(".done")
  end
end
