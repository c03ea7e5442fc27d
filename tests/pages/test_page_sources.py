"""PDFs and multi-page TIFFs become one checked source per page; bad documents are refused, named."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest
from PIL import Image

from aspose_ocr_provider.documents.pages import PageSelection
from aspose_ocr_provider.documents.reading import page_images, resolve_images
from aspose_ocr_provider.exceptions import AsposeOcrError
from aspose_ocr_provider.operators.submit import AsposeOcrSubmitTableOperator
from tests.pages import documents


def _write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


def _pixels(image: bytes) -> Image.Image:
    with Image.open(io.BytesIO(image)) as opened:
        return opened.convert("L")


def test_a_pdf_and_a_tiff_become_their_pages_with_the_document_digest(tmp_path: Path) -> None:
    pdf_bytes = documents.three_page_pdf()
    tiff_bytes = documents.two_frame_tiff()
    pdf = _write(tmp_path, "statement.pdf", pdf_bytes)
    tiff = _write(tmp_path, "scan.tif", tiff_bytes)
    png = _write(tmp_path, "single.png", (documents.SAMPLES / "ruled_invoice.png").read_bytes())

    sources = resolve_images([str(pdf), str(tiff), str(png)])

    assert [(Path(s.source).name, s.page) for s in sources] == [
        ("statement.pdf", 1),
        ("statement.pdf", 2),
        ("statement.pdf", 3),
        ("scan.tif", 1),
        ("scan.tif", 2),
        ("single.png", 1),
    ]
    assert {s.sha256 for s in sources[:3]} == {hashlib.sha256(pdf_bytes).hexdigest()}
    assert {s.sha256 for s in sources[3:5]} == {hashlib.sha256(tiff_bytes).hexdigest()}
    images = [image for _, image in page_images(sources)]
    assert all(image.startswith(b"\x89PNG") for image in images[:5])  # what the service takes
    assert images[5] == png.read_bytes()  # a plain image is sent exactly as given
    # Pages come out in order, with their own content: the sample on page 1 at 300 dpi...
    assert _pixels(images[0]).size[0] == documents.sample("ruled_invoice").size[0]
    # ...and the TIFF's frames unchanged, pixel for pixel.
    assert _pixels(images[4]).tobytes() == documents.sample("ruled_two_tables").tobytes()


def test_dpi_sets_the_rendered_size_and_pages_selects(tmp_path: Path) -> None:
    pdf = _write(tmp_path, "statement.pdf", documents.three_page_pdf())
    sources = resolve_images(str(pdf), pages="1,3", dpi=150)
    assert [s.page for s in sources] == [1, 3]
    first = _pixels(next(page_images(sources))[1])
    assert abs(first.size[0] - documents.sample("ruled_invoice").size[0] / 2) <= 1
    assert [s.page for s in resolve_images(str(pdf), pages="2-")] == [2, 3]


def test_bad_documents_are_all_named_with_their_reason_in_one_error(tmp_path: Path) -> None:
    _write(tmp_path, "good.pdf", documents.three_page_pdf())
    _write(tmp_path, "locked.pdf", documents.encrypted_pdf())
    _write(tmp_path, "blank.pdf", documents.empty_pdf())
    _write(tmp_path, "cut.pdf", documents.truncated_pdf())
    with pytest.raises(AsposeOcrError) as err:
        resolve_images(str(tmp_path / "*.pdf"))
    message = str(err.value)
    assert message.startswith("Nothing was submitted: 3 problem(s)")
    assert f"{tmp_path / 'locked.pdf'}: the PDF is encrypted with a password" in message
    assert f"{tmp_path / 'blank.pdf'}: the PDF has no pages" in message
    assert f"{tmp_path / 'cut.pdf'}: the PDF is truncated" in message
    assert "good.pdf" not in message


def test_pages_a_document_lacks_and_the_page_limit_are_errors_naming_the_file(tmp_path: Path) -> None:
    pdf = _write(tmp_path, "statement.pdf", documents.three_page_pdf())
    tiff = _write(tmp_path, "scan.tiff", documents.two_frame_tiff())
    with pytest.raises(AsposeOcrError) as err:
        resolve_images([str(pdf), str(tiff)], pages="1-3")
    message = str(err.value)
    assert f"{tiff}: pages='1-3' asks for page 3, but it has 2 page(s)" in message
    assert "statement.pdf" not in message
    with pytest.raises(AsposeOcrError, match=r"statement.pdf: 3 page\(s\) selected, over max_pages=2"):
        resolve_images(str(pdf), max_pages=2)
    assert len(resolve_images(str(pdf), pages="2-3", max_pages=2)) == 2


def test_page_selection_syntax() -> None:
    assert PageSelection.parse("1-3,7").select(9) == [1, 2, 3, 7]
    assert PageSelection.parse("all").select(2) == [1, 2]
    assert PageSelection.parse([3, 1, 3]).select(3) == [3, 1]
    assert PageSelection.parse(" 4- ").select(6) == [4, 5, 6]
    for bad in ("0", "3-1", "2-0", "one", "1,,2", "-2"):
        with pytest.raises(ValueError, match="pages"):
            PageSelection.parse(bad)
    with pytest.raises(ValueError, match=r"pages='1-x'"):
        AsposeOcrSubmitTableOperator(task_id="s", images="x.pdf", pages="1-x")  # fails at DAG parse
    templated = AsposeOcrSubmitTableOperator(task_id="s", images="x.pdf", pages="{{ params.pages }}")
    assert "pages" in templated.template_fields
