"""Content images: their pixel size, and the resized copies a page's ``srcset`` names.

Three steps, in three places:

- :func:`probe` reads an image's size (Pillow opens lazily: only the header is read). The
  link resolver calls it, so the size is part of what a link resolved to and a changed
  image re-renders the pages that show it.
- :func:`plan_variants` decides, while a page is rendered, which copies its ``srcset``
  names: one per configured width narrower than the original, as WebP where WebP is
  smaller than the same copy in the original's format, and none where the copy would not
  be smaller than the original file. Deciding means encoding in memory (once per image,
  width and process); nothing is written.
- :func:`write_image_variants` writes the copies the rendered pages recorded, in the main
  process, after the pages. A copy whose original and settings are unchanged since the
  last build is kept as it is, without decoding the original again.

Copies are resampled with Lanczos, turned upright from their EXIF orientation, and carry
no metadata but the colour profile. Animated images are never resized.
"""

from __future__ import annotations

import io
import re
import warnings
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import PIL
from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError

from inkstone.cache import fingerprint
from inkstone.content.model import Document, ImageVariant
from inkstone.errors import BuildReport, Problem, Severity, SourceError
from inkstone.output.writer import SiteWriter

RASTER_FORMATS = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG", ".webp": "WEBP", ".gif": "GIF"}
"""File types inkstone measures and resizes, by suffix, with their Pillow format."""
SVG = ".svg"
ENCODING = "1"
"""The version of the encoding settings below: changing them must change it, so that
copies made with the old settings are made again."""
JPEG_QUALITY = 85
WEBP_QUALITY = 80
_ROTATED = {5, 6, 7, 8}
"""EXIF orientations that turn the image a quarter: its width and height swap."""
_LENGTH = re.compile(r"^\s*([0-9]*\.?[0-9]+)\s*(px)?\s*$")


@dataclass(frozen=True)
class ImageFacts:
    """What :func:`probe` learnt about one image file."""

    width: int | None
    """Pixel width as displayed (after EXIF orientation); None when unknown."""
    height: int | None
    stamp: str
    """Modification time and size of the file: changes whenever the file does."""
    resizable: bool = False
    """A still raster image inkstone can make smaller copies of."""
    error: str | None = None
    """Why the file could not be read as an image, if it could not."""


_probed: dict[tuple[str, int, int], ImageFacts] = {}
_planned: dict[tuple[str, str, tuple[int, ...], bool], tuple[ImageVariant, ...]] = {}


def is_sized(path: PurePosixPath | Path) -> bool:
    """Whether :func:`probe` reads the size of files of this type."""
    suffix = path.suffix.lower()
    return suffix in RASTER_FORMATS or suffix == SVG


def probe(path: Path) -> ImageFacts:
    """The size of the image at ``path``, memoised by path, modification time and size.
    Raises OSError when the file cannot be read at all."""
    stat = path.stat()
    key = (str(path), stat.st_mtime_ns, stat.st_size)
    facts = _probed.get(key)
    if facts is None:
        stamp = f"{stat.st_mtime_ns}:{stat.st_size}"
        facts = _probe_svg(path, stamp) if path.suffix.lower() == SVG else _probe(path, stamp)
        _probed[key] = facts
    return facts


def _probe(path: Path, stamp: str) -> ImageFacts:
    """The size from the header; the orientation and frame count, which may mean reading
    further, only when the rest of the file can be read (else the size stays, unturned)."""
    errors = (OSError, ValueError, SyntaxError, Image.DecompressionBombError)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(path) as img:
                width, height = img.size
                try:
                    if img.getexif().get(ExifTags.Base.Orientation) in _ROTATED:
                        width, height = height, width
                    still = not getattr(img, "is_animated", False)
                except errors as exc:
                    return ImageFacts(width, height, stamp, error=image_error(exc))
                known = img.format == RASTER_FORMATS[path.suffix.lower()]
    except errors as exc:
        return ImageFacts(None, None, stamp, error=image_error(exc))
    return ImageFacts(width, height, stamp, resizable=still and known)


def image_error(exc: Exception) -> str:
    """What went wrong reading an image, without the file's path (messages name it)."""
    if isinstance(exc, UnidentifiedImageError):
        return "not an image file Pillow can read"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or type(exc).__name__


def _probe_svg(path: Path, stamp: str) -> ImageFacts:
    """An SVG's size from its root element: ``width``/``height`` in pixels, else its
    ``viewBox``. Only the start of the root element is parsed."""
    try:
        with path.open("rb") as file:
            _, root = next(ET.iterparse(file, events=("start",)))
    except (ET.ParseError, StopIteration, OSError):
        return ImageFacts(None, None, stamp)
    width, height = _length(root.get("width")), _length(root.get("height"))
    box = (root.get("viewBox") or "").replace(",", " ").split()
    if (width is None or height is None) and len(box) == 4:
        try:
            box_w, box_h = float(box[2]), float(box[3])
        except ValueError:
            return ImageFacts(None, None, stamp)
        if box_w > 0 and box_h > 0:
            if width is None and height is None:
                width, height = round(box_w), round(box_h)
            elif width is None and height is not None:
                width = round(height * box_w / box_h)
            elif width is not None:
                height = round(width * box_h / box_w)
    if not width or not height:
        return ImageFacts(None, None, stamp)
    return ImageFacts(width, height, stamp)


def _length(value: str | None) -> int | None:
    match = _LENGTH.match(value or "")
    return round(float(match.group(1))) if match else None


def variant_widths(original: int, widths: Iterable[int]) -> list[int]:
    """The configured widths narrower than the original, smallest first."""
    return sorted({w for w in widths if 0 < w < original})


def plan_variants(
    path: Path, source: str, facts: ImageFacts, widths: Iterable[int], webp: bool
) -> tuple[ImageVariant, ...]:
    """The copies of ``path`` (``source`` relative to the content root) a ``srcset`` names:
    one per width narrower than the original, WebP where that is smaller than the copy in
    the original's format, left out where no copy is smaller than the original file.
    Memoised per process by file, widths and ``webp``."""
    if not facts.resizable or facts.width is None:
        return ()
    chosen = tuple(variant_widths(facts.width, widths))
    key = (str(path), facts.stamp, chosen, webp)
    planned = _planned.get(key)
    if planned is None:
        original_bytes = path.stat().st_size
        planned = ()
        for width in chosen:
            suffix, size = _smaller(path, width, path.suffix.lower(), webp)
            if size < original_bytes:  # else the original itself is the better download
                planned += (ImageVariant(source, width, suffix),)
        _planned[key] = planned
    return planned


def _smaller(path: Path, width: int, own: str, webp: bool) -> tuple[str, int]:
    """The smaller encoding of ``path`` at ``width`` (``.webp`` or ``own``) and its size."""
    resized = _resized(path, width)
    as_own = len(_encode(resized, own))
    if own == ".webp" or not webp:
        return own, as_own
    as_webp = len(_encode(resized, ".webp"))
    return (".webp", as_webp) if as_webp < as_own else (own, as_own)


def encode_variant(path: Path, width: int, suffix: str) -> bytes:
    """``path`` resized to ``width`` pixels (height in proportion), encoded as ``suffix``
    (``.webp``, ``.png``, ``.jpg``…): upright, Lanczos-resampled, colour profile kept,
    other metadata dropped. The same inputs always give the same bytes."""
    return _encode(_resized(path, width), suffix)


@dataclass
class _Resized:
    """An image resized, before it is encoded."""

    image: Image.Image
    source_format: str | None
    """The original's format: PNG and GIF originals get lossless WebP copies."""
    icc: bytes | None
    """The original's colour profile."""


def _resized(path: Path, width: int) -> _Resized:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        with Image.open(path) as opened:
            source_format = opened.format
            palette = len(opened.getcolors(256) or []) if opened.mode == "P" else 0
            upright = ImageOps.exif_transpose(opened)
    icc = upright.info.get("icc_profile")
    image = _for_resizing(upright)
    height = max(1, round(image.height * width / image.width))
    small = image.resize((width, height), Image.Resampling.LANCZOS)
    if palette:  # back to as many colours as the original had: resampling adds shades
        small = small.quantize(max(2, palette), Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
    small.info = {}
    return _Resized(small, source_format, icc if isinstance(icc, bytes) else None)


def _encode(resized: _Resized, suffix: str) -> bytes:
    target = RASTER_FORMATS[suffix.lower()]
    small = resized.image
    options: dict[str, object] = {"icc_profile": resized.icc} if resized.icc else {}
    if target == "WEBP":
        if small.mode not in ("RGB", "RGBA"):
            small = small.convert("RGBA" if small.has_transparency_data else "RGB")
        # sharp-edged originals (PNG, GIF: plots, diagrams) stay exact; photos stay lossy
        if resized.source_format in ("PNG", "GIF"):
            options.update(lossless=True, quality=80, method=4)
        else:
            options.update(quality=WEBP_QUALITY, method=4)
    elif target == "JPEG":
        small = small if small.mode in ("RGB", "L") else small.convert("RGB")
        options.update(quality=JPEG_QUALITY, optimize=True, progressive=True)
    elif target == "PNG":
        options.update(optimize=True)
    out = io.BytesIO()
    small.save(out, target, **options)
    return out.getvalue()


def _for_resizing(image: Image.Image) -> Image.Image:
    """``image`` in a mode Lanczos resampling works in: palettes and 1-bit images become
    RGB(A) or grey, 16-bit grey becomes 8-bit, CMYK becomes RGB."""
    mode = image.mode
    has_alpha = "A" in mode or "transparency" in image.info
    if mode in ("RGB", "RGBA", "L", "LA"):
        return image.convert("RGBA") if has_alpha and mode in ("RGB", "L") else image
    if mode.startswith("I;16") or mode in ("I", "F"):
        return image.convert("I").point(lambda v: v * (1 / 256)).convert("L")
    if mode == "1":
        return image.convert("L")
    return image.convert("RGBA" if has_alpha else "RGB")


def write_image_variants(
    site_dir: Path,
    content_root: Path,
    placed: dict[PurePosixPath, PurePosixPath],
    documents: list[Document],
    writer: SiteWriter,
    report: BuildReport,
) -> None:
    """Write every copy the rendered ``documents`` name, beside its original (``placed``
    maps a content file to its output path); called once, after the content files."""
    needed: dict[PurePosixPath, ImageVariant] = {}
    for doc in documents:
        for variant in doc.rendered.image_variants if doc.rendered is not None else []:
            original = placed.get(PurePosixPath(variant.source))
            if original is not None:  # else the original is not published (a draft's)
                needed.setdefault(original.parent / variant.name, variant)
    for rel, variant in needed.items():
        source = content_root / variant.source
        try:
            stat = source.stat()
            signature = fingerprint(
                "image-variant",
                ENCODING,
                PIL.__version__,
                variant,
                stat.st_mtime_ns,
                stat.st_size,
            )
            if not writer.keep(rel, variant.source, signature):
                data = encode_variant(source, variant.width, variant.suffix)
                writer.write_bytes(rel, data, variant.source, signature)
        except SourceError:  # another file has the copy's name
            report.add(
                Problem(
                    Severity.WARNING,
                    f"the {variant.width} px copy of this image would replace `{rel}`",
                    _display(source, site_dir),
                    hint=f"rename `{rel.name}`: pages showing this image name it in srcset",
                )
            )
        except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
            report.add(
                Problem(
                    Severity.WARNING,
                    f"could not make the {variant.width} px copy of the image: {image_error(exc)}",
                    _display(source, site_dir),
                    hint="its pages name the copy in srcset: build again once the file is fixed",
                )
            )


def _display(path: Path, site_dir: Path) -> Path:
    try:
        return path.relative_to(site_dir)
    except ValueError:
        return path
