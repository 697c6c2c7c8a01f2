#!/usr/bin/env python3
"""Send COUNT distinct release notifications to one or more hub nodes with CLIENTS concurrent clients that
behave as a careful sender should: each notification is sent until the hub gives a definitive answer, always
with the same notificationId and body (so a retry after a lost answer is a replay, never a second notification).

Retried with the same body: connection refused/reset, timeouts, 5xx (waiting Retry-After when given, else 0.5 s).
Definitive: 201 (stored) and 200 (replay of one stored earlier) — "acknowledged"; any other 4xx — "rejected".

Writes one line per acknowledged notification to ACKED (notificationId, NOMS number, status) as it happens, so a
script can watch progress, and prints a summary line `SEND key=value …` at the end.

  send.py --count 5000 --clients 8 --base http://127.0.0.1:5080[,http://127.0.0.1:5081] --token T --acked FILE
          [--status released --release-days-ago 25] [--run-id HEX]
"""
import argparse
import datetime
import http.client
import json
import os
import sys
import threading
import time
import urllib.parse
import uuid

TEMPLATE = {
    "source": "prison-healthcare",
    "person": {"crn": "X123456", "givenName": "Sam", "familyName": "Example", "dateOfBirth": "1985-03-14", "gender": "male"},
    "release": {"prisonCode": "ONI", "releaseType": "licence",
                "destination": {"postcode": "NN17 1AA", "localAuthorityCode": None, "noFixedAbode": False}},
    "treatmentNeed": {"substances": ["opiates", "crack"], "inTreatmentInCustody": True,
                      "ost": {"medication": "methadone", "dailyDoseMg": 60, "bridgingPrescription": True},
                      "naloxoneIssued": True, "consentToShare": True},
    "contacts": {"prisonTeamEmail": "healthcare.oni@example.nhs.uk",
                 "probationPractitioner": {"name": "Jo Smith", "email": "jo.smith@example.justice.gov.uk", "pduCode": "N56NNE"}},
}


def noms_number(run, n):
    # A run letter, 4 digits and 2 letters: 6,760,000 distinct numbers a run letter.
    rest = n // 10000
    return "%s%04d%s%s" % (chr(65 + run % 26), n % 10000, chr(65 + (rest // 26) % 26), chr(65 + rest % 26))


def body(run, n, status, release_date):
    doc = json.loads(json.dumps(TEMPLATE))
    doc["notificationId"] = str(uuid.UUID(int=(run << 96) | (0x4000 << 64) | (0x8 << 60) | n))
    doc["person"]["nomsNumber"] = noms_number(run, n)
    doc["release"]["status"] = status
    doc["release"]["releaseDate"] = release_date.isoformat()
    doc["treatmentNeed"]["ost"]["lastDoseDate"] = (release_date - datetime.timedelta(days=1)).isoformat()
    return doc


class Totals:
    def __init__(self):
        self.lock = threading.Lock()
        self.counts = {}

    def add(self, key, n=1):
        with self.lock:
            self.counts[key] = self.counts.get(key, 0) + n


def client(index, work, bases, token, acked, totals, deadline):
    conns = {}
    for n, doc in work:
        payload = json.dumps(doc).encode()
        attempt = 0
        while True:
            if time.time() > deadline:
                totals.add("given_up")
                break
            # Spread over the nodes; a retry goes to the next node (as a load balancer would).
            base = bases[(index + n + attempt) % len(bases)]
            attempt += 1
            url = urllib.parse.urlparse(base)
            try:
                conn = conns.get(base) or http.client.HTTPConnection(url.hostname, url.port, timeout=30)
                conns[base] = conn
                conn.request("POST", "/api/v1/releases", payload,
                             {"Content-Type": "application/json", "Authorization": "Bearer " + token})
                response = conn.getresponse()
                answer = response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                conns.pop(base, None)
                totals.add("network_errors")
                time.sleep(0.5)
                continue
            totals.add("answers_%d" % status)
            if status in (200, 201):
                with acked[1]:
                    acked[0].write("%s %s %d\n" % (doc["notificationId"], doc["person"]["nomsNumber"], status))
                    acked[0].flush()
                break
            if status >= 500:
                retry_after = response.getheader("Retry-After")
                if status == 503 and not retry_after:
                    totals.add("answers_503_without_retry_after")
                time.sleep(min(float(retry_after), 5.0) if retry_after and retry_after.isdigit() else 0.5)
                continue
            totals.add("rejected")
            sys.stderr.write("rejected %s: %d %s\n" % (doc["notificationId"], status, answer[:300]))
            break


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=5000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--base", required=True, help="comma-separated hub base URLs")
    parser.add_argument("--token", required=True)
    parser.add_argument("--acked", required=True)
    parser.add_argument("--status", default="planned")
    parser.add_argument("--release-days-ago", type=int, default=-14, help="negative: in the future")
    parser.add_argument("--run-id", default=os.urandom(2).hex())
    parser.add_argument("--timeout", type=int, default=1800, help="seconds before the clients give up")
    args = parser.parse_args()

    run = int(args.run_id, 16)
    release_date = datetime.date.today() - datetime.timedelta(days=args.release_days_ago)
    docs = [(n, body(run, n, args.status, release_date)) for n in range(1, args.count + 1)]
    totals = Totals()
    started = time.time()
    with open(args.acked, "w") as acked_file:
        acked = (acked_file, threading.Lock())
        threads = [threading.Thread(target=client, args=(i, docs[i::args.clients], args.base.split(","), args.token, acked,
                                                          totals, started + args.timeout)) for i in range(args.clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    counts = totals.counts
    print("SEND sent=%d acknowledged=%d created=%d replayed=%d rejected=%d given_up=%d network_errors=%d answers_503=%d "
          "answers_503_without_retry_after=%d answers_500=%d seconds=%.1f" % (
              args.count, counts.get("answers_201", 0) + counts.get("answers_200", 0), counts.get("answers_201", 0),
              counts.get("answers_200", 0), counts.get("rejected", 0), counts.get("given_up", 0), counts.get("network_errors", 0),
              counts.get("answers_503", 0), counts.get("answers_503_without_retry_after", 0), counts.get("answers_500", 0),
              time.time() - started))
    other = {k: v for k, v in counts.items() if k.startswith("answers_") and k not in ("answers_200", "answers_201", "answers_503", "answers_500")}
    if other:
        print("SEND other answers: " + " ".join("%s=%d" % kv for kv in sorted(other.items())))


if __name__ == "__main__":
    main()
