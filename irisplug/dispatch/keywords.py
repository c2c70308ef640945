"""One rule for the keywords a call passes on to a contribution.

``irisplug.read``, ``write``, ``calibrate``, ``fit``, ``view``, ``coalign``
and ``fetch`` pass their extra keywords to the chosen contribution's
callable. The keywords it takes are the named parameters of that callable
after its inputs, plus what the descriptor declares in ``options`` (for a
callable whose signature ends in ``**kwargs``): plain names, or
``"package.module:function"`` references to the functions the keywords are
passed on to, whose keyword-only and defaulted parameters then count. Any other keyword is
refused before the callable runs, with an
:class:`~irisplug.errors.UnknownKeywordError` naming the keyword, the
contribution and the valid keywords (with close matches for a misspelling).
A callable that takes ``**kwargs`` and whose descriptor declares no
``options`` receives whatever it is given: it is then the contribution's
own duty to refuse what it does not know.

Examples
--------
>>> from irisplug.descriptors import FetcherDescriptor
>>> def fetch(dest, *, size="small"):
...     return []
>>> check_keywords(FetcherDescriptor(name="demo", fetch=fetch), "fetch", {"sise": "full"}, inputs=1)
Traceback (most recent call last):
...
irisplug.errors.UnknownKeywordError: fetcher 'demo' takes no keyword 'sise' (did you mean 'size'?); valid keywords: size
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from irisplug.descriptors import Descriptor, is_reference, resolve_reference
from irisplug.errors import UnknownKeywordError

__all__ = ["accepted_keywords", "valid_keywords", "check_keywords", "unknown_keyword_error"]


@functools.lru_cache(maxsize=512)
def accepted_keywords(func: Callable[..., Any], inputs: int) -> tuple[tuple[str, ...], bool]:
    """``(names, takes_var_keyword)`` of ``func`` after its first ``inputs`` positional parameters.

    Examples
    --------
    >>> def f(obj, template=None, *, window=None, **kw):
    ...     pass
    >>> accepted_keywords(f, 1)
    (('template', 'window'), True)
    """
    try:
        params = list(inspect.signature(func).parameters.values())
    except (TypeError, ValueError):  # a builtin without a signature: nothing can be said
        return (), True
    names = []
    skipped = 0
    for p in params:
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) and skipped < inputs:
            skipped += 1
            continue
        if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY):
            names.append(p.name)
    return tuple(names), any(p.kind is p.VAR_KEYWORD for p in params)


def valid_keywords(desc: Descriptor, attr: str, *, inputs: int) -> frozenset[str] | None:
    """The keywords contribution ``desc`` takes through its callable ``attr``; None when unchecked.

    None means the callable takes ``**kwargs`` and the descriptor declares no
    ``options``.
    """
    func = desc.resolve(attr)
    if func is None:
        return frozenset()
    names, open_ = accepted_keywords(func, inputs)
    if desc.options is None:
        return None if open_ else frozenset(names)
    valid = set(names)
    for option in desc.options:
        if is_reference(option):
            target = resolve_reference(option, plugin=desc.plugin, what=f"{desc.kind} {desc.name!r} options")
            valid.update(_optional_parameters(target))
        else:
            valid.add(option)
    return frozenset(valid)


@functools.lru_cache(maxsize=256)
def _optional_parameters(func: Callable[..., Any]) -> tuple[str, ...]:
    """Keyword-only parameters and those with a default: what a forwarding callable may pass on."""
    try:
        params = inspect.signature(func).parameters.values()
    except (TypeError, ValueError):
        return ()
    return tuple(
        p.name
        for p in params
        if p.kind is p.KEYWORD_ONLY or (p.kind is p.POSITIONAL_OR_KEYWORD and p.default is not p.empty)
    )


def unknown_keyword_error(
    unknown: Iterable[str], valid: Iterable[str], where: str, *, plugin: str | None = None, lead: str | None = None
) -> UnknownKeywordError:
    """The error for keywords ``unknown`` refused by ``where``, listing ``valid`` and close matches.

    ``lead`` replaces the opening "``where`` takes no keyword" of the message.

    Examples
    --------
    >>> print(unknown_keyword_error(["lazzy"], ["lazy", "windows"], "reader 'iris-l2'"))
    reader 'iris-l2' takes no keyword 'lazzy' (did you mean 'lazy'?); valid keywords: lazy, windows
    """
    import difflib

    valid = sorted(set(valid))
    parts = []
    for key in unknown:
        close = difflib.get_close_matches(key, valid, n=3, cutoff=0.6)
        hint = f" (did you mean {' or '.join(repr(c) for c in close)}?)" if close else ""
        parts.append(f"{key!r}{hint}")
    noun = "keyword" if len(parts) == 1 else "keywords"
    opening = lead if lead is not None else f"{where} takes no {noun}"
    return UnknownKeywordError(
        f"{opening} {', '.join(parts)}; valid keywords: {', '.join(valid) or 'none'}",
        plugin=plugin or None,
    )


def check_keywords(
    desc: Descriptor,
    attr: str,
    kwargs: Mapping[str, Any],
    *,
    inputs: int,
    hidden: Iterable[str] = (),
) -> None:
    """Refuse the keywords in ``kwargs`` that ``desc``'s callable ``attr`` does not take.

    Parameters
    ----------
    desc
        The chosen contribution.
    attr
        Its callable field (``"read"``, ``"fit"``, ...).
    kwargs
        The keywords the user passed.
    inputs
        How many positional inputs dispatch passes first (not keywords).
    hidden
        Keywords dispatch itself supplies (e.g. a reader's ``fileinfo``): not
        the user's to pass, so not listed as valid.

    Raises
    ------
    UnknownKeywordError
        Naming the keyword, the contribution and the valid keywords.
    """
    if not kwargs:
        return
    valid = valid_keywords(desc, attr, inputs=inputs)
    if valid is None:
        return
    valid = valid - frozenset(hidden)
    unknown = [k for k in kwargs if k not in valid]
    if unknown:
        raise unknown_keyword_error(unknown, valid, f"{desc.kind} {desc.name!r}", plugin=desc.plugin)
