"""The layering of ../shared/DESIGN.md, checked on the import graph (grimp, the engine of
import-linter): no import cycles, each module imports only its own layer or those below, and no
area reaches into another area's views, forms or commands."""

from functools import cache
from pathlib import Path

import grimp

# From the top down. A module may import modules of its own layer or of any layer below.
LAYERS = (
    "top",  # the app factory, CLI entry points, the seed loader, page navigation
    "interface",  # each area's views, forms and commands
    "service",  # each area's services, rules, permissions, search documents
    "core",  # shared helpers: unit of work, errors, forms base, parsing, mail, audit, …
    "models",
    "extensions",  # the unbound Flask extensions (db, …)
    "domain",  # pure rules: tax codes, firm size, places, text
    "search_index",  # the Flask-free search engine
)
AREAS = {
    "accounts",
    "backoffice",
    "catalogue",
    "curation",
    "events",
    "firms",
    "imports",
    "investors",
    "main",
    "marketplace",
    "matching",
    "news",
    "opendata",
    "places",
    "products",
    "programmes",
    "refdata",
    "search",
}
INTERFACE = {"views", "forms", "cli"}
TOP = {"app", "app.cli", "app.navigation"}
# The JSON API (app.api) is an interface beside the areas' views: it calls their services and
# parses a listing through the same form as the page, so that its rules and messages are those
# of the page; it never imports views.
API = "app.api"


def layer(module: str) -> str:
    parts = module.split(".")
    if parts[0] in ("search_index", "seed"):
        return "search_index" if parts[0] == "search_index" else "top"
    if module in TOP:
        return "top"
    if module == API or module.startswith(API + "."):
        return "interface"
    if parts[1] in ("domain", "models", "extensions"):
        return parts[1]
    if parts[1] in AREAS:
        return "interface" if parts[-1] in INTERFACE else "service"
    return "core"


def area(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if parts[0] == "app" and len(parts) > 1 and parts[1] in AREAS else None


@cache
def imports() -> dict[str, set[str]]:
    graph = grimp.build_graph(
        "app", "search_index", "seed", exclude_type_checking_imports=True, cache_dir=None
    )
    return {module: graph.find_modules_directly_imported_by(module) for module in graph.modules}


def test_no_import_cycles():
    graph = imports()
    # Tarjan's strongly connected components, iteratively.
    index, low, stack, on_stack, cycles = {}, {}, [], set(), []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                if len(component) > 1:
                    cycles.append(sorted(component))
    assert cycles == []


def test_modules_import_only_their_layer_and_below():
    rank = {name: position for position, name in enumerate(LAYERS)}
    upward = sorted(
        f"{module} ({layer(module)}) -> {imported} ({layer(imported)})"
        for module, imported_modules in imports().items()
        for imported in imported_modules
        if rank[layer(imported)] < rank[layer(module)]
    )
    assert upward == []


def test_no_area_reaches_into_another_areas_views_forms_or_commands():
    sideways = sorted(
        f"{module} -> {imported}"
        for module, imported_modules in imports().items()
        for imported in imported_modules
        if area(imported)
        and area(module) != area(imported)
        and imported.rsplit(".", 1)[-1] in INTERFACE
        and module not in TOP
        and not (module.startswith(API + ".") and imported.endswith(".forms"))
    )
    assert sideways == []


def test_views_never_touch_the_session():
    """Views parse, call a service action and render: reads and writes go through services,
    and only the unit of work commits or rolls back."""
    app_dir = Path(__file__).resolve().parent.parent / "app"
    views = [*app_dir.glob("*/views.py"), app_dir / "record_editor.py"]
    assert len(views) > 10
    touching = [str(path) for path in views if "db.session" in path.read_text(encoding="utf-8")]
    assert touching == []
