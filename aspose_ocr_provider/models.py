"""The Aspose.OCR Cloud v5.0 table-recognition contract: paths, enums, request and response shapes.

Every part of the provider (hooks, operators, trigger, load step and the emulator) speaks the API
through this one module, so a change in the wire format is made in one place. Field names, enum
strings and key order follow the official SDK 24.11 and its OpenAPI document (see the README's
"API notes"); where the real server is undocumented the choice made here is marked *inferred*.
"""

from __future__ import annotations

import ast
import base64
import binascii
import enum
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from aspose_ocr_provider.documents.identity import InputIdentity

DEFAULT_BASE_URL = "https://api.aspose.cloud"
TOKEN_PATH = "/connect/token"
RECOGNIZE_TABLE_PATH = "/v5.0/ocr/RecognizeTable"
TASK_STATUS_PATH = "/v5.0/ocr/Utilities/GetTaskStatus"
RETENTION_SECONDS = 24 * 3600
"""How long the service keeps a task's results; after that the id reads as NotExist."""


class _ApiEnum(enum.StrEnum):
    """A string enum whose values are the exact wire strings; parsing is case-insensitive.

    The server is ASP.NET Core and, by inference, binds enum strings case-insensitively; the
    emulator and our validation do the same so that ``"csv"`` and ``"Csv"`` mean one thing.
    """

    @classmethod
    def parse(cls, value: Any, what: str | None = None) -> Any:
        if isinstance(value, cls):
            return value
        if isinstance(value, str):
            for member in cls:
                if member.value.lower() == value.strip().lower():
                    return member
        valid = ", ".join(m.value for m in cls)
        raise ValueError(f"Unknown {what or cls.__name__} {value!r}; valid values are: {valid}.")


class TaskStatus(_ApiEnum):
    PENDING = "Pending"
    PROCESSING = "Processing"
    COMPLETED = "Completed"
    ERROR = "Error"
    NOT_EXIST = "NotExist"

    @property
    def is_final(self) -> bool:
        """Whether polling this task again can change the answer."""
        return self in (TaskStatus.COMPLETED, TaskStatus.ERROR, TaskStatus.NOT_EXIST)


class ResponseStatusCode(_ApiEnum):
    OK = "Ok"
    PARTIALLY_NOT_FOUND = "PartiallyNotFound"
    NO_ANY_RESULT_DATA = "NoAnyResultData"
    RESULT_DATA_LOST = "ResultDataLost"
    TASK_NOT_FOUND = "TaskNotFound"
    NOT_READY = "NotReady"
    ERROR = "Error"


class ResultTypeTable(_ApiEnum):
    TEXT = "Text"
    EXCEL = "Excel"
    CSV = "Csv"
    CSV_AND_EXCEL = "CsvAndExcel"


class ResultType(_ApiEnum):
    TEXT = "Text"
    PDF = "Pdf"
    TEXT_AND_PDF = "TextAndPdf"
    HOCR = "Hocr"
    TEXT_AND_HOCR = "TextAndHocr"
    PDF_AND_HOCR = "PdfAndHocr"
    TEXT_AND_PDF_AND_HOCR = "TextAndPdfAndHocr"
    IMAGE_PNG = "ImagePNG"
    JSON = "JSON"


class DsrMode(_ApiEnum):
    REGIONS = "Regions"
    DSR_NO_FILTER = "DsrNoFilter"
    DSR_AND_FILTER = "DsrAndFilter"
    NO_DSR_NO_FILTER = "NoDsrNoFilter"
    TEXT_DETECTOR = "TextDetector"
    DSR_PLUS_DETECTOR = "DsrPlusDetector"
    POLYGONAL_TEXT_DETECTOR = "PolygonalTextDetector"
    LINE_DETECTOR = "LineDetector"


class DsrConfidence(_ApiEnum):
    DEFAULT = "Default"
    LOW = "Low"
    LOW_MID = "LowMid"
    MID = "Mid"
    MID_HIGH = "MidHigh"
    HIGH = "High"
    ULTRA = "Ultra"
    ALL = "All"


LANGUAGES: tuple[str, ...] = tuple(
    """English German French Italian Spanish Portuguese Polish Slovene Slovak Netherlands Lithuanian
    Latvian Danish Norwegian Finnish Serbian Croatian Czech Swedish Estonian Romanian Chinese Russian
    Arabic Hindi Ukrainan Bengali Tibetan Thai Urdu Turkish Korean Indonesian Hebrew Javanese Greek
    Japanese Persian Albanian Latin Vietnamese Uzbek Georgian Bulgarian Azerbaijani Kazah Macedonian
    Belorussian Malay Hausa Sundanese Swahili Tagalog Yoruba Oromo Cebuano Dutch Kurdish
    Serbo_Croatian Malagasy Zhuang Turkmen Somali Hungarian Chichewa Rwanda Min_Bei Zulu Ilocano
    Min_Dong Quechua Hiligaynon Hmong Shona Xhosa Betawi Catalan Afrikaans Minangkabau
    Sotho_Southern Bikol Makua Kanuri Tswana Kikongo Luo Sukuma Tsonga Bosnian Bemba Nandi Palembang
    Umbundu Sotho_Northern Waray_Waray Lamani Low_German Gilaki Musi HWT_ENG Pu_Xian Kapampangan
    Bouyei Galician Ndebele Yao Sasak Swati Gusii Meru Wolaytta Dong Pangasinan Dimli Makassar
    Tumbuka Serer_Sine Occitan Tonga Muong Kiche Luguru Wu Cantonese Min_Nan Xiang Hakka Gan Chechen
    Kabardian Marathi Bhojpuri Maithili Awadhi Nepali Marwari Magahi Haryanvi Chattisgarhi Dhundari
    Konkani Kanauji Mewati Rajbanshi Garhwali Kumauni Wagdi Malvi Mewari Uyghur Telugu Kannada Tamil
    Devanagari""".split()
)
"""The 154 ``Language`` strings of the API, typos included (``Ukrainan``, ``Kazah``): they are the contract."""

_LANGUAGE_BY_LOWER = {name.lower(): name for name in LANGUAGES}


def parse_language(value: Any) -> str:
    """Return the API's spelling of a language name, or raise ValueError naming the valid ones."""
    if isinstance(value, str) and value.strip().lower() in _LANGUAGE_BY_LOWER:
        return _LANGUAGE_BY_LOWER[value.strip().lower()]
    raise ValueError(
        f"Unknown language {value!r}; valid values are: {', '.join(LANGUAGES)}."
    )


@dataclass(frozen=True)
class Rect:
    """A pixel rectangle of the image, as ``OCRRect``."""

    top_left_x: int
    top_left_y: int
    bottom_right_x: int
    bottom_right_y: int

    def __post_init__(self) -> None:
        for name in ("top_left_x", "top_left_y", "bottom_right_x", "bottom_right_y"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise ValueError(f"Region rectangle {name} must be a non-negative integer, got {value!r}.")
        if self.bottom_right_x <= self.top_left_x or self.bottom_right_y <= self.top_left_y:
            raise ValueError(
                f"Region rectangle {self.as_tuple()} is empty: the bottom-right corner must lie "
                "right of and below the top-left corner."
            )

    def as_tuple(self) -> tuple[int, int, int, int]:
        return (self.top_left_x, self.top_left_y, self.bottom_right_x, self.bottom_right_y)

    def to_json(self) -> dict[str, int]:
        return {
            "topLeftX": self.top_left_x,
            "topLeftY": self.top_left_y,
            "bottomRightX": self.bottom_right_x,
            "bottomRightY": self.bottom_right_y,
        }


@dataclass(frozen=True)
class Region:
    """An area to recognise, as ``OCRRegion``; a higher ``order`` comes later in the output."""

    rect: Rect
    order: int = 0

    @classmethod
    def coerce(cls, value: Any) -> Region:
        """Accept a Region, a ``(x1, y1, x2, y2)`` tuple, or the API's JSON object (any key case)."""
        if isinstance(value, Region):
            return value
        if isinstance(value, Rect):
            return cls(value)
        if isinstance(value, (list, tuple)) and len(value) == 4:
            return cls(Rect(*value))
        if isinstance(value, Mapping):
            lowered = {str(k).lower(): v for k, v in value.items()}
            rect = lowered.get("rect")
            order = lowered.get("order", 0)
            if isinstance(rect, Mapping):
                r = {str(k).lower(): v for k, v in rect.items()}
                try:
                    rect_obj = Rect(r["topleftx"], r["toplefty"], r["bottomrightx"], r["bottomrighty"])
                except KeyError as exc:
                    raise ValueError(
                        f"Region rect is missing {exc.args[0]}; give topLeftX, topLeftY, "
                        "bottomRightX and bottomRightY."
                    ) from None
                if not isinstance(order, int) or isinstance(order, bool):
                    raise ValueError(f"Region order must be an integer, got {order!r}.")
                return cls(rect_obj, order)
        raise ValueError(
            f"Cannot read region {value!r}: give (top_left_x, top_left_y, bottom_right_x, "
            "bottom_right_y) or {'rect': {...}, 'order': n}."
        )

    def to_json(self) -> dict[str, Any]:
        return {"rect": self.rect.to_json(), "order": self.order}


# Wire names in the order the official SDK serialises them.
_SETTINGS_WIRE_NAMES = {
    "language": "language",
    "make_skew_correct": "makeSkewCorrect",
    "make_spell_check": "makeSpellCheck",
    "make_contrast_correction": "makeContrastCorrection",
    "result_type_table": "resultTypeTable",
    "rotate": "Rotate",
    "make_binarization": "makeBinarization",
    "make_upsampling": "makeUpsampling",
    "dsr_mode": "dsrMode",
    "dsr_confidence": "dsrConfidence",
    "result_type": "resultType",
    "regions": "regions",
}
_SETTINGS_BY_LOWER_WIRE = {wire.lower(): attr for attr, wire in _SETTINGS_WIRE_NAMES.items()}
_BOOL_SETTINGS = (
    "make_skew_correct",
    "make_spell_check",
    "make_contrast_correction",
    "make_binarization",
    "make_upsampling",
)


@dataclass(frozen=True)
class TableSettings:
    """``OCRSettingsRecognizeTable``: every member optional, validated on construction.

    ``None`` means "not sent", leaving the server's default in force. The boolean defaults below
    are the ones the official SDK always sends, so our requests match what the service sees from
    its own clients (the docs and the SDK disagree on binarization and contrast; see README).
    """

    language: str | None = None
    make_skew_correct: bool | None = True
    make_spell_check: bool | None = False
    make_contrast_correction: bool | None = False
    result_type_table: ResultTypeTable | None = ResultTypeTable.CSV
    rotate: int | None = None
    make_binarization: bool | None = True
    make_upsampling: bool | None = False
    dsr_mode: DsrMode | None = None
    dsr_confidence: DsrConfidence | None = None
    result_type: ResultType | None = None
    regions: tuple[Region, ...] | None = None

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        if self.language is not None:
            set_(self, "language", parse_language(self.language))
        for name in _BOOL_SETTINGS:
            value = getattr(self, name)
            if value is not None and not isinstance(value, bool):
                raise ValueError(f"Setting {name} must be true or false, got {value!r}.")
        if self.result_type_table is not None:
            set_(self, "result_type_table", ResultTypeTable.parse(self.result_type_table, "result_type_table"))
        if self.dsr_mode is not None:
            set_(self, "dsr_mode", DsrMode.parse(self.dsr_mode, "dsr_mode"))
        if self.dsr_confidence is not None:
            set_(self, "dsr_confidence", DsrConfidence.parse(self.dsr_confidence, "dsr_confidence"))
        if self.result_type is not None:
            set_(self, "result_type", ResultType.parse(self.result_type, "result_type"))
        if self.rotate is not None and (not isinstance(self.rotate, int) or isinstance(self.rotate, bool)):
            raise ValueError(f"Setting rotate must be a whole number of degrees, got {self.rotate!r}.")
        if self.regions is not None:
            set_(self, "regions", tuple(Region.coerce(r) for r in self.regions))

    def to_json(self) -> dict[str, Any]:
        """The settings object as sent on the wire (unset members omitted)."""
        body: dict[str, Any] = {}
        for attr, wire in _SETTINGS_WIRE_NAMES.items():
            value = getattr(self, attr)
            if value is None:
                continue
            if isinstance(value, enum.Enum):
                value = value.value
            elif attr == "regions":
                value = [region.to_json() for region in value]
            body[wire] = value
        return body

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> TableSettings:
        """Read a settings object the way the server does: key case ignored, unknown keys refused."""
        if not isinstance(data, Mapping):
            raise ValueError(f"settings must be a JSON object, got {type(data).__name__}.")
        kwargs: dict[str, Any] = {attr: None for attr in _SETTINGS_WIRE_NAMES}
        for key, value in data.items():
            attr = _SETTINGS_BY_LOWER_WIRE.get(str(key).lower())
            if attr is None:
                raise ValueError(
                    f"Unknown settings member {key!r}; valid members are: {', '.join(_SETTINGS_WIRE_NAMES.values())}."
                )
            kwargs[attr] = value
        return cls(**kwargs)

    @classmethod
    def from_kwargs(cls, settings: TableSettings | Mapping[str, Any] | None = None, **kwargs: Any) -> TableSettings:
        """Build settings from a TableSettings, a dict (Python or wire names) and/or keyword arguments.

        Operators accept user-facing keyword arguments; this is the one place that turns them into
        validated settings, so a typo (``langauge=``) fails at DAG parse time in words.
        """
        merged: dict[str, Any] = {}
        if isinstance(settings, TableSettings):
            merged.update({attr: getattr(settings, attr) for attr in _SETTINGS_WIRE_NAMES})
        elif settings is not None:
            merged.update(_python_names(settings))
        merged.update(_python_names(kwargs))
        return cls(**merged)


def _python_names(values: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in values.items():
        attr = key if key in _SETTINGS_WIRE_NAMES else _SETTINGS_BY_LOWER_WIRE.get(str(key).lower())
        if attr is None:
            raise ValueError(
                f"Unknown recognition setting {key!r}; valid settings are: {', '.join(_SETTINGS_WIRE_NAMES)}."
            )
        out[attr] = value
    return out


def encode_image(image: bytes) -> str:
    return base64.b64encode(image).decode("ascii")


def recognize_table_body(image: bytes, settings: TableSettings | None = None) -> dict[str, Any]:
    """The JSON body of ``POST /v5.0/ocr/RecognizeTable`` (``OCRRecognizeTableBody``)."""
    return {"image": encode_image(image), "settings": (settings or TableSettings()).to_json()}


@dataclass(frozen=True)
class ResultItem:
    """One ``OCRResult``: a format label and base64 data.

    ``type`` is free text on the wire (the Excel label is undocumented), so ``kind`` sniffs the
    decoded bytes instead of trusting the label.
    """

    type: str | None
    data: str | None

    @property
    def content(self) -> bytes:
        """The decoded bytes; raises ValueError in words when the service sent invalid base64."""
        if self.data is None:
            return b""
        try:
            return base64.b64decode(self.data, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ValueError(f"Result of type {self.type!r} holds invalid base64 data: {exc}") from None

    @property
    def kind(self) -> str:
        """``excel`` for an .xlsx zip, else the lower-cased label (``csv``, ``text``, ...)."""
        if self.data and self.data.startswith("UEsDB"):  # base64 of b"PK\x03\x04"
            return "excel"
        return (self.type or "").lower()

    def to_json(self) -> dict[str, Any]:
        return {"type": self.type, "data": self.data}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ResultItem:
        return cls(type=data.get("type"), data=data.get("data"))


@dataclass(frozen=True)
class TaskResult:
    """``OCRResponse``: what GET RecognizeTable and GetTaskStatus answer for one task id."""

    id: str | None
    task_status: TaskStatus
    response_status_code: ResponseStatusCode | None = None
    results: tuple[ResultItem, ...] = ()
    messages: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()

    def result_of_kind(self, kind: str) -> ResultItem | None:
        """The first result whose sniffed kind is ``kind`` (``csv``, ``excel``, ``text``...)."""
        for item in self.results:
            if item.kind == kind.lower():
                return item
        return None

    @property
    def csv(self) -> str | None:
        """The decoded CSV text of a Completed task, BOM removed; None when there is no CSV result."""
        item = self.result_of_kind("csv")
        if item is None:
            return None
        return item.content.decode("utf-8-sig")

    def to_json(self) -> dict[str, Any]:
        error = None
        if self.messages or self.warnings:
            error = {"messages": list(self.messages) or None, "warnings": list(self.warnings) or None}
        return {
            "id": self.id,
            "responseStatusCode": self.response_status_code.value if self.response_status_code else None,
            "taskStatus": self.task_status.value,
            "results": [r.to_json() for r in self.results] if self.results else None,
            "error": error,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> TaskResult:
        """Parse an ``OCRResponse``; an unknown status raises ValueError naming the valid ones."""
        if not isinstance(data, Mapping):
            raise ValueError(f"Expected an OCRResponse JSON object, got {type(data).__name__}.")
        code = data.get("responseStatusCode")
        error = data.get("error") or {}
        return cls(
            id=data.get("id"),
            task_status=TaskStatus.parse(data.get("taskStatus"), "taskStatus"),
            response_status_code=ResponseStatusCode.parse(code, "responseStatusCode") if code else None,
            results=tuple(ResultItem.from_json(r) for r in (data.get("results") or ())),
            messages=tuple(error.get("messages") or ()),
            warnings=tuple(error.get("warnings") or ()),
        )


@dataclass(frozen=True)
class ProblemDetails:
    """RFC 7807 body of an ASP.NET Core 4xx (``application/problem+json``)."""

    status: int
    title: str
    detail: str | None = None
    type: str | None = None
    errors: dict[str, list[str]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": self.type or "https://tools.ietf.org/html/rfc9110#section-15.5.1",
            "title": self.title,
            "status": self.status,
        }
        if self.detail:
            body["detail"] = self.detail
        if self.errors:
            body["errors"] = self.errors
        return body

    @staticmethod
    def message_of(body: Any) -> str:
        """Flatten a problem+json (or OAuth error) body into one sentence for an exception."""
        if not isinstance(body, Mapping):
            return str(body).strip()
        parts = [str(body[k]) for k in ("title", "detail", "error", "error_description") if body.get(k)]
        errors = body.get("errors")
        if isinstance(errors, Mapping):
            for key, msgs in errors.items():
                text = "; ".join(msgs) if isinstance(msgs, Sequence) and not isinstance(msgs, str) else str(msgs)
                parts.append(f"{key}: {text}")
        return " ".join(parts) or str(dict(body))


# Image formats the service takes for table recognition, by their leading bytes.
_IMAGE_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"GIF87a", "gif"),
    (b"GIF89a", "gif"),
    (b"BM", "bmp"),
    (b"II*\x00", "tiff"),
    (b"MM\x00*", "tiff"),
)
SUPPORTED_IMAGE_FORMATS: tuple[str, ...] = ("bmp", "jpeg", "png", "tiff", "gif")


def sniff_image_format(data: bytes) -> str | None:
    """The image format of ``data`` by magic bytes (``png``, ``jpeg``...), ``pdf`` for a PDF, else None."""
    for signature, name in _IMAGE_SIGNATURES:
        if data.startswith(signature):
            return name
    if data.lstrip()[:5] == b"%PDF-":
        return "pdf"
    return None


@dataclass(frozen=True)
class TaskRef:
    """One OCR task id handed downstream, with the input it came from when known.

    ``sha256`` (of the whole input document) and the 1-based ``page`` are the input's identity
    (see :mod:`aspose_ocr_provider.documents.identity`); a plain image is page 1. Both are None for a bare
    task id, whose input is unknown.
    """

    task_id: str
    source: str | None = None
    sha256: str | None = None
    page: int | None = None

    @property
    def label(self) -> str | None:
        """How messages name the input: its source, with the page when it is past the first."""
        if self.source and self.page and self.page > 1:
            return f"{self.source} page {self.page}"
        return self.source

    @property
    def identity(self) -> InputIdentity | None:
        """The input's identity, or None when only the task id is known."""
        return InputIdentity.from_values(self.sha256, self.page)


def task_refs(value: Any) -> list[TaskRef]:
    """Task ids from whatever a DAG hands the sensor or the load step, in input order.

    Accepts a bare id, a list of ids, the submit operator's records (dicts with ``task_id`` and
    ``source``), lists of those at any depth (a mapped submit task gives one list per map index),
    and the string a Jinja template renders such a list to (JSON or Python repr). One parser for
    every consumer, so the sensor and the load step never disagree on what an input means.
    """
    if value is None:
        return []
    if isinstance(value, str):
        text = value.strip()
        if text[:1] not in ("[", "{", "("):
            return [TaskRef(text)] if text else []
        try:
            parsed = json.loads(text)
        except ValueError:
            try:
                parsed = ast.literal_eval(text)
            except (ValueError, SyntaxError):
                raise ValueError(
                    f"ocr_task_ids rendered to {text[:80]!r}, which is not a task id or a list of them; "
                    "pass the submit task's output (an XComArg) or set render_template_as_native_obj=True."
                ) from None
        return task_refs(parsed)
    if isinstance(value, Mapping):
        if "task_id" not in value:
            raise ValueError(
                f"Submit record {dict(value)!r} has no 'task_id'; pass the submit task's records."
            )
        source = value.get("source")
        identity = InputIdentity.from_values(value.get("sha256"), value.get("page"))
        return [
            TaskRef(
                str(value["task_id"]),
                str(source) if source else None,
                identity.sha256 if identity else None,
                identity.page if identity else None,
            )
        ]
    if isinstance(value, Iterable) and not isinstance(value, (bytes, bytearray)):
        return [ref for item in value for ref in task_refs(item)]
    raise ValueError(
        f"Cannot read OCR task ids from a {type(value).__name__}; give an id, a list of ids or submit records."
    )


def iter_task_ids(value: Any) -> Iterable[str]:
    """Task ids from a string, a list of strings or submit records (dicts with ``task_id``)."""
    return (ref.task_id for ref in task_refs(value))
