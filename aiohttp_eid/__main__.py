"""``python -m aiohttp_eid``: manage the application's keys, check a configuration.

python -m aiohttp_eid doctor myapp.settings:config [--json]
python -m aiohttp_eid keys generate --out rp-keys.json
python -m aiohttp_eid keys rotate --file rp-keys.json --use enc [--grace-days 7]
python -m aiohttp_eid keys public --file rp-keys.json
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from .rp_keys import DEFAULT_GRACE, RelyingPartyKeys


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = argparse.ArgumentParser(prog="python -m aiohttp_eid")
    groups = parser.add_subparsers(dest="group", required=True)
    keys = groups.add_parser("keys", help="the application's signing and decryption keys").add_subparsers(
        dest="command", required=True
    )
    generate = keys.add_parser("generate", help="write a new private key file (mode 0600)")
    generate.add_argument("--out", required=True)
    generate.add_argument("--size", type=int, default=2048, choices=(2048, 3072, 4096))
    rotate = keys.add_parser("rotate", help="publish a next key, or make the next key active")
    rotate.add_argument("--file", required=True)
    rotate.add_argument("--use", required=True, choices=("sig", "enc"))
    rotate.add_argument("--grace-days", type=float, default=DEFAULT_GRACE / 86400)
    public = keys.add_parser("public", help="print the public JWKS")
    public.add_argument("--file", required=True)
    doctor = groups.add_parser("doctor", help="check a configuration against its providers before going live")
    doctor.add_argument("target", help="module:attribute naming an EidConfig or a no-argument callable returning one")
    doctor.add_argument("--json", action="store_true", help="print the report as JSON")
    args = parser.parse_args(argv)
    if args.group == "doctor":
        from .doctor import run  # the doctor sits above everything else; load it only when asked

        return run(args.target, as_json=args.json)

    try:
        if args.command == "generate":
            RelyingPartyKeys.generate(size=args.size).save(args.out)
            print(f"wrote {args.out} (mode 0600); publish its public keys at {{prefix}}/jwks.json")
        elif args.command == "rotate":
            rotated = RelyingPartyKeys.load(args.file).rotate(args.use, grace=args.grace_days * 86400)
            rotated.save(args.file, overwrite=True)
            for entry in rotated.entries:
                print(f"{entry.kid}\t{entry.use}\t{entry.status}")
        else:
            print(json.dumps(RelyingPartyKeys.load(args.file).public_jwks(), indent=1))
    except FileExistsError:
        print(f"{args.out} exists: not overwritten", file=sys.stderr)
        return 1
    except (OSError, ValueError, KeyError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
