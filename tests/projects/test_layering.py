"""The projects app sits below the apps that use projects: it never imports them (what
they do after an upload reaches it through apps.projects.services.hooks)."""

import ast
from pathlib import Path

import apps.projects

HIGHER_APPS = ("criteria", "testplans", "evaluations", "findings", "dashboards")
# The engine is a plain library without Django (the uploads use its gate and sniffer).
LIBRARY = "apps.evaluations.engine"


def imported_modules(path: Path) -> list[str]:
    modules = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            modules.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules.append(node.module)
    return modules


def is_higher(module: str) -> bool:
    if module == LIBRARY or module.startswith(LIBRARY + "."):
        return False
    return any(
        module == f"apps.{app}" or module.startswith(f"apps.{app}.") for app in HIGHER_APPS
    ) or module.startswith("qualiti.demo")


def test_the_projects_app_imports_no_app_above_it():
    root = Path(apps.projects.__file__).parent
    offences = [
        f"{path.relative_to(root)}: {module}"
        for path in sorted(root.rglob("*.py"))
        for module in imported_modules(path)
        if is_higher(module)
    ]
    assert offences == []


def test_the_check_sees_an_import_from_above(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text("def f():\n    from apps.evaluations.services import run_create\n")
    assert [m for m in imported_modules(probe) if is_higher(m)] == ["apps.evaluations.services"]
