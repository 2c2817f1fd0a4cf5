#!/usr/bin/env python3
"""Writes demo/data: synthetic, fictional records for the demo agencies of demo/agencies.json.

Deliberate overlaps for deconfliction demos:
  * the same subject under name variants across agencies (María José García López / Maria Garcia /
    GARCIA-LOPEZ, MARIA / Majo Lopez), with a shared +52 phone;
  * a shared address between the city PD and the sheriff;
  * two planned operations close in place and time (city PD and federal unit).
The city PD exports a CSV through a mapping file (demo/data/TX0010100.mapping.json); the others publish
canonical JSON lines. Re-run after editing: python3 demo/generate_demo_data.py
"""
import csv, json, os, random

random.seed(20261122)
HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")
GIVEN = ["José", "Juan", "Luis", "Carmen", "Guadalupe", "Francisco", "Rosa", "Miguel", "Ana", "Jesús", "Alejandra",
         "Robert", "William", "Jennifer", "Ashley", "Tyler", "Brianna", "Daniel", "Marisol", "Héctor"]
SURNAMES = ["Hernández", "Martínez", "Rodríguez", "González", "Pérez", "Sánchez", "Ramírez", "Torres", "Flores",
            "Rivera", "Gómez", "Díaz", "Reyes", "Cruz", "Morales", "Smith", "Johnson", "Williams", "Brown", "Nguyen"]
STREETS = ["Navigation Blvd", "Harrisburg Blvd", "Airline Dr", "Bissonnet St", "Long Point Rd", "Telephone Rd",
           "Canal St", "Fulton St", "Irvington Blvd", "Westheimer Rd"]
OFFICIALS = {
    "TX0010100": ("Det. Ana Ruiz", "+1 713 555 0101"),
    "TX0020200": ("Sgt. Paul Lee", "+1 281 555 0123"),
    "US0030300": ("SA Dana Brooks", "dbrooks@ftiu.example"),
    "TX0040400": ("AAG Carla Ortiz", "+1 512 555 0147"),
    "TX0050500": ("Advocate Rosa Vega", "+1 713 555 0188"),
}


def labels(code, sensitivity="agencyOnly", justification=None, case=None):
    name, channel = OFFICIALS[code]
    out = {"sensitivity": sensitivity, "confidence": random.choice(["low", "medium", "high"]),
           "controlOfficial": {"name": name, "channel": channel}, "reviewBy": "2027-11-01"}
    if case:
        out["caseRef"] = case
    if justification:
        out["justification"] = justification
    return out


def phone(region):
    if region == "MX":
        return f"+52 55 {random.randint(1000, 9999)} {random.randint(1000, 9999)}"
    return f"({random.choice([713, 281, 832])}) 555-{random.randint(200, 999):04d}"


def people(code, prefix, count, roles):
    rows = []
    for i in range(count):
        role = random.choice(roles)
        rows.append({
            "kind": "person", "localId": f"{prefix}-{i:04d}", "version": 1, "role": role,
            "givenName": random.choice(GIVEN),
            "surname": f"{random.choice(SURNAMES)} {random.choice(SURNAMES)}" if random.random() < 0.5 else random.choice(SURNAMES),
            "birthDate": random.choice([f"{random.randint(1965, 2006)}", f"{random.randint(1965, 2006)}-{random.randint(1, 12):02d}",
                                        f"{random.randint(1965, 2006)}-{random.randint(1, 12):02d}-{random.randint(1, 28):02d}"]),
            "sex": random.choice(["F", "M", "U"]),
            "labels": labels(code, random.choice(["open", "agencyOnly", "restricted"]),
                             "Subject of trafficking investigation" if role == "suspect" else None, f"{code[:4]}-26-{i:04d}"),
        })
    return rows


def extras(code, persons, region_mix):
    out = []
    for p in persons:
        if random.random() < 0.6:
            out.append({"kind": "phone", "localId": f"{p['localId']}-T1", "version": 1, "subjectRef": p["localId"],
                        "number": phone("MX" if random.random() < region_mix else "US"), "validFrom": "2025-06-01",
                        "labels": labels(code)})
        if random.random() < 0.4:
            out.append({"kind": "location", "localId": f"{p['localId']}-L1", "version": 1, "subjectRef": p["localId"],
                        "address": f"{random.randint(100, 9999)} {random.choice(STREETS)}, Houston, TX 770{random.randint(10, 99)}",
                        "lat": round(29.70 + random.random() * 0.12, 5), "lon": round(-95.42 + random.random() * 0.12, 5),
                        "labels": labels(code)})
    return out


def write_jsonl(code, records):
    with open(os.path.join(HERE, f"{code}.jsonl"), "w", encoding="utf-8") as f:
        for r in records:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")


shared_phone = "+52 55 4512 7781"
shared_address = "4410 Navigation Blvd, Houston, TX 77011"

# Sheriff: canonical JSON lines.
sheriff = people("TX0020200", "HCSO", 50, ["suspect", "victim", "witness", "associate"])
sheriff.append({"kind": "person", "localId": "HCSO-9001", "version": 1, "role": "victim", "givenName": "Maria",
                "surname": "Garcia", "birthDate": "1988-03", "sex": "F", "labels": labels("TX0020200", "restricted", None, "HCSO-26-9001")})
sheriff += extras("TX0020200", sheriff, 0.3)
sheriff.append({"kind": "phone", "localId": "HCSO-9001-T1", "version": 1, "subjectRef": "HCSO-9001", "number": shared_phone,
                "validFrom": "2026-02-01", "labels": labels("TX0020200", "restricted")})
sheriff.append({"kind": "location", "localId": "HCSO-9002-L1", "version": 1, "subjectRef": "HCSO-0003", "address": shared_address,
                "lat": 29.75620, "lon": -95.32510, "labels": labels("TX0020200")})
write_jsonl("TX0020200", sheriff)

# Federal unit: canonical JSON lines, with a planned operation near the city PD's.
federal = people("US0030300", "FTIU", 40, ["suspect", "associate", "victim"])
federal.append({"kind": "person", "localId": "FTIU-7001", "version": 1, "role": "suspect", "givenName": "Maria J.",
                "surname": "Lopez", "aliases": ["Majo"], "birthDate": "1988-03-14", "sex": "F",
                "labels": labels("US0030300", "agencyOnly", "Wire intercept 26-114 links subject to a trafficking ring", "FTIU-26-114")})
federal += extras("US0030300", federal, 0.5)
federal.append({"kind": "phone", "localId": "FTIU-7001-T1", "version": 1, "subjectRef": "FTIU-7001", "number": "+525545127781",
                "validFrom": "2025-11-15", "labels": labels("US0030300", "agencyOnly")})
federal.append({"kind": "location", "localId": "FTIU-OP-12", "version": 1, "lat": 29.76100, "lon": -95.36890, "radiusMeters": 400,
                "startsAt": "2026-12-01T11:00:00Z", "endsAt": "2026-12-01T14:00:00Z", "labels": labels("US0030300", "open")})
write_jsonl("US0030300", federal)

# State AG: canonical JSON lines.
ag = people("TX0040400", "OAG", 30, ["suspect", "victim", "witness"])
ag.append({"kind": "person", "localId": "OAG-5001", "version": 1, "role": "suspect", "givenName": "Maria",
           "surname": "Garcia-Lopez", "birthDate": "1988-03-14", "sex": "F",
           "labels": labels("TX0040400", "agencyOnly", "Named in grand jury referral 26-031", "OAG-26-031")})
ag += extras("TX0040400", ag, 0.3)
write_jsonl("TX0040400", ag)

# NGO: victims only, canonical JSON lines.
ngo = people("TX0050500", "GCSC", 30, ["victim"])
ngo += extras("TX0050500", ngo, 0.6)
write_jsonl("TX0050500", ngo)

# City PD: a case-system CSV export, one row per subject with phone and address, through a mapping.
with open(os.path.join(HERE, "TX0010100.csv"), "w", encoding="utf-8", newline="") as f:
    w = csv.writer(f)
    w.writerow(["PersonID", "RowVersion", "First", "Last1", "Last2", "AKA", "DOB", "Gender", "RoleCode", "CaseNo",
                "Reason", "CellPhone", "Street", "Lat", "Lon", "Narrative"])
    w.writerow(["1001", "3", "MARÍA JOSÉ", "GARCÍA", "LÓPEZ", "Majo", "03/14/1988", "F", "S", "HPD-24-0091",
                "Subject of trafficking investigation 24-0091", "+52 55 4512 7781", shared_address, "29.7562", "-95.3251",
                "free text that must never leave the agency"])
    for i in range(1002, 1062):
        w.writerow([str(i), "1", random.choice(GIVEN).upper(), random.choice(SURNAMES).upper(),
                    random.choice(SURNAMES).upper() if random.random() < 0.5 else "", "",
                    f"{random.randint(1, 12):02d}/{random.randint(1, 28):02d}/{random.randint(1965, 2006)}",
                    random.choice(["F", "M"]), random.choice(["S", "V", "W", "A"]), f"HPD-26-{i:04d}",
                    "Subject of trafficking investigation", phone("US") if random.random() < 0.7 else "",
                    f"{random.randint(100, 9999)} {random.choice(STREETS)}, Houston, TX" if random.random() < 0.5 else "",
                    "", "", "narrative"])
    # a planned operation row is published from the jsonl file below
with open(os.path.join(HERE, "TX0010100-operations.jsonl"), "w", encoding="utf-8") as f:
    f.write(json.dumps({"kind": "location", "localId": "HPD-OP-3", "version": 1, "lat": 29.76040, "lon": -95.36980,
                        "radiusMeters": 300, "startsAt": "2026-12-01T10:00:00Z", "endsAt": "2026-12-01T12:00:00Z",
                        "labels": labels("TX0010100", "open")}, ensure_ascii=False) + "\n")
