-- wrk script: every request carries Host d<N>.bench.test with N random in [0, HOST_COUNT) (environment, default 1).
local count = tonumber(os.getenv("HOST_COUNT") or "1")
function init(args)
  math.randomseed(os.time() + math.floor(os.clock() * 1000000))
end
function request()
  return wrk.format(nil, nil, { Host = "d" .. math.random(0, count - 1) .. ".bench.test" })
end
