-- wrk script: every request carries Host d<N>.bench.test with N random in [0, HOST_COUNT) (environment, default 1).
-- HOST_ORDER=sequential takes N = 0, 1, 2, ... instead (wrapping around), so a run of HOST_COUNT requests (one wrk
-- thread) reaches every hostname: random picks leave e^-2, 13.5 %, of them unreached after 2 x HOST_COUNT requests.
-- HOST_START (0) is the first N of a sequential run, so that runs one after the other can go on where the last stopped.
local count = tonumber(os.getenv("HOST_COUNT") or "1")
local sequential = os.getenv("HOST_ORDER") == "sequential"
local following = tonumber(os.getenv("HOST_START") or "0") % count
function init(args)
  math.randomseed(os.time() + math.floor(os.clock() * 1000000))
end
function request()
  local n
  if sequential then
    n = following
    following = (following + 1) % count
  else
    n = math.random(0, count - 1)
  end
  return wrk.format(nil, nil, { Host = "d" .. n .. ".bench.test" })
end
