"""``python -m sendcloud_sandbox [--host 127.0.0.1] [--port 8898]``; prints
``SENDCLOUD_URL=http://host:port`` as its first stdout line."""

import argparse
import sys

from .server import serve


def main(argv=None):
    parser = argparse.ArgumentParser(prog="sendcloud_sandbox", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="bind address (keep it loopback)")
    parser.add_argument("--port", type=int, default=8898, help="0 picks a free port")
    args = parser.parse_args(argv)

    def ready(server):
        print(f"SENDCLOUD_URL={server.base_url}", flush=True)

    try:
        serve(args.host, args.port, ready=ready)
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
