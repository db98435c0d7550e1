"""Fill empty msgstr entries of a .po file from a JSON glossary (msgid → translation).

Used when adding Indonesian texts: ``python scripts/fill_po.py hadir/locale/id/LC_MESSAGES/django.po
docs/i18n/id.json``. Entries already translated are left alone; missing ones are listed.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path


def _unquote(lines: list[str]) -> str:
    return "".join(json.loads(line) for line in lines)


def _quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def fill(po_path: Path, glossary: dict[str, str]) -> list[str]:
    lines = po_path.read_text(encoding="utf-8").splitlines()
    out: list[str] = []
    missing: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("msgid "):
            comments = 0
            while comments < len(out) and out[-1 - comments].startswith("#"):
                comments += 1
            flags = out[len(out) - comments :]
            fuzzy = any(c.startswith("#, fuzzy") for c in flags)
            block = [line[6:]]
            i += 1
            while i < len(lines) and lines[i].startswith('"'):
                block.append(lines[i])
                i += 1
            msgid = _unquote(block)
            plural = i < len(lines) and lines[i].startswith("msgid_plural ")
            if plural:  # Indonesian has one plural form: msgstr[0] is the translation
                block.append(lines[i])
                i += 1
            prefix = "msgstr[0] " if plural else "msgstr "
            current: list[str] = []
            if i < len(lines) and lines[i].startswith(prefix):
                current = [lines[i][len(prefix) :]]
                i += 1
                while i < len(lines) and lines[i].startswith('"'):
                    current.append(lines[i])
                    i += 1
            untranslated = bool(msgid) and (fuzzy or not _unquote(current))
            if untranslated and msgid in glossary:
                # A fresh translation replaces makemessages' fuzzy guess, flag and all.
                del out[len(out) - comments :]
                out.extend(c for c in flags if not c.startswith(("#, fuzzy", "#|")))
                out.append("msgid " + block[0])
                out.extend(block[1:])
                out.append(prefix + _quote(glossary[msgid]))
                continue
            if untranslated:
                missing.append(msgid)
            out.append("msgid " + block[0])
            out.extend(block[1:])
            if current:
                out.append(prefix + current[0])
                out.extend(current[1:])
            continue
        out.append(line)
        i += 1
    text = "\n".join(out) + "\n"
    text = re.sub(r'^#, fuzzy\n(?=msgid "")', "", text, count=1, flags=re.M)
    po_path.write_text(text, encoding="utf-8")
    return missing


if __name__ == "__main__":
    po, glossary_path = Path(sys.argv[1]), Path(sys.argv[2])
    for msgid in fill(po, json.loads(glossary_path.read_text(encoding="utf-8"))):
        print("untranslated:", msgid)
