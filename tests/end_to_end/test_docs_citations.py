"""The documents the code cites are in the repository (issue 12, item 6).

Comments, docstrings and messages cite the project's docs as ``docs/domain.md §3.6`` (the heading
that keeps the domain notes' section number, "… (notes §3.6)"), ``docs/domain.md §3.9 #13`` (item
13 of that section) or ``docs/api.md, "Codes"`` (a heading by its text, or by the words its text
begins with: "Forms" for "Forms: the registrar records the facts"). Every such citation must
lead to a file, a heading and an item that exist; nothing may cite the research notes or the
contract outside the repository (``domain-vn``, ``API.md``) any more. Links between the docs
(``[…](domain.md#anchor)``) must land on a heading too.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

SELF = Path(__file__).resolve()
ROOT = SELF.parents[2]
DOCS = ROOT / "docs"
CODE_FOLDERS = ("src", "projections", "api", "tests", "bench")
CODE_SUFFIXES = frozenset({".py", ".toml", ".html", ".js", ".txt"})

# docs/NAME.md, then either § sections (", §4", " and §4", "§3.9 #13") or , "Heading".
CITATION = re.compile(
    r"docs/(?P<file>[\w.-]+\.md)`{0,2}"
    r"(?P<sections>(?:(?:,| and|;)?\s?§\d+(?:\.\d+)?(?:\s#\d+)?)+)?"
    r"(?:,\s\"(?P<heading>[^\"]+)\")?"
)
SECTION = re.compile(r"§(?P<number>\d+(?:\.\d+)?)(?:\s#(?P<item>\d+))?")
# The old citations: the research notes and the HTTP contract kept outside the repository.
OLD_CITATION = re.compile(r"domain-vn|(?<![\w/.])API\.md")
LINK = re.compile(r"\]\((?P<file>[\w.-]+\.md)?#(?P<anchor>[^)\s]+)\)")
HEADING = re.compile(r"^(?P<hashes>#{1,6})\s+(?P<text>.+?)\s*#*\s*$")


@dataclass(frozen=True)
class Heading:
    level: int
    text: str
    line: int


@dataclass(frozen=True)
class Citation:
    where: str
    file: str
    section: str | None = None
    item: str | None = None
    heading: str | None = None

    def __str__(self) -> str:
        what = f" §{self.section}" if self.section else ""
        what += f" #{self.item}" if self.item else ""
        what += f', "{self.heading}"' if self.heading else ""
        return f"{self.where}: docs/{self.file}{what}"


def code_files() -> list[Path]:
    found = []
    for folder in CODE_FOLDERS:
        for path in sorted((ROOT / folder).rglob("*")):
            if path == SELF or "__pycache__" in path.parts:
                continue  # this file's own examples are broken on purpose
            if path.is_file() and path.suffix in CODE_SUFFIXES:
                found.append(path)
    return found


def citations_in(text: str, where: str) -> list[Citation]:
    found = []
    for match in CITATION.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        at = f"{where}:{line}"
        file = match["file"]
        if match["sections"]:
            for section in SECTION.finditer(match["sections"]):
                found.append(Citation(at, file, section=section["number"], item=section["item"]))
        elif match["heading"]:
            # A heading cited in a comment may wrap onto the next comment line.
            heading = re.sub(r"\s*\n\s*(?:#\s*)?", " ", match["heading"])
            found.append(Citation(at, file, heading=heading))
        else:
            found.append(Citation(at, file))
    return found


def headings(markdown: str) -> list[Heading]:
    found = []
    fenced = False
    for number, line in enumerate(markdown.splitlines(), start=1):
        if line.startswith("```"):
            fenced = not fenced
            continue
        match = None if fenced else HEADING.match(line)
        if match:
            found.append(Heading(len(match["hashes"]), match["text"], number))
    return found


def anchor(text: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = unicodedata.normalize("NFC", text.strip().lower())
    text = "".join(ch for ch in text if ch in " -_" or unicodedata.category(ch)[0] in "LN")
    return text.replace(" ", "-")


@cache
def document(file: str) -> tuple[list[str], list[Heading], set[str]] | None:
    path = DOCS / file
    if not path.is_file():
        return None
    markdown = path.read_text(encoding="utf-8")
    found = headings(markdown)
    anchors: set[str] = set()
    for heading in found:
        base = anchor(heading.text)
        name, n = base, 0
        while name in anchors:
            n += 1
            name = f"{base}-{n}"
        anchors.add(name)
    return markdown.splitlines(), found, anchors


def names(heading: str, cited: str) -> bool:
    """Whether ``cited`` names the heading: its whole text, or the words it begins with
    ("Forms" names "Forms: the registrar records the facts")."""
    if heading == cited:
        return True
    return heading.startswith(cited) and not heading[len(cited)].isalnum()


def problem(citation: Citation) -> str | None:
    """Why a citation does not resolve, or None when it does."""
    found = document(citation.file)
    if found is None:
        return f"{citation}: no such file"
    lines, all_headings, _ = found
    if citation.heading is not None:
        if not any(names(heading.text, citation.heading) for heading in all_headings):
            return f"{citation}: no heading with that text"
        return None
    if citation.section is None:
        return None
    marker = f"§{citation.section})"
    matches = [heading for heading in all_headings if marker in heading.text]
    if len(matches) != 1:
        return f"{citation}: {len(matches)} headings end their note with '{marker}'"
    if citation.item is None:
        return None
    heading = matches[0]
    after = [h.line for h in all_headings if h.line > heading.line and h.level <= heading.level]
    end = after[0] if after else len(lines) + 1
    body = lines[heading.line : end - 1]
    if not any(line.startswith(f"{citation.item}. ") for line in body):
        return f"{citation}: the section has no item {citation.item}"
    return None


def all_citations() -> list[Citation]:
    found = []
    for path in code_files():
        text = path.read_text(encoding="utf-8")
        found.extend(citations_in(text, str(path.relative_to(ROOT))))
    return found


def test_the_code_cites_the_docs() -> None:
    cited = all_citations()
    files = {citation.file for citation in cited}
    assert {"domain.md", "api.md"} <= files
    assert sum(1 for citation in cited if citation.file == "domain.md" and citation.section) >= 20


def test_every_docs_citation_in_the_code_resolves() -> None:
    problems = [found for citation in all_citations() if (found := problem(citation))]
    assert problems == []


def test_no_code_cites_the_notes_or_the_contract_outside_the_repository() -> None:
    old = []
    for path in code_files():
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if OLD_CITATION.search(line):
                old.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    for path in sorted(DOCS.glob("*.md")):
        if path.name == "domain.md":
            continue  # it says once how the notes used to be cited, so old citations map
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if OLD_CITATION.search(line):
                old.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert old == []


def test_the_domain_notes_keep_every_section_number_once() -> None:
    found = document("domain.md")
    assert found is not None
    notes = [n for heading in found[1] for n in re.findall(r"\(notes §([\d.]+)\)", heading.text)]
    assert len(notes) == len(set(notes))
    expected = {"0", "1", "2", "3", "4", "5", "6"}
    expected |= {f"1.{n}" for n in range(1, 9)} | {f"2.{n}" for n in range(1, 7)}
    expected |= {f"3.{n}" for n in range(1, 11)} | {f"4.{n}" for n in range(1, 9)}
    assert expected <= set(notes)


@pytest.mark.parametrize("page", sorted(path.name for path in DOCS.glob("*.md")))
def test_links_between_the_docs_land_on_a_heading(page: str) -> None:
    text = (DOCS / page).read_text(encoding="utf-8")
    broken = []
    for match in LINK.finditer(text):
        target = match["file"] or page
        found = document(target)
        if found is None or match["anchor"] not in found[2]:
            broken.append(f"{page}: {match.group(0)}")
    assert broken == []


def test_the_readme_and_the_architecture_link_the_domain_notes() -> None:
    assert "(docs/domain.md)" in (ROOT / "README.md").read_text(encoding="utf-8")
    assert "(domain.md)" in (DOCS / "architecture.md").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("(docs/domain.md §3.6)", None),
        ("(docs/domain.md §3.1, §3.9 #13)", None),
        ('docs/api.md, "Codes"', None),
        ("(docs/domain.md §9.9)", "0 headings"),
        ("(docs/domain.md §3.9 #99)", "no item 99"),
        ('docs/api.md, "No such heading"', "no heading"),
        ('docs/api.md, "Code"', "no heading"),
        ('docs/workbench.md, "Forms"', None),
        ('(docs/rules.md, "Conditions of\n# appointment")', None),
        ("docs/nowhere.md §1", "no such file"),
    ],
)
def test_the_checker_tells_a_resolving_citation_from_a_broken_one(text: str, expected: str | None) -> None:
    problems = [problem(citation) for citation in citations_in(text, "example")]
    assert problems
    if expected is None:
        assert problems == [None] * len(problems)
    else:
        assert any(found and expected in found for found in problems)


TEST_PATH = re.compile(r"(?<![\w/])tests/(?:[\w]+/)*test_\w+\.py")


def test_every_test_file_the_docs_and_the_code_name_exists() -> None:
    named = {
        (str(path.relative_to(ROOT)), found)
        for path in [*DOCS.glob("*.md"), ROOT / "README.md", *code_files()]
        for found in TEST_PATH.findall(path.read_text(encoding="utf-8"))
    }
    assert named, "no test file is named anywhere: the pattern is wrong"
    missing = sorted(f"{where}: {found}" for where, found in named if not (ROOT / found).is_file())
    assert missing == []
