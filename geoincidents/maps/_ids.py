"""Deterministic element ids.

branca gives every Element a random id (``hexlify(urandom(16))``) that ends up in JS variable names and the
map ``<div>`` id, so two builds of the same map differ. :func:`assign_ids` walks the element tree in a fixed
order and numbers the elements instead.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator

from branca.element import Element

_PREFIX = "gi"


def walk_elements(root: Element) -> Iterator[Element]:
    """Yield every element reachable from ``root`` once, depth first, children in insertion order."""
    seen: set[int] = set()
    stack: list[Element] = [root]
    while stack:
        element = stack.pop()
        if id(element) in seen:
            continue
        seen.add(id(element))
        yield element
        found: list[Element] = []
        # Sub-elements held as attributes (Figure.header/html/script, Marker.icon, ...), then children.
        for key, value in vars(element).items():
            if key != "_parent" and key != "_children" and isinstance(value, Element):
                found.append(value)
        found.extend(element._children.values())
        stack.extend(reversed(found))


def assign_ids(root: Element, *, keep_existing: bool = False) -> Element:
    """Replace the random ids of ``root`` and everything below it by sequential ones.

    Children dictionaries keyed by an element's old name, and layer names defaulting to it, are renamed.
    Call this after the map is composed and before it is rendered.

    Parameters
    ----------
    root : branca.element.Element
        Usually the map's Figure (``m.get_root()``).
    keep_existing : bool, default False
        Keep ids already assigned by this function and number only new elements after them (for elements added
        to a map that may already have been rendered).

    Returns
    -------
    branca.element.Element
        ``root``, changed in place.

    Examples
    --------
    >>> import folium
    >>> m = folium.Map(tiles=None)
    >>> _ = assign_ids(m.get_root())
    >>> m.get_name()
    'map_gi5'
    """
    if not isinstance(root, Element):
        raise TypeError(f"root must be a branca Element, not {type(root).__name__}")
    elements = list(walk_elements(root))
    old_names = {id(e): e.get_name() for e in elements}
    if keep_existing:
        taken = [int(e._id[len(_PREFIX) :]) for e in elements if _is_ours(e._id)]
        number = max(taken, default=-1) + 1
        for element in elements:
            if not _is_ours(element._id):
                element._id = f"{_PREFIX}{number}"
                number += 1
    else:
        for number, element in enumerate(elements):
            element._id = f"{_PREFIX}{number}"
    for element in elements:
        old = old_names[id(element)]
        for attr in ("layer_name", "tile_name"):
            if getattr(element, attr, None) == old:
                setattr(element, attr, element.get_name())
        if element._children:
            element._children = OrderedDict(
                (child.get_name() if key == old_names.get(id(child)) else key, child)
                for key, child in element._children.items()
            )
    return root


def _is_ours(value: str) -> bool:
    return value.startswith(_PREFIX) and value[len(_PREFIX) :].isdigit()
