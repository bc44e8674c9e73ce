-- Every request a different URL, so the response cache never answers it. BENCH_RUN
-- differs per wrk run: a counter alone would repeat the URLs of the run before it
-- (the warm-up, the other server), which the shared cache still holds.
local counter = 0
local run = os.getenv("BENCH_RUN") or ""
local base = os.getenv("BENCH_PATH")
local separator = string.find(base, "?", 1, true) and "&" or "?"
request = function()
  counter = counter + 1
  return wrk.format("GET", base .. separator .. "nocache=" .. run .. "-" .. counter)
end
