"""The embedded broker: kombu's filesystem transport, made safe to share between processes.

kombu's own transport opens a message file in the queue folder and then writes it, so a
consumer polling the folder can take the file while it is still empty; the JSON error that
follows is fatal to a Celery worker. Here a message is written under a temporary name in a
folder beside the queue and renamed into the queue once complete (a rename is atomic on
one file system), so a consumer sees whole messages only. A consumer claims a file by
renaming it out of the queue (of two consumers, one wins), and a file that still cannot
be decoded (written by hand, or by an older version) is moved to `rejected/`, kept and
logged, never retried and never fatal.

The names stay kombu's, `<milliseconds>_<uuid>.<queue>.msg`, so the folder reads the same.
"""

import logging
import os
import tempfile
import uuid
from pathlib import Path
from queue import Empty
from time import monotonic
from typing import Any

from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.utils.encoding import bytes_to_str, str_to_bytes
from kombu.utils.json import dumps, loads

logger = logging.getLogger(__name__)


class UndecodableMessage(ValueError):
    """A message file whose content is not a complete kombu message."""


def sending_order(name: str) -> tuple[int, str]:
    """Oldest first: by the millisecond prefix as a number (as text, `1_…` would sort after
    `12_…`, since `_` follows the digits); a name without one comes first, to be read or
    set aside."""
    prefix = name.partition("_")[0]
    return (int(prefix) if prefix.isdigit() else -1, name)


class Channel(filesystem.Channel):
    @property
    def _broker_root(self) -> Path:
        return Path(self.data_folder_in).parent

    def _side_folder(self, name: str) -> Path:
        folder = self._broker_root / name
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    # kombu's stubs disagree on this argument's name (`message` on the virtual channel,
    # `payload` on the filesystem one); kombu passes it by position.
    def _put(  # type: ignore[override]
        self, queue: str, message: dict[str, Any], **kwargs: Any
    ) -> None:
        """Write the message beside the queue, then rename it in, whole."""
        name = f"{round(monotonic() * 1000)}_{uuid.uuid4()}.{queue}.msg"
        incoming = self._side_folder("incoming")
        descriptor, temporary = tempfile.mkstemp(dir=incoming, suffix=".part")
        try:
            with os.fdopen(descriptor, "wb") as file:
                file.write(str_to_bytes(dumps(message)))
            Path(temporary).replace(Path(self.data_folder_out) / name)
        except OSError as error:
            Path(temporary).unlink(missing_ok=True)
            raise ChannelError(f"Cannot add the message {name!r} to the queue.") from error

    def _get(self, queue: str, timeout: float | None = None) -> dict[str, Any]:
        """The oldest decodable message of `queue`; undecodable files are set aside.

        `timeout` is the virtual channel's signature only: this transport polls, never
        waits, and kombu calls it with the queue alone."""
        suffix = f".{queue}.msg"
        queue_folder = Path(self.data_folder_in)
        for name in sorted((path.name for path in queue_folder.iterdir()), key=sending_order):
            if name.partition(".")[2] != suffix[1:]:
                continue
            claimed = self._side_folder("claimed") / name
            try:
                (queue_folder / name).rename(claimed)
            except OSError:
                continue  # another consumer took it first
            try:
                payload = self._decoded(claimed.read_bytes())
            except (OSError, UndecodableMessage) as error:
                self._reject(claimed, error)
                continue
            claimed.unlink(missing_ok=True)
            return payload
        raise Empty()

    def _decoded(self, raw: bytes) -> dict[str, Any]:
        """The message in `raw`, checked as the consumer will read it."""
        if not raw.strip():
            raise UndecodableMessage("the file is empty")
        try:
            payload = loads(bytes_to_str(raw))
            # What the virtual transport does next with the payload; a failure there would
            # otherwise surface inside the worker's event loop.
            self.Message(payload, channel=self)
        except Exception as error:  # any way the content fails to be a message
            raise UndecodableMessage(f"{type(error).__name__}: {error}") from error
        return payload

    def _reject(self, claimed: Path, error: Exception) -> None:
        rejected = self._side_folder("rejected") / claimed.name
        try:
            claimed.replace(rejected)
        except OSError:
            rejected = claimed
        logger.error(
            "The broker message %s cannot be decoded (%s); it was set aside as %s.",
            claimed.name,
            error,
            rejected,
        )


class Transport(filesystem.Transport):
    Channel = Channel
    # Shared with kombu's own filesystem transport: one process, one broker state.
    global_state = filesystem.Transport.global_state
