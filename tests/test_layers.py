"""The package's architecture, checked on the source with ``ast`` (docs/DESIGN.md):

- layers: a module imports only from its own layer or lower ones (the import graph points down),
  and no modules import each other in a circle, not even through an import inside a function;
- size: no module over 300 lines, no function over 60;
- docs: docs/DESIGN.md lists every module and names only paths that exist; no file comment or
  docstring cites a file that is not in the repository;
- ``import lt_causal`` loads neither pyplot nor plotly nor ipywidgets.
"""
import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "lt_causal"
MODULES = sorted(p for p in PACKAGE.rglob("*.py"))

# low → high; a top-level module not named here is in the lowest layer (settings, checks, ...)
LAYERS = ["causal", "datasets", "models", "methods", "evaluation", "training", "experiments", "momentum",
          "exercises", "views", "commands"]
TOP = {"cli": "commands", "__main__": "commands"}
MAX_MODULE_LINES, MAX_FUNCTION_LINES = 300, 60


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer(module: str) -> int:
    """0 for the top-level utilities, 1 + the index in LAYERS for a subpackage (or cli)."""
    parts = module.split(".")
    if len(parts) < 2:
        return len(LAYERS) + 1          # lt_causal itself: the public surface, above everything
    name = TOP.get(parts[1], parts[1])
    return LAYERS.index(name) + 1 if name in LAYERS else 0


def imports(path: Path):
    """(line, imported lt_causal module) of every import in the file, lazy ones included."""
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("lt_causal"):
                    yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("lt_causal") \
                and node.level == 0:
            yield node.lineno, node.module


def module_graph() -> dict:
    """{module: the lt_causal modules it imports}, imports inside functions included; ``from
    package import name`` counts as importing the module ``package.name`` when there is one."""
    names = {module_name(p): p for p in MODULES}
    graph = {}
    for me, path in names.items():
        targets = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("lt_causal") \
                    and node.level == 0:
                targets |= {f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in names else node.module
                            for a in node.names}
            elif isinstance(node, ast.Import):
                targets |= {a.name for a in node.names if a.name.startswith("lt_causal")}
        graph[me] = {t for t in targets if t in names and t not in (me, "lt_causal")}
    return graph


def circles(graph: dict) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while not component or component[-1] != v:
                component.append(stack.pop())
                on_stack.discard(component[-1])
            if len(component) > 1:
                found.append(sorted(component))

    for v in graph:
        if v not in index:
            visit(v)
    return found


def test_no_circle_of_imports():
    assert circles(module_graph()) == []


def test_a_lazy_import_that_closes_a_circle_is_found():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}     # c's import of a is the lazy one
    assert circles(graph) == [["a", "b", "c"]] and circles({"a": {"b"}, "b": set()}) == []


def test_the_layers_are_known():
    found = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file()}
    assert found == set(LAYERS), "a new subpackage needs its place in LAYERS and in docs/DESIGN.md"


@pytest.mark.parametrize("path", [p for p in MODULES if p != PACKAGE / "__init__.py"],
                         ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_upward_import(path):
    me = module_name(path)
    upward = [f"line {line}: {target}" for line, target in imports(path) if layer(target) > layer(me)]
    assert not upward, f"{me} (layer {layer(me)}) imports from higher layers: {upward}"


def test_sizes():
    too_long = []
    for path in MODULES:
        text = path.read_text()
        rel = path.relative_to(PACKAGE)
        if len(text.splitlines()) > MAX_MODULE_LINES:
            too_long.append(f"{rel}: {len(text.splitlines())} lines")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = node.end_lineno - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    too_long.append(f"{rel}:{node.lineno} {node.name}: {length} lines")
    assert not too_long, too_long


def design_paths() -> set:
    text = (ROOT / "docs" / "DESIGN.md").read_text()
    return set(re.findall(r"`((?:lt_causal/)?[\w/]+(?:\.py|/))`", text))


def test_design_lists_every_module_and_only_real_paths():
    named = {p[len("lt_causal/"):] if p.startswith("lt_causal/") else p for p in design_paths()}
    missing = [n for n in named if not (PACKAGE / n).exists() and not (ROOT / n).exists()]
    assert not missing, f"docs/DESIGN.md names paths that do not exist: {missing}"
    modules = {str(p.relative_to(PACKAGE)) for p in MODULES if p.name != "__init__.py"}
    packages = {f"{p.name}/" for p in PACKAGE.iterdir() if (p / "__init__.py").is_file()}
    unlisted = sorted((modules | packages) - named)
    assert not unlisted, f"docs/DESIGN.md does not list: {unlisted}"


# a citation of a file: a path under one of the repository's folders, or "<name>.md §<n>"
CITATION = re.compile(r"\b((?:docs|lt_causal|notebooks|tests|benchmarks)/[\w./*-]*\w|[\w-]+\.md(?= §))")


def test_no_source_cites_a_file_outside_the_repository():
    bad = []
    for path in MODULES:
        for line_no, line in enumerate(path.read_text().splitlines(), 1):
            for ref in CITATION.findall(line):
                ref = ref.rstrip(".")
                if not (list(ROOT.glob(ref)) or list(PACKAGE.glob(ref)) or list((ROOT / "docs").glob(ref))):
                    bad.append(f"{path.relative_to(ROOT)}:{line_no}: {ref}")
    assert not bad, bad


def test_method_sections_cited_exist():
    """Every "docs/method.md §N" in the package names a section that docs/method.md has."""
    sections = set(re.findall(r"^## §(\d+)", (ROOT / "docs" / "method.md").read_text(), re.M))
    cited = set()
    for path in MODULES:
        for first, last in re.findall(r"method\.md §(\d+)(?:-(\d+))?", path.read_text()):
            cited.update(str(n) for n in range(int(first), int(last or first) + 1))
    assert cited and cited <= sections, sorted(cited - sections)


def test_import_loads_no_plotting_or_widget_library():
    code = ("import sys, lt_causal; "
            "print(sorted(m for m in ('matplotlib.pyplot', 'plotly', 'ipywidgets') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=True)
    assert out.stdout.strip() == "[]"
