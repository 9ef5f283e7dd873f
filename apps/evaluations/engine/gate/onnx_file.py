"""The gate of an ONNX file: one readable model, standard operators, known operator sets."""

from functools import cache
from pathlib import Path

from apps.evaluations.engine.errors import ArtifactRefused
from apps.evaluations.engine.gate.onnx_graph import OnnxFacts, ProtobufError, mapped, model_walk

STANDARD_DOMAINS = frozenset({"ai.onnx", "ai.onnx.ml"})


def refuse(reason: str) -> ArtifactRefused:
    return ArtifactRefused(f"This ONNX model was refused: {reason}")


@cache
def known_opsets() -> dict[str, int]:
    """The newest version of each standard operator set this onnxruntime knows."""
    from onnxruntime.capi import onnxruntime_pybind11_state

    newest: dict[str, int] = {}
    for schema in onnxruntime_pybind11_state.get_all_operator_schema():
        domain = schema.domain or "ai.onnx"
        if domain in STANDARD_DOMAINS:
            newest[domain] = max(newest.get(domain, 0), schema.since_version)
    return newest


def onnx_file_check(path: str | Path) -> OnnxFacts:
    """Refuse (ArtifactRefused) a file that is no single-file model of standard operators
    in operator sets this server's onnxruntime knows."""
    try:
        with mapped(path) as view:
            facts = model_walk(view)
    except ProtobufError as error:
        raise refuse(f"it is not a readable ONNX model ({error}).") from error
    if facts.external_tensors:
        raise refuse(
            "it keeps tensor data in external files "
            f"({', '.join(facts.external_tensors[:5])}); Qualiti accepts single-file models "
            "only: save it with onnx.save_model(model, path, save_as_external_data=False)."
        )
    custom = sorted(
        (facts.node_domains | set(facts.opsets) | facts.function_domains) - STANDARD_DOMAINS
    )
    if custom:
        raise refuse(
            f"it uses operators of the domain {custom[0]!r}; Qualiti runs only the standard "
            "ai.onnx and ai.onnx.ml operators."
        )
    newest = known_opsets()
    for domain, version in sorted(facts.opsets.items()):
        if not 1 <= version <= newest.get(domain, 0):
            raise refuse(
                f"it asks for version {version} of the {domain} operator set; this server's "
                f"onnxruntime knows versions 1 to {newest.get(domain, 0)}."
            )
    return facts
