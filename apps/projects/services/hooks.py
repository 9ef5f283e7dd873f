"""What other apps do once a model version is stored.

The projects app sits below the apps that evaluate models, so it never imports them: an
app above registers its action here when it starts (in its AppConfig.ready), and each
upload calls the registered actions once its transaction commits.
"""

from collections.abc import Callable

AfterModelVersionUpload = Callable[[int], None]  # called with the new version's id

_after_model_version_upload: list[AfterModelVersionUpload] = []


def after_model_version_upload_register(action: AfterModelVersionUpload) -> None:
    """Call `action(model_version_id)` after each upload (registering twice is harmless)."""
    if action not in _after_model_version_upload:
        _after_model_version_upload.append(action)


def after_model_version_upload_actions() -> tuple[AfterModelVersionUpload, ...]:
    return tuple(_after_model_version_upload)


AfterDatasetValidated = Callable[[int], None]  # called with the dataset's id

_after_dataset_validated: list[AfterDatasetValidated] = []


def after_dataset_validated_register(action: AfterDatasetValidated) -> None:
    """Call `action(dataset_id)` once each uploaded dataset's validation has committed,
    valid or not (registering twice is harmless): a run needs a dataset read in full."""
    if action not in _after_dataset_validated:
        _after_dataset_validated.append(action)


def after_dataset_validated_actions() -> tuple[AfterDatasetValidated, ...]:
    return tuple(_after_dataset_validated)
