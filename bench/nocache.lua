-- Every request a different URL, so the response cache never answers it.
local counter = 0
local base = os.getenv("BENCH_PATH")
local separator = string.find(base, "?", 1, true) and "&" or "?"
request = function()
  counter = counter + 1
  return wrk.format("GET", base .. separator .. "nocache=" .. counter)
end
