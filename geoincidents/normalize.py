"""Normalisation of place names as reports write them.

Reports spell the same base many ways: "Ain al-Asad", "Ayn al Asad airbase", "AIN AL-ASSAD", "عين الأسد".
:func:`normalize_name` folds those differences into one key so that a dictionary look-up finds the site:

1. Unicode: compatibility decomposition, case folding, and removal of combining marks. This drops Latin
   diacritics and Arabic short vowels, and turns the alef forms with hamza or madda into bare alef.
2. Arabic letter variants: alef wasla to alef, ta marbuta to ha, alef maqsura and Persian ya to ya, tatweel
   removed, Arabic-Indic digits to ASCII digits.
3. Apostrophes and ayn/hamza signs (``'``, ``’``, ``ʿ``, ``ʾ``) are removed; every other punctuation mark,
   hyphen included, separates words.
4. The Arabic article is dropped: the Latin forms (al, el, ash, at, ar, as, ad, ...) as separate words, the
   Arabic ``ال`` as a word prefix.
5. Transliteration variants are folded per Latin word: ``q`` to ``k``, ``ou`` to ``u``,
   ``ay``/``ey``/``ei`` to ``ai``, ``ayn``/``ein`` to ``ain``, doubled letters to single ones
   ("Shaddadi" -> "shadadi").
6. Generic phrases get one spelling each ("air base", "AB", "airfield" -> ``airbase``; "international airport"
   -> ``airport``; "gas field", "oil field" -> ``field``; "قاعدة" -> ``base``).

:func:`name_keys` also returns the *core* of a name: the normalised name without generic words at either end
("Erbil air base" -> ``erbil``), used when the full form is not a known alias.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np

__all__ = [
    "normalize_name",
    "normalize_names",
    "name_key_array",
    "core_array",
    "split_locatives",
    "locative_splits",
    "name_keys",
    "split_locative",
    "unglued_key",
    "AREA_WORDS",
    "GENERIC_WORDS",
    "FACILITY_WORDS",
    "PERSONAL_NAME_WORDS",
    "NISBA_SUFFIXES",
]

_ARTICLES = frozenset(
    {"al", "el", "il", "ul", "as", "ash", "at", "ath", "ad", "adh", "ar", "az", "an", "the"}
    | {"ez", "es", "esh", "ed", "et", "eth", "er", "en", "uz", "ud", "ush"}
)

# Arabic letter variants that survive decomposition, and digits.
_ARABIC_FOLD = str.maketrans(
    {
        "\u0671": "\u0627",  # alef wasla -> alef
        "\u0629": "\u0647",  # ta marbuta -> ha
        "\u0649": "\u064a",  # alef maqsura -> ya
        "\u06cc": "\u064a",  # Persian/Kurdish ya -> ya
        "\u06a9": "\u0643",  # keheh -> kaf
        "\u0640": None,  # tatweel
        **{chr(0x0660 + d): str(d) for d in range(10)},  # Arabic-Indic digits
        **{chr(0x06F0 + d): str(d) for d in range(10)},  # Eastern Arabic-Indic digits
    }
)
# English possessive after a word of three letters or more ("Baghdad's airport"); "Ra's" (head) is a word.
_POSSESSIVE = re.compile("(?<=[^\\W\\d_]{3})['\u2019]s\\b")
# Dotted abbreviations ("U.S.", "U. S. A.") become one word ("us", "usa").
_DOTTED = re.compile(r"\b(?:[^\W\d_]\.\s?){2,}")
_APOSTROPHES = re.compile("['\u2018\u2019\u02bc\u02bf\u02be\u00b4`\u02bb]")
_NON_WORD = re.compile(r"[\W_]+")
_DOUBLED = re.compile(r"([a-z])\1+")  # letters only: "Tower 22" keeps its digits
# Roman numerals in base names ("Union III"); the bare "i" and "v" are too often something else.
_ROMAN = {"ii": "2", "iii": "3", "iv": "4", "vi": "6", "vii": "7", "viii": "8"}
_LATIN_WORD = re.compile(r"[a-z0-9]+")

# Generic phrases, longest first, mapped to one canonical word. Matched on whole words after folding.
_PHRASES: tuple[tuple[tuple[str, ...], str], ...] = (
    (("international", "airport"), "airport"),
    (("intl", "airport"), "airport"),
    (("military", "airbase"), "airbase"),
    (("military", "base"), "base"),
    (("air", "base"), "airbase"),
    (("air", "field"), "airbase"),
    (("air", "strip"), "airbase"),
    (("gas", "field"), "field"),
    (("gas", "plant"), "field"),
    (("oil", "field"), "field"),
    (("gas", "fields"), "field"),
    (("oil", "fields"), "field"),
)
_WORDS: dict[str, str] = {
    "airbase": "airbase",
    "ab": "airbase",
    "afb": "airbase",
    "airfield": "airbase",
    "airstrip": "airbase",
    "airport": "airport",
    "aerodrome": "airport",
    "base": "base",
    "camp": "base",
    "garrison": "base",
    "outpost": "base",
    "facility": "base",
    "field": "field",
    "fields": "field",
    "oilfield": "field",
    "gasfield": "field",
    # Arabic generic words (after letter folding and article removal)
    "\u0642\u0627\u0639\u062f\u0647": "base",  # qa'ida (base)
    "\u0645\u0639\u0633\u0643\u0631": "base",  # mu'askar (camp)
    "\u0645\u0637\u0627\u0631": "airport",  # matar (airport)
    "\u062d\u0642\u0644": "field",  # haql (field)
}


def normalize_name(text: str) -> str:
    """Normalise a place name to the key used for gazetteer look-ups.

    Parameters
    ----------
    text : str
        A place name as written in a report, in Latin or Arabic script.

    Returns
    -------
    str
        Lower-case words separated by single spaces; ``""`` when nothing but articles and punctuation is left.
        The function is idempotent: ``normalize_name(normalize_name(x)) == normalize_name(x)``.

    Examples
    --------
    >>> normalize_name("Ayn al Asad airbase")
    'ain asad airbase'
    >>> normalize_name("Ain Al-Asad Air Base")
    'ain asad airbase'
    >>> normalize_name("Al-Shaddadi")
    'shadadi'
    """
    if not isinstance(text, str):
        raise TypeError(f"a place name must be a str, not {type(text).__name__}: {text!r}")
    return _normalize_cached(text)


def normalize_names(texts: Sequence[str]) -> list[str]:
    """Normalise many names at once: the same keys as :func:`normalize_name`, computed column-wise.

    With pyarrow installed, the plain ASCII names (most of a feed) are lower-cased, split into words and
    joined again as whole columns, and each distinct word is folded once; names with non-ASCII letters, dots
    or apostrophes go through :func:`normalize_name` one by one. Without pyarrow every name does.

    Parameters
    ----------
    texts : sequence of str
        Place names as reports write them.

    Returns
    -------
    list of str
        ``[normalize_name(t) for t in texts]``, in the same order.

    Examples
    --------
    >>> normalize_names(["Ayn al Asad airbase", "AL-SHADDADI", "عين الأسد"])
    ['ain asad airbase', 'shadadi', 'عين اسد']
    """
    texts, column = _column(texts)
    if column is None:
        return [_normalize_cached(t) for t in texts]
    return _key_array(column).to_pylist()  # type: ignore[no-any-return]


def name_key_array(texts: Any) -> Any:
    """:func:`normalize_names` as a pyarrow ``large_string`` array, or ``None`` for a few names or without
    pyarrow (then the caller works name by name). ``texts`` may be a pyarrow string array (no nulls)."""
    texts, column = _column(texts)
    return None if column is None else _key_array(column)


def _key_array(column: Any) -> Any:
    import pyarrow as pa
    import pyarrow.compute as pc

    plain = pc.and_(pc.string_is_ascii(column), pc.invert(pc.match_substring_regex(column, "[.'`]")))
    plain_at = np.flatnonzero(plain.to_numpy(zero_copy_only=False))
    keys = _plain_keys(pc.take(column, pa.array(plain_at)), pa, pc)
    if len(plain_at) == len(column):
        return keys
    rest = np.ones(len(column), dtype=bool)
    rest[plain_at] = False
    rest_at = np.flatnonzero(rest)
    others = pa.array([_normalize_cached(t) for t in _texts_at(column, rest_at)], type=pa.large_string())
    order = np.empty(len(column), dtype=np.int64)  # position of each name's key in [plain keys, other keys]
    order[plain_at] = np.arange(len(plain_at))
    order[rest_at] = len(plain_at) + np.arange(len(rest_at))
    return pc.take(pa.concat_arrays([keys, others]), pa.array(order))


def name_keys(text: str) -> tuple[str, str]:
    """Return the full normalised key of a name and its core without generic words at the ends.

    Parameters
    ----------
    text : str
        A place name as written in a report.

    Returns
    -------
    tuple of str
        ``(full, core)``. The core is the full key when stripping would leave nothing.

    Examples
    --------
    >>> name_keys("Erbil Air Base")
    ('erbil airbase', 'erbil')
    >>> name_keys("the Conoco gas field")
    ('conoco field', 'conoco')
    """
    full = normalize_name(text)
    return full, core_of(full)


def core_of(full: str) -> str:
    """Strip generic words from both ends of an already normalised key."""
    words = full.split()
    start, end = 0, len(words)
    while start < end and words[start] in GENERIC_WORDS:
        start += 1
    while end > start and words[end - 1] in GENERIC_WORDS:
        end -= 1
    return " ".join(words[start:end]) if start < end else full


def core_array(keys: Any) -> Any:
    """:func:`core_of` of a pyarrow array of normalised keys, column-wise (three regular expressions)."""
    import pyarrow.compute as pc

    stripped = pc.replace_substring_regex(pc.replace_substring_regex(keys, _LEADING_GENERIC, ""),
                                          _TRAILING_GENERIC, "")  # fmt: skip
    return pc.if_else(pc.match_substring_regex(keys, _ONLY_GENERIC), keys, stripped)


@lru_cache(maxsize=262144)  # room for a feed's distinct names and the real-place list of geoincidents.places
def _normalize_cached(text: str) -> str:
    if text.isascii():  # most report names: nothing to decompose
        stripped = text.lower()
    else:
        # Decompose, fold case, decompose again (casefold can produce new combining marks), drop the marks.
        decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", text).casefold())
        stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).translate(_ARABIC_FOLD)
    stripped = _DOTTED.sub(lambda m: re.sub(r"[.\s]", "", m.group(0)) + " ", stripped)
    stripped = _APOSTROPHES.sub("", _POSSESSIVE.sub("", stripped))
    words = [_fold_word(w) for w in _NON_WORD.split(stripped) if w]
    words = [w for w in words if w and w not in _ARTICLES]
    return " ".join(_canonical_phrases(words))


@lru_cache(maxsize=262144)
def _fold_word(word: str) -> str:  # cached: a million names share a few thousand words
    # Loops repeat until stable so that the function is idempotent ("oou" -> "ou" -> "u").
    while word.startswith("\u0627\u0644") and len(word) > 3:  # Arabic article as a prefix
        word = word[2:]
    if not _LATIN_WORD.fullmatch(word):
        return word
    if word in _ROMAN:  # before folding, which would collapse "iii"
        return _ROMAN[word]
    previous = None
    while previous != word:
        previous = word
        word = word.replace("q", "k").replace("ou", "u")
        word = word.replace("ay", "ai").replace("ey", "ai").replace("ei", "ai")
        word = _DOUBLED.sub(r"\1", word)
    if word in _ROMAN:  # and after: "IIV" folds to "iv"
        return _ROMAN[word]
    return "ain" if word == "aine" else word  # Ayn, Ein, Ain, Aine: the spring ("ain") in a name


def _column(texts: Any) -> tuple[list[str], Any]:
    """The names as a list (each checked to be a str) and, when worth it and pyarrow is there, as a pyarrow
    column (else None: the caller works name by name). A pyarrow string array is used as it is (the list is
    then empty: the callers take what they need from the column)."""
    if type(texts).__module__.startswith("pyarrow"):
        import pyarrow as pa

        if not (pa.types.is_string(texts.type) or pa.types.is_large_string(texts.type)) or texts.null_count:
            raise TypeError(
                f"a pyarrow column of place names must be strings without nulls, not {texts.type}"
            )
        return [], texts.cast(pa.large_string())
    texts = list(texts)
    for i, text in enumerate(texts):
        if not isinstance(text, str):
            raise TypeError(f"a place name must be a str, not {type(text).__name__}: {text!r} (item {i})")
    if len(texts) < _COLUMNWISE_FROM:
        return texts, None
    try:
        import pyarrow as pa
        import pyarrow.compute  # noqa: F401 - the callers use it
    except ImportError:  # pyarrow is optional: the callers fall back to one name at a time
        return texts, None
    return texts, pa.array(texts, type=pa.large_string())


def _texts_at(column: Any, at: np.ndarray) -> list[str]:
    import pyarrow as pa

    return column.take(pa.array(at, type=pa.int64())).to_pylist()  # type: ignore[no-any-return]


def _plain_keys(column: Any, pa: Any, pc: Any) -> Any:
    """The keys of ASCII names without dots or apostrophes, as a column (see :func:`normalize_names`).

    For such a name :func:`normalize_name` is: lower case, split on every non-letter-or-digit, fold each
    word, drop the articles, then collapse the generic phrases. Here each distinct word is folded once (and
    mapped to its canonical generic word), the words become integer codes, the phrases are collapsed on
    the codes of neighbouring words of one name until nothing changes, and the kept words of each name are
    joined again. The phrases never overlap (no word starts one phrase and ends another) and mapping a word
    never makes or breaks a phrase's first word, so all the phrases of a round can be collapsed at once and
    the result is the one :func:`_canonical_phrases` gives.
    """
    words = pc.ascii_split_whitespace(_lower_alphanumeric(column, pa))
    parents = pc.list_parent_indices(words).to_numpy()
    encoded = pc.dictionary_encode(pc.list_flatten(words))
    # One code per distinct mapped word ("camp" and "base" are both "base"); "" (an article) is dropped.
    vocabulary: dict[str, int] = {"": 0}
    remap = np.array(
        [vocabulary.setdefault(_plain_word(w), len(vocabulary)) for w in encoded.dictionary.to_pylist()],
        dtype=np.int64,
    )
    codes = remap[encoded.indices.to_numpy()] if len(remap) else np.zeros(0, dtype=np.int64)
    kept = codes > 0
    codes, parents = _collapse_phrases(codes[kept], parents[kept], vocabulary)
    offsets = np.zeros(len(column) + 1, dtype=np.int64)
    np.cumsum(np.bincount(parents, minlength=len(column)), out=offsets[1:])
    values = pc.take(pa.array(list(vocabulary), type=pa.large_string()), pa.array(codes))
    return pc.binary_join(
        pa.LargeListArray.from_arrays(pa.array(offsets), values), pa.scalar(" ", pa.large_string())
    )


def _lower_alphanumeric(column: Any, pa: Any) -> Any:
    """An ASCII column lower-cased, with every other character than a letter or a digit made a space (one
    table look-up per byte of the column's data)."""
    if not len(column) or column.buffers()[2] is None:
        return column
    offsets = np.frombuffer(column.buffers()[1], dtype=np.int64)[
        column.offset : column.offset + len(column) + 1
    ]
    data = np.frombuffer(column.buffers()[2], dtype=np.uint8)[offsets[0] : offsets[-1]]
    return pa.LargeStringArray.from_buffers(
        len(column), pa.py_buffer(offsets - offsets[0]), pa.py_buffer(_ALPHANUMERIC_LOWER[data])
    )


_ALPHANUMERIC_LOWER = np.full(256, ord(" "), dtype=np.uint8)
_ALPHANUMERIC_LOWER[np.frombuffer(b"abcdefghijklmnopqrstuvwxyz0123456789", dtype=np.uint8)] = np.frombuffer(
    b"abcdefghijklmnopqrstuvwxyz0123456789", dtype=np.uint8
)
_ALPHANUMERIC_LOWER[np.frombuffer(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ", dtype=np.uint8)] = np.frombuffer(
    b"abcdefghijklmnopqrstuvwxyz", dtype=np.uint8
)


def _collapse_phrases(
    codes: np.ndarray, parents: np.ndarray, vocabulary: dict[str, int]
) -> tuple[np.ndarray, np.ndarray]:
    """Generic phrases of two neighbouring words of one name (codes of mapped words, ``parents`` the name of
    each) collapsed to their canonical word, round after round until none is left."""
    pairs: dict[int, int] = {}
    width = len(vocabulary) + len(_MAPPED_PHRASES)  # room for canonical words not yet in the vocabulary
    for (first, second), canonical in _MAPPED_PHRASES.items():
        if first in vocabulary and second in vocabulary:
            target = vocabulary.setdefault(canonical, len(vocabulary))
            pairs[vocabulary[first] * width + vocabulary[second]] = target
    if not pairs:
        return codes, parents
    keys = np.array(sorted(pairs), dtype=np.int64)
    targets = np.array([pairs[k] for k in keys.tolist()], dtype=np.int64)
    while len(codes) > 1:
        pair = codes[:-1] * width + codes[1:]
        hit = np.isin(pair, keys) & (parents[:-1] == parents[1:])
        at = np.flatnonzero(hit)
        if not len(at):
            break
        codes = codes.copy()
        codes[at] = targets[np.searchsorted(keys, pair[at])]
        keep = np.ones(len(codes), dtype=bool)
        keep[at + 1] = False
        codes, parents = codes[keep], parents[keep]
    return codes, parents


@lru_cache(maxsize=262144)
def _plain_word(word: str) -> str:
    """A lower-case ASCII word folded and mapped to its generic word; ``""`` for an article (or nothing)."""
    if not word:
        return ""
    folded = _fold_word(word)
    return "" if not folded or folded in _ARTICLES else _WORDS.get(folded, folded)


def _canonical_phrases(words: list[str]) -> list[str]:
    # Until stable: a replacement can complete another phrase ("military air base" -> "military airbase").
    previous: list[str] | None = None
    while previous != words:
        previous, words = words, _replace_phrases(words)
    return words


def _replace_phrases(words: list[str]) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(words):
        for phrase, canonical in _PHRASES_BY_FIRST_WORD.get(words[i], ()):
            n = len(phrase)
            if tuple(words[i : i + n]) == phrase:
                out.append(canonical)
                i += n
                break
        else:
            out.append(_WORDS.get(words[i], words[i]))
            i += 1
    return out


# The tables are written in plain spelling; fold them like the words they are compared with.
_PHRASES = tuple((tuple(_fold_word(w) for w in phrase), canonical) for phrase, canonical in _PHRASES)
_WORDS = {_fold_word(word): canonical for word, canonical in _WORDS.items()}
# The same phrases over the mapped words (normalize_names): (first, second) -> canonical word.
_MAPPED_PHRASES: dict[tuple[str, str], str] = {}
for _phrase, _canonical in _PHRASES:
    _MAPPED_PHRASES.setdefault(
        (_WORDS.get(_phrase[0], _phrase[0]), _WORDS.get(_phrase[1], _phrase[1])), _canonical
    )
#: From this many names on, :func:`normalize_names` works column-wise.
_COLUMNWISE_FROM = 256
# Only the phrases that start with a given word are tried at that word (phrases stay longest first).
_PHRASES_BY_FIRST_WORD: dict[str, list[tuple[tuple[str, ...], str]]] = {}
for _phrase, _canonical in _PHRASES:
    _PHRASES_BY_FIRST_WORD.setdefault(_phrase[0], []).append((_phrase, _canonical))

#: Words dropped from either end of a name to form its core ("Erbil air base" -> "erbil"): facility words,
#: descriptors reports add ("U.S. military base", "town", "complex") and "near"-like words.
GENERIC_WORDS = frozenset(
    _fold_word(w)
    for w in (
        "airbase",
        "airport",
        "base",
        "field",
        "us",
        "usa",
        "american",
        "coalition",
        "military",
        "a",
        "town",
        "city",
        "complex",
        "compound",
        "installation",
        "area",
        "district",
        "outskirts",
        "vicinity",
        "near",
        "outside",
        "around",
    )
)

#: Words that make a name an administrative or rural area rather than a place in it ("Deir ez-Zor
#: Governorate", "Hasakah countryside", "Erbil region"). They are kept in the core, so such a name never
#: reaches the town or base of the same name through the core or fuzzy steps; in a locative tail ("... in Deir
#: ez-Zor province") they only qualify the place the tail names.
AREA_WORDS = frozenset(_fold_word(w) for w in ("province", "governorate", "region", "countryside"))

# core_of as patterns over keys (words joined by single spaces): generic words at the start, at the end, and
# keys made of nothing else (whose core is the whole key).
_GENERIC = "(?:" + "|".join(sorted((re.escape(w) for w in GENERIC_WORDS), key=len, reverse=True)) + ")"
_LEADING_GENERIC = f"^(?:{_GENERIC} )+"
_TRAILING_GENERIC = f"(?: {_GENERIC})+$"
_ONLY_GENERIC = f"^{_GENERIC}(?: {_GENERIC})*$"

#: The generic words that name a facility: a name with one of them means the facility, not its town.
FACILITY_WORDS = frozenset(_fold_word(w) for w in ("airbase", "airport", "base", "field"))

#: Given names and honorifics: a name made only of these is a person ("Saddam", "Prince Sultan"), and is
#: matched only as written in the gazetteer, never through the core or fuzzy steps of a longer name.
PERSONAL_NAME_WORDS = frozenset(
    _fold_word(w)
    for w in (
        "saddam", "hussein", "husain", "hussain", "hasan", "hassan", "husayn", "muhammad", "mohammed",
        "mohamed", "mohammad", "muhammed", "ahmad", "ahmed", "ali", "abdullah", "abdallah", "abdul", "abd",
        "khalid", "khaled", "faisal", "faysal", "fahd", "salman", "saud", "sultan", "abbas", "jaber",
        "jabir", "salem",
        "salim", "isa", "issa", "hamad", "zayed", "zayid", "mahmoud", "mahmud", "mustafa", "yusuf", "yousef",
        "ibrahim", "ismail", "rashid", "nasser", "nasir", "qassem", "qasem", "kassem", "soleimani",
        "sulaimani", "suleiman", "sulayman", "bashar", "hafez", "hafiz", "saleh", "salih", "jamal", "tariq",
        "mansour", "mansur", "nouri", "nuri", "maliki", "king", "prince", "sheikh", "shaikh", "sheik",
        "shaheed", "shahid", "martyr", "imam", "sayyid", "sayed", "general", "president",
    )
)  # fmt: skip

#: Endings that make an adjective or a family name of a place name (nisba): "Hariri" from Harir, "Tanfi" from
#: Tanf. A query word that is a known word plus one of these is not a typo of it.
NISBA_SUFFIXES = ("i", "y", "e", "ie", "iy", "awi", "ani", "li")

# Phrases that open a locative tail ("... in Deir el-Zour", "... near Hasakah", "..., Syria", "... (Mayadin)")
_NEAR = r"near|outside|around|close\s+to|(?:the\s+)?(?:outskirts|vicinity|countryside)\s+of"
_DIRECTION_OF = r"(?:(?:north|south)(?:[\s-]?(?:east|west))?|east|west)(?:ern)?\s+of"
_LOCATIVE = re.compile(
    rf"\s*(?:[,(;]|\)|\b(?:(?P<near>{_NEAR}|{_DIRECTION_OF})|in|inside)\b)\s*", re.IGNORECASE
)


def split_locative(text: str) -> tuple[str, tuple[tuple[str, bool], ...]]:
    """Split a descriptive phrase into the name and its locative tails.

    ``"Harir Airport in Erbil"`` is the name ``"Harir Airport"`` with the tail ``"Erbil"``. Tails open with
    "in", "inside", "near", "outside", "around", "close to", "north of" (and the other directions), "outskirts
    of", a comma, a semicolon or a parenthesis. The text is split only when what comes before the first tail
    has a word that is not generic: ``"US base near Erbil"`` is read whole, as a descriptor and a name.

    Parameters
    ----------
    text : str
        A place name as a report writes it.

    Returns
    -------
    tuple
        ``(name, tails)``: the name as written, and one ``(tail, near)`` pair per tail, where ``near`` is True
        for the "near"-like words (the place named is close by, perhaps across a border) and False for "in",
        commas and parentheses (the place named contains it). ``tails`` is empty when nothing was split.

    Examples
    --------
    >>> split_locative("the Conoco gas field in Deir el-Zour")
    ('the Conoco gas field', (('Deir el-Zour', False),))
    >>> split_locative("Tower 22, near al-Tanf")
    ('Tower 22', (('al-Tanf', True),))
    >>> split_locative("US base near Erbil")
    ('US base near Erbil', ())
    """
    if not isinstance(text, str):
        raise TypeError(f"a place name must be a str, not {type(text).__name__}: {text!r}")
    return _split_cached(text)


def split_locatives(texts: Sequence[str]) -> list[tuple[str, tuple[tuple[str, bool], ...]]]:
    """:func:`split_locative` of many names; the plain ASCII names without a tail word are found column-wise.

    Parameters
    ----------
    texts : sequence of str
        Place names as reports write them.

    Returns
    -------
    list of tuple
        ``[split_locative(t) for t in texts]``.

    Examples
    --------
    >>> split_locatives(["Harir Airport in Erbil", "Erbil"])
    [('Harir Airport', (('Erbil', False),)), ('Erbil', ())]
    """
    texts = list(texts)
    split = locative_splits(texts)
    return [split.get(i) or (t, ()) for i, t in enumerate(texts)]


def locative_splits(texts: Any) -> dict[int, tuple[str, tuple[tuple[str, bool], ...]]]:
    """The names that :func:`split_locative` changes, by position: ``{i: split_locative(texts[i])}`` for
    every ``i`` where that is not ``(texts[i], ())``. Names that cannot hold a tail are found column-wise.
    ``texts`` may be a pyarrow string array (no nulls)."""
    texts, column = _column(texts)
    if column is None:
        maybe: Any = range(len(texts))
    else:
        import pyarrow.compute as pc

        # Returned whole, as split_locative does: ASCII names with nothing that could open a tail (a superset
        # of the markers), and those whose first marker opens the text ("near Erbil": no name before it).
        # Control characters that Python's \s matches and RE2's does not are left to split_locative.
        tricky = pc.invert(pc.string_is_ascii(column))
        tricky = pc.or_(tricky, pc.match_substring_regex(column, "[\x0b\x1c-\x1f]"))
        opens = pc.and_(
            pc.match_substring_regex(column, _MAYBE_LOCATIVE, ignore_case=True),
            pc.invert(pc.match_substring_regex(column, _OPENING_LOCATIVE, ignore_case=True)),
        )
        maybe = np.flatnonzero(pc.or_(tricky, opens).to_numpy(zero_copy_only=False))
        texts = dict(zip(maybe.tolist(), _texts_at(column, maybe), strict=True))  # type: ignore[assignment]
        maybe = maybe.tolist()
    out = {}
    for i in maybe:
        split = _split_cached(texts[i])
        if split[1] or split[0] != texts[i]:
            out[i] = split
    return out


def unglued_key(full: str) -> str:
    """The normalised key with an Arabic article written glued to its word taken off ("alasad" -> "asad").

    Only words of at least five letters that start with ``al`` or ``el`` are changed; ``""`` when none does.
    Matching tries this key only after the key as written found nothing, so "Aleppo" stays "alepo".

    Examples
    --------
    >>> unglued_key(normalize_name("Alshaddadi"))
    'shadadi'
    >>> unglued_key("erbil")
    ''
    """
    words = full.split()
    out = [w[2:] if len(w) >= 5 and w[:2] in ("al", "el") and w[2:].isalpha() else w for w in words]
    return " ".join(out) if out != words else ""


@lru_cache(maxsize=65536)
def _split_cached(text: str) -> tuple[str, tuple[tuple[str, bool], ...]]:
    parts = _LOCATIVE.split(text)
    # re.split with one group yields [head, near, tail, near, tail, ...]
    head = parts[0].strip()
    if len(parts) == 1:
        return text, ()
    if not _has_name_word(head):
        return _generic_head_in_place(text, head, parts)
    tails: list[tuple[str, bool]] = []
    for i in range(1, len(parts) - 1, 2):
        tail = parts[i + 1].strip()
        if tail and normalize_name(tail):
            tails.append((tail, parts[i] is not None))
        elif tail:
            return text, ()
    return (head, tuple(tails)) if tails else (text, ())


def _generic_head_in_place(
    text: str, head: str, parts: list[str | None]
) -> tuple[str, tuple[tuple[str, bool], ...]]:
    """``"the American base in Tanf"``: a head of generic words only, then "in <place>", names the facility
    of that place, read as ``"Tanf American base"`` (then the facility rules of matching apply); any later
    tails stay tails. Other generic heads ("US base near Erbil", "base, Syria") are read whole."""
    words = head.split()
    if not words or len(parts) < 3 or not any(_fold_word(w) in FACILITY_WORDS for w in words):
        return text, ()
    opener = text[len(parts[0] or "") :].lstrip().lower()
    place = (parts[2] or "").strip()
    if not opener.startswith(("in ", "inside ")) or not _has_name_word(place):
        return text, ()
    descriptor = " ".join(words[1:] if words[0].lower() in ("the", "a", "an") else words)
    tails = tuple(((parts[i + 1] or "").strip(), parts[i] is not None) for i in range(3, len(parts) - 1, 2))
    if any(not normalize_name(tail) for tail, _ in tails):
        return text, ()
    return f"{place} {descriptor}", tails


# Every text _LOCATIVE can split contains one of these (in ASCII text; the rest is split one by one).
_MAYBE_LOCATIVE = (
    r"[,();]|\b(?:near|outside|around|close|outskirts|vicinity|countryside|north|south|east|west|in)"
)
# A text whose first tail marker is at its start.
_OPENING_LOCATIVE = "^(?:" + _LOCATIVE.pattern + ")"


def _has_name_word(text: str) -> bool:
    return any(w not in GENERIC_WORDS for w in normalize_name(text).split())
