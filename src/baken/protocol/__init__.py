"""The protocol as versioned data: schema, loader and registry (pure Python, no Django)."""

from baken.protocol.loader import (
    Problem,
    ProtocolError,
    Registry,
    UnknownProtocolError,
    default_registry,
    load_protocol,
    parse_protocol,
)
from baken.protocol.schema import ExploitationForm, Protocol

__all__ = [
    "ExploitationForm",
    "Problem",
    "Protocol",
    "ProtocolError",
    "Registry",
    "UnknownProtocolError",
    "default_registry",
    "load_protocol",
    "parse_protocol",
]
