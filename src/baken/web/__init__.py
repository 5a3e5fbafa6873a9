"""The web front: base templates, NL Design System assets and the protocol handbook pages."""
