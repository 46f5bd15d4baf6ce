"""Scans of rendered reports: rasterised PDF pages with the defects of real scanners.

`scan_pages` rasterises a PDF (pypdfium2) at a given dpi and applies, in this order, a
rotation (skew in degrees, white fill), blur, Gaussian noise and a JPEG round trip —
seeded, so a test gets the same pixels every run. `save_image_pdf` writes pages as an
image-only PDF (no text layer, like a scanner's), `save_png` one page as a PNG.
"""

from __future__ import annotations

import io
import os
import random
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Defects:
    skew: float = 0.0  # degrees, positive counter-clockwise
    blur: float = 0.0  # Gaussian blur radius in px
    noise: float = 0.0  # Gaussian noise sigma in grey levels
    jpeg: int = 0  # JPEG quality of a round trip (0: none)
    seed: int = 0

    def label(self) -> str:
        parts = [f"skew{self.skew:+.1f}" if self.skew else "", f"blur{self.blur:g}" if self.blur else "",
                 f"noise{self.noise:g}" if self.noise else "", f"jpeg{self.jpeg}" if self.jpeg else ""]
        return "-".join(p for p in parts if p) or "clean"


def scan_pages(pdf_path: str | os.PathLike, dpi: int, defects: Defects = Defects()) -> list:
    """The PDF's pages as grayscale PIL images, with the defects applied."""
    import numpy as np
    import pypdfium2 as pdfium
    from PIL import Image, ImageFilter

    rng = np.random.default_rng(defects.seed)
    jitter = random.Random(defects.seed)
    pages = []
    pdf = pdfium.PdfDocument(str(pdf_path))
    try:
        for index in range(len(pdf)):
            page = pdf[index]
            image = page.render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
            page.close()
            if defects.skew:
                angle = defects.skew * (0.8 + 0.4 * jitter.random())  # each page a little differently
                image = image.rotate(angle, resample=Image.BICUBIC, expand=False, fillcolor=255)
            if defects.blur:
                image = image.filter(ImageFilter.GaussianBlur(defects.blur))
            if defects.noise:
                pixels = np.asarray(image, dtype=np.float32) + rng.normal(0, defects.noise, (image.height, image.width))
                image = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), "L")
            if defects.jpeg:
                buffer = io.BytesIO()
                image.save(buffer, "JPEG", quality=defects.jpeg)
                image = Image.open(io.BytesIO(buffer.getvalue())).convert("L")
            pages.append(image)
    finally:
        pdf.close()
    return pages


def save_image_pdf(pages: list, path: str | os.PathLike, dpi: int) -> Path:
    """Pages as an image-only PDF (each page one image, no text layer)."""
    pages[0].save(str(path), "PDF", resolution=dpi, save_all=True, append_images=pages[1:])
    return Path(path)


def save_png(page, path: str | os.PathLike, dpi: int) -> Path:
    page.save(str(path), "PNG", dpi=(dpi, dpi))
    return Path(path)
