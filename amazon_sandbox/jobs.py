"""The asynchronous life cycle shared by feeds and reports: IN_QUEUE -> IN_PROGRESS -> done.

A job created with a processing time of ``d`` seconds is IN_QUEUE for the first half, then
IN_PROGRESS, and is finished by the first request that arrives after ``d`` seconds (with
``d == 0`` it is therefore DONE the first time anybody looks at it).
"""

import time

from .timeutil import iso, now

TERMINAL = ("DONE", "FATAL", "CANCELLED")


def new_job(duration: float) -> dict:
    """Private timing fields; public fields are added by the API module."""
    return {
        "createdTime": iso(now()),
        "processingStatus": "IN_QUEUE",
        "_createdAt": time.time(),
        "_duration": max(0.0, float(duration or 0)),
    }


def advance(state, jobs: dict, finish):
    """Move every unfinished job forward; ``finish(state, job)`` sets its terminal status."""
    current = time.time()
    with state.lock:
        for job in jobs.values():
            if job["processingStatus"] in TERMINAL:
                continue
            elapsed = current - job["_createdAt"]
            if elapsed >= job["_duration"]:
                job.setdefault("processingStartTime", iso(now()))
                finish(state, job)
                job["processingEndTime"] = iso(now())
            elif elapsed >= job["_duration"] / 2:
                job["processingStatus"] = "IN_PROGRESS"
                job.setdefault("processingStartTime", iso(now()))


def public(job: dict) -> dict:
    """The job without its private (underscore) fields."""
    return {k: v for k, v in job.items() if not k.startswith("_")}
