"""Writes of a model version's model card: its descriptive fields (intended use, owners,
limitations…). The card's numbers are read from the runs, never written here."""

from django.db import transaction

from apps.accounts.models import User
from apps.accounts.permissions import Action, project_action_check
from apps.projects.models import MODEL_CARD_FIELDS, ModelVersion
from qualiti.errors import InvalidInput


@transaction.atomic
def model_version_describe(
    *, model_version: ModelVersion, actor: User | None, **changes: object
) -> ModelVersion:
    """Change some of the version's model card fields (those in MODEL_CARD_FIELDS, each
    text, trimmed). Whoever may upload model versions to the project may describe them."""
    project_action_check(
        user=actor,
        project_id=model_version.project_id,
        action=Action.MODEL_UPLOAD,
        refusal="Only those who may upload model versions to this project "
        "(its quality manager, its developers and admins) edit their model cards.",
    )
    unknown = set(changes) - set(MODEL_CARD_FIELDS)
    if unknown:
        raise InvalidInput(
            f"These fields are not part of the model card: {', '.join(sorted(unknown))}. "
            f"It has {', '.join(MODEL_CARD_FIELDS)}."
        )
    for field, value in changes.items():
        if not isinstance(value, str):
            raise InvalidInput("Write this field as text.", field=field)
        setattr(model_version, field, value.strip())
    others = [f.name for f in ModelVersion._meta.get_fields() if f.name not in changes]
    model_version.full_clean(exclude=others, validate_unique=False, validate_constraints=False)
    model_version.save(update_fields=list(changes))
    return model_version
