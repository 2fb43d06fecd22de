"""Every number that decides what the model sees, named and explained in one place.

The ranking is a personalized PageRank: each candidate source (sources/*.py) gives the symbols it
proposes a *strength* in [0, 1], the personalization of a node is the weighted sum of its
strengths (the `W_*` source weights below), and a walk over the symbol graph spreads part of that
mass to the node's neighbours (callers, callees, bases, members). A candidate's score is its own
personalization plus the mass that reached it through the graph (`GRAPH_WEIGHT`); see rank.py.

The values were chosen from what each signal means, then checked on the development benchmark as
a whole (never per case): when the cursor follows `x.` and the map knows `x`'s type, the type's
members are the strongest evidence there is; names the code just used come next; the graph,
recency and lexical similarity fill in the rest.
"""

from __future__ import annotations

# -- source weights: how much one unit of strength from each source counts -----------------------

# Members of the receiver's type when the cursor follows `x.` and the map (or jedi) knows the type.
# Almost always what the next token is drawn from, so it outweighs everything else.
W_RECEIVER = 10.0
# Members of classes guessed from the receiver's *name* (`session.` -> `Session`) or from the
# attributes already used on it: a convention, not a proof, so well below a known type.
W_RECEIVER_GUESS = 4.0
# Definitions of names the file imports from the workspace. The strength decays with the distance
# from the cursor to the name's last use (see IMPORT_* below).
W_IMPORT = 4.0
# Definitions of names used in the lines just above the cursor (calls, attributes, names).
W_NEARBY = 3.0
# The enclosing function, class and the file's import block: where the cursor is.
W_SCOPE = 2.0
# Methods of the enclosing class and of its bases (self.<...> is the next thing often).
W_SIBLING = 2.0
# Callers of the enclosing function: how it is used.
W_CALLER = 1.0
# Symbols the user changed recently (from the map's history): keeps the model consistent with the
# state it is writing against. Strength decays with age (RECENT_HALF_LIFE_S).
W_RECENT = 2.0
# BM25 similarity of the code before the cursor to a chunk (function, class header, method).
W_LEXICAL = 1.5
# Project documentation sections by BM25 similarity; `.ssc/guidelines.md` gets W_GUIDELINES.
W_DOCS = 0.6
W_GUIDELINES = 2.5
# Module-level symbols of the same file and of sibling modules of the same package: a weak prior.
W_SAME_FILE = 0.4
W_SAME_PACKAGE = 0.15
# Third-party APIs (installed packages, via jedi) used near the cursor.
W_EXTERNAL = 1.5
# Fitting the syntactic slot (an exception after `raise`, a decorator after `@`, a class in a
# class's bases): added to candidates other sources proposed, enough to reorder a long member list.
W_SLOT = 3.0
# The name starts with the word being typed (at least TYPED_MIN_CHARS of it): the strongest hint
# a bare name gets; the symbol search adds up to TYPED_SEARCH_LIMIT matches nobody proposed.
W_TYPED = 5.0
TYPED_MIN_CHARS = 2
# Once something matches the typed word, what does not match counts this much.
TYPED_OTHERS_FACTOR = 0.4
TYPED_SEARCH_LIMIT = 20

# After `x.` the next name is a member of x's type; what is not a member only describes the
# surroundings. Once the receiver's members are known (inferred) or guessed, candidates that are
# not members count this much (a guess may be wrong, so it damps them less). Members keep all
# their evidence: a member also used just above is likelier still.
RECEIVER_OTHERS_FACTOR: dict[str, float] = {"receiver": 0.5, "receiver_guess": 0.8}

# A second definition of the same name in the same scope (`Factory = _add_repr(Factory)`, a
# fallback in `except ImportError:`) is what the name finally is: proposed beside the first,
# with this much of its strength.
REBINDING_FACTOR = 0.8

# -- graph walk ---------------------------------------------------------------------------------

# Restart probability of the walk: high, so the mass stays within a couple of hops of the seeds.
PPR_RESTART = 0.5
# How much the mass that reached a node through edges adds to its own personalization.
GRAPH_WEIGHT = 1.0
# Push-PPR pushes a node while its residual exceeds this times its degree (relative to the total
# seed mass, as Andersen-Chung-Lang do) and stops after
# PPR_MAX_PUSHES pushes: bounds the latency on a Django-size graph.
PPR_EPSILON = 1e-4
PPR_MAX_PUSHES = 3000
# Nodes the walk reaches that no source proposed: only the GRAPH_MAX_NEW with the most mass
# become candidates (the long tail has too little mass to be packed anyway).
GRAPH_MAX_NEW = 80
# Edge weights of the walk, per relation and direction: (forward, backward). A member says more
# about its class than a class about each of its many members; a call says more about the callee
# than about the caller.
EDGE_WEIGHTS: dict[str, tuple[float, float]] = {
    "calls": (1.0, 0.3),
    "references": (0.6, 0.2),
    "inherits": (1.0, 0.3),
    "contains": (0.2, 1.0),
    "imports": (0.1, 0.05),
}

# -- per-signal shapes ----------------------------------------------------------------------------

# Receiver members: strength = decay^depth in the MRO times (POP_FLOOR + (1 - POP_FLOOR) * pop),
# where pop is how often the member is accessed in the workspace, on a receiver of the same name
# and in general (log-scaled, normalized over the type's members).
RECEIVER_BASE_DECAY = 0.85
POP_FLOOR = 0.35
POP_SAME_RECEIVER_SHARE = 0.6  # of pop: accesses on a receiver with the same last name
# A subclass's override of a member of the receiver's type (a call on a base-typed receiver may
# run it) counts this much of the member's strength; at most OVERRIDE_MAX_CLASSES subclasses.
OVERRIDE_FACTOR = 0.4
OVERRIDE_MAX_CLASSES = 12
# A member the file already accessed on this very receiver text gets this much more strength.
USED_ON_RECEIVER_BONUS = 0.3
# Name guesses: a class whose name equals the receiver's (modulo case and underscores) counts 1.0,
# a prefix or abbreviation (`env` -> Environment, `tmpl` -> Template) counts this much.
GUESS_ABBREV = 0.6
GUESS_MAX_CLASSES = 4  # at most this many guessed classes feed members

# Imports: strength = IMPORT_FLOOR + (1 - IMPORT_FLOOR) * exp(-lines since last use / SCALE).
IMPORT_PROXIMITY_SCALE = 40.0
IMPORT_FLOOR = 0.15
IMPORT_UNUSED = 0.3  # imported but not used before the cursor: it may be used next
IMPORT_LOCAL = 1.0  # imported inside the enclosing function: about to be used
IMPORT_USES_BONUS = 0.05  # per earlier use, capped at IMPORT_USES_CAP
IMPORT_USES_CAP = 0.25

# Nearby names: strength = exp(-lines above the cursor / NEARBY_SCALE), over NEARBY_LINES lines.
NEARBY_LINES = 40
NEARBY_SCALE = 12.0

# Recency: strength = 0.5 ** (age / half-life), for events of the last RECENT_WINDOW_S seconds.
RECENT_HALF_LIFE_S = 300.0
RECENT_WINDOW_S = 3600.0
RECENT_MAX = 30

# Lexical: the query is the last LEXICAL_QUERY_LINES lines before the cursor; the top
# LEXICAL_TOP chunks become candidates with strength = score / best score.
LEXICAL_QUERY_LINES = 10
LEXICAL_TOP = 40
DOCS_TOP = 4

# The current file is already in front of the model (the prompt carries the code around the
# cursor), so its own symbols count this much of their strength.
IN_FILE_FACTOR = 0.35
# A test file's symbols are rarely what production code needs next; they count this much unless
# the cursor is in a test file too.
TEST_FILE_FACTOR = 0.5

# -- packing --------------------------------------------------------------------------------------

# The first WHOLE_TOP_RANKS items are shown whole when their text is at most WHOLE_MAX_CHARS;
# every other item is a signature (header + first docstring line), like a repo map. Neither
# depends on the budget, so a larger budget only appends items: a context packed at 4,000 chars is
# a prefix of the one packed at 16,000.
WHOLE_TOP_RANKS = 3
WHOLE_MAX_CHARS = 700
# A header longer than this (many parameters on many lines) is rendered on one line from the
# map's parsed signature instead, its parameters cut to fit: a repo map lists many definitions
# briefly rather than a few at length. Decorators: the first DECORATORS_MAX, shortened.
SIGNATURE_MAX_LINES = 4
SIGNATURE_MAX_CHARS = 200
DOC_LINE_MAX_CHARS = 100
DECORATORS_MAX = 2
DECORATOR_MAX_CHARS = 80
VALUE_MAX_CHARS = 160  # variables and attributes: the assignment's first line, shortened
DOC_SECTION_MAX_CHARS = 900
# Candidates below this fraction of the best score are not packed at all (noise).
MIN_SCORE_SHARE = 1e-4
