#!/usr/bin/env python3
"""GOV.UK Notify's email API at the HTTP boundary, as far as the hub uses it (POST /v2/notifications/email and
GET /v2/notifications?reference=…), with an outage: from the first POST it receives, for OUTAGE seconds, it
answers every request 500 and 429 in turn (Notify's `Exception` and `RateLimitError`); afterwards it accepts.
Like Notify it does not de-duplicate by reference, so a reference accepted twice is an email sent twice.

  notify_stub.py --port P --outage-seconds 600 --report FILE

GET /_stub/stats answers the counts as JSON; on SIGTERM the stub writes them to FILE with one line per accepted
reference ("reference count") after them, and exits.
"""
import argparse
import json
import signal
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

lock = threading.Lock()
stats = {"posts": 0, "lookups": 0, "answered_500": 0, "answered_429": 0, "accepted": 0,
         "outage_started": None, "outage_ended": None, "first_accept": None, "last_accept": None}
accepted = {}  # reference -> [notification ids]
OUTAGE = 600.0


def in_outage():
    """Starts the outage at the first call; True while it lasts."""
    now = time.time()
    if stats["outage_started"] is None:
        stats["outage_started"] = now
    if now - stats["outage_started"] < OUTAGE:
        return True
    if stats["outage_ended"] is None:
        stats["outage_ended"] = stats["outage_started"] + OUTAGE
    return False


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, status, document):
        body = json.dumps(document).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def failure(self):
        """During the outage: 500 and 429 in turn."""
        total = stats["answered_500"] + stats["answered_429"]
        if total % 2 == 0:
            stats["answered_500"] += 1
            return 500, {"status_code": 500, "errors": [{"error": "Exception", "message": "Internal server error"}]}
        stats["answered_429"] += 1
        return 429, {"status_code": 429, "errors": [{"error": "RateLimitError", "message": "Exceeded rate limit"}]}

    def body(self):
        """The request body, sent with Content-Length or chunked (the hub's client streams its JSON)."""
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def do_POST(self):
        request = json.loads(self.body() or b"{}")
        if not request.get("reference"):
            raise ValueError("a POST without a reference")
        with lock:
            stats["posts"] += 1
            if in_outage():
                status, document = self.failure()
            else:
                reference = request.get("reference")
                notification_id = str(uuid.uuid4())
                accepted.setdefault(reference, []).append(notification_id)
                stats["accepted"] += 1
                now = time.time()
                stats["first_accept"] = stats["first_accept"] or now
                stats["last_accept"] = now
                status, document = 201, {"id": notification_id, "reference": reference,
                                         "content": {"subject": "s", "body": "b", "from_email": "hub@notifications.service.gov.uk"},
                                         "uri": "http://stub/v2/notifications/" + notification_id,
                                         "template": {"id": request.get("template_id"), "version": 1, "uri": "http://stub/t"}}
        self.answer(status, document)

    def do_GET(self):
        url = urlparse(self.path)
        if url.path == "/_stub/stats":
            with lock:
                document = dict(stats, references=len(accepted), accepted_twice=sum(1 for ids in accepted.values() if len(ids) > 1))
            return self.answer(200, document)
        if url.path != "/v2/notifications":
            return self.answer(404, {"status_code": 404, "errors": [{"error": "NotFound", "message": "not found"}]})
        reference = parse_qs(url.query).get("reference", [""])[0]
        with lock:
            stats["lookups"] += 1
            if in_outage():
                status, document = self.failure()
            else:
                status, document = 200, {"notifications": [{"id": i, "reference": reference, "type": "email", "status": "delivered"}
                                                           for i in accepted.get(reference, [])], "links": {}}
        self.answer(status, document)


def main():
    global OUTAGE
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--outage-seconds", type=float, default=600)
    parser.add_argument("--report", required=True)
    args = parser.parse_args()
    OUTAGE = args.outage_seconds
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)

    def stop(*_):
        with lock, open(args.report, "w") as report:
            report.write(json.dumps(dict(stats, references=len(accepted),
                                         accepted_twice=sum(1 for ids in accepted.values() if len(ids) > 1))) + "\n")
            for reference, ids in accepted.items():
                report.write("%s %d\n" % (reference, len(ids)))
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    server.serve_forever()


if __name__ == "__main__":
    main()
