"""The kinds of fault every fault table runs: one module's request (test_faults.py) or a batch's (test_fleet_faults.py).

Each is a simulator fault (simulator/README.md, "Faults"), short-lived: a task that meets one
must still succeed. REQUEST_TIMEOUT is the client's timeout in the tables, in real seconds:
a LATE reply comes after it (a late action), a SLOW one within it.
"""

REQUEST_TIMEOUT = 0.3
LATE = 0.6
SLOW = 0.1
# Rackspace's front ends refuse a request over the account's rate limit with 413 overLimit.
OVER_LIMIT = '{"overLimit": {"code": 413, "message": "OverLimit Retry...", "details": "Error Details..."}}'

FAULTS = {
    "503 burst": dict(status=503, count=3),
    "503 burst with Retry-After": dict(status=503, count=3, retry_after=5),
    "500": dict(status=500),
    "429 with Retry-After": dict(status=429, count=2, retry_after=5),
    "413 overLimit with Retry-After": dict(status=413, count=2, retry_after=5, body=OVER_LIMIT),
    "413 overLimit body": dict(status=413, count=2, body=OVER_LIMIT),
    "dropped connection": dict(drop=True),
    "late action": dict(delay=LATE),
    "slow reply": dict(delay=SLOW),
    "lost reply after acting (500)": dict(status=500, apply=True),
    "lost reply after acting (dropped)": dict(drop=True, apply=True),
    "malformed 200": dict(status=200, body="<html><body>502 proxy error</body></html>", apply=True),
    "token expiry": dict(expire_tokens=True),
}
# The kinds after which the server may have acted on a request without the client knowing.
UNCLEAR = ["500", "dropped connection", "late action", "lost reply after acting (500)",
           "lost reply after acting (dropped)", "malformed 200"]


def real_share(fault):
    """The share of each simulated second slept to sleep for real too: a late action (held in
    real seconds) then lands inside the 30 s settle window it must land in."""
    return 2 * LATE / 30 if fault.get("delay", 0) > REQUEST_TIMEOUT else 0.0
