"""Local, stateful simulator of the Amazon Selling Partner API (SP-API) and LWA.

Pure standard library: start it with ``python -m amazon_sandbox`` or, from tests,
``amazon_sandbox.process.start_sandbox()``; drive it with ``amazon_sandbox.control.SandboxControl``.
"""

SELLER_ID = "A2SANDBOXSELLER"
LWA_CLIENT_ID = "amzn1.application-oa2-client.sandbox"
LWA_CLIENT_SECRET = "sandbox-client-secret"
REFRESH_TOKEN = "Atzr|sandbox-refresh-token"

__all__ = ["SELLER_ID", "LWA_CLIENT_ID", "LWA_CLIENT_SECRET", "REFRESH_TOKEN"]
