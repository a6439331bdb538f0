-- wrk script for `make loadtest` (loadtest/run.py writes the request list and reads the result).
--
-- Usage: wrk --threads=N --connections=N ... -s loadtest/mixed.lua URL -- REQUESTS_FILE RESULT_FILE
--
-- REQUESTS_FILE has one request a line: "PATH<TAB>COOKIE". Each wrk thread walks the list
-- round-robin from its own starting point, so every logged-in user's cookie and URLs are
-- in play on every connection.
--
-- run.py starts one thread per connection. A thread's request() and response() calls then
-- alternate strictly, so each error can be recorded with the time its request was sent and
-- the time its answer came: that is what tells a request caught by a PostgreSQL restart
-- from one sent after PostgreSQL was back. Times are wall-clock milliseconds through LuaJIT's
-- FFI (os.time() only has whole seconds).
--
-- Latencies are measured here too, per request, from request() to response(), in whole
-- microseconds, and written out as a histogram so run.py can add runs up and take exact
-- percentiles. Not wrk's own histogram: wrk 4 "corrects" it for coordinated omission by
-- adding made-up samples (stats_correct), which suits a fixed-rate test, not this one, where
-- each connection sends its next request when the last is answered.

local ffi = require("ffi")
ffi.cdef([[
typedef struct { long tv_sec; long tv_nsec; } loadtest_timespec;
int clock_gettime(int clk_id, loadtest_timespec *tp);
]])
local CLOCK_REALTIME, CLOCK_MONOTONIC = 0, 1
local timespec = ffi.new("loadtest_timespec")

-- Wall clock in milliseconds, comparable with Python's time.time() in run.py.
local function now_ms()
  ffi.C.clock_gettime(CLOCK_REALTIME, timespec)
  return tonumber(timespec.tv_sec) * 1000 + math.floor(tonumber(timespec.tv_nsec) / 1e6)
end

-- A steady clock in microseconds, for latencies.
local function now_us()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, timespec)
  return tonumber(timespec.tv_sec) * 1000000 + math.floor(tonumber(timespec.tv_nsec) / 1000)
end

-- Tables read by done() through thread:get() must have string keys: wrk copies only those
-- between threads (numeric keys crash it). Errors are kept one by one up to this many per
-- thread; past it they are still counted, in statuses.
local MAX_ERROR_EVENTS = 20000

local threads = {}
local thread_count = 0

function setup(thread)
  thread_count = thread_count + 1
  thread:set("thread_number", thread_count)
  table.insert(threads, thread)
end

local requests = {}
local position = 1
result_file = nil
-- Per-thread results, read by done() through thread:get().
ok_seconds = {} -- second since the epoch (answer received) -> answers that were not errors
error_events = {} -- "1", "2", ... -> "sent_ms,received_ms,status"
error_count = 0
statuses = {}
latency_us = {} -- microseconds -> answers that took that long
local sent_ms, sent_us = 0, 0

function init(args)
  local requests_file, out = args[1], args[2]
  result_file = out
  for line in io.lines(requests_file) do
    local path, cookie = line:match("^([^\t]+)\t(.*)$")
    if path then
      table.insert(requests, wrk.format("GET", path, { Cookie = cookie }))
    end
  end
  if #requests == 0 then
    error("no requests in " .. requests_file)
  end
  -- Spread the threads' starting points over the list (a prime stride, so they differ).
  position = ((thread_number - 1) * 251) % #requests + 1
end

function request()
  sent_ms, sent_us = now_ms(), now_us()
  local formatted = requests[position]
  position = position % #requests + 1
  return formatted
end

function response(status, headers, body)
  local took = tostring(now_us() - sent_us)
  latency_us[took] = (latency_us[took] or 0) + 1
  local received_ms = now_ms()
  local key = tostring(status)
  statuses[key] = (statuses[key] or 0) + 1
  -- 2xx and 3xx are answers; anything else is an error, as the load test counts them.
  if status >= 200 and status < 400 then
    local second = tostring(math.floor(received_ms / 1000))
    ok_seconds[second] = (ok_seconds[second] or 0) + 1
  elseif error_count < MAX_ERROR_EVENTS then
    error_count = error_count + 1
    error_events[tostring(error_count)] = string.format("%d,%d,%d", sent_ms, received_ms, status)
  end
end

local function json_object(tbl)
  local parts = {}
  for key, value in pairs(tbl) do
    table.insert(parts, string.format("%q:%d", key, value))
  end
  return "{" .. table.concat(parts, ",") .. "}"
end

local function json_strings(list)
  local parts = {}
  for _, value in ipairs(list) do
    table.insert(parts, string.format("%q", value))
  end
  return "[" .. table.concat(parts, ",") .. "]"
end

local function merge(into, from)
  for key, value in pairs(from or {}) do
    into[key] = (into[key] or 0) + value
  end
end

function done(summary, latency, requests_stats)
  local ok, errors, codes, latencies = {}, {}, {}, {}
  local out = nil
  for _, thread in ipairs(threads) do
    merge(ok, thread:get("ok_seconds"))
    merge(codes, thread:get("statuses"))
    merge(latencies, thread:get("latency_us"))
    for _, event in pairs(thread:get("error_events") or {}) do
      table.insert(errors, event)
    end
    out = out or thread:get("result_file")
  end
  local e = summary.errors
  local text = string.format(
    '{"duration_us":%d,"requests":%d,"bytes":%d,'
      .. '"socket_errors":{"connect":%d,"read":%d,"write":%d,"timeout":%d},"status_errors":%d,'
      .. '"latency_us":%s,'
      .. '"statuses":%s,"ok_seconds":%s,"error_events":%s}',
    summary.duration,
    summary.requests,
    summary.bytes,
    e.connect,
    e.read,
    e.write,
    e.timeout,
    e.status,
    json_object(latencies),
    json_object(codes),
    json_object(ok),
    json_strings(errors)
  )
  local file = assert(io.open(out, "w"))
  file:write(text)
  file:close()
end
