"""Where uploaded files, reports and artifacts are kept: the local folder (the embedded
default) or a bucket of an S3-compatible object store (AWS S3, MinIO...).

`QUALITI_STORAGE_URL=s3://bucket/prefix` switches every file to the bucket through
django-storages, so a worker on another machine reads what the web process stored. The
endpoint, credentials and region come from the usual variables: `AWS_S3_ENDPOINT_URL`
(unset for AWS itself), `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_S3_REGION_NAME`.
Objects stay private (no ACL is ever set); users download through the permission-checked
views, which stream the object.
"""

from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured

# Uploads go up in parts of this size, at most this many parts in memory at once (boto3's
# default would hold 10 parts of 8 MiB): the web process never holds more than about
# 32 MiB of a file, whatever its size. 8 MiB parts carry an upload of up to 80 GB (10,000
# parts, S3's limit), far beyond QUALITI_MAX_UPLOAD_BYTES.
UPLOAD_PART_BYTES = 8 * 1024**2
UPLOAD_PARTS_IN_MEMORY = 4
# A stored file opened through django-storages' S3File (an e-mail's PDF attachment) is
# downloaded into a spooled temporary file; past this size it spills to disk. Its default,
# 0, would keep the whole object in memory.
SPOOL_MAX_MEMORY_BYTES = 16 * 1024**2


def s3_transfer_config() -> object:
    """boto3's transfer settings for uploads and downloads in bounded memory."""
    from boto3.s3.transfer import TransferConfig

    config = TransferConfig(
        multipart_threshold=UPLOAD_PART_BYTES,
        multipart_chunksize=UPLOAD_PART_BYTES,
        max_concurrency=UPLOAD_PARTS_IN_MEMORY,
    )
    # s3transfer's own cap on parts read from a file object and not yet sent (boto3's
    # TransferConfig takes no argument for it, but the transfer manager reads it).
    config.max_in_memory_upload_chunks = UPLOAD_PARTS_IN_MEMORY
    config.max_in_memory_download_chunks = UPLOAD_PARTS_IN_MEMORY
    return config


def s3_client_config(addressing_style: str) -> object:
    """botocore's client settings: a store that does not answer is known within seconds
    (three tries of 5 s to connect), not after botocore's default minutes."""
    from botocore.config import Config

    return Config(
        s3={"addressing_style": addressing_style},
        signature_version="s3v4",
        connect_timeout=5,
        read_timeout=60,
        retries={"max_attempts": 3, "mode": "standard"},
    )


def default_storage_backend(env: environ.Env) -> dict:
    """STORAGES["default"]: the local folder (MEDIA_ROOT, read when used, so a test may
    change it), or the bucket `QUALITI_STORAGE_URL` names."""
    url = env.str("QUALITI_STORAGE_URL", default="")
    if not url:
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    parts = urlsplit(url)
    if parts.scheme != "s3" or not parts.netloc:
        raise ImproperlyConfigured(
            f"QUALITI_STORAGE_URL must look like s3://bucket/prefix (got {url!r}); leave it "
            "unset to keep files in the local folder (MEDIA_ROOT)."
        )
    endpoint_url = env.str("AWS_S3_ENDPOINT_URL", default="") or None
    # A self-hosted endpoint (MinIO at http://minio:9000) has no per-bucket host names.
    style = env.str("AWS_S3_ADDRESSING_STYLE", default="path" if endpoint_url else "auto")
    options = {
        "bucket_name": parts.netloc,
        "location": parts.path.strip("/"),
        "endpoint_url": endpoint_url,
        "region_name": env.str("AWS_S3_REGION_NAME", default="") or None,
        "addressing_style": style,
        "signature_version": "s3v4",
        "client_config": s3_client_config(style),
        "default_acl": None,  # private objects: the bucket's own policy, never public-read
        "querystring_auth": True,  # any URL a storage gives out is signed...
        "querystring_expire": 300,  # ...and short-lived
        "file_overwrite": False,  # a second file of the same name gets a name of its own
        "max_memory_size": SPOOL_MAX_MEMORY_BYTES,
        "transfer_config": s3_transfer_config(),
    }
    # Credentials from the environment; without them boto3 looks further (an instance role).
    credentials = {"access_key": "AWS_ACCESS_KEY_ID", "secret_key": "AWS_SECRET_ACCESS_KEY"}
    for option, variable in credentials.items():
        if value := env.str(variable, default=""):
            options[option] = value
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}
