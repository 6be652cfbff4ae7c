"""Fixtures shared by every pytest suite: one local Amazon sandbox (and one Sendcloud sandbox)
for the whole session.

``make test`` starts them and passes ``STOCKAGILE_SANDBOX_URL`` / ``STOCKAGILE_SENDCLOUD_URL``;
run alone, pytest starts its own.
"""

import os

import pytest

from amazon_sandbox.process import start_sandbox
from sendcloud_sandbox import start_sendcloud_sandbox


@pytest.fixture(scope="session")
def sandbox_url():
    """URL of a running sandbox (the env var's, or one started for the session)."""
    url = os.environ.get("STOCKAGILE_SANDBOX_URL")
    if url:
        yield url.rstrip("/")
        return
    handle = start_sandbox()
    try:
        yield handle.url.rstrip("/")
    finally:
        handle.stop()


@pytest.fixture(scope="session")
def sendcloud_url():
    """URL of a running Sendcloud sandbox (the env var's, or one started for the session)."""
    url = os.environ.get("STOCKAGILE_SENDCLOUD_URL")
    if url:
        yield url.rstrip("/")
        return
    handle = start_sendcloud_sandbox()
    try:
        yield handle.url.rstrip("/")
    finally:
        handle.stop()
