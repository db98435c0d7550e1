-- wrk script for bench/checkin_bench.py.
--
-- wrk ... -s bench/checkin.lua URL -- MODE [DRIVERS_FILE NONCE]
--   MODE health   GET /api/health, no cookies (the trivial endpoint)
--   MODE me       GET /api/me with a driven employee's session (authenticated, no write)
--   MODE checkin  POST /api/presensi/check-in as a driven employee, inside their geofence
--
-- wrk ... -- MODE DRIVERS_FILE NONCE STEP [THINK_MS CONNECTIONS_PER_THREAD]: STEP is the number
-- of wrk threads; THINK_MS paces each connection (see delay) for a latency figure below
-- saturation.
--
-- DRIVERS_FILE has one line per driven employee: session key, latitude, longitude, device id.
-- Each wrk thread walks its own share of the employees, so two threads rarely send the same
-- employee at once. Every check-in carries a fresh idempotency key (NONCE-thread-counter). The
-- response hook counts statuses; done() prints one line "BENCH_JSON {...}" for the script.

local CSRF = "benchcsrf0123456789abcdefghijklm" -- 32 characters: an unmasked Django CSRF secret

local mode = "health"
local people = {}
local nonce = "0"
local counter = 0
local index = 1
local step = 1
statuses = {} -- global: done() reads it with thread:get
local threads = {}
think_ms = 0
connections_per_thread = 0

function setup(thread)
  table.insert(threads, thread)
  thread:set("thread_number", #threads)
end

function init(args)
  mode = args[1] or "health"
  if mode ~= "health" then
    nonce = args[3] or "0"
    for line in io.lines(args[2]) do
      local sid, lat, lng, device = line:match("^(%S+) (%S+) (%S+) (%S+)$")
      if sid then
        table.insert(people, { sid = sid, lat = tonumber(lat), lng = tonumber(lng), device = device })
      end
    end
    index = thread_number
    step = tonumber(args[4] or "1")
  end
  -- ARG 5 (optional): think time per connection in ms, exponentially distributed around it,
  -- so that connections / think time approximates an offered rate below saturation.
  think_ms = tonumber(args[5] or "0")
  connections_per_thread = tonumber(args[6] or "0")
  math.randomseed(os.time() + (thread_number or 0))
end

local delays = 0

function delay()
  -- No think time before each connection's first request (this thread's first few calls): a
  -- connection that stays silent after connecting would hold a gunicorn thread waiting for it.
  delays = delays + 1
  if think_ms <= 0 or delays <= connections_per_thread then
    return 0
  end
  return math.floor(-think_ms * math.log(1 - math.random()))
end

local function next_person()
  local person = people[index]
  index = index + step
  if index > #people then
    index = index - #people
  end
  return person
end

function request()
  if mode == "health" then
    return wrk.format("GET", "/api/health")
  end
  local person = next_person()
  local headers = { ["Cookie"] = "sessionid=" .. person.sid .. "; csrftoken=" .. CSRF }
  if mode == "me" then
    return wrk.format("GET", "/api/me", headers)
  end
  counter = counter + 1
  headers["Content-Type"] = "application/json"
  headers["X-CSRFToken"] = CSRF
  -- A few metres from the location's centre, well inside its radius.
  local jitter = ((counter % 7) - 3) * 0.00005
  local body = string.format(
    '{"latitude":%.6f,"longitude":%.6f,"accuracy_m":%.1f,"device_id":"%s","idempotency_key":"%s-%d-%d"}',
    person.lat + jitter, person.lng - jitter, 8 + counter % 20, person.device, nonce, thread_number, counter
  )
  return wrk.format("POST", "/api/presensi/check-in", headers, body)
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local counts = {}
  for _, thread in ipairs(threads) do
    local thread_statuses = thread:get("statuses") or {}
    for status, count in pairs(thread_statuses) do
      counts[status] = (counts[status] or 0) + count
    end
  end
  local parts = {}
  for status, count in pairs(counts) do
    table.insert(parts, string.format('"%d":%d', status, count))
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"duration_us":%d,"bytes":%d,'
      .. '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},'
      .. '"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,"mean_us":%.1f,"statuses":{%s}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean,
    table.concat(parts, ",")
  ))
end
