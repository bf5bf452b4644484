"""Equation numbers, ``\\label`` and ``\\eqref``, which KaTeX leaves to the page.

Display formulas are numbered in document order, as LaTeX would (mode ``ams``): each row
of a non-starred ``equation``/``align``/``gather``/``alignat`` environment, and any other
display formula that carries a ``\\label``. ``\\tag{…}`` sets a number by hand, ``\\notag``
and ``\\nonumber`` drop it. The numbered TeX is typeset with explicit ``\\tag``s, so KaTeX's
own CSS counters never disagree with the numbers ``\\eqref`` prints.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

NUMBERED_ENVS = ("equation", "align", "gather", "alignat", "multline", "flalign", "eqnarray")
KATEX_STAND_INS = {"multline": "gather", "flalign": "align", "eqnarray": "align"}
"""Environments KaTeX lacks, typeset with the closest one it has."""
SINGLE_NUMBER_ENVS = ("equation", "multline")
_LABEL = re.compile(r"\\label\s*\{([^{}]*)\}")
_TAG = re.compile(r"\\tag\*?\s*\{([^{}]*)\}")
_NOTAG = re.compile(r"\\(?:notag|nonumber)\b")
_REF = re.compile(r"\\(eqref|ref)\s*\{([^{}]*)\}")
_ENV = re.compile(r"^\\begin\{(" + "|".join(NUMBERED_ENVS) + r")(\*?)\}(.*)\\end\{\1\2\}$", re.S)


@dataclass
class NumberedFormula:
    """A display formula made ready for KaTeX."""

    tex: str
    anchors: list[str] = field(default_factory=list)
    """Element ids of the labels it defines."""


@dataclass
class EquationNumbers:
    """The numbering state of one document."""

    mode: str = "ams"
    counter: int = 0
    labels: dict[str, str] = field(default_factory=dict)
    """Label → printed number (without parentheses)."""
    duplicates: list[tuple[str, int | None]] = field(default_factory=list)
    """Labels defined again, with the 0-based body line of the second definition."""
    _line: int | None = None

    def number(self, tex: str, line: int | None = None) -> NumberedFormula:
        """Number one display formula (found at body ``line``); called in document order."""
        self._line = line
        body = tex.strip()
        env = _ENV.match(body)
        if env is None:
            return self._number_rows([body], auto=False, rebuild=lambda rows: rows[0])
        name, star, inner = env.group(1), env.group(2), env.group(3)
        auto = not star and self.mode == "ams"
        katex_name = KATEX_STAND_INS.get(name, name)

        def rebuild(rows: list[str]) -> str:
            return f"\\begin{{{katex_name}*}}" + "\\\\".join(rows) + f"\\end{{{katex_name}*}}"

        if name in SINGLE_NUMBER_ENVS:
            return self._number_rows([inner], auto=auto, rebuild=rebuild)
        return self._number_rows(split_rows(inner), auto=auto, rebuild=rebuild)

    def _number_rows(
        self, rows: list[str], auto: bool, rebuild: Callable[[list[str]], str]
    ) -> NumberedFormula:
        anchors: list[str] = []
        out: list[str] = []
        for row in rows:
            labels = _LABEL.findall(row)
            row = _LABEL.sub("", row)
            tag = _TAG.search(row)
            if _NOTAG.search(row):
                row = _NOTAG.sub("", row)
                number = None
            elif tag is not None:
                number = tag.group(1)
            elif auto or labels:
                if not row.strip() and not labels:
                    number = None
                else:
                    self.counter += 1
                    number = str(self.counter)
                    row = row.rstrip() + f" \\tag{{{number}}}"
            else:
                number = None
            for label in labels:
                if label in self.labels:
                    self.duplicates.append((label, self._line))
                    continue
                self.labels[label] = number if number is not None else "?"
                anchors.append(anchor_id(label))
            out.append(row)
        return NumberedFormula(rebuild(out), anchors)

    def resolve_refs(self, tex: str) -> tuple[str, list[str]]:
        """Replace ``\\eqref{x}``/``\\ref{x}`` in a formula by links; returns the unknown labels."""
        missing: list[str] = []

        def replace(match: re.Match[str]) -> str:
            command, label = match.group(1), match.group(2)
            number = self.labels.get(label)
            if number is None:
                missing.append(label)
                number = "??"
            text = f"({number})" if command == "eqref" else number
            return f"\\href{{#{anchor_id(label)}}}{{\\text{{{text}}}}}"

        return _REF.sub(replace, tex), missing

    def ref_html(self, command: str, label: str) -> tuple[str, bool]:
        """HTML for a formula that is only ``\\eqref{x}``; the flag is False when x is unknown."""
        number = self.labels.get(label)
        text = f"({number or '??'})" if command == "eqref" else (number or "??")
        return f'<a class="eqref" href="#{anchor_id(label)}">{text}</a>', number is not None


def strip_labels(tex: str) -> str:
    """``tex`` without its ``\\label{…}`` commands (which KaTeX does not know)."""
    return _LABEL.sub("", tex)


def only_ref(tex: str) -> tuple[str, str] | None:
    """``(command, label)`` when the formula is nothing but one ``\\eqref``/``\\ref``."""
    match = _REF.fullmatch(tex.strip())
    return (match.group(1), match.group(2)) if match else None


def has_refs(tex: str) -> bool:
    """Whether the formula refers to a label."""
    return "ref" in tex and _REF.search(tex) is not None


def anchor_id(label: str) -> str:
    """The element id of a label: ``eq:bellman`` → ``eq-bellman``."""
    name = re.sub(r"^eq[:\-_.]", "", label.strip())
    return "eq-" + (re.sub(r"[^\w\-]+", "-", name, flags=re.UNICODE).strip("-") or "x")


def split_rows(body: str) -> list[str]:
    """Split an environment body at its top-level ``\\\\`` (not inside braces or nested envs)."""
    rows: list[str] = []
    depth = 0
    start = 0
    i = 0
    while i < len(body):
        ch = body[i]
        if ch == "\\":
            if body.startswith("\\begin", i):
                depth += 1
            elif body.startswith("\\end", i):
                depth -= 1
            elif body.startswith("\\\\", i) and depth == 0:
                rows.append(body[start:i])
                i += 2
                start = i
                continue
            i += 2
            continue
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        i += 1
    rows.append(body[start:])
    if len(rows) > 1 and not rows[-1].strip():
        rows.pop()
    return rows
