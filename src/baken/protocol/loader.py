"""Loading and validating protocol files, and the registry of installed protocols.

This module is the protocol package's only door to the file system. A protocol
is parsed once per process: :func:`default_registry` is cached.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml
from pydantic import ValidationError

from baken.protocol.schema import Protocol

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's safe loader when PyYAML was built with it (about ten times faster)."""
DATA_DIR = Path(__file__).with_name("data")
DEFAULT_PROTOCOL_ID = "gelderland-midden-2018"
PATH_ENV = "BAKEN_PROTOCOL_PATH"
"""Extra directories with protocol files, separated by ``os.pathsep``."""
DEFAULT_ENV = "BAKEN_DEFAULT_PROTOCOL"
"""The protocol used when a situation names none."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a protocol file: where, and what."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class ProtocolError(Exception):
    """A protocol file could not be read or does not fit the schema."""

    def __init__(self, source: str, problems: list[Problem]) -> None:
        self.source = source
        self.problems = problems
        lines = "\n".join(f"  {problem}" for problem in problems)
        super().__init__(f"{source}: {len(problems)} problem(s)\n{lines}")


class UnknownProtocolError(LookupError):
    """No installed protocol has the requested id."""

    def __init__(self, protocol_id: str, known: Iterable[str], setting: str | None = None) -> None:
        self.protocol_id = protocol_id
        self.known = sorted(known)
        where = f" (set in {setting})" if setting else ""
        super().__init__(
            f"unknown protocol {protocol_id!r}{where}; installed: {', '.join(self.known) or 'none'}"
        )


def _location(loc: tuple[int | str, ...]) -> str:
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else part)
    return path


def parse_protocol(text: str, source: str = "<string>") -> Protocol:
    """Parse and validate the YAML text of a protocol file.

    Raises :class:`ProtocolError` listing every problem with the path of the bad item.
    """
    try:
        data = yaml.load(text, Loader=_LOADER)  # noqa: S506 - a safe loader, C if available
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ProtocolError(source, [Problem(where, f"not valid YAML: {problem}")]) from None
    if not isinstance(data, dict):
        raise ProtocolError(source, [Problem("", "a protocol file must hold a mapping at the top")])
    try:
        return Protocol.model_validate(data)
    except ValidationError as exc:
        problems = []
        for error in exc.errors(include_url=False):
            message = error["msg"].removeprefix("Value error, ")
            problems.append(Problem(_location(tuple(error["loc"])), message))
        raise ProtocolError(source, problems) from None


def load_protocol(path: Path) -> Protocol:
    """Read and validate one protocol file."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ProtocolError(str(path), [Problem("", f"cannot read the file: {exc}")]) from None
    return parse_protocol(text, str(path))


class Registry:
    """The protocols installed side by side, by id."""

    def __init__(self, protocols: Iterable[Protocol], default_id: str | None = None) -> None:
        self._protocols: dict[str, Protocol] = {}
        for protocol in protocols:
            if protocol.id in self._protocols:
                raise ProtocolError(
                    "(installed protocols)",
                    [Problem("id", f"protocol id {protocol.id!r} is installed twice")],
                )
            self._protocols[protocol.id] = protocol
        if default_id is None and len(self._protocols) == 1:
            default_id = next(iter(self._protocols))
        if default_id is not None and default_id not in self._protocols:
            raise UnknownProtocolError(default_id, self._protocols)
        self.default_id = default_id

    @classmethod
    def from_directories(cls, directories: Iterable[Path], default_id: str | None) -> Registry:
        """Load every ``*.yaml`` file in the given directories."""
        seen: dict[str, Path] = {}
        protocols = []
        for path in (path for d in directories for path in sorted(d.glob("*.yaml"))):
            protocol = load_protocol(path)
            if protocol.id in seen:
                raise ProtocolError(
                    str(path),
                    [
                        Problem(
                            "id", f"protocol id {protocol.id!r} is already in {seen[protocol.id]}"
                        )
                    ],
                )
            seen[protocol.id] = path
            protocols.append(protocol)
        return cls(protocols, default_id)

    def __iter__(self) -> Iterator[Protocol]:
        return iter(self._protocols.values())

    def __len__(self) -> int:
        return len(self._protocols)

    def ids(self) -> list[str]:
        """The installed protocol ids, sorted."""
        return sorted(self._protocols)

    def get(self, protocol_id: str | None = None) -> Protocol:
        """The protocol with this id, or the default one when ``protocol_id`` is None."""
        wanted = protocol_id if protocol_id is not None else self.default_id
        if wanted is None:
            raise UnknownProtocolError("(default)", self._protocols)
        try:
            return self._protocols[wanted]
        except KeyError:
            raise UnknownProtocolError(wanted, self._protocols) from None


@cache
def default_registry() -> Registry:
    """The protocols shipped with Baken plus those in ``$BAKEN_PROTOCOL_PATH``; parsed once."""
    directories = [DATA_DIR]
    extra = os.environ.get(PATH_ENV, "")
    directories += [Path(part) for part in extra.split(os.pathsep) if part]
    chosen = os.environ.get(DEFAULT_ENV)
    try:
        return Registry.from_directories(directories, chosen or DEFAULT_PROTOCOL_ID)
    except UnknownProtocolError as exc:
        if chosen:
            raise UnknownProtocolError(exc.protocol_id, exc.known, setting=DEFAULT_ENV) from None
        raise
