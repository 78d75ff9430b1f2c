"""The learner's language: English (the default) or Chinese (``zh``, the Chinese edition of
the notebooks), and the one catalogue of the words a learner sees in figures and widgets.

    >>> import lt_causal as lc
    >>> lc.set_language("zh")            # or LT_CAUSAL_LANG=zh in the environment
    >>> lc.language()
    'zh'

Views look every visible string up with :func:`text` (``text("accuracy_axis")``); each
entry of :data:`STRINGS` holds the English and the Chinese of one string, written once. Names the
code holds as values (shot groups, test priors, table columns) go through :func:`term`, keyed by
that value (:data:`TERMS`, both languages of an entry under one identifier); names a data set
gives (its classes) through :func:`display_name`. Under
Chinese, matplotlib draws with a CJK font (Noto Sans CJK SC from Debian's ``fonts-noto-cjk``,
:data:`CJK_FONTS` in order of preference, with a warning when none is installed) and plotly
figures ask the browser for the same family (:func:`plotly_font`).
"""
from __future__ import annotations

import os
import warnings
from contextlib import contextmanager

from lt_causal.checks import check_choice
from lt_causal.language_strings import STRINGS
from lt_causal.language_terms import NAMES, TERMS

LANGUAGES = ("en", "zh")
ENV_VAR = "LT_CAUSAL_LANG"
# CJK fonts in order of preference; Debian's fonts-noto-cjk provides the first ones
CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans CJK JP", "Noto Sans SC", "Source Han Sans SC",
             "WenQuanYi Zen Hei", "Microsoft YaHei", "PingFang SC", "SimHei")
FONT_HINT = "install Debian's fonts-noto-cjk (apt-get install fonts-noto-cjk) or any font in CJK_FONTS"

_chosen: str | None = None            # set_language's choice; None: the environment's (or English)
_saved_rc: dict = {}                 # the rcParams replaced while Chinese is active, to restore them
_font_checked = False                # Chinese fonts set up (or found missing and warned about)


def language() -> str:
    """The active language: the last :func:`set_language`, else ``$LT_CAUSAL_LANG``, else ``"en"``."""
    if _chosen is not None:
        return _chosen
    return check_choice(os.environ.get(ENV_VAR, "en").strip().lower() or "en", LANGUAGES,
                        f"language in ${ENV_VAR}")


def set_language(name: str) -> None:
    """Make ``name`` (``"en"`` or ``"zh"``) the language of every figure and widget drawn from
    now on, and switch matplotlib's font to match (:func:`language` tells which is active)."""
    global _chosen
    _chosen = check_choice(str(name).strip().lower(), LANGUAGES, "language")
    configure_matplotlib()


@contextmanager
def using_language(name: str):
    """``with using_language("zh"): ...`` draws in ``name`` and restores the language after."""
    global _chosen
    before = _chosen
    set_language(name)
    try:
        yield name
    finally:
        _chosen = before
        configure_matplotlib()


def localized(english: str, chinese: str) -> str:
    """The one of two texts the active language reads: ``chinese`` under Chinese, else ``english``."""
    return chinese if language() == "zh" else english


def text(key: str, **fields) -> str:
    """The catalogue string ``key`` in the active language, formatted with ``fields``."""
    if key not in STRINGS:
        raise ValueError(f"unknown UI string {key!r}; add it to lt_causal/language_strings.py")
    template = localized(*STRINGS[key])
    return template.format(**fields) if fields else template


def sentences(parts) -> str:
    """Sentences joined as the active language writes them: a space between English ones, nothing
    between Chinese ones (each ends with 。)."""
    return localized(" ", "").join(parts)


def listing(parts) -> str:
    """Items of a list in a sentence, joined as the active language writes them (", " or "，")."""
    return localized(", ", "，").join(map(str, parts))


def aside(name: str, note: str) -> str:
    """``name`` with ``note`` in parentheses, as the active language writes them ("x (α=3)", "x（α=3）")."""
    return localized(f"{name} ({note})", f"{name}（{note}）")


class Reading(str):
    """A sentence or paragraph computed from results in the active language (``gain_reading``,
    ``alpha_reading``); a notebook shows it as Markdown, code uses it as the string it is."""

    def _repr_markdown_(self) -> str:
        return str(self)


class Phrase:
    """A sentence of the library's that is worded when it is shown, not when it is made: formatting
    it (``f"{phrase}"``, :func:`str`) calls ``make`` under the language active then. A value kept
    for both editions (an exercise's facts) holds it instead of an English or Chinese string."""

    def __init__(self, make):
        self._make = make

    def __format__(self, spec: str) -> str:
        return format(self._make(), spec)

    def __str__(self) -> str:
        return self._make()

    def __repr__(self) -> str:
        return f"Phrase({self._make()!r})"


def term(identifier: str) -> str:
    """A name the code uses (a shot group, a test prior, a table's column) in the active language,
    from its :data:`TERMS` entry; one ValueError naming an identifier without an entry, in either
    language, so a label added without its Chinese fails in the English tests too."""
    if identifier not in TERMS:
        raise ValueError(f"unknown term {identifier!r}; add it to TERMS in lt_causal/language_terms.py")
    return localized(*TERMS[identifier])


def display_name(value) -> str:
    """A name that may come from the data (a class, a column of a user's table, a run's name) in the
    active language: a :data:`TERMS` identifier as :func:`term` shows it, a name in :data:`NAMES`
    in Chinese under Chinese, any other name as it is. Under Chinese a paper's spelling of a term
    (other capitals, a trailing † as Table 2 marks re-implemented systems: ``Focal Loss†``) shows
    as that term's Chinese."""
    value = str(value)
    if value in TERMS:
        return term(value)
    if language() != "zh":
        return value
    if value in NAMES:
        return NAMES[value]
    core, mark = (value[:-1], value[-1]) if value.endswith("†") else (value, "")
    pair = _folded_terms().get(core.casefold())
    return pair[1] + mark if pair else value


_FOLDED: dict | None = None


def _folded_terms() -> dict:
    """:data:`TERMS` by case-folded identifier (built once)."""
    global _FOLDED
    if _FOLDED is None:
        _FOLDED = {k.casefold(): v for k, v in TERMS.items()}
    return _FOLDED


def cjk_font() -> tuple[str, str] | None:
    """(family, file) of the first installed font of :data:`CJK_FONTS` that matplotlib can use,
    or None. Fonts installed after matplotlib built its font cache are added from the system."""
    from matplotlib import font_manager as fm

    def find():
        by_name = {f.name: f.fname for f in fm.fontManager.ttflist}
        return next(((name, by_name[name]) for name in CJK_FONTS if name in by_name), None)

    found = find()
    if found is None:
        for path in fm.findSystemFonts():
            if "cjk" in os.path.basename(path).lower() or "wqy" in path.lower():
                try:
                    fm.fontManager.addfont(path)
                except (OSError, RuntimeError, ValueError):
                    continue
        found = find()
    return found


def configure_matplotlib() -> None:
    """Under Chinese put the CJK font behind matplotlib's sans-serif font (Latin letters keep
    their look, Chinese characters fall back to the CJK font); under English restore the
    settings. Warns once, with :data:`FONT_HINT`, when no CJK font is installed."""
    import matplotlib

    global _font_checked
    rc = matplotlib.rcParams
    if language() != "zh":
        rc.update(_saved_rc)
        _saved_rc.clear()
        _font_checked = False
        return
    if _font_checked:
        return
    _font_checked = True
    found = cjk_font()
    if found is None:
        warnings.warn(f"no Chinese (CJK) font found, Chinese text in figures will show as boxes: {FONT_HINT}",
                      stacklevel=3)
        return
    _saved_rc.update({"font.family": list(rc["font.family"]), "font.sans-serif": list(rc["font.sans-serif"]),
                      "axes.unicode_minus": rc["axes.unicode_minus"]})
    fonts = list(rc["font.sans-serif"])
    # matplotlib falls back glyph by glyph only between the families named in font.family
    rc["font.family"] = fonts[:1] + [found[0], "sans-serif"]
    rc["font.sans-serif"] = fonts[:1] + [found[0]] + [f for f in fonts[1:] if f != found[0]]
    rc["axes.unicode_minus"] = False


def plotly_font() -> dict:
    """The ``font`` of a plotly layout: the CJK families (browser fonts) under Chinese, else {}."""
    if language() != "zh":
        return {}
    return {"family": ", ".join(['"Open Sans"', "verdana", "arial", *(f'"{f}"' for f in CJK_FONTS),
                                 "sans-serif"])}
