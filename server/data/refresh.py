#!/usr/bin/env python3
"""Regenerate server/data/official-images.json and server/data/eol.json from upstream.

Run by a human (never by the build or the tests), with Python 3.9+ and git, from anywhere:

    python3 server/data/refresh.py                  # clone both upstreams (shallow) and rewrite both files
    python3 server/data/refresh.py --only eol       # just eol.json
    python3 server/data/refresh.py --official-images ~/src/official-images --endoflife ~/src/endoflife.date
                                                    # use existing git checkouts, as they are

Sources:
  official-images.json  docker-library/official-images, the `library/` folder: one file per Docker Official
                        Image, in the RFC 2822-like manifest format; every `Tags:` and `SharedTags:` value
                        of every entry, merged, de-duplicated and sorted.
  eol.json              endoflife-date/endoflife.date, the YAML front matter of `products/*.md`: every
                        product with at least one `pkg:docker/...` purl identifier, with its title, those
                        docker repositories, and its releases' releaseCycle, releaseDate, eol, eoas, lts,
                        latest and codename.

Each file records the upstream repository, the commit read and that commit's date (UTC). Keys are sorted
and the JSON is written with one-space indentation, so a refresh diffs cleanly. Only the standard library
is used. After refreshing, run `cargo test --test data` and review the diff: tests that pin today's facts
(which node tags exist, which Debian release is current) may need updating with the data.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))

OFFICIAL_IMAGES_REPO = "docker-library/official-images"
ENDOFLIFE_REPO = "endoflife-date/endoflife.date"

OFFICIAL_IMAGES_NOTE = "Docker Official Images (docker.io/library/NAME) and the tags supported on that date"
EOL_NOTE = (
    "release cycles and end-of-life dates of products, with the docker images (purl names) each product is "
    "shipped as"
)

# The release fields kept, in the names eol.json uses; `support` is the older name of `eoas`.
RELEASE_FIELDS = ("releaseCycle", "releaseDate", "eol", "eoas", "lts", "latest", "codename")
FIELD_ALIASES = {"support": "eoas"}

DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
IMAGE_NAME = re.compile(r"^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$")


class DataError(Exception):
    pass


# --------------------------------------------------------------------------------------------------------
# git


def git(checkout, *args):
    return subprocess.run(
        ["git", "-C", checkout, *args],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "TZ": "UTC"},
    ).stdout.strip()


def clone(repo, into):
    url = f"https://github.com/{repo}.git"
    print(f"cloning {url} ...", file=sys.stderr)
    subprocess.run(["git", "clone", "--quiet", "--depth", "1", url, into], check=True)
    return into


def commit_and_date(checkout):
    """The HEAD commit and its committer date in UTC (YYYY-MM-DD)."""
    commit = git(checkout, "rev-parse", "HEAD")
    date = git(checkout, "log", "-1", "--format=%cd", "--date=format-local:%Y-%m-%d")
    if not re.fullmatch(r"[0-9a-f]{40}", commit) or not DATE.match(date):
        raise DataError(f"{checkout}: unexpected git output {commit!r} {date!r}")
    if git(checkout, "status", "--porcelain"):
        print(f"warning: {checkout} has local changes; the recorded commit does not describe them", file=sys.stderr)
    return commit, date


# --------------------------------------------------------------------------------------------------------
# docker-library/official-images


def manifest_tags(text):
    """The tags named in one library file.

    The format (docker-library/go-dockerlibrary, manifest/rfc2822.go): paragraphs separated by blank lines,
    `Key: value` fields, continuation lines starting with whitespace, `#` comment lines. The first paragraph
    holds defaults; every later one is an entry whose `Tags` and `SharedTags` are comma-separated lists.
    Field names are case-insensitive. A file with no entries (a deprecated image) has no tags.
    """
    tags = set()
    fields = []  # [name, value] of the current paragraph
    paragraphs = []

    def end_paragraph():
        if fields:
            paragraphs.append(fields[:])
            fields.clear()

    for line in text.splitlines():
        if line.startswith("#"):
            continue
        if not line.strip():
            end_paragraph()
            continue
        if line[0] in " \t":
            if not fields:
                raise DataError(f"continuation line without a field: {line!r}")
            fields[-1][1] += " " + line.strip()
            continue
        name, colon, value = line.partition(":")
        if not colon:
            raise DataError(f"not a field: {line!r}")
        fields.append([name.strip().lower(), value.strip()])
    end_paragraph()

    for paragraph in paragraphs:
        for name, value in paragraph:
            if name in ("tags", "sharedtags"):
                tags.update(t.strip() for t in value.split(",") if t.strip())
    return sorted(tags)


def official_images(checkout):
    library = os.path.join(checkout, "library")
    images = {}
    for name in sorted(os.listdir(library)):
        path = os.path.join(library, name)
        if not os.path.isfile(path) or not IMAGE_NAME.match(name):
            continue
        with open(path, encoding="utf-8") as f:
            try:
                images[name] = manifest_tags(f.read())
            except DataError as e:
                raise DataError(f"{path}: {e}") from None
    if not images:
        raise DataError(f"{library}: no image files")
    commit, date = commit_and_date(checkout)
    return {
        "commit": commit,
        "date": date,
        "images": images,
        "note": OFFICIAL_IMAGES_NOTE,
        "source": OFFICIAL_IMAGES_REPO,
    }


# --------------------------------------------------------------------------------------------------------
# A YAML subset, enough for endoflife.date front matter: block mappings and sequences (including sequences
# at their key's indentation), plain, quoted and block scalars, flow sequences of scalars, comments.
# Scalars stay strings except true/false/null; dates stay `YYYY-MM-DD` strings and numbers keep their text
# (`1.10` stays "1.10", which is what a release cycle means).


class Yaml:
    def __init__(self, text, origin):
        self.origin = origin
        self.lines = []  # [indent, text, line number], comments and blank lines removed
        self.raw = text.splitlines()
        for number, line in enumerate(self.raw, 1):
            if "\t" in line[: len(line) - len(line.lstrip())]:
                self.fail(number, "tab in indentation")
            body = line.strip()
            if not body or body.startswith("#"):
                continue
            self.lines.append([len(line) - len(line.lstrip(" ")), line.strip(), number])
        self.i = 0

    def fail(self, number, message):
        raise DataError(f"{self.origin}:{number}: {message}")

    def parse(self):
        if not self.lines:
            return {}
        value = self.block(self.lines[0][0])
        if self.i < len(self.lines):
            self.fail(self.lines[self.i][2], "unexpected indentation")
        return value

    def block(self, indent):
        if self.lines[self.i][1].startswith("- ") or self.lines[self.i][1] == "-":
            return self.sequence(indent)
        return self.mapping(indent)

    def sequence(self, indent):
        items = []
        while self.i < len(self.lines):
            line = self.lines[self.i]
            if line[0] != indent or not (line[1].startswith("- ") or line[1] == "-"):
                break
            rest = line[1][1:]
            content = rest.lstrip(" ")
            if not content:
                self.i += 1
                if self.i < len(self.lines) and self.lines[self.i][0] > indent:
                    items.append(self.block(self.lines[self.i][0]))
                else:
                    items.append(None)
                continue
            # Re-read the item's content as a block at its own column.
            line[0] = indent + 1 + (len(rest) - len(content))
            line[1] = content
            if self.is_key(content) or content.startswith("- "):
                items.append(self.block(line[0]))
            else:
                items.append(self.scalar_at(indent))
        return items

    KEY = re.compile(r"""^(?:"(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^\s#'"\[\]{},:][^#]*?)\s*:(?:\s|$)""")

    def is_key(self, text):
        return self.KEY.match(text) is not None

    def mapping(self, indent):
        result = {}
        while self.i < len(self.lines):
            line = self.lines[self.i]
            if line[0] != indent:
                if line[0] > indent:
                    self.fail(line[2], "unexpected indentation")
                break
            match = self.KEY.match(line[1])
            if not match:
                self.fail(line[2], f"expected `key: value`, found {line[1]!r}")
            key = self.unquote(match.group(0).rstrip().rstrip(":").rstrip())
            rest = line[1][match.end() :].strip()
            if key in result:
                self.fail(line[2], f"duplicate key {key!r}")
            if rest and not rest.startswith("#"):
                line[1] = rest
                result[key] = self.scalar_at(indent)
                continue
            self.i += 1
            following = self.lines[self.i] if self.i < len(self.lines) else None
            if following and following[0] > indent:
                if self.is_key(following[1]) or following[1].startswith("- ") or following[1] == "-":
                    result[key] = self.block(following[0])
                else:
                    result[key] = self.scalar_at(indent, continuation_only=True)
            elif following and following[0] == indent and (following[1].startswith("- ") or following[1] == "-"):
                result[key] = self.sequence(indent)
            else:
                result[key] = None
        return result

    def scalar_at(self, indent, continuation_only=False):
        """The scalar starting on the current line (unless `continuation_only`), continued by the following
        lines indented deeper than `indent`."""
        line = self.lines[self.i]
        number = line[2]
        parts = [] if continuation_only else [line[1]]
        if not continuation_only:
            self.i += 1
        head = parts[0] if parts else ""
        if head[:1] in ("|", ">"):
            return self.block_scalar(head, number, indent)
        while self.i < len(self.lines) and self.lines[self.i][0] > indent:
            parts.append(self.lines[self.i][1])
            self.i += 1
        return self.convert(" ".join(parts), number)

    def block_scalar(self, header, number, indent):
        # Block scalars keep comment-like and blank lines, so read the raw text.
        lines = []
        raw = number  # 1-based number of the header line == 0-based index of the next raw line
        content_indent = None
        while raw < len(self.raw):
            text = self.raw[raw]
            width = len(text) - len(text.lstrip(" "))
            if text.strip() and width <= indent:
                break
            if text.strip() and content_indent is None:
                content_indent = width
            lines.append(text[content_indent:] if content_indent and text.strip() else "")
            raw += 1
        while self.i < len(self.lines) and self.lines[self.i][2] <= raw:
            self.i += 1
        while lines and not lines[-1]:
            lines.pop()
        if header.startswith(">"):
            return " ".join(lines) + ("" if "-" in header else "\n")
        return "\n".join(lines) + ("" if "-" in header else "\n")

    def convert(self, text, number):
        text = text.strip()
        if text[:1] in ('"', "'"):
            end = self.closing_quote(text)
            if end is None:
                self.fail(number, f"unterminated string {text!r}")
            after = text[end + 1 :].strip()
            if after and not after.startswith("#"):
                self.fail(number, f"text after a quoted string: {text!r}")
            return self.unquote(text[: end + 1])
        text = re.sub(r"\s+#.*$", "", text).strip()
        if text.startswith("[") and text.endswith("]"):
            inner = text[1:-1].strip()
            return [self.convert(part, number) for part in self.split_flow(inner)] if inner else []
        if text in ("true", "True", "TRUE"):
            return True
        if text in ("false", "False", "FALSE"):
            return False
        if text in ("", "~", "null", "Null", "NULL"):
            return None
        return text

    @staticmethod
    def split_flow(text):
        """The items of a flow sequence's inside, split at commas outside quotes (no nesting)."""
        parts, current, quote = [], "", None
        for c in text:
            if quote:
                quote = None if c == quote else quote
            elif c in "\"'" and not current.strip():
                quote = c
            elif c == ",":
                parts.append(current)
                current = ""
                continue
            current += c
        parts.append(current)
        return parts

    @staticmethod
    def closing_quote(text):
        quote = text[0]
        i = 1
        while i < len(text):
            if quote == '"' and text[i] == "\\":
                i += 2
                continue
            if text[i] == quote:
                if quote == "'" and text[i + 1 : i + 2] == "'":
                    i += 2
                    continue
                return i
            i += 1
        return None

    @staticmethod
    def unquote(text):
        if len(text) >= 2 and text[0] == text[-1] == "'":
            return text[1:-1].replace("''", "'")
        if len(text) >= 2 and text[0] == text[-1] == '"':
            body = text[1:-1]
            try:
                return json.loads('"' + body + '"')
            except ValueError:
                return body.replace('\\"', '"').replace("\\\\", "\\")
        return text


def front_matter(text, origin):
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        return None
    for end in range(1, len(lines)):
        if lines[end].strip() == "---":
            return Yaml("\n".join(lines[1:end]), origin).parse()
    raise DataError(f"{origin}: front matter is not closed")


# --------------------------------------------------------------------------------------------------------
# endoflife-date/endoflife.date


def release_value(field, value, origin):
    """eol.json's value for a release field, checked."""
    if field in ("releaseCycle", "latest", "codename"):
        if isinstance(value, bool) or value is None or not str(value):
            raise DataError(f"{origin}: {field} is {value!r}, expected text")
        return str(value)
    if field == "releaseDate":
        if not isinstance(value, str) or not DATE.match(value):
            raise DataError(f"{origin}: releaseDate is {value!r}, expected YYYY-MM-DD")
        return value
    # eol, eoas, lts: a date or a boolean
    if isinstance(value, bool) or (isinstance(value, str) and DATE.match(value)):
        return value
    raise DataError(f"{origin}: {field} is {value!r}, expected YYYY-MM-DD, true or false")


def docker_images(identifiers):
    images = set()
    for identifier in identifiers or []:
        if isinstance(identifier, dict):
            purl = identifier.get("purl")
            if isinstance(purl, str) and purl.startswith("pkg:docker/"):
                images.add(purl[len("pkg:docker/") :])
    return sorted(images)


def endoflife(checkout):
    directory = os.path.join(checkout, "products")
    products = {}
    for name in sorted(os.listdir(directory)):
        if not name.endswith(".md"):
            continue
        path = os.path.join(directory, name)
        with open(path, encoding="utf-8") as f:
            data = front_matter(f.read(), path)
        if not isinstance(data, dict):
            continue
        images = docker_images(data.get("identifiers"))
        if not images:
            continue
        releases = []
        for number, release in enumerate(data.get("releases") or [], 1):
            origin = f"{path}: release {number}"
            if not isinstance(release, dict):
                raise DataError(f"{origin}: not a mapping")
            kept = {}
            for key, value in release.items():
                field = FIELD_ALIASES.get(key, key)
                if field in RELEASE_FIELDS and value is not None:
                    kept[field] = release_value(field, value, origin)
            for required in ("releaseCycle", "releaseDate", "eol"):
                if required not in kept:
                    raise DataError(f"{origin}: no {required}")
            releases.append(kept)
        title = data.get("title")
        if not isinstance(title, str) or not title:
            raise DataError(f"{path}: no title")
        products[name[: -len(".md")]] = {"images": images, "releases": releases, "title": title}
    if not products:
        raise DataError(f"{directory}: no product with a docker image")
    commit, date = commit_and_date(checkout)
    return {"commit": commit, "date": date, "note": EOL_NOTE, "products": products, "source": ENDOFLIFE_REPO}


# --------------------------------------------------------------------------------------------------------


def write(document, path):
    text = json.dumps(document, indent=1, sort_keys=True, ensure_ascii=True) + "\n"
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
    print(f"wrote {path} ({document['source']} {document['commit'][:12]}, {document['date']})", file=sys.stderr)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--official-images", metavar="CHECKOUT", help="an existing official-images git checkout")
    parser.add_argument("--endoflife", metavar="CHECKOUT", help="an existing endoflife.date git checkout")
    parser.add_argument("--only", choices=("official-images", "eol"), help="refresh one file only")
    parser.add_argument("--out", default=HERE, help="where to write the JSON files (default: next to this script)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="dockward-data-") as scratch:
        try:
            if args.only in (None, "official-images"):
                checkout = args.official_images or clone(OFFICIAL_IMAGES_REPO, os.path.join(scratch, "oi"))
                write(official_images(checkout), os.path.join(args.out, "official-images.json"))
            if args.only in (None, "eol"):
                checkout = args.endoflife or clone(ENDOFLIFE_REPO, os.path.join(scratch, "eol"))
                write(endoflife(checkout), os.path.join(args.out, "eol.json"))
        except (DataError, subprocess.CalledProcessError, OSError) as e:
            print(f"refresh.py: {e}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
