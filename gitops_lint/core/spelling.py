"""Misspellings of known names (environment names such as `prodcution` for `production`)."""

from __future__ import annotations


def near_miss(env: str, known: list[str]) -> str | None:
    """The known environment name `env` misspells (edit distance 1 or 2: `prodcution`, `developement`),
    for names of 6 letters or more; a variant that extends a name (`staging2`, `production-eu`) is not
    a misspelling."""
    lower = env.lower()
    if len(lower) < 6:
        return None
    for name in sorted(set(known), key=lambda n: (len(n), n)):
        if len(name) >= 6 and not lower.startswith(name) and not name.startswith(lower) \
                and 0 < edit_distance(lower, name.lower()) <= 2:
            return name
    return None


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance with adjacent transpositions counted as one edit (`prodcution` -> 1)."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            cost = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cost = min(cost, previous2[j - 2] + 1)
            current.append(cost)
        previous2, previous = previous, current
    return previous[-1]
