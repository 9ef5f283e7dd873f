"""Celery tasks of the projects app: thin, they take ids and call a service."""

import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded

from apps.projects.models import Dataset
from apps.projects.services import dataset_validate, dataset_validation_abandon

logger = logging.getLogger(__name__)

VALIDATION_SOFT_TIME_LIMIT = 30 * 60  # a 2 GiB CSV reads in a few minutes
VALIDATION_TIME_LIMIT = VALIDATION_SOFT_TIME_LIMIT + 60


@shared_task(
    acks_late=True,  # a worker killed mid-read leaves the message for another worker
    reject_on_worker_lost=True,
    soft_time_limit=VALIDATION_SOFT_TIME_LIMIT,
    time_limit=VALIDATION_TIME_LIMIT,
)
def dataset_validate_task(dataset_id: int) -> str | None:
    """Read an uploaded dataset in full and record whether it is valid."""
    try:
        return dataset_validate(dataset_id=dataset_id).validation_status
    except Dataset.DoesNotExist:
        logger.info("Dataset %s was deleted before its validation ran.", dataset_id)
        return None
    except SoftTimeLimitExceeded:
        dataset_validation_abandon(
            dataset_id=dataset_id,
            reason=f"Reading the file took longer than {VALIDATION_SOFT_TIME_LIMIT // 60} "
            "minutes; the validation was stopped.",
        )
        raise
    except Exception:
        # Not swallowed (re-raised for the worker's log); the dataset must not stay
        # "validating" for ever because of a bug.
        dataset_validation_abandon(
            dataset_id=dataset_id,
            reason="The validation failed unexpectedly; an administrator can find why in "
            "the worker's log.",
        )
        raise
