"""Turn what a DAG author passes as ``images`` into checked, hashed image sources.

The submit operator must refuse a whole batch before it pays for any image, so every input is
resolved, read, sniffed and hashed here first. Sources keep a way to read their bytes again rather
than the bytes themselves, so a batch of thousands of large images is not held in memory at once;
a re-read is compared with the first read's sha256 so a file changed in between is not submitted
under the wrong provenance.
"""

from __future__ import annotations

import glob
import hashlib
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aspose_ocr_provider.exceptions import AsposeOcrError
from aspose_ocr_provider.models import SUPPORTED_IMAGE_FORMATS, sniff_image_format

DEFAULT_MAX_IMAGE_BYTES = 20 * 1024 * 1024
"""Default per-image size cap. The service documents no limit; this guards cost and memory."""

_GLOB_CHARS = frozenset("*?[")
_MAX_LISTED_PROBLEMS = 20


@dataclass(frozen=True)
class ImageSource:
    """One image to submit: where it came from, its digest and how to read it again."""

    source: str
    sha256: str
    size: int
    format: str
    _reader: Callable[[], bytes]

    def read(self) -> bytes:
        """The image bytes, refused if they no longer match the digest taken at validation."""
        data = self._reader()
        if hashlib.sha256(data).hexdigest() != self.sha256:
            raise AsposeOcrError(
                f"Image {self.source} changed after it was checked (its sha256 differs); not submitting "
                "it under the old provenance. Make sure inputs are not rewritten while the task runs."
            )
        return data


class _Problems:
    """Collects every bad input so the user fixes them all in one go, not one per retry."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, message: str) -> None:
        self.items.append(message)

    def raise_if_any(self, total: int) -> None:
        if not self.items:
            return
        shown = self.items[:_MAX_LISTED_PROBLEMS]
        more = len(self.items) - len(shown)
        lines = "\n".join(f"  - {item}" for item in shown)
        tail = f"\n  ... and {more} more." if more else ""
        raise AsposeOcrError(
            f"Nothing was submitted: {len(self.items)} problem(s) with the {total} image input(s):\n"
            f"{lines}{tail}"
        )


def _has_glob(text: str) -> bool:
    return any(ch in _GLOB_CHARS for ch in text)


def _is_uri(text: str) -> bool:
    head, sep, _ = text.partition("://")
    return bool(sep) and head.isidentifier()


def _flatten(images: Any) -> list[Any]:
    if images is None:
        return []
    if isinstance(images, (str, bytes, bytearray, memoryview, os.PathLike)):
        return [images]
    if isinstance(images, Iterable):
        out: list[Any] = []
        for item in images:
            out.extend(_flatten(item))
        return out
    return [images]


def _expand(item: Any, index: int, problems: _Problems) -> list[tuple[str, Callable[[], bytes]]]:
    """One input to (source label, reader) pairs; a glob may give many, a bad input none."""
    if isinstance(item, (bytes, bytearray, memoryview)):
        data = bytes(item)
        return [(f"<bytes input #{index}>", lambda: data)]
    if isinstance(item, Path):
        item = str(item)
    if hasattr(item, "read_bytes") and hasattr(item, "protocol"):  # an ObjectStoragePath
        return _expand_object(str(item), problems, path=item)
    if not isinstance(item, str):
        problems.add(
            f"input #{index} is a {type(item).__name__}; give a path, a glob, a URI "
            "(scheme://...), raw bytes or a list of those."
        )
        return []
    text = item.strip()
    if not text:
        problems.add(f"input #{index} is an empty string; give a path, a glob or a URI.")
        return []
    if _is_uri(text):
        return _expand_object(text, problems)
    return _expand_local(text, problems)


def _expand_local(text: str, problems: _Problems) -> list[tuple[str, Callable[[], bytes]]]:
    path = os.path.expanduser(text)
    if _has_glob(path) and not os.path.isfile(path):  # "scan[1].png" that exists is a file
        matches = sorted(m for m in glob.glob(path, recursive=True) if os.path.isfile(m))
        if not matches:
            problems.add(f"glob {text!r} matches no file (checked from {os.getcwd()!r}).")
        return [(os.path.abspath(m), _file_reader(os.path.abspath(m))) for m in matches]
    if not os.path.exists(path):
        problems.add(f"file {text!r} does not exist (checked from {os.getcwd()!r}).")
        return []
    if os.path.isdir(path):
        problems.add(f"{text!r} is a directory; give a glob such as {os.path.join(text, '*.png')!r}.")
        return []
    absolute = os.path.abspath(path)
    return [(absolute, _file_reader(absolute))]


def _file_reader(path: str) -> Callable[[], bytes]:
    return lambda: Path(path).read_bytes()


def _expand_object(
    text: str, problems: _Problems, path: Any | None = None
) -> list[tuple[str, Callable[[], bytes]]]:
    from aspose_ocr_provider.compat import ObjectStoragePath

    try:
        if _has_glob(text.partition("://")[2]):
            scheme, _, rest = text.partition("://")
            parts = rest.split("/")
            first = next(i for i, part in enumerate(parts) if _has_glob(part))
            base = ObjectStoragePath(f"{scheme}://{'/'.join(parts[:first])}")
            pattern = "/".join(parts[first:])
            matches = sorted((p for p in base.glob(pattern) if p.is_file()), key=str)
            if not matches:
                problems.add(f"glob {text!r} matches no object.")
            return [(str(m), _object_reader(m)) for m in matches]
        obj = path if path is not None else ObjectStoragePath(text)
        if not obj.exists():
            problems.add(f"object {text!r} does not exist.")
            return []
        if obj.is_dir():
            problems.add(f"{text!r} is a directory; give a glob such as {text.rstrip('/') + '/*.png'!r}.")
            return []
        return [(str(obj), _object_reader(obj))]
    except Exception as exc:
        problems.add(
            f"object {text!r} cannot be read: {type(exc).__name__}: {exc}. Check the URI, the "
            "filesystem package for its scheme and the connection it uses (ObjectStoragePath conn_id)."
        )
        return []


def _object_reader(obj: Any) -> Callable[[], bytes]:
    return lambda: bytes(obj.read_bytes())


def _check(source: str, data: bytes, max_image_bytes: int, problems: _Problems) -> str | None:
    if not data:
        problems.add(f"{source} is empty (0 bytes); an upload or copy was probably cut short.")
        return None
    if len(data) > max_image_bytes:
        problems.add(
            f"{source} is {len(data):,} bytes, over the limit of {max_image_bytes:,} bytes; shrink it or "
            "raise max_image_bytes."
        )
        return None
    kind = sniff_image_format(data)
    if kind == "pdf":
        problems.add(
            f"{source} is a PDF. Table recognition takes images only; render its pages to PNG first, or "
            "use Aspose.OCR's PDF recognition (POST /v5.0/ocr/RecognizePdf) for whole documents."
        )
        return None
    if kind not in SUPPORTED_IMAGE_FORMATS:
        problems.add(
            f"{source} is not an image format the API takes (its first bytes are {data[:8]!r}); "
            f"give one of: {', '.join(f.upper() for f in SUPPORTED_IMAGE_FORMATS)}."
        )
        return None
    return kind


def resolve_images(images: Any, max_image_bytes: int = DEFAULT_MAX_IMAGE_BYTES) -> list[ImageSource]:
    """Resolve, read, check and hash every input, in input order (globs sorted by name).

    :param images: a path, glob, URI (``file://``, or any scheme an installed fsspec filesystem
        serves through ``ObjectStoragePath``), raw bytes, or a (nested) list of those.
    :param max_image_bytes: refuse any image larger than this.
    :raises AsposeOcrError: naming every bad input, before anything is submitted.
    """
    items = _flatten(images)
    problems = _Problems()
    if not items:
        problems.add("no images were given; pass a path, a glob, a URI, bytes or a list of those.")
        problems.raise_if_any(0)
    resolved: list[ImageSource] = []
    for index, item in enumerate(items):
        for source, reader in _expand(item, index, problems):
            try:
                data = reader()
            except Exception as exc:
                problems.add(f"{source} cannot be read: {type(exc).__name__}: {exc}.")
                continue
            kind = _check(source, data, max_image_bytes, problems)
            if kind is not None:
                digest = hashlib.sha256(data).hexdigest()
                resolved.append(ImageSource(source, digest, len(data), kind, reader))
    problems.raise_if_any(len(items))
    return resolved


def describe(sources: Sequence[ImageSource]) -> str:
    """A one-line summary for the task log."""
    total = sum(s.size for s in sources)
    return f"{len(sources)} image(s), {total:,} bytes"
