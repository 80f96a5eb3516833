"""Reads many feed files with the Universal Feed Parser and prints, per file, what a reader sees of its items.

Usage: /usr/bin/python3 feedparse-many.py LIST  (LIST: a file with one feed path per line)
Prints one JSON object per line: {"path", "bozo", "version", "ids"}. One process for thousands of
feeds: starting Python once per feed would take longer than the parsing.
"""
import json
import sys

import feedparser

with open(sys.argv[1], encoding="utf-8") as listing:
    paths = [line.rstrip("\n") for line in listing if line.strip()]
for path in paths:
    with open(path, "rb") as f:
        d = feedparser.parse(f.read())
    print(json.dumps({
        "path": path,
        "bozo": bool(d.get("bozo")),
        "version": d.get("version"),
        "ids": [e.get("id") for e in d.get("entries", [])],
    }, ensure_ascii=False))
