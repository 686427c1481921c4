-- wrk script for bench/peer.py: GET the paths listed in a file (one per line, given after `--`), cycling,
-- each thread starting at a different place; at the end print one machine-readable summary line.
--   wrk -t2 -c16 -d15s --timeout 30s -s bench/peer_paths.lua http://127.0.0.1:8000 -- paths.txt

local threads = {}

function setup(thread)
  thread:set("offset", #threads)
  table.insert(threads, thread)
end

function init(args)
  requests_ = {}
  for line in io.lines(args[1]) do
    if line ~= "" then
      table.insert(requests_, wrk.format("GET", line))
    end
  end
  -- spread the threads over the list so that they do not ask for the same page at the same moment
  position = (offset * math.floor(#requests_ / 2)) % #requests_
end

function request()
  position = position % #requests_ + 1
  return requests_[position]
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    "PEER-RESULT requests=%d duration_us=%d p50_us=%d p99_us=%d status=%d connect=%d read=%d write=%d timeout=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    errors.status, errors.connect, errors.read, errors.write, errors.timeout))
end
