-- wrk script: POST /api/v1/releases with a DISTINCT, valid notification every request.
-- Each wrk thread owns a letter range of NOMS numbers ([A-Z][0-9]{4}[A-Z]{2}) and a notificationId prefix, and
-- counts up, so no two requests in a run share a notificationId or a NOMS number (every request opens a new
-- episode and a new referral: the intake's most expensive path). Optional fields that would need check
-- digits (nhsNumber, pncNumber) are left out; everything sent is valid.
--
-- Environment: TOKEN (bearer token, required); NOMS_FIRST_LETTER (0-25: thread i uses letter NOMS_FIRST_LETTER + i,
-- so a warm-up and the measured run use different NOMS numbers); RUN_ID (hex, also part of the notificationId).

local token = os.getenv("TOKEN") or error("TOKEN is not set")
local run_id = tonumber(os.getenv("RUN_ID") or "0", 16) % 0x10000
local first_letter = tonumber(os.getenv("NOMS_FIRST_LETTER") or "0")
local today = os.time()
local release_date = os.date("!%Y-%m-%d", today + 14 * 86400)
local last_dose = os.date("!%Y-%m-%d", today + 13 * 86400)

local threads = {}
local next_thread = 0

function setup(thread)
   thread:set("thread_index", next_thread)
   next_thread = next_thread + 1
   table.insert(threads, thread)
end

local template = [[{"notificationId":"%s","source":"prison-healthcare",]]
   .. [["person":{"nomsNumber":"%s","crn":"X123456","givenName":"Sam","familyName":"Example",]]
   .. [["dateOfBirth":"1985-03-14","gender":"male"},]]
   .. [["release":{"prisonCode":"ONI","releaseDate":"%s","status":"planned","releaseType":"licence",]]
   .. [["destination":{"postcode":"NN17 1AA","localAuthorityCode":null,"noFixedAbode":false}},]]
   .. [["treatmentNeed":{"substances":["opiates","crack"],"inTreatmentInCustody":true,]]
   .. [["ost":{"medication":"methadone","dailyDoseMg":60,"lastDoseDate":"%s","bridgingPrescription":true},]]
   .. [["naloxoneIssued":true,"consentToShare":true},]]
   .. [["contacts":{"prisonTeamEmail":"healthcare.oni@example.nhs.uk",]]
   .. [["probationPractitioner":{"name":"Jo Smith","email":"jo.smith@example.justice.gov.uk","pduCode":"N56NNE"}}}]]

function init(args)
   counter = 0
   non2xx = 0
   statuses = {}
   headers = {
      ["Content-Type"] = "application/json",
      ["Authorization"] = "Bearer " .. token,
   }
end

local function noms_number(index, n)
   -- first letter = thread, then 4 digits and 2 letters from the counter: 6,760,000 distinct numbers a thread.
   local digits = n % 10000
   local rest = math.floor(n / 10000)
   return string.format("%s%04d%s%s", string.char(65 + index % 26), digits,
      string.char(65 + math.floor(rest / 26) % 26), string.char(65 + rest % 26))
end

function request()
   counter = counter + 1
   local letter = first_letter + thread_index
   local id = string.format("%08x-%04x-4000-8000-%012x", letter, run_id, counter)
   local body = string.format(template, id, noms_number(letter, counter), release_date, last_dose)
   return wrk.format("POST", "/api/v1/releases", headers, body)
end

function response(status, headers, body)
   if status < 200 or status > 299 then
      non2xx = non2xx + 1
      statuses[status] = (statuses[status] or 0) + 1
      if non2xx <= 3 then io.stderr:write("non-2xx answer ", status, ": ", body:sub(1, 400), "\n") end
   end
end

function done(summary, latency, requests)
   local non2xx_total, sent = 0, 0
   for _, thread in ipairs(threads) do
      non2xx_total = non2xx_total + (thread:get("non2xx") or 0)
      sent = sent + (thread:get("counter") or 0)
   end
   local seconds = summary.duration / 1e6
   local e = summary.errors
   -- Machine-readable lines for run.sh (latencies in microseconds).
   io.write(string.format("RESULT requests=%d seconds=%.3f rate=%.1f p50_us=%d p90_us=%d p99_us=%d max_us=%d " ..
      "non2xx=%d socket_errors=%d timeouts=%d\n",
      summary.requests, seconds, summary.requests / seconds,
      latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
      non2xx_total, e.connect + e.read + e.write, e.timeout))
end
