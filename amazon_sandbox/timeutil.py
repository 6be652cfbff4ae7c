"""ISO 8601 helpers: Amazon sends and accepts UTC timestamps like ``2025-01-01T00:00:00Z``."""

from datetime import datetime, timedelta, timezone

UTC = timezone.utc


def now() -> datetime:
    """Current time in UTC (aware), the only clock the sandbox uses."""
    return datetime.now(UTC)


def iso(dt: datetime) -> str:
    """Format like Amazon does: second precision, ``Z`` suffix."""
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(value) -> datetime:
    """Parse an ISO 8601 date-time (``Z``/offset/naive=UTC); raise ValueError when invalid."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError("empty date-time")
    text = value.strip()
    if text.endswith(("z", "Z")):
        text = text[:-1] + "+00:00"
    dt = datetime.fromisoformat(text)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC)


def ago(**kwargs) -> datetime:
    """``now() - timedelta(**kwargs)``: seeds are placed relative to the reset time."""
    return now() - timedelta(**kwargs)
