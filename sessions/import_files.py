"""Where an admin import's upload and its job's state wait: a private folder, readable by the app's user only.

Each import is a job token. `<token>.csv` is the uploaded file: written while the upload streams,
refused past IMPORT_UPLOAD_MAX_MB, deleted when the import ends, is cancelled or fails, and swept
when nobody confirmed it within UPLOAD_MAX_AGE. `<token>.json` is the job's state (what the page
shows: the stage, progress, the summary or the problems), kept for RESULT_MAX_AGE.

The web servers and the worker must see the same folder (IMPORT_UPLOAD_DIR).
"""

import json
import os
import secrets
import time
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.utils import timezone

UPLOAD_MAX_AGE = 3600  # seconds an upload nobody confirmed or cancelled, or a job nobody advanced, is kept
RESULT_MAX_AGE = 86400  # seconds the outcome of an import stays readable on its page
PROBLEMS_KEPT = 1000  # a page with a million problems helps nobody; the count says how many

# The stages of an import job, in order. A job ends in one of FINISHED.
QUEUED_CHECK, CHECKING, CHECKED, QUEUED_IMPORT, IMPORTING = "queued_check", "checking", "checked", "queued", "importing"
REJECTED, IMPORTED, CANCELLED, BUSY, FAILED = "rejected", "imported", "cancelled", "busy", "failed"
FINISHED = {REJECTED, IMPORTED, CANCELLED, BUSY, FAILED}
RUNNING = {QUEUED_CHECK, CHECKING, QUEUED_IMPORT, IMPORTING}


def folder():
    """Return the private folder, created (or tightened) so that only the app's user may enter it."""
    path = Path(settings.IMPORT_UPLOAD_DIR)
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    if path.stat().st_mode & 0o077:
        path.chmod(0o700)
    return path


def upload_path(token):
    return folder() / f"{token}.csv"


def _state_path(token):
    return folder() / f"{token}.json"


def _private_file(path):
    """Create `path` for writing, readable and writable by this user only; fail if it exists."""
    return os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb")


def is_token(text):
    return len(text) == 32 and all(char in "0123456789abcdef" for char in text)


# ---------------------------------------------------------------------------------------------
# The upload, streamed into the folder.


class PrivateUpload(UploadedFile):
    """An uploaded file written straight into the private folder. Closing it deletes it unless kept."""

    def __init__(self, name, content_type, charset, content_type_extra):
        self.token = secrets.token_hex(16)
        self.path = upload_path(self.token)
        self.kept = False
        super().__init__(_private_file(self.path), name, content_type, 0, charset, content_type_extra)

    def keep(self):
        """Keep the file after the request: a job now owns it."""
        self.kept = True

    def close(self):
        try:
            self.file.close()
        finally:
            if not self.kept:
                self.path.unlink(missing_ok=True)


class PrivateUploadHandler(FileUploadHandler):
    """Stream the upload into the private folder, stopping as soon as it passes `max_bytes`.

    Nothing reaches a shared temporary folder or memory. Past the limit the part written is
    deleted, the rest of the request is read and dropped, and `too_large` is set for the view.
    """

    def __init__(self, request, *, max_bytes):
        super().__init__(request)
        self.max_bytes = max_bytes
        self.too_large = False
        self.request_length = 0

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.request_length = content_length

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        if self.request_length > self.max_bytes + 64 * 1024:  # the form's other fields are small
            self._refuse()
        self.file = PrivateUpload(self.file_name, self.content_type, self.charset, self.content_type_extra)

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > self.max_bytes:
            self.file.close()
            self._refuse()
        self.file.write(raw_data)

    def file_complete(self, file_size):
        self.file.seek(0)
        self.file.size = file_size
        return self.file

    def _refuse(self):
        self.too_large = True
        raise StopUpload(connection_reset=False)


# ---------------------------------------------------------------------------------------------
# The job's state.


def job_start(*, upload, user):
    """Keep `upload` (a PrivateUpload) for a new job of `user`; return the job's state."""
    upload.keep()
    state = {
        "token": upload.token,
        "user_pk": user.pk,
        "username": user.get_username(),
        "file_name": upload.name,
        "size": upload.size,
        "stage": QUEUED_CHECK,
        "created": timezone.now().isoformat(),
    }
    job_save(state)
    return state


def job_load(token):
    """Return the job's state, or None when there is no such job (or it has been swept)."""
    if not is_token(token):
        return None
    try:
        return json.loads(_state_path(token).read_text())
    except (FileNotFoundError, ValueError):
        return None


def job_save(state, **changes):
    """Update the job's state with `changes` and write it whole (readers never see half a file)."""
    state.update(changes, updated=timezone.now().isoformat())
    final, partial = _state_path(state["token"]), folder() / f"{state['token']}.{secrets.token_hex(4)}.tmp"
    with _private_file(partial) as stored:
        stored.write(json.dumps(state).encode())
    os.replace(partial, final)
    return state


def job_claim(state, stage):
    """Move the job to `stage` once: return False when someone else already did (a double click)."""
    try:
        os.close(os.open(folder() / f"{state['token']}.{stage}", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        return False
    return True


def job_finish(state, stage, **changes):
    """End the job in `stage` and delete its upload, whatever the outcome."""
    upload_path(state["token"]).unlink(missing_ok=True)
    return job_save(state, stage=stage, progress=None, **changes)


def jobs_of(user, *, limit=10):
    """Return the states of `user`'s import jobs still kept, newest first."""
    states = [job_load(path.stem) for path in folder().glob("*.json")]
    mine = [state for state in states if state and state["user_pk"] == user.pk]
    return sorted(mine, key=lambda state: state["created"], reverse=True)[:limit]


class JobProgress:
    """What sessions_import reports (bytes read), saved into the job's state at most twice a second."""

    def __init__(self, state, *, total, step):
        self.state, self.total, self.done, self.step = state, max(total, 1), 0, step
        self.saved_at = 0.0
        self._save()

    def advance(self, count):
        self.done = min(self.done + count, self.total)
        if time.monotonic() - self.saved_at >= 0.5 or self.done == self.total:
            self._save()

    def _save(self):
        self.saved_at = time.monotonic()
        job_save(self.state, progress={"done": self.done, "total": self.total, "step": self.step})


# ---------------------------------------------------------------------------------------------
# Sweeping what was left.


def sweep(*, now=None):
    """Delete uploads nobody confirmed within UPLOAD_MAX_AGE (and those of a worker that stopped
    mid-job: its transaction rolled back, so nothing was written), and outcomes older than
    RESULT_MAX_AGE. Return the number of files deleted."""
    now = now or time.time()
    deleted = 0
    for path in list(folder().iterdir()):
        token = path.name.split(".")[0]
        modified = _modified(path)
        if modified is None:  # went with its job a moment ago
            continue
        if path.suffix == ".json":
            if now - modified > RESULT_MAX_AGE:
                deleted += _delete_job(token)
            continue
        # An upload (or a claim, or a half-written state) ages with its job's state, which a running job keeps fresh.
        if now - max(modified, _modified(_state_path(token)) or 0) > UPLOAD_MAX_AGE:
            deleted += 1
            path.unlink(missing_ok=True)
            state = job_load(token)
            if state and state["stage"] in RUNNING | {CHECKED}:
                waiting = state["stage"] in (QUEUED_CHECK, QUEUED_IMPORT)
                job_finish(
                    state, FAILED if state["stage"] in RUNNING else CANCELLED, abandoned=True, never_started=waiting
                )
    return deleted


def _modified(path):
    try:
        return path.stat().st_mtime
    except FileNotFoundError:
        return None


def _delete_job(token):
    deleted = 0
    for path in folder().glob(f"{token}*"):
        path.unlink(missing_ok=True)
        deleted += 1
    return deleted
