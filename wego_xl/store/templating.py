"""Filling a Word template (docxtpl) in Jinja's sandbox, and writing the document: each
template's text is compiled once per process, not once per document (the compiling was half
the time of writing one)."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from ..errors import FileError
from .saving import save_new

#: How many compiled template texts are kept (each kind's body, footer and properties).
_KEPT = 64
_COMPILED: dict[str, Any] = {}


@cache
def _sandbox() -> Any:
    """Jinja's immutable sandbox, remembering what it compiled: a template is layout, never
    code, so it refuses Python's internals (attributes starting with _, functions' globals,
    changing what it is given); a field the template names but no document has is an error,
    never a blank on paper."""
    from jinja2 import StrictUndefined
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    class Sandbox(ImmutableSandboxedEnvironment):
        def from_string(self, source: Any, globals: Any = None, template_class: Any = None) -> Any:
            if not isinstance(source, str) or globals is not None or template_class is not None:
                return super().from_string(source, globals, template_class)
            if source not in _COMPILED:
                if len(_COMPILED) >= _KEPT:
                    _COMPILED.clear()
                _COMPILED[source] = super().from_string(source)
            return _COMPILED[source]

    return Sandbox(undefined=StrictUndefined, autoescape=True)


def render(template: Path, context: dict[str, Any], target: Path) -> Path:
    """Fill ``template`` with ``context`` and write ``target`` (a temporary file, then a rename)."""
    from docxtpl import DocxTemplate
    from jinja2 import TemplateError
    from jinja2.exceptions import SecurityError

    if not template.exists():
        raise FileError(f"the template {template} is missing: run 'wego-xl init' for a copy, or give --templates")
    doc = DocxTemplate(str(template))
    try:
        doc.render(context, jinja_env=_sandbox(), autoescape=True)
    except SecurityError as exc:
        raise FileError(
            f"the template {template.name} was refused: a field reaches for Python's internals ({exc}); a template "
            "holds layout and the fields listed in the README, never code: restore it from the shipped one"
        ) from None
    except TemplateError as exc:
        raise FileError(
            f"the template {template.name} cannot be filled: {exc}; correct the field in Word "
            "(fields are listed in the README), or delete the template to use the shipped one"
        ) from None
    return save_new(doc, target)
