"""Which words of English text a rewrite should keep: closed-class words, numbers and names.

Closed classes (pronouns, determiners, prepositions, conjunctions, auxiliaries and modals, the verb forms of
*be*, *have*, *do*) are closed lists by definition, so they are listed here whole. No tagger is used: none
whose weights install from PyPI and load offline ships with an official release (spaCy's and NLTK's models
come from their own download servers), and the masked LM itself judges the open-class slots.

- ``closed_class(word)``: the word belongs to a closed class (case-insensitive; ``don't`` and ``I'm`` too).
- ``preposition(word)``: a preposition ("of", "to", "with"), the word that opens the phrase a new word must not
  be put right before (``Masker(before_prepositions=False)``).
- ``negation(word)``: a negation or polarity shifter (``NEGATIONS``: "not", "cannot", "rarely", "isn't"), the words
  a rewrite never masks (``Masker(negations=True)``) and ``insert.v6`` never adds.
- ``numeric(word)``: a number, a code or a number word ("27", "3.5", "B-52", "seventeen", "third").
- ``name_like(word, opens)``: a name, an acronym or a code by its letters: a capital after the first letter
  ("McDonald", "iPhone", "NASA"), or a capital first letter on a word that does not open a sentence.
"""

from __future__ import annotations

import re

PRONOUNS = """i me my mine myself you your yours yourself yourselves he him his himself she her hers herself it its
itself we us our ours ourselves they them their theirs themselves one ones oneself who whom whose which what that
whoever whatever whichever someone somebody something anyone anybody anything everyone everybody everything
no-one nobody nothing none each either neither both all any some such another other others""".split()
DETERMINERS = """a an the this these those every much many more most less least few fewer several enough""".split()
PREPOSITIONS = """about above across after against along alongside amid amidst among amongst around as at before
behind below beneath beside besides between beyond but by despite down during except for from in inside into
like near of off on onto opposite out outside over past per plus round since than through throughout till to
toward towards under underneath unlike until up upon via with within without versus vs""".split()
CONJUNCTIONS = """and or nor so yet because although though while whereas if unless whether once whenever
wherever where when why how then also too either else therefore however thus hence""".split()
AUXILIARIES = """be am is are was were been being have has had having do does did done doing will would shall
should can could may might must ought need dare""".split()
PARTICLES = """not no never n't 's 're 've 'd 'll 'm to there here just only very""".split()
_PREPOSITIONS = frozenset(PREPOSITIONS)
CLOSED = frozenset(PRONOUNS + DETERMINERS + PREPOSITIONS + CONJUNCTIONS + AUXILIARIES + PARTICLES)

NUMBER_WORDS = frozenset("""zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen
fifteen sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred
thousand million billion trillion dozen half quarter first second third fourth fifth sixth seventh eighth ninth
tenth eleventh twelfth twentieth hundredth thousandth millionth once twice thrice""".split())
MONTHS_DAYS = frozenset("""january february march april may june july august september october november december
jan feb mar apr jun jul aug sep sept oct nov dec monday tuesday wednesday thursday friday saturday sunday
today tomorrow yesterday""".split())

# Negations and polarity shifters, kept byte-exact by default (``Masker(negations=True)``): masking them is the
# quickest way to turn "not good" into "more good" and flip a label.
NEGATIONS = (r"(?i)(?<!\w)(?:not|no|never|none|nobody|nothing|nowhere|neither|nor|without|cannot|hardly|barely|"
             r"scarcely|seldom|rarely|n[’']t)(?!\w)|(?<!\w)\w+n[’']t(?!\w)")
_NEGATION = re.compile(NEGATIONS)
_APOSTROPHE = re.compile(r"[’']")
_EDGE_PUNCT = re.compile(r"^\W+|\W+$")
_CONTRACTION = re.compile(r"(?i)^(\w+)(n't|'s|'re|'ve|'d|'ll|'m)$")


def _fold(word: str) -> str:
    return _APOSTROPHE.sub("'", word).casefold()


def closed_class(word: str) -> bool:
    """Whether ``word`` is a closed-class word (``don't``, ``it's`` count by their parts)."""
    w = _fold(word)
    if w in CLOSED:
        return True
    m = _CONTRACTION.match(w)
    return bool(m) and (m.group(1) in CLOSED or m.group(1) in ("ca", "wo", "sha", "ai"))


def preposition(word: str) -> bool:
    """Whether ``word`` (punctuation around it aside, case-insensitive) is a preposition."""
    return _EDGE_PUNCT.sub("", _fold(word)) in _PREPOSITIONS


def negation(word: str) -> bool:
    """Whether ``word`` (punctuation around it aside) is a negation or polarity shifter (``NEGATIONS``)."""
    return _NEGATION.fullmatch(_EDGE_PUNCT.sub("", word)) is not None


def numeric(word: str) -> bool:
    """Whether ``word`` is a number, a code with a digit, a number word, a month or a day."""
    if any(c.isdigit() for c in word):
        return True
    w = _fold(word).strip(".")
    return w in NUMBER_WORDS or w in MONTHS_DAYS or w.rstrip("s") in NUMBER_WORDS


def name_like(word: str, opens: bool) -> bool:
    """Whether ``word`` reads as a name, an acronym or a code: a capital after its first letter, or a capital first
    letter on a word that does not open a sentence (``opens``: it does)."""
    letters = [c for c in word if c.isalpha()]
    if not letters:
        return False
    if any(c.isupper() for c in letters[1:]):
        return True
    return letters[0].isupper() and not opens


def kept_word(word: str, opens: bool) -> str | None:
    """Why a rewrite keeps ``word`` (``"closed class"``, ``"number"``, ``"name"``), or None for an open-class word."""
    if numeric(word):
        return "number"
    if name_like(word, opens):
        return "name"
    if closed_class(word):
        return "closed class"
    return None
