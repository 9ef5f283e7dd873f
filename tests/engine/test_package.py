import os
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


def _arrow_allocator(environment: dict[str, str], module: str) -> str:
    code = f"import {module}, pyarrow; print(pyarrow.default_memory_pool().backend_name)"
    completed = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, check=True
    )
    return completed.stdout.decode().strip()


def test_arrow_takes_the_c_librarys_allocator_in_the_engine_and_the_worker():
    environment = {k: v for k, v in os.environ.items() if k != "ARROW_DEFAULT_MEMORY_POOL"}

    assert _arrow_allocator(environment, "apps.evaluations.engine.data") == "system"
    assert _arrow_allocator(environment, "qualiti.celery") == "system"
    chosen = {**environment, "ARROW_DEFAULT_MEMORY_POOL": "jemalloc"}
    assert _arrow_allocator(chosen, "apps.evaluations.engine.data") == "jemalloc"
