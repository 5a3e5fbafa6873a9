"""The ``baken`` command: protocol export and validation, assessments, the web server and the
background worker.

Exit codes: 0 success; 1 a protocol file that does not validate, an access log that does
not verify, a purge that stopped at a dossier, or a database that cannot be reached or
whose storage is full; 2 bad input, usage or configuration.
Messages on the command line are in English; the protocol's own text stays Dutch.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NoReturn, TextIO

from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError

from baken.engine import SituationError, assess, parse_situation
from baken.protocol import ProtocolError, UnknownProtocolError, default_registry, load_protocol

EXIT_INVALID = 1
EXIT_USAGE = 2


class InputError(Exception):
    """Bad input from the user: reported in one line, exit code 2."""


def _fail(message: str, code: int = EXIT_USAGE) -> NoReturn:
    print(f"baken: error: {message}", file=sys.stderr)
    raise SystemExit(code)


def _dump(data: Any, out: TextIO) -> None:
    json.dump(data, out, ensure_ascii=False, indent=2)
    out.write("\n")


def _read_text(source: str) -> str:
    """The file's (or stdin's) text, decoded strictly as UTF-8 (a BOM is allowed)."""
    name = "standard input" if source == "-" else source
    try:
        raw = sys.stdin.buffer.read() if source == "-" else Path(source).read_bytes()
    except FileNotFoundError:
        raise InputError(f"cannot read {name}: no such file") from None
    except OSError as exc:
        raise InputError(f"cannot read {name}: {exc.strerror or exc}") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"cannot read {name}: not UTF-8 text (bad byte at position {exc.start})"
        ) from None


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object, refusing a key given twice (json would silently keep the last)."""
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise InputError(f"{key!r}: given twice in the same JSON object")
        result[key] = value
    return result


def _no_constant(name: str) -> NoReturn:
    raise InputError(f"the situation is not valid JSON: {name} is not a JSON value")


def _load_json(text: str) -> Any:
    try:
        return json.loads(text, object_pairs_hook=_unique_keys, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"the situation is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"
        ) from None
    except RecursionError:
        raise InputError("the situation is not usable JSON: it is nested too deeply") from None
    except ValueError as exc:  # e.g. an integer with too many digits
        raise InputError(f"the situation is not usable JSON: {exc}") from None


def cmd_export(args: argparse.Namespace) -> int:
    protocol = default_registry().get(args.protocol)
    _dump(protocol.model_dump(mode="json"), sys.stdout)
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    registry = default_registry()
    for protocol in registry:
        marker = " (default)" if protocol.id == registry.default_id else ""
        print(f"{protocol.id}\t{protocol.version}\t{protocol.title} — {protocol.region}{marker}")
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    path = Path(args.file)
    if not path.is_file():
        raise InputError(f"cannot read {args.file}: no such file")
    try:
        protocol = load_protocol(path)
    except ProtocolError as exc:
        print(f"{exc.source}: invalid, {len(exc.problems)} problem(s):", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return EXIT_INVALID
    print(f"{path}: valid ({protocol.id}, version {protocol.version})")
    return 0


def cmd_assess(args: argparse.Namespace) -> int:
    data = _load_json(_read_text(args.file))
    protocol_id = data.get("protocol") if isinstance(data, dict) else None
    if protocol_id is not None and not isinstance(protocol_id, str):
        raise InputError(f"protocol: must be a protocol id string (got {protocol_id!r})")
    try:
        protocol = default_registry().get(protocol_id)
    except UnknownProtocolError as exc:
        raise InputError(f"protocol: {exc}") from None
    try:
        situation = parse_situation(data, protocol, now=datetime.now(UTC))
    except SituationError as exc:
        raise InputError(str(exc)) from None
    _dump(assess(situation, protocol).to_json(), sys.stdout)
    return 0


def _setup_django(*, serving: bool = False, as_owner: bool = False) -> None:
    """Load Baken's settings. The web application logs every request and access-log line
    (INFO); a one-off command logs only warnings and errors, unless BAKEN_LOG_LEVEL says
    otherwise, so its own output is not buried.

    ``as_owner``: connect as the database's owner role when BAKEN_OWNER_DATABASE_URL is set
    (migrations, purge, key rotation; baken.dbroles), else as DATABASE_URL."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "baken.conf.settings")
    os.environ.setdefault("BAKEN_LOG_LEVEL", "INFO" if serving else "WARNING")
    import django

    if as_owner:
        from baken.dbroles import owner_environment

        with owner_environment():
            django.setup()
        return
    django.setup()


def _migrate_or_require_migrated() -> None:
    """Development without an owner role migrates on start (`make run`); production, or any
    set-up with BAKEN_OWNER_DATABASE_URL, leaves that to `baken migrate` as the owner and
    only checks it was done: the application's role may not change the schema."""
    from django.conf import settings
    from django.core.management import call_command

    from baken.dbroles import owner_configured

    if settings.PRODUCTION or owner_configured():
        _require_migrated()
        return
    call_command("migrate", interactive=False, verbosity=0)


def cmd_serve(args: argparse.Namespace) -> int:
    from django.core.management import call_command

    _setup_django(serving=True)
    _migrate_or_require_migrated()
    from django.conf import settings

    from baken.accounts.setup import setup_link

    link = setup_link(f"http://{args.host}:{args.port}")
    if link:
        print(
            "No users yet. Create the first administrator (functioneel beheerder), once, "
            f"from this machine:\n  {link}",
            flush=True,
        )

    if settings.STATIC_ROOT:
        call_command("collectstatic", interactive=False, verbosity=0)
    import waitress

    from baken.conf.wsgi import application

    worker = None
    try:
        worker = _start_worker() if args.with_worker else None
        print(f"Baken serves on http://{args.host}:{args.port}/ (Ctrl+C stops it)", flush=True)
        waitress.serve(application, host=args.host, port=args.port, threads=8, ident="baken")
    except KeyboardInterrupt:
        pass  # a stop before waitress took over the signal (it returns on its own)
    finally:
        if worker is not None:
            _stop_worker(worker)
    return 0


def _start_worker() -> subprocess.Popen[bytes]:
    """``baken worker`` as a child of ``baken serve --with-worker`` (what `make run` does),
    started after the migrations ran. It stops with the server: on Ctrl+C (the terminal
    signals both), on SIGTERM to the server (turned into a clean stop here), and by itself
    when its parent is gone (``BAKEN_WORKER_PARENT``), even after a SIGKILL."""
    import signal

    def stop_serving(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop_serving)
    signal.signal(signal.SIGINT, stop_serving)  # even where it was ignored (started with &)
    env = {**os.environ, "BAKEN_WORKER_PARENT": str(os.getpid())}
    return subprocess.Popen([sys.executable, "-m", "baken.cli", "worker"], env=env)  # noqa: S603


def _stop_worker(worker: subprocess.Popen[bytes]) -> None:
    """Ask the worker to stop (it finishes its running task) and wait for it."""
    if worker.poll() is None:
        worker.terminate()
    try:
        worker.wait(timeout=30)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait()


def cmd_worker(args: argparse.Namespace) -> int:
    """Run the background tasks (e-mail) and the reminder sweep until stopped."""
    import signal

    _setup_django(serving=not args.once)
    from django.conf import settings

    from baken.notifications import worker

    _require_migrated()
    interval = args.interval or settings.BAKEN_WORKER_INTERVAL
    if args.once:
        worker.run(interval=interval, once=True)
        print("baken worker: one sweep done, the queue is empty")
        return 0
    stop = worker.Stop()
    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    parent = os.environ.get("BAKEN_WORKER_PARENT", "")
    print(
        f"Baken worker runs: e-mail as it is queued, reminders every {interval} s "
        "(Ctrl+C stops it)",
        flush=True,
    )
    worker.run(interval=interval, stop=stop, parent_pid=int(parent) if parent.isdigit() else None)
    print("baken worker: stopped", flush=True)
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    """Fill an empty development database with synthetic organisations, users and dossiers."""
    _setup_django()
    from django.conf import settings

    if settings.PRODUCTION:
        raise InputError("baken demo refuses to run with BAKEN_ENV=production")
    _migrate_or_require_migrated()
    from baken.demo import fill_everything
    from baken.dossiers.demo import DemoRefused, fill_demo_database

    try:
        fill_demo_database(sys.stdout, extend=fill_everything)
    except DemoRefused as exc:
        raise InputError(str(exc)) from None
    return 0


def cmd_audit(args: argparse.Namespace) -> int:
    """The access log's transparency log: verify, checkpoint, key (baken.audit.commands);
    verify exits 1 naming every problem."""
    if args.audit_command != "key":
        _setup_django()
        if args.audit_command == "checkpoint":
            _require_migrated()
    from baken.audit.commands import run

    return run(args)


def cmd_keys_rotate(args: argparse.Namespace) -> int:
    """Re-encrypt every encrypted value with the first key of BAKEN_ENCRYPTION_KEYS, as the
    owner role when one is configured (the application's role may not rewrite entries)."""
    _setup_django(as_owner=True)
    from django.db import DatabaseError

    from baken.crypto import DecryptionError
    from baken.crypto.rotate import rotate

    try:
        result = rotate(dry_run=args.dry_run, progress=_progress)
    except DecryptionError as exc:
        raise InputError(
            f"a stored value does not decrypt with the configured keys: {exc}"
        ) from None
    except DatabaseError as exc:
        from baken.dbroles import one_line
        from baken.web.middleware import database_fault

        if database_fault(exc):
            raise  # one line from main(): the database cannot be reached
        raise InputError(
            "the database refused the rotation; the batches before it stay rotated, "
            "run it again to finish: "
            f"{one_line(exc)}{_owner_hint(exc)}"
        ) from None
    verb = "would re-encrypt" if args.dry_run else "re-encrypted"
    print(f"{verb} {result.rewritten} of {result.values} encrypted values with key {result.key_id}")
    return 0


def _progress(step: object) -> None:
    """One line on stderr after each batch of a long maintenance run (rotate, purge), so an
    operator sees it move; stdout keeps only the result."""
    print(f"baken: {step}", file=sys.stderr, flush=True)


def _owner_hint(exc: BaseException) -> str:
    """What to do when the application's role was refused a maintenance change (SQLSTATE
    42501, insufficient privilege): run it as the owner role."""
    from baken.dbroles import OWNER_URL_VARIABLE, owner_configured

    if getattr(exc.__cause__, "sqlstate", None) == "42501" and not owner_configured():
        return f" (this runs as the database's owner role: set {OWNER_URL_VARIABLE})"
    return ""


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def _pending_migrations() -> int:
    """How many migrations the database lacks; an unreachable database is bad input."""
    from django.db import DatabaseError, connection
    from django.db.migrations.executor import MigrationExecutor

    try:
        executor = MigrationExecutor(connection)
        return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))
    except DatabaseError as exc:
        from baken.dbroles import one_line

        raise InputError(f"the database cannot be used: {one_line(exc)}") from None


def _require_migrated() -> None:
    """Refuse to work on a database that is unreachable or not yet migrated."""
    pending = _pending_migrations()
    if pending:
        raise InputError(
            f"the database is not up to date: {_plural(pending, 'migration', 'migrations')} "
            "not applied (run `baken migrate`)"
        )


def cmd_migrate(args: argparse.Namespace) -> int:
    """Apply the migrations; with BAKEN_OWNER_DATABASE_URL as the owner role, then grant the
    application's role (DATABASE_URL's) exactly its privileges (baken.dbroles)."""
    from django.core.management import call_command
    from django.db import DatabaseError

    from baken import dbroles

    _setup_django(as_owner=True)
    try:
        role = dbroles.application_role() if dbroles.owner_configured() else None
        if role is not None:
            dbroles.check_ownership(role)
        pending = _pending_migrations()
        call_command("migrate", interactive=False, verbosity=0)
        grants = dbroles.grant(role) if role is not None else None
    except dbroles.RoleError as exc:
        raise InputError(str(exc)) from None
    except DatabaseError as exc:
        from baken.web.middleware import database_fault

        if database_fault(exc):
            raise  # one line from main(): the database cannot be reached
        raise InputError(f"the database refused the migration: {dbroles.one_line(exc)}") from None
    done = _plural(pending, "migration", "migrations") + " applied" if pending else "up to date"
    if grants is None:
        print(f"database {done} (no {dbroles.OWNER_URL_VARIABLE}: as the role of DATABASE_URL)")
    else:
        print(f"database {done} as the owner role {grants.role.owner}")
        print(grants.summary())
    return 0


def cmd_purge(args: argparse.Namespace) -> int:
    """Purge the closed dossiers whose retention term (BAKEN_RETENTION_YEARS) has passed, as
    the owner role when one is configured (the application's role may not delete entries)."""
    _setup_django(as_owner=True)
    from django.db import DatabaseError
    from django.utils import timezone

    from baken.dbroles import one_line
    from baken.dossiers.retention import DueDossier, PurgeResult, PurgeStopped, purge

    _require_migrated()

    def report(result: PurgeResult) -> None:
        for due in result.dossiers:
            print(
                f"{due.dossier_id}  organisation {due.organisation_id}  "
                f"closed on {timezone.localdate(due.closed_at)}  due since {due.due_on}  "
                f"{_plural(due.entry_count, 'entry', 'entries')}"
            )

    def count(dossiers: tuple[DueDossier, ...]) -> str:
        return _plural(len(dossiers), "dossier", "dossiers")

    try:
        result = purge(dry_run=args.dry_run, progress=_progress)
    except PurgeStopped as exc:
        report(exc.done)
        print(f"{count(exc.done.dossiers)} purged")
        print(
            f"baken: error: dossier {exc.dossier_id} could not be purged, nothing of it was "
            f"deleted: {one_line(exc.cause)}{_owner_hint(exc.cause)}",
            file=sys.stderr,
        )
        return EXIT_INVALID
    except DatabaseError as exc:
        raise InputError(f"the database refused the purge: {one_line(exc)}") from None
    report(result)
    from baken.chain.services import purge_orphaned_shares

    shares = purge_orphaned_shares(dry_run=args.dry_run)
    if shares:
        verb = "would purge" if args.dry_run else "purged"
        print(
            f"{verb} {_plural(shares, 'request or melding', 'requests and meldingen')} "
            "sent from dossiers that no longer exist"
        )
    term = f"retention term: {_plural(result.retention_years, 'year', 'years')} after closing"
    if not result.dossiers:
        print(f"nothing is due ({term})")
    elif result.dry_run:
        print(f"would purge {count(result.dossiers)} ({term})")
    else:
        print(f"{count(result.dossiers)} purged ({term})")
    return 0


def cmd_keys_generate(args: argparse.Namespace) -> int:
    """Print a new random key (base64) to put first in BAKEN_ENCRYPTION_KEYS."""
    from baken.crypto import Keyring

    print(Keyring.generate())
    return 0


def _port(value: str) -> int:
    try:
        port = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {value!r}") from None
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"port must be between 1 and 65535, got {port}")
    return port


def _seconds(value: str) -> int:
    if not (value.isascii() and value.isdigit()) or not 1 <= int(value) <= 3600:
        raise argparse.ArgumentTypeError(f"must be a whole number of seconds, 1 to 3600: {value!r}")
    return int(value)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="baken",
        description="Baken: the Signaleringsprotocol Mensenhandel as working software.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    protocol = commands.add_parser("protocol", help="export, list or validate protocol files")
    protocol_commands = protocol.add_subparsers(dest="protocol_command", required=True)
    export = protocol_commands.add_parser("export", help="print a protocol as JSON")
    export.add_argument("--protocol", metavar="ID", help="protocol id (default: the default)")
    export.set_defaults(handler=cmd_export)
    listing = protocol_commands.add_parser("list", help="list the installed protocols")
    listing.set_defaults(handler=cmd_list)
    validate = protocol_commands.add_parser("validate", help="check a protocol file")
    validate.add_argument("file", metavar="FILE")
    validate.set_defaults(handler=cmd_validate)

    assess_parser = commands.add_parser(
        "assess", help="read a situation as JSON and print the advice as JSON"
    )
    assess_parser.add_argument("file", metavar="FILE|-", help="situation file, or - for stdin")
    assess_parser.set_defaults(handler=cmd_assess)

    audit = commands.add_parser("audit", help="the access log (NEN 7513)")
    audit_commands = audit.add_subparsers(dest="audit_command", required=True)
    from baken.audit.commands import add_commands

    add_commands(audit_commands)
    audit.set_defaults(handler=cmd_audit)

    keys = commands.add_parser("keys", help="encryption keys for data at rest")
    keys_commands = keys.add_subparsers(dest="keys_command", required=True)
    rotate_parser = keys_commands.add_parser(
        "rotate", help="re-encrypt everything with the first key of BAKEN_ENCRYPTION_KEYS"
    )
    rotate_parser.add_argument("--dry-run", action="store_true", help="count, change nothing")
    rotate_parser.set_defaults(handler=cmd_keys_rotate)
    generate_parser = keys_commands.add_parser("generate", help="print a new random key")
    generate_parser.set_defaults(handler=cmd_keys_generate)

    purge_parser = commands.add_parser(
        "purge",
        help="delete the closed dossiers whose retention term (BAKEN_RETENTION_YEARS) has passed",
    )
    purge_parser.add_argument(
        "--dry-run", action="store_true", help="list what would be purged, change nothing"
    )
    purge_parser.set_defaults(handler=cmd_purge)

    migrate = commands.add_parser(
        "migrate",
        help="apply the database migrations (as the owner role with BAKEN_OWNER_DATABASE_URL, "
        "then grant the application's role its privileges)",
    )
    migrate.set_defaults(handler=cmd_migrate)

    demo = commands.add_parser(
        "demo", help="fill an empty development database with synthetic demo data"
    )
    demo.set_defaults(handler=cmd_demo)

    serve = commands.add_parser("serve", help="start the web application")
    serve.add_argument("--port", type=_port, default=8000)
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument(
        "--with-worker",
        action="store_true",
        help="also run `baken worker` (e-mail and reminders) beside the server, as `make run` does",
    )
    serve.set_defaults(handler=cmd_serve)

    worker_parser = commands.add_parser(
        "worker", help="run the background tasks: e-mail, and the reminder sweep"
    )
    worker_parser.add_argument(
        "--interval",
        type=_seconds,
        default=None,
        metavar="SECONDS",
        help="seconds between two reminder sweeps (default: BAKEN_WORKER_INTERVAL, 60)",
    )
    worker_parser.add_argument(
        "--once",
        action="store_true",
        help="sweep once, run every queued task, then exit (for cron and tests)",
    )
    worker_parser.set_defaults(handler=cmd_worker)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code: int = args.handler(args)
    except InputError as exc:
        _fail(str(exc))
    except UnknownProtocolError as exc:
        _fail(str(exc))
    except ProtocolError as exc:
        _fail(f"an installed protocol does not validate:\n{exc}", EXIT_INVALID)
    except ImproperlyConfigured as exc:
        _fail(f"configuration: {exc}")
    except DatabaseError as exc:
        _database_fault(exc)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (e.g. `baken protocol export | head`): not an error of ours.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141
    return code


def _database_fault(exc: DatabaseError) -> NoReturn:
    """One line for a database that cannot be used (baken.web.middleware.database_fault);
    any other database error is a fault of ours and keeps its traceback."""
    from baken.web.middleware import database_fault

    fault = database_fault(exc)
    if fault == "storage_full":
        _fail(
            "the database's storage is full (database or disk is full), so nothing was "
            "written: make room on its disk or raise its quota, then run the command again",
            EXIT_INVALID,
        )
    if fault == "unavailable":
        said = next((line.strip() for line in str(exc).splitlines() if line.strip()), "")
        _fail(
            f"the database cannot be reached ({said or type(exc).__name__}): start it or wait "
            "until it is back, then run the command again",
            EXIT_INVALID,
        )
    raise exc


if __name__ == "__main__":
    sys.exit(main())
