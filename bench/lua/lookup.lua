-- bench/lua/lookup.lua — replay.lua for POST /api/v1/lookup that also keeps, per thread, the
-- order token of each order it looked up ("ORDER_NUMBER TOKEN" lines in BENCH_CAPTURE.<thread>),
-- for the create-return measurement that follows. Only the first answer per request line is kept,
-- so the writing stops after one sweep.
dofile(os.getenv("BENCH_LUA") .. "/replay.lua")

local replay_init = init
local out, kept = nil, 0

function init(args)
  replay_init(args)
  out = io.open(os.getenv("BENCH_CAPTURE") .. "." .. id, "w")
end

function response(status, headers, body)
  if status == 200 and kept < nreqs then
    local num = body:match('"order_number":"([^"]*)"')
    local token = body:match('"token":"([^"]*)"')
    if num and token then
      out:write(num, " ", token, "\n")
      kept = kept + 1
      if kept % 256 == 0 or kept == nreqs then out:flush() end
    end
  end
end
