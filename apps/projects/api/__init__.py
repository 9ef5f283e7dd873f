"""The projects API: projects themselves, and the model versions and datasets uploaded to them."""

from apps.projects.api.projects import ProjectViewSet
from apps.projects.api.uploads import DatasetViewSet, ModelVersionViewSet

__all__ = ["DatasetViewSet", "ModelVersionViewSet", "ProjectViewSet"]
