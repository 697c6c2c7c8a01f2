-- wrk script: POST /api/v1/events/hmpps with a DISTINCT HMPPS event in its SNS envelope every request, each about
-- an EXISTING episode that load.sql made (even n: prisoner.released for a planned release; odd n: prisoner.received
-- ADMISSION during the window). Thread i of a run uses the people FIRST + i*BLOCK … FIRST + (i+1)*BLOCK - 1, so
-- the warm-up and the measured run never send two events about one person. The shapes are those of
-- tests/fixtures/hmpps/ (copies of ../shared/fixtures/hmpps/: prisoner-released.json, prisoner-received-recalled.json).
--
-- Environment: TOKEN (bearer token with the EVENT_FEED role), FIRST (first person index), BLOCK (people a thread),
-- LETTER (65 = 'A': the NOMS numbers' first letter in load.sql), RUN_ID (hex, part of each MessageId).

local token = os.getenv("TOKEN") or error("TOKEN is not set")
local first = tonumber(os.getenv("FIRST") or "0")
local block = tonumber(os.getenv("BLOCK") or error("BLOCK is not set"))
local letter = tonumber(os.getenv("LETTER") or "65")
local run_id = tonumber(os.getenv("RUN_ID") or "0", 16) % 0x10000

local threads = {}
local next_thread = 0

function setup(thread)
   thread:set("thread_index", next_thread)
   next_thread = next_thread + 1
   table.insert(threads, thread)
end

local released = [[{\"eventType\":\"prison-offender-events.prisoner.released\",\"additionalInformation\":{\"nomsNumber\":\"%s\",]]
   .. [[\"reason\":\"RELEASED\",\"details\":\"Movement reason code NCS\",\"nomisMovementReasonCode\":\"NCS\",]]
   .. [[\"currentLocation\":\"OUTSIDE_PRISON\",\"prisonId\":\"ONI\",\"currentPrisonStatus\":\"NOT_UNDER_PRISON_CARE\"},]]
   .. [[\"version\":1,\"occurredAt\":\"%s\",\"publishedAt\":\"%s\",\"description\":\"A prisoner has been released from prison\",]]
   .. [[\"personReference\":{\"identifiers\":[{\"type\":\"NOMS\",\"value\":\"%s\"}]}}]]
local received = [[{\"eventType\":\"prison-offender-events.prisoner.received\",\"additionalInformation\":{\"nomsNumber\":\"%s\",]]
   .. [[\"reason\":\"ADMISSION\",\"probableCause\":\"RECALL\",\"source\":\"PRISON\",\"nomisMovementReasonCode\":\"24\",]]
   .. [[\"details\":\"ACTIVE IN:ADM-24\",\"currentLocation\":\"IN_PRISON\",\"prisonId\":\"ONI\",\"currentPrisonStatus\":\"UNDER_PRISON_CARE\"},]]
   .. [[\"version\":1,\"occurredAt\":\"%s\",\"publishedAt\":\"%s\",\"description\":\"A prisoner has been received into prison\",]]
   .. [[\"personReference\":{\"identifiers\":[{\"type\":\"NOMS\",\"value\":\"%s\"}]}}]]
local envelope = [[{"Type":"Notification","MessageId":"%s","TopicArn":"","Message":"%s","Timestamp":"%s",]]
   .. [["SignatureVersion":"1","Signature":"","SigningCertURL":"","UnsubscribeURL":"",]]
   .. [["MessageAttributes":{"eventType":{"Type":"String","Value":"%s"}}}]]

function init(args)
   counter = 0
   non2xx = 0
   headers = {
      ["Content-Type"] = "application/json",
      ["Authorization"] = "Bearer " .. token,
   }
end

-- load.sql's NOMS number of person n.
local function noms_number(n)
   return string.format("%s%04d%s%s", string.char(letter + math.floor(n / 6760000)), n % 10000,
      string.char(65 + math.floor(n / 260000) % 26), string.char(65 + math.floor(n / 10000) % 26))
end

function request()
   local n = first + thread_index * block + counter
   counter = counter + 1
   if counter > block then error("out of people: raise HUB_PEOPLE") end
   local noms = noms_number(n)
   local now = os.date("!%Y-%m-%dT%H:%M:%SZ")
   local event_type, template
   if n % 2 == 0 then
      event_type, template = "prison-offender-events.prisoner.released", released
   else
      event_type, template = "prison-offender-events.prisoner.received", received
   end
   local message = string.format(template, noms, now, now, noms)
   local id = string.format("%08x-%04x-4000-8000-%012x", thread_index, run_id, n)
   return wrk.format("POST", "/api/v1/events/hmpps", headers, string.format(envelope, id, message, now, event_type))
end

function response(status, headers, body)
   if status < 200 or status > 299 then
      non2xx = non2xx + 1
      if non2xx <= 3 then io.stderr:write("non-2xx answer ", status, ": ", body:sub(1, 400), "\n") end
   end
end

function done(summary, latency, requests)
   local non2xx_total = 0
   for _, thread in ipairs(threads) do non2xx_total = non2xx_total + (thread:get("non2xx") or 0) end
   local seconds = summary.duration / 1e6
   local e = summary.errors
   io.write(string.format("RESULT requests=%d seconds=%.3f rate=%.1f p50_us=%d p90_us=%d p99_us=%d max_us=%d " ..
      "non2xx=%d socket_errors=%d timeouts=%d\n",
      summary.requests, seconds, summary.requests / seconds,
      latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
      non2xx_total, e.connect + e.read + e.write, e.timeout))
end
