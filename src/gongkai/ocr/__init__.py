"""OCR of scanned reports: image-only PDFs and PNG/JPEG/TIFF pages.

    page images (pypdfium2 / Pillow) -> deskew from ruling lines -> table grid from the lines
    -> RapidOCR text boxes -> boxes into grid cells -> empty/suspect cells re-read from crops
    -> the same cell stream as the PDF reader, with a confidence and a box per cell

The identities of table 三/四 then act as the verifier (`gongkai.ocr.verify`): never a silent
fixer. Everything heavy (onnxruntime, OpenCV, RapidOCR) is imported lazily, on the first
scanned file, so text/HTML extraction does not pay for it.
"""
