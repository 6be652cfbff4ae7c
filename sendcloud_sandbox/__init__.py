"""A local, stateful simulator of the Sendcloud panel API v2 (the part OCA's
``delivery_sendcloud_oca`` calls), for tests and demos. Pure standard library, no Odoo.

``python -m sendcloud_sandbox --port 0`` prints ``SENDCLOUD_URL=http://127.0.0.1:<port>`` first;
the API lives under ``/api/v2``, the control API under ``/_sandbox`` (see README.md).
"""

from .process import SendcloudSandboxProcess, start_sendcloud_sandbox
from .state import DEFAULT_PUBLIC_KEY, DEFAULT_SECRET_KEY

__all__ = [
    "DEFAULT_PUBLIC_KEY",
    "DEFAULT_SECRET_KEY",
    "SendcloudSandboxProcess",
    "start_sendcloud_sandbox",
]
