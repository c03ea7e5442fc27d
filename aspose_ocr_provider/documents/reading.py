"""Turn what a DAG author passes as ``images`` into checked, hashed pages to submit.

The submit operator must refuse a whole batch before it pays for any page, so every input is
resolved, read, sniffed, hashed and (for PDFs and multi-frame TIFFs) opened and measured page by
page here first. Sources keep a way to read their bytes again rather than the bytes themselves, so
a batch of thousands of large inputs is not held in memory at once; a re-read is compared with the
first read's sha256 so a file changed in between is not submitted under the wrong provenance.
Pages are identified by the document's sha256 and their 1-based number (1 for a plain image).
"""

from __future__ import annotations

import glob
import hashlib
import os
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aspose_ocr_provider.documents.identity import InputIdentity
from aspose_ocr_provider.documents.image_headers import MAX_IMAGE_PIXELS, pixel_problem
from aspose_ocr_provider.documents.pages import (
    DEFAULT_DPI,
    DEFAULT_MAX_PAGES,
    DocumentError,
    PagedDocument,
    PageSelection,
    open_document,
)
from aspose_ocr_provider.exceptions import AsposeOcrError, AsposeOcrInputError
from aspose_ocr_provider.models import SUPPORTED_IMAGE_FORMATS, sniff_image_format

DEFAULT_MAX_IMAGE_BYTES = 20 * 1024 * 1024
"""Default per-image size cap. The service documents no limit; this guards cost and memory."""

MAX_READ_BYTES = 512 * 1024 * 1024
"""Most bytes read of any one input: a file claiming more is refused unread, so one huge file never
fills a worker's memory (PDFs are the only inputs this large; images stop at ``max_image_bytes``)."""

KEPT_BYTES = 64 * 1024 * 1024
"""Most bytes of checked inputs a batch keeps in memory for their submission, so a small batch
reads each file or object once (the check hashes it, the submission sends the same bytes); the
inputs checked after that much is kept are read again when submitted. On object storage every
read is a billed GET and its egress."""


class _ReadOnce:
    """A reader that first hands out the bytes the check already read, then reads afresh.

    The bytes are given once and dropped: a second submission of the document (a retry) reads it
    again, and ``Document.read`` re-checks the digest either way.
    """

    def __init__(self, data: bytes, reader: Callable[[], bytes]) -> None:
        self._data: bytes | None = data
        self._reader = reader

    def __call__(self) -> bytes:
        data, self._data = self._data, None
        return data if data is not None else self._reader()

DOCUMENT_FORMATS: tuple[str, ...] = ("pdf",)
"""Inputs taken besides the API's image formats, because they are split into page images first."""

INPUT_SUFFIXES: tuple[str, ...] = (".png", ".jpg", ".jpeg", ".jpe", ".bmp", ".tif", ".tiff", ".gif", ".pdf")
"""File name endings of the inputs the submit operator takes, for DAGs that list a folder."""

_GLOB_CHARS = frozenset("*?[")
_MAX_LISTED_PROBLEMS = 20


@dataclass(frozen=True)
class Document:
    """One input file or object as read at validation: its digest, format and how to read it again."""

    source: str
    sha256: str
    size: int
    format: str
    page_count: int
    dpi: int
    max_image_bytes: int
    _reader: Callable[[], bytes]

    def read(self) -> bytes:
        """The document bytes, refused if they no longer match the digest taken at validation."""
        data = self._reader()
        if hashlib.sha256(data).hexdigest() != self.sha256:
            raise AsposeOcrError(
                f"Image {self.source} changed after it was checked (its sha256 differs); not submitting "
                "it under the old provenance. Make sure inputs are not rewritten while the task runs."
            )
        return data

    def open(self) -> PagedDocument:
        try:
            return open_document(self.read(), self.format, self.dpi)
        except DocumentError as exc:
            raise AsposeOcrError(f"{self.source}: {exc}.") from None


@dataclass(frozen=True)
class ImageSource:
    """One page to submit (a plain image is page 1 of 1): its document and its page number."""

    document: Document
    page: int = 1

    @property
    def source(self) -> str:
        return self.document.source

    @property
    def sha256(self) -> str:
        """The sha256 of the whole document: with ``page``, the identity of this input."""
        return self.document.sha256

    @property
    def size(self) -> int:
        return self.document.size

    @property
    def format(self) -> str:
        return self.document.format

    @property
    def identity(self) -> InputIdentity:
        """What makes this page the same as one loaded before: its document's digest and page."""
        return InputIdentity(self.sha256, self.page)

    @property
    def label(self) -> str:
        """How messages name this page: the source, plus the page when the document has several."""
        if self.document.page_count == 1:
            return self.source
        return f"{self.source} page {self.page}"

    def read(self) -> bytes:
        """The image bytes to submit for this page (re-reads the document; prefer ``page_images``)."""
        return next(page_images([self]))[1]


def prepared_pages(
    sources: Iterable[ImageSource],
) -> Generator[tuple[ImageSource, Callable[[], bytes]], None, None]:
    """Each source with a call that gives the image bytes to submit, made when the consumer asks.

    Consecutive pages of one document share one opened copy of it, so a 200-page PDF is read
    once and rendered one page at a time: memory holds the document and the pages asked for,
    never the whole document's bitmaps. The page is rendered (or its frame decoded) on the
    consumer's thread when it takes the next item; the returned call encodes it and checks its
    size, and can run on a worker thread.
    """
    opened: PagedDocument | None = None
    current: Document | None = None
    try:
        for src in sources:
            if src.document is not current:
                if opened is not None:
                    opened.close()
                    opened = None
                current = src.document
                opened = current.open()
            assert opened is not None
            try:
                encode = opened.prepare(src.page)
            except DocumentError as exc:
                raise AsposeOcrError(f"{src.label}: {exc}.") from None
            yield src, _size_checked(src, encode)
    finally:
        if opened is not None:
            opened.close()


def _size_checked(src: ImageSource, encode: Callable[[], bytes]) -> Callable[[], bytes]:
    def image() -> bytes:
        data = encode()
        if len(data) > src.document.max_image_bytes:
            raise AsposeOcrError(
                f"{src.label} rendered to {len(data):,} bytes, over the limit of "
                f"{src.document.max_image_bytes:,} bytes; lower dpi or raise max_image_bytes."
            )
        return data

    return image


def page_images(sources: Iterable[ImageSource]) -> Iterator[tuple[ImageSource, bytes]]:
    """Each source with the image bytes to submit, made one page at a time on this thread."""
    pages = prepared_pages(sources)
    try:
        for src, image in pages:
            yield src, image()
    finally:
        pages.close()


@dataclass(frozen=True)
class Rejection:
    """One input file or object that cannot be submitted, and what could be learnt of it.

    :param source: the path or URI, as a good input from the same place would be named.
    :param message: the whole sentence for the task log, naming the source.
    :param size: its size in bytes, when it could be read.
    :param sha256: the digest of its bytes, when they could be read (the same bytes are not
        looked at again by the next run).
    :param page_count: its pages, when it could be opened.
    """

    source: str
    message: str
    size: int | None = None
    sha256: str | None = None
    page_count: int | None = None

    @property
    def reason(self) -> str:
        """The message without the source it starts with: what is wrong with the input."""
        text = self.message
        for prefix in (self.source, repr(self.source)):
            for lead in ("file ", "object ", ""):
                if text.startswith(lead + prefix):
                    return text[len(lead + prefix) :].lstrip(" :").rstrip(".")
        return text.rstrip(".")


class _Problems:
    """Collects every bad input so the user fixes them all in one go, not one per retry.

    A problem about one file or object (empty, not an image, too large...) is also a
    :class:`Rejection` that ``on_bad_input="skip"`` can set aside; a problem with what the DAG
    passed (a glob matching nothing, a directory, a value of the wrong type) is not.
    """

    def __init__(self) -> None:
        self.items: list[str] = []
        self.rejected: list[Rejection] = []

    def add(self, message: str) -> None:
        self.items.append(message)

    def reject(self, rejection: Rejection) -> None:
        self.items.append(rejection.message)
        self.rejected.append(rejection)

    @property
    def only_rejections(self) -> bool:
        return len(self.items) == len(self.rejected)

    def raise_if_any(self, total: int) -> None:
        if not self.items:
            return
        shown = self.items[:_MAX_LISTED_PROBLEMS]
        more = len(self.items) - len(shown)
        lines = "\n".join(f"  - {item}" for item in shown)
        tail = f"\n  ... and {more} more." if more else ""
        advice = (
            "\nFix or remove them, or set on_bad_input='skip' to submit the good inputs and record these."
            if self.rejected and self.only_rejections
            else ""
        )
        raise AsposeOcrInputError(
            f"Nothing was submitted: {len(self.items)} problem(s) with the {total} input(s):\n{lines}{tail}{advice}"
        )


def _has_glob(text: str) -> bool:
    return any(ch in _GLOB_CHARS for ch in text)


def _is_uri(text: str) -> bool:
    head, sep, _ = text.partition("://")
    return bool(sep) and head.isidentifier()


def _flatten(images: Any) -> list[Any]:
    if images is None:
        return []
    if isinstance(images, (str, bytes, bytearray, memoryview, os.PathLike, Mapping)):
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
    if isinstance(item, Mapping):  # a listing entry (list_documents(...).to_xcom()): its source
        if not isinstance(item.get("source"), str):
            problems.add(
                f"input #{index} is a mapping without a 'source'; give listing entries as "
                "list_documents() makes them, or paths, globs, URIs or bytes."
            )
            return []
        # Listed a moment ago as a file: read it without asking the store again whether it exists.
        source = str(item["source"])
        if not _is_uri(source):
            return [(source, _file_reader(source))]
        try:
            return [(source, _object_reader(_object_path(source)))]
        except Exception as exc:
            problems.add(
                f"object {source!r} cannot be read: {type(exc).__name__}: {exc}. Check the filesystem "
                "package for its scheme and the connection it uses."
            )
            return []
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
        problems.reject(
            Rejection(
                os.path.abspath(path),
                f"file {text!r} does not exist (checked from {os.getcwd()!r}); was it moved or deleted "
                "after it was listed?",
            )
        )
        return []
    if os.path.isdir(path):
        problems.add(f"{text!r} is a directory; give a glob such as {os.path.join(text, '*.png')!r}.")
        return []
    absolute = os.path.abspath(path)
    return [(absolute, _file_reader(absolute))]


def _file_reader(path: str) -> Callable[[], bytes]:
    return lambda: _read_file(path, MAX_READ_BYTES)


def _read_file(path: str, limit: int) -> bytes:
    """The file's bytes, refused when its size changes while it is read (still being written)."""
    before = os.stat(path)
    if before.st_size > limit:
        raise _TooBig(before.st_size)
    with open(path, "rb") as handle:
        data = handle.read(limit + 1)
    after = os.stat(path)
    if len(data) > limit:
        raise _TooBig(len(data))
    if (before.st_size, before.st_mtime_ns) != (after.st_size, after.st_mtime_ns) or len(data) != after.st_size:
        raise _Changed(before.st_size, len(data))
    return data


class _TooBig(Exception):
    def __init__(self, size: int) -> None:
        super().__init__(size)
        self.size = size


class _Changed(Exception):
    def __init__(self, listed: int, read: int) -> None:
        super().__init__(listed, read)
        self.listed = listed
        self.read = read


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
            problems.reject(
                Rejection(
                    str(obj), f"object {str(obj)!r} does not exist; was it moved or deleted after it was listed?"
                )
            )
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


def _object_path(uri: str) -> Any:
    from aspose_ocr_provider.compat import ObjectStoragePath

    return ObjectStoragePath(uri)


def _object_reader(obj: Any) -> Callable[[], bytes]:
    def read() -> bytes:
        if obj.protocol in ("file", "local"):
            return _read_file(obj.path, MAX_READ_BYTES)
        # One ranged GET: opening a file object would first ask the store for the object's size (a
        # HEAD per document, on top of the listing or look-up that named it).
        data = bytes(obj.fs.cat_file(obj.path, start=0, end=MAX_READ_BYTES + 1))
        if len(data) > MAX_READ_BYTES:
            raise _TooBig(len(data))
        return data

    return read


def _check(source: str, data: bytes, digest: str, problems: _Problems) -> str | None:
    def reject(message: str) -> None:
        problems.reject(Rejection(source, message, size=len(data), sha256=digest))

    if not data:
        reject(f"{source} is empty (0 bytes); an upload or copy was probably cut short.")
        return None
    kind = sniff_image_format(data)
    if kind not in SUPPORTED_IMAGE_FORMATS and kind not in DOCUMENT_FORMATS:
        reject(
            f"{source} is not an image format the API takes (its first bytes are {data[:8]!r}); "
            f"give one of: {', '.join(f.upper() for f in SUPPORTED_IMAGE_FORMATS + DOCUMENT_FORMATS)}."
        )
        return None
    if kind != "pdf" and (why := pixel_problem(data, kind, MAX_IMAGE_PIXELS)) is not None:
        reject(f"{source}: {why}.")
        return None
    return kind


def _oversize(source: str, size: int, max_image_bytes: int) -> str:
    return (
        f"{source} is {size:,} bytes, over the limit of {max_image_bytes:,} bytes; shrink it or "
        "raise max_image_bytes."
    )


def _pages_of(
    source: str,
    data: bytes,
    kind: str,
    digest: str,
    *,
    selection: PageSelection,
    dpi: int,
    max_pages: int,
    max_image_bytes: int,
    problems: _Problems,
) -> tuple[int, list[int]] | None:
    """Open a document, check every selected page can be made; its page count and the pages."""
    pages: int | None = None

    def reject(message: str) -> None:
        problems.reject(Rejection(source, message, size=len(data), sha256=digest, page_count=pages))

    try:
        document = open_document(data, kind, dpi)
    except DocumentError as exc:
        reject(f"{source}: {exc}.")
        return None
    try:
        pages = document.page_count
        if kind != "pdf" and document.page_count == 1 and len(data) > max_image_bytes:  # sent as it is
            reject(_oversize(source, len(data), max_image_bytes))
            return None
        chosen = selection.select(document.page_count)
        if len(chosen) > max_pages:
            reject(
                f"{source}: {len(chosen)} page(s) selected, over max_pages={max_pages} per document; "
                f"choose fewer with pages= (e.g. pages='1-{max_pages}') or raise max_pages."
            )
            return None
        for page in chosen:
            document.check_page(page)
        return document.page_count, chosen
    except DocumentError as exc:
        reject(f"{source}: {exc}.")
        return None
    finally:
        document.close()


@dataclass
class CheckedInputs:
    """What :func:`check_images` found: the pages to submit and the inputs set aside.

    :param sources: one per page to submit, in input and page order.
    :param rejected: the inputs that cannot be submitted, each with its reason.
    :param total: how many inputs were given (before globs were expanded).
    """

    sources: list[ImageSource]
    rejected: list[Rejection]
    total: int
    _problems: _Problems

    def raise_if_any(self, *, skip_rejected: bool = False) -> None:
        """Fail naming every problem; with ``skip_rejected`` only for problems that are not one
        input's own (a glob matching nothing, a value of the wrong type...).

        :raises AsposeOcrInputError: listing every problem, before anything is submitted.
        """
        if skip_rejected and self._problems.only_rejections:
            return
        self._problems.raise_if_any(self.total)


def check_images(
    images: Any,
    max_image_bytes: int = DEFAULT_MAX_IMAGE_BYTES,
    *,
    pages: str | int | Sequence[int] | None = "all",
    dpi: int = DEFAULT_DPI,
    max_pages: int = DEFAULT_MAX_PAGES,
) -> CheckedInputs:
    """Resolve, read, check and hash every input; the good pages and the rejected inputs.

    Each check is cheap and bounded whatever a file claims: its size before its bytes are read,
    an image's pixels from its header (never decoded, see :mod:`aspose_ocr_provider.documents.image_headers`),
    a document's pages by counting and measuring them (never rendered). Parameters as
    :func:`resolve_images`.
    """
    selection = pages if isinstance(pages, PageSelection) else PageSelection.parse(pages)
    items = _flatten(images)
    problems = _Problems()
    if not items:
        problems.add("no images were given; pass a path, a glob, a URI, bytes or a list of those.")
        problems.raise_if_any(0)
    resolved: list[ImageSource] = []
    keep = KEPT_BYTES
    for index, item in enumerate(items):
        for source, reader in _expand(item, index, problems):
            try:
                data = reader()
            except _TooBig as big:
                problems.reject(
                    Rejection(
                        source,
                        f"{source} is {big.size:,} bytes, over the {MAX_READ_BYTES:,} bytes read of any input; "
                        "split it into smaller files.",
                        size=big.size,
                    )
                )
                continue
            except _Changed as changed:
                problems.reject(
                    Rejection(
                        source,
                        f"{source} changed while it was being read ({changed.listed:,} bytes, then "
                        f"{changed.read:,}); it is probably still being written. The next run takes it "
                        "once it is complete.",
                    )
                )
                continue
            except FileNotFoundError:
                problems.reject(
                    Rejection(
                        source,
                        f"{source} vanished before it could be read; was it moved or deleted after it was listed?",
                    )
                )
                continue
            except Exception as exc:
                problems.reject(Rejection(source, f"{source} cannot be read: {type(exc).__name__}: {exc}."))
                continue
            digest = hashlib.sha256(data).hexdigest()
            kind = _check(source, data, digest, problems)
            if kind is None:
                continue
            found = _pages_of(
                source,
                data,
                kind,
                digest,
                selection=selection,
                dpi=dpi,
                max_pages=max_pages,
                max_image_bytes=max_image_bytes,
                problems=problems,
            )
            if found is None:
                continue
            page_count, chosen = found
            if len(data) <= keep:
                keep -= len(data)
                reader = _ReadOnce(data, reader)
            document = Document(source, digest, len(data), kind, page_count, dpi, max_image_bytes, reader)
            resolved.extend(ImageSource(document, page) for page in chosen)
    return CheckedInputs(resolved, list(problems.rejected), len(items), problems)


def resolve_images(
    images: Any,
    max_image_bytes: int = DEFAULT_MAX_IMAGE_BYTES,
    *,
    pages: str | int | Sequence[int] | None = "all",
    dpi: int = DEFAULT_DPI,
    max_pages: int = DEFAULT_MAX_PAGES,
) -> list[ImageSource]:
    """Resolve, read, check and hash every input; one source per page, in input and page order.

    :param images: a path, glob, URI (``file://``, or any scheme an installed fsspec filesystem
        serves through ``ObjectStoragePath``), raw bytes, a listing entry (a dict with ``source``,
        as :func:`aspose_ocr_provider.documents.listing.list_documents` gives them), or a (nested) list of
        those. Images, PDFs and multi-frame TIFFs.
    :param max_image_bytes: refuse any image (or rendered page) larger than this.
    :param pages: which pages of each PDF or TIFF: ``"all"``, or ranges like ``"1-3,7"``.
    :param dpi: resolution PDF pages are rendered at.
    :param max_pages: refuse a document with more selected pages than this.
    :raises AsposeOcrInputError: naming every bad input, before anything is submitted.
    """
    checked = check_images(images, max_image_bytes, pages=pages, dpi=dpi, max_pages=max_pages)
    checked.raise_if_any()
    return checked.sources


def input_items(images: Any) -> list[Any]:
    """``images`` as a flat list of single inputs (paths, globs, URIs, bytes, listing entries)."""
    return _flatten(images)


def has_inputs(images: Any) -> bool:
    """Whether ``images`` names anything at all (an empty list, or lists of empty lists, do not)."""
    return bool(_flatten(images))


def describe(sources: Sequence[ImageSource]) -> str:
    """A one-line summary for the task log."""
    documents = {id(s.document): s.document for s in sources}
    total = sum(d.size for d in documents.values())
    return f"{len(sources)} page(s) of {len(documents)} input(s), {total:,} bytes"
