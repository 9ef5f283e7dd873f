"""Writes to projects (projects.py), to their uploads (uploads.py), the full read of an
uploaded dataset (dataset_validation.py) and the model cards of model versions
(model_cards.py)."""

from apps.projects.services.dataset_validation import (
    dataset_validate,
    dataset_validation_abandon,
)
from apps.projects.services.model_cards import model_version_describe
from apps.projects.services.projects import project_create, project_update
from apps.projects.services.uploads import (
    dataset_create,
    dataset_delete,
    model_version_create,
    model_version_delete,
)

__all__ = [
    "dataset_create",
    "dataset_delete",
    "dataset_validate",
    "dataset_validation_abandon",
    "model_version_create",
    "model_version_delete",
    "model_version_describe",
    "project_create",
    "project_update",
]
