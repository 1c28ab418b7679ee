"""No HTML sink in the consoles' code (issue 12, Browsers): the scripts build DOM nodes with `textContent` and hand
Leaflet elements, the templates let Jinja escape everything and carry no inline script or style.

A static scan, so that a sink added later fails here before any payload finds it; `REVIEWED` lists the lines a
person checked and accepted (none today). The browser test (`test_browsers_xss.py`) proves the same with payloads.
"""

from __future__ import annotations

import re
from pathlib import Path

from sisamu.web.templating import templates

WEB = Path(templates.env.loader.searchpath[0]).parent  # type: ignore[union-attr]
SCRIPTS = sorted((WEB / "static" / "js").glob("*.js"))
TEMPLATES = sorted((WEB / "templates").rglob("*.html"))

# Leaflet's content setters parse a string as HTML: their argument must be an element (`S.tip`, `S.el`, `el`).
_LEAFLET = r"\.(?:bindTooltip|bindPopup|setTooltipContent|setPopupContent|openTooltip|openPopup)\("
_ELEMENT = r"(?:S\.tip|S\.el|tip|el)\("
JS_SINKS = {
    "innerHTML / outerHTML": re.compile(r"\.(?:inner|outer)HTML\b"),
    "insertAdjacentHTML": re.compile(r"\binsertAdjacentHTML\b"),
    "document.write": re.compile(r"\bdocument\.write(?:ln)?\b"),
    "parsed markup": re.compile(r"\b(?:createContextualFragment|DOMParser|parseFromString)\b|\bsrcdoc\b"),
    "eval": re.compile(r"\beval\(|\bnew Function\b|\bset(?:Timeout|Interval)\(\s*['\"`]"),
    "Leaflet content as a string": re.compile(_LEAFLET + r"(?!\s*(?:" + _ELEMENT + r"|\)))"),
    "Leaflet icon html as a string": re.compile(r"\bhtml\s*:(?!\s*" + _ELEMENT + r")"),
    "markup in a string": re.compile(r"""['"`]\s*<\s*/?[a-zA-Z]"""),
    "javascript: URL": re.compile(r"javascript:", re.IGNORECASE),
    "event handler attribute": re.compile(r"""setAttribute\(\s*['"]on""", re.IGNORECASE),
}
TEMPLATE_SINKS = {
    "unescaped output": re.compile(r"\|\s*safe\b|autoescape\s+false|\bMarkup\(", re.IGNORECASE),
    "inline script": re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE),
    "inline event handler": re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE),
    "inline style": re.compile(r"<style\b|<[^>]*\sstyle\s*=", re.IGNORECASE),
    "javascript: URL": re.compile(r"javascript:", re.IGNORECASE),
}
REVIEWED: set[tuple[str, str]] = set()  # (file name, stripped line) accepted after review


def _code(line: str) -> str:
    """The line without a trailing `//` comment (comments may name the sinks they avoid)."""
    return re.sub(r"(^|\s)//.*$", "", line)


def scan(text: str, sinks: dict[str, re.Pattern[str]], *, js: bool) -> list[tuple[str, str]]:
    found = []
    for line in text.splitlines():
        code = _code(line) if js else line
        found += [(name, line.strip()) for name, sink in sinks.items() if sink.search(code)]
    return found


def test_no_script_of_the_consoles_writes_html():
    assert len(SCRIPTS) >= 5
    found = {
        (path.name, line, sink)
        for path in SCRIPTS
        for sink, line in scan(path.read_text(), JS_SINKS, js=True)
        if (path.name, line) not in REVIEWED
    }
    assert found == set()


def test_no_template_writes_unescaped_text_or_inline_code():
    assert len(TEMPLATES) >= 5
    found = {
        (str(path.relative_to(WEB)), line, sink)
        for path in TEMPLATES
        for sink, line in scan(path.read_text(), TEMPLATE_SINKS, js=False)
    }
    assert found == set()
    assert templates.env.autoescape is True or templates.env.autoescape("page.html")  # type: ignore[operator]


def test_the_scan_finds_each_sink():
    """The scan is not blind: each kind of sink, written the way it slips in, is found."""
    bad_js = """
      list.innerHTML = "<li>" + name;
      box.insertAdjacentHTML("beforeend", name);
      document.write(name);
      new DOMParser().parseFromString(name, "text/html");
      setTimeout("go()", 10);
      marker.bindTooltip(u.name + " — " + u.status);
      L.divIcon({ className: "unit-dot", html: '<span style="background:' + color + '"></span>' });
      a.href = "javascript:void(0)";
      b.setAttribute("onclick", name);
    """
    kinds = {kind for kind, _ in scan(bad_js, JS_SINKS, js=True)}
    assert kinds == set(JS_SINKS)
    good_js = """
      marker.bindTooltip(S.tip(u.name)); marker.bindTooltip(tip(h.name)); L.divIcon({ html: S.el("span", "H") });
      li.textContent = name; // never innerHTML
    """
    assert scan(good_js, JS_SINKS, js=True) == []
    bad_html = """{{ name|safe }} <script>go()</script> <a onclick="go()"> <p style="color:red"> <a href="javascript:x">"""
    assert {kind for kind, _ in scan(bad_html, TEMPLATE_SINKS, js=False)} == set(TEMPLATE_SINKS)
    assert scan('<script src="/static/js/arm.js" defer></script>', TEMPLATE_SINKS, js=False) == []
