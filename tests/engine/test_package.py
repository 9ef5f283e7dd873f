import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ENGINE = ROOT / "apps" / "evaluations" / "engine"


def test_the_engine_imports_neither_django_nor_celery():
    code = (
        "import sys; import apps.evaluations.engine.cli; "
        "import apps.evaluations.engine.registry as r; r.registered_checks(); "
        "sys.exit(any(n.split('.')[0] in ('django', 'celery') for n in sys.modules))"
    )
    completed = subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=False)

    assert completed.returncode == 0


def test_every_engine_module_stays_under_four_hundred_lines():
    for path in ENGINE.rglob("*.py"):
        assert len(path.read_text().splitlines()) <= 400, path.name
