"""The gate in its sandbox: every hostile kind of model file refused in one sentence, and
genuine forests, boosted trees, pipelines and multi-class models accepted with their task.
Real child processes, real files built by the attackers' recipes (tests/support)."""

import io
import json
import os
import zipfile

import pytest

from apps.evaluations.engine.audit import AuditLimits, model_file_audit
from apps.evaluations.engine.errors import ArtifactRefused, EngineError
from apps.evaluations.engine.gate.archive import ArchiveLimits
from apps.evaluations.engine.gate.skops_file import skops_file_check
from apps.evaluations.engine.gate.skops_schema import MAX_WALK_STEPS, schema_walk
from apps.evaluations.engine.runner import ModelSandbox
from tests.support import genuine_models, hostile_models
from tests.support.processes import model_processes

QUICK = AuditLimits(seconds=5)  # the endless loop costs the whole limit


@pytest.mark.parametrize("name", list(hostile_models.HOSTILE))
def test_every_hostile_kind_is_refused_in_one_sentence(tmp_path, name):
    file_name, make, words = hostile_models.HOSTILE[name]
    path = tmp_path / file_name
    path.write_bytes(make())

    with pytest.raises(ArtifactRefused) as refused:
        model_file_audit(path, limits=QUICK)

    message = refused.value.message
    assert words in message
    assert "\n" not in message and "Traceback" not in message
    assert model_processes(os.getpid()) == []


@pytest.mark.parametrize(
    ("kind", "name"),
    [("skops", name) for name in genuine_models.SKOPS_NAMES]
    + [("onnx", name) for name in genuine_models.ONNX_NAMES],
)
def test_genuine_models_are_accepted_with_their_task(tmp_path, kind, name):
    make = genuine_models.skops_model if kind == "skops" else genuine_models.onnx_model
    path = tmp_path / f"model.{kind}"
    path.write_bytes(make(name))

    audit = model_file_audit(path)

    task, classes = genuine_models.expected(name)
    assert (audit["format"], audit["task"]) == (kind, task)
    assert (len(audit["classes"]) if audit["classes"] else None) == classes
    if kind == "onnx" or name != "pipeline_with_categories":  # zeros are no valid category
        assert audit["one_row"] == "ok"


def test_a_run_loads_through_the_same_gate(tmp_path):
    path = tmp_path / "model.skops"
    path.write_bytes(hostile_models.corrupt_tree())

    with pytest.raises(EngineError, match="corrupt tree"), ModelSandbox(path):
        pass


def test_an_operator_may_trust_a_type_deliberately(tmp_path):
    path = tmp_path / "model.skops"
    path.write_bytes(hostile_models.untrusted_function(abs)())

    with pytest.raises(ArtifactRefused, match=r"builtins\.abs.*QUALITI_RUN_TRUSTED_TYPES"):
        skops_file_check(path)
    assert skops_file_check(path, extra_trusted=["builtins.abs"]).facts.nodes > 1


# --- the object tree's walk ----------------------------------------------------------


def bomb_schema(levels: int) -> dict:
    with zipfile.ZipFile(io.BytesIO(hostile_models.graph_bomb(levels))) as archive:
        return json.loads(archive.read("schema.json"))


def test_the_walk_is_counted_as_skops_would_walk_it_in_linear_time():
    facts = schema_walk(bomb_schema(16))

    assert facts.nodes == 17  # each level once
    assert facts.walk_steps == 2**17 - 1  # every path, as the audit's walk takes them


def test_a_walk_beyond_the_cap_is_a_graph_bomb():
    levels = MAX_WALK_STEPS.bit_length()

    with pytest.raises(ArtifactRefused, match="graph bomb"):
        schema_walk(bomb_schema(levels))


def test_a_genuine_schema_walks_in_about_as_many_steps_as_it_has_nodes():
    schema_bytes = zipfile.ZipFile(
        io.BytesIO(genuine_models.skops_model("hist_boosting_multiclass"))
    ).read("schema.json")

    facts = schema_walk(json.loads(schema_bytes))

    assert facts.walk_steps <= 2 * facts.nodes


def test_the_member_count_is_read_from_the_end_record_before_the_directory(tmp_path):
    path = tmp_path / "many.skops"
    with zipfile.ZipFile(path, "w") as archive:
        for number in range(65536):  # past 0xFFFF: the count is in the zip64 record
            archive.writestr(f"{number}", b"")

    with pytest.raises(ArtifactRefused, match="65536 members; at most 10000"):
        skops_file_check(path, limits=ArchiveLimits())
