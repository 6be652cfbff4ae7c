"""``python -m amazon_sandbox [--host 127.0.0.1] [--port 8899] [--seed default|empty]
[--generate-listings N]``; prints ``SANDBOX_URL=http://host:port`` as its first stdout line."""

import argparse
import sys

from .server import serve


def main(argv=None):
    parser = argparse.ArgumentParser(prog="amazon_sandbox", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="bind address (keep it loopback)")
    parser.add_argument("--port", type=int, default=8899, help="0 picks a free port")
    parser.add_argument("--seed", default="default", choices=("default", "empty"))
    parser.add_argument(
        "--generate-listings", type=int, default=0, help="add SA-GEN-00001.. listings"
    )
    args = parser.parse_args(argv)

    def ready(server):
        print(f"SANDBOX_URL={server.base_url}", flush=True)

    try:
        serve(args.host, args.port, args.seed, args.generate_listings, ready=ready)
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
