#!/usr/bin/env python3
"""Writes a release batch CSV (docs/releases-csv.md) of ROWS distinct, valid rows to stdout: the contract's example
notification with a distinct notificationId and NOMS number a row (first letter LETTER), released 14 days ahead,
the same content as ops/bench/ingest/releases.lua sends.

    releases-csv.py ROWS LETTER RUN_ID
"""
import datetime
import sys

rows, letter, run_id = int(sys.argv[1]), sys.argv[2], int(sys.argv[3], 16)
today = datetime.date.today()
release_date = (today + datetime.timedelta(days=14)).isoformat()
last_dose = (today + datetime.timedelta(days=13)).isoformat()
columns = ["notificationId", "source", "nomsNumber", "crn", "givenName", "familyName", "dateOfBirth", "gender", "prisonCode",
           "releaseDate", "status", "releaseType", "postcode", "noFixedAbode", "substances", "inTreatmentInCustody",
           "ostMedication", "ostDailyDoseMg", "ostLastDoseDate", "ostBridgingPrescription", "naloxoneIssued", "consentToShare",
           "prisonTeamEmail", "probationPractitionerName", "probationPractitionerEmail", "probationPduCode"]
out = [",".join(columns)]
for n in range(rows):
    noms = f"{letter}{n % 10000:04d}{chr(65 + n // 260000 % 26)}{chr(65 + n // 10000 % 26)}"
    out.append(",".join([
        f"{ord(letter):08x}-{run_id:04x}-4000-8000-{n:012x}", "prison-healthcare", noms, "X123456", "Sam", "Example",
        "1985-03-14", "male", "ONI", release_date, "planned", "licence", "NN17 1AA", "false", "opiates;crack", "true",
        "methadone", "60", last_dose, "true", "true", "true", "healthcare.oni@example.nhs.uk", "Jo Smith",
        "jo.smith@example.justice.gov.uk", "N56NNE"]))
sys.stdout.write("\r\n".join(out) + "\r\n")
