"""Every relative link in README.md and docs/ leads somewhere: a file that exists, a heading that exists.

The README is one page that sends readers to docs/ for reference; a link that 404s on GitHub is a
dead end for exactly the reader who wanted more.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)|!\[[^\]]*\]\(([^)\s]+)\)")


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation but '-' and '_' dropped, spaces to '-'."""
    text = heading.strip().lower().replace("`", "")
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(page: Path) -> set[str]:
    text = re.sub(r"```.*?```", "", page.read_text(), flags=re.S)  # '# comments' in code are not headings
    return {slug(m.group(1)) for m in re.finditer(r"^#{1,6} (.+)$", text, flags=re.M)}


def relative_links(page: Path) -> list[str]:
    text = re.sub(r"```.*?```", "", page.read_text(), flags=re.S)
    found = [a or b for a, b in LINK.findall(text)]
    return [link for link in found if not re.match(r"^[a-z][a-z0-9+.-]*:", link)]


@pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(ROOT)) for p in PAGES])
def test_every_relative_link_resolves(page: Path) -> None:
    broken = []
    for link in relative_links(page):
        target, _, anchor = link.partition("#")
        path = (page.parent / target).resolve() if target else page
        if not path.exists():
            broken.append(f"{link}: {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path} does not exist")
        elif anchor and path.suffix == ".md" and anchor not in anchors(path):
            broken.append(f"{link}: no heading #{anchor} in {path.relative_to(ROOT)}")
    assert not broken, f"{page.relative_to(ROOT)} has broken links:\n" + "\n".join(broken)


def test_the_readme_stays_one_page() -> None:
    assert len((ROOT / "README.md").read_text().splitlines()) <= 250


def test_every_example_dag_is_named_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text()
    dag_ids = [
        m.group(1)
        for path in sorted((ROOT / "dags").glob("*.py"))
        for m in re.finditer(r'dag_id="([^"]+)"', path.read_text())
    ]
    assert dag_ids, "no example DAG found"
    assert [d for d in dag_ids if f"`{d}`" not in readme] == []
