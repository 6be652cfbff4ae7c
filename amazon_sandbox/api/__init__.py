"""One module per simulated API; each exposes ``ROUTES`` for :mod:`amazon_sandbox.server`."""
