"""Reads a feed on stdin with the Universal Feed Parser and prints what a reader sees, as JSON.

Run with Debian's interpreter (/usr/bin/python3), which has python3-feedparser.
"""
import json
import sys
from html.parser import HTMLParser

import feedparser


class _Text(HTMLParser):
    """The text of an HTML fragment, as a browser would show it (markup dropped, references decoded)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []

    def handle_data(self, data):
        self.parts.append(data)


def html_text(value):
    if value is None:
        return None
    parser = _Text()
    parser.feed(value)
    parser.close()
    return "".join(parser.parts)

d = feedparser.parse(sys.stdin.buffer.read())
feed = d.get("feed", {})


def when(entry, key):
    parsed = entry.get(key + "_parsed")
    return None if parsed is None else "%04d-%02d-%02dT%02d:%02d:%02dZ" % tuple(parsed[:6])


print(json.dumps({
    "bozo": bool(d.get("bozo")),
    "bozo_exception": str(d.get("bozo_exception", "")) or None,
    "version": d.get("version"),
    "feed": {
        "title": feed.get("title"),
        "link": feed.get("link"),
        "links": [{"rel": l.get("rel"), "href": l.get("href"), "type": l.get("type")} for l in feed.get("links", [])],
        "updated": when(feed, "updated"),
    },
    "entries": [{
        "id": e.get("id"),
        "title": e.get("title"),
        "link": e.get("link"),
        "summary": e.get("summary"),
        # feedparser hands the summary over as HTML (summary_detail.type text/html): the text it shows.
        "summary_text": html_text(e.get("summary")),
        "content": [c.get("value") for c in e.get("content", [])],
        "published": when(e, "published"),
        "updated": when(e, "updated"),
        "tags": [t.get("term") for t in e.get("tags", [])],
        "tag_labels": [t.get("label") for t in e.get("tags", [])],
        "guidislink": e.get("guidislink"),
        "enclosures": [{"href": x.get("href"), "type": x.get("type"), "length": x.get("length")} for x in e.get("enclosures", [])],
    } for e in d.get("entries", [])],
}, ensure_ascii=False))
