"""``baken audit verify | checkpoint | key | public-key``: the access log on the command line.

Exit codes as the rest of ``baken``: 0 intact (or done), 1 a problem in the log (every one
named), 2 bad input (an unreadable or untrusted checkpoint file, an unusable key).
Messages are English. ``key`` needs no database and no settings, so it works before the
first start of a production install.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from urllib.parse import urlsplit

from baken.audit import keys

EXIT_INVALID = 1
EXIT_USAGE = 2


def add_commands(audit_commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The audit subcommands, for ``baken.cli.build_parser``."""
    verify = audit_commands.add_parser(
        "verify",
        help="check the log against its signed checkpoints: no line changed, removed, "
        "inserted or moved",
    )
    verify.add_argument(
        "--checkpoint",
        action="append",
        default=[],
        type=Path,
        metavar="FILE",
        help="also trust this checkpoint file (a copy from a witness or another machine); "
        "may be given more than once",
    )
    verify.add_argument(
        "--public-key",
        default="",
        metavar="KEY",
        help="verify the checkpoints with this verifier key (default: BAKEN_AUDIT_PUBLIC_KEY, "
        "or the signing key's)",
    )
    verify.add_argument(
        "--no-checkpoint-dir",
        action="store_true",
        help="trust only the --checkpoint files, not BAKEN_AUDIT_CHECKPOINT_DIR",
    )
    audit_commands.add_parser(
        "checkpoint",
        help="put the new lines into the tree and write a signed checkpoint (the worker does "
        "this every BAKEN_AUDIT_CHECKPOINT_INTERVAL seconds)",
    )
    key = audit_commands.add_parser(
        "key", help="print a new signing key for BAKEN_AUDIT_SIGNING_KEY and its public key"
    )
    key.add_argument(
        "--origin",
        default="",
        help="the log's name (default: BAKEN_AUDIT_ORIGIN, or BAKEN_BASE_URL's host + /access-log)",
    )
    audit_commands.add_parser(
        "public-key", help="print the verifier key of the configured signing key"
    )


def _error(message: str) -> int:
    print(f"baken: error: {message}", file=sys.stderr)
    return EXIT_USAGE


def _origin(given: str) -> str:
    if given:
        return keys.check_origin(given)
    configured = os.environ.get("BAKEN_AUDIT_ORIGIN", "").strip()
    if configured:
        return keys.check_origin(configured)
    base = os.environ.get("BAKEN_BASE_URL", "").strip() or "http://127.0.0.1:8000"
    return keys.default_origin(urlsplit(base).netloc)


def key_command(args: argparse.Namespace) -> int:
    try:
        origin = _origin(args.origin)
    except keys.AuditKeyError as exc:
        return _error(str(exc))
    seed = keys.generate_seed()
    signer = keys.Signer(origin, keys.parse_seed(seed))
    print(f"BAKEN_AUDIT_SIGNING_KEY={seed}")
    print(f"BAKEN_AUDIT_PUBLIC_KEY={signer.verifier}")
    print(
        "Keep the signing key secret and out of the database (an environment or secret file, "
        "backed up with the encryption keys); give the public key to your witness and "
        "auditors.",
        file=sys.stderr,
    )
    return 0


def public_key_command(args: argparse.Namespace) -> int:
    from django.core.exceptions import ImproperlyConfigured

    from baken.audit.log import verifier

    try:
        print(verifier())
    except (ImproperlyConfigured, keys.AuditKeyError) as exc:
        return _error(str(exc))
    return 0


def checkpoint_command(args: argparse.Namespace) -> int:
    from django.core.exceptions import ImproperlyConfigured

    from baken.audit.log import CheckpointConflict, TreeError, make_checkpoint

    try:
        made = make_checkpoint()
    except ImproperlyConfigured as exc:
        return _error(str(exc))
    except (CheckpointConflict, TreeError) as exc:
        print(f"access log: {exc}", file=sys.stderr)
        return EXIT_INVALID
    what = "a new checkpoint" if made.new else "no new lines; the checkpoint"
    print(
        f"access log: {made.integrated} line(s) put into the tree; {what} of {made.size} "
        f"line(s) is in {made.path}"
    )
    if made.witness:
        print(f"access log: {made.witness}")
    return 0


def verify_command(args: argparse.Namespace) -> int:
    from baken.audit.verify import VerifyInputError, verify

    try:
        report = verify(
            args.checkpoint,
            public_key=args.public_key,
            use_directory=not args.no_checkpoint_dir,
        )
    except VerifyInputError as exc:
        return _error(str(exc))
    speed = f"checked in {report.seconds:.1f} s ({report.lines_per_second:,.0f} lines per second)"
    if report.problem_count:
        print(
            f"access log: {report.problem_count:,} problem(s) in {report.lines:,} line(s):",
            file=sys.stderr,
        )
        for problem in report.problems:
            print(f"  {problem}", file=sys.stderr)
        if report.unlisted:
            print(
                f"  … and {report.unlisted:,} more problem(s), not listed one by one",
                file=sys.stderr,
            )
        print(f"access log: {speed}", file=sys.stderr)
        return EXIT_INVALID
    newest = report.newest
    trusted = (
        f"consistent with checkpoint {newest.label} ({newest.size} lines)"
        if newest is not None
        else "no checkpoint to check against yet (run `baken audit checkpoint`)"
    )
    print(f"access log: {report.lines} line(s), intact; {trusted}")
    if report.pending:
        print(f"access log: {report.pending} line(s) not yet in the tree (MAC checked)")
    if not report.macs_checked:
        print(
            "access log: MACs not checked (no BAKEN_AUDIT_SIGNING_KEY): forged lines after "
            "the newest checkpoint cannot be told apart"
        )
    print(f"access log: {speed}")
    return 0


def run(args: argparse.Namespace) -> int:
    """Dispatch ``baken audit <command>`` (Django is set up, except for ``key``)."""
    handlers = {
        "verify": verify_command,
        "checkpoint": checkpoint_command,
        "key": key_command,
        "public-key": public_key_command,
    }
    return handlers[args.audit_command](args)
