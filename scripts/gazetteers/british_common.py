#!/usr/bin/env python3
"""Rewrites the British-spelling block at the end of
config/entities/rules/common.tsv: by the rule of the American words above it,
the lower-case words of Debian wbritish-small, plus the lower-case words of
wbritish whose Capitalised form the list does not hold, that are not above
the block already (defence, organisers, rumours, ...).  Words of one letter
and words with an apostrophe are left out, as above.  Idempotent.

Usage: python3 scripts/gazetteers/british_common.py   (needs the Debian
packages wbritish and wbritish-small: scripts/gazetteers/setup.sh)"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
COMMON = os.path.join(HERE, "..", "..", "config", "entities", "rules", "common.tsv")
SMALL = "/usr/share/dict/british-english-small"
FULL = "/usr/share/dict/british-english"
MARK = "# British spellings"


def words(path):
    with open(path, encoding="utf-8") as f:
        return [w.rstrip("\n") for w in f]


def plain(w):
    return len(w) > 1 and w == w.lower() and "'" not in w


def main():
    for p in (SMALL, FULL):
        if not os.path.exists(p):
            sys.exit("british_common: %s not found (apt-get install wbritish wbritish-small)" % p)
    with open(COMMON, encoding="utf-8") as f:
        lines = f.read().split("\n")
    if MARK in "\n".join(lines):
        lines = lines[:next(i for i, l in enumerate(lines) if l.startswith(MARK))]
    while lines and not lines[-1]:
        lines.pop()
    have = {l.split("\t")[0] for l in lines if l and not l.startswith("#")}
    full = words(FULL)
    listed = set(full)
    add = {w for w in words(SMALL) if plain(w)}
    add |= {w for w in full if plain(w) and w.capitalize() not in listed}
    add = sorted(add - have)
    lines += [MARK + " (Debian wbritish-small and wbritish, SCOWL, the licence above):",
              "# the rule above applied to the British lists, for the words not above; made by",
              "# scripts/gazetteers/british_common.py"]
    lines += [w + "\tCOMMON" for w in add]
    with open(COMMON, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    print("british_common: %d British words" % len(add))


if __name__ == "__main__":
    main()
