"""Every page each kind of user sees (tests/e2e/role_pages.py), in Vietnamese and a few in
English: axe-core finds no violation of WCAG 2.1 A or AA of any impact, the Nu Html Checker no
error, and English pages mark the Vietnamese text they show (names, addresses) lang="vi".

axe-core and vnu.jar come from npm (package.json; `make test` runs `npm ci`), vnu.jar runs on
Java (Debian's default-jre-headless)."""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.e2e.role_pages import BY_ROLE, addresses, log_in, prepare

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# In English, besides the role's own pages: pages showing firms', places' and catalogue names.
ENGLISH_PUBLIC = {"/firms", "/firms/{firm}", "/catalogue/{item}", "/programmes/{programme}"}
# English pages whose Vietnamese is not marked yet, and why: they are still checked by axe-core
# and the Nu Html Checker.
LANGUAGE_NOT_CHECKED = {
    "/curation/firms/{own_firm_id}": "the listing's fields come from app/curation/display.py",
    "/my/firms/{own_firm_id}/matches": "reasons name catalogue items inside English sentences",
    "/curation/programmes/{programme_id}/matches": "the same reasons",
    "/my/introductions": "messages in whatever language their writer used",
    "/investor/introductions": "messages in whatever language their writer used",
    "/investor/searches": "names investors gave their searches",
    "/investor/shortlists": "names investors gave their lists",
    "/programmes/{programme}": "a business sees reasons naming catalogue items in sentences",
}
# Letters only Vietnamese writes: text holding one is Vietnamese (proper names inside an English
# sentence, such as "Quảng Ngãi", are part of that sentence: WCAG 3.1.2 exempts them).
VIETNAMESE_WORDS = r"[a-zA-Z]*[ăđơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ][a-zA-Z]*"

UNMARKED_VIETNAMESE = """(pattern) => {
  const vietnamese = new RegExp(pattern, "giu");
  const found = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const element = node.parentElement;
    // What people type into a field is in their own language.
    if (element.closest("script, style, textarea") || element.closest("[lang]").lang !== "en")
      continue;
    const words = node.textContent.trim().split(/\\s+/).filter((w) => /\\p{L}/u.test(w));
    const marked = words.filter((w) => new RegExp("^" + pattern + "$", "iu").test(w));
    if (words.length && marked.length * 3 >= words.length)
      found.push(node.textContent.trim().slice(0, 80));
  }
  return found;
}"""


def _missing_tools() -> str | None:
    if not (AXE.exists() and VNU.exists()):
        return "axe-core and vnu.jar not found: run `npm ci --ignore-scripts` (make test does)."
    if shutil.which("java") is None:
        return "Java not found: install it with `apt-get install default-jre-headless`."
    return None


@pytest.fixture
def checkers():
    message = _missing_tools()
    if message:
        if os.environ.get("REQUIRE_BROWSER_TESTS"):
            pytest.fail(message)
        pytest.skip(message)


def _english_pages(app, role: str) -> list[tuple[str, bool]]:
    """The role's pages to check in English: (address, whether to check its Vietnamese is
    marked). Pages showing names, and the role's own pages (all public pages for visitors)."""
    public = set(BY_ROLE["anonymous"])
    return [
        (path, template not in LANGUAGE_NOT_CHECKED)
        for template, path in zip(BY_ROLE[role], addresses(app, role), strict=True)
        if template in ENGLISH_PUBLIC or template not in public or role == "anonymous"
    ]


def _axe_violations(page) -> list[dict]:
    return page.evaluate(
        "async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags},"
        " resultTypes: ['violations']})).violations",
        WCAG_21_AA,
    )


def _describe_violations(where: str, violations: list[dict]) -> list[str]:
    lines = []
    for violation in violations:
        lines.append(f"{where}: {violation['id']} ({violation['impact']}) {violation['help']}")
        for node in violation["nodes"][:5]:
            lines.append(f"    {' '.join(map(str, node['target']))}: {node['html'][:160]}")
        if len(violation["nodes"]) > 5:
            lines.append(f"    … and {len(violation['nodes']) - 5} more")
    return lines


def _html_errors(files: dict[Path, str]) -> list[str]:
    """The Nu Html Checker's errors in `files` (path → the page it holds), in one run."""
    result = subprocess.run(
        ["java", "-jar", str(VNU), "--format", "json", "--stdout", *map(str, files)],
        capture_output=True,
        text=True,
        check=False,
    )
    by_name = {path.name: where for path, where in files.items()}
    lines = []
    for message in json.loads(result.stdout)["messages"]:
        if message["type"] in ("error", "non-document-error"):
            where = by_name.get(message.get("url", "").rsplit("/", 1)[-1], message.get("url"))
            line = message.get("lastLine", "?")
            extract = message.get("extract", "").strip()[:120]
            lines.append(f"{where} line {line}: {message['message']}  [{extract}]")
    return lines


@pytest.mark.parametrize("role", list(BY_ROLE))
def test_every_page_meets_wcag_21_aa_and_is_valid_html(
    checkers, seeded_app, live_server, page, tmp_path, role
):
    prepare(seeded_app)
    log_in(page, live_server, role)
    axe = AXE.read_text(encoding="utf-8")
    visits = [("vi", path, False) for path in addresses(seeded_app, role)]
    visits += [("en", path, marked) for path, marked in _english_pages(seeded_app, role)]
    problems: list[str] = []
    files: dict[Path, str] = {}
    for language, path, check_marking in visits:
        address = f"{path}{'&' if '?' in path else '?'}lang={language}"
        where = f"{role} {address}"
        response = page.goto(live_server + address)
        assert response.ok, f"{where} → {response.status}"
        files[tmp_path / f"page-{len(files):03d}.html"] = where
        next(reversed(files)).write_bytes(response.body())
        page.evaluate(axe)
        problems += _describe_violations(where, _axe_violations(page))
        if check_marking:
            unmarked = page.evaluate(UNMARKED_VIETNAMESE, VIETNAMESE_WORDS)
            problems += [f'{where}: Vietnamese text not marked lang="vi": {t}' for t in unmarked]
    problems += _html_errors(files)
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems)
