"""Writes to projects (projects.py) and to their uploads (uploads.py)."""

from apps.projects.services.projects import project_create, project_update
from apps.projects.services.uploads import (
    dataset_create,
    dataset_delete,
    dataset_validate,
    dataset_validation_abandon,
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
    "project_create",
    "project_update",
]
