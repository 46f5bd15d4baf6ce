"""The RapidOCR engine: bundled default models, one onnxruntime thread, no downloads.

RapidOCR 3.x ships its default PP-OCR models inside the wheel (``rapidocr/models``); when
``model_path`` is left unset and the default model type is chosen, it loads those files and
never opens a network connection. `bundled_models` checks they are there so a broken
install fails with one plain line instead of an attempt to download.
"""

from __future__ import annotations

import os
from pathlib import Path

# One intra-op thread per worker: OCR spreads over the same worker processes as other files,
# so each must not grab every core (and memory stays under ~1 GB per worker).
THREADS = 1
_ENGINE = None
# The detector upscales an image until its short side is 736 px (rapidocr's Det.limit_side_len,
# limit_type "min"). On a tall, narrow cell crop (829 x 71 px) that made an 8600 x 736 input
# and about 800 MB of activations: the per-worker memory peak. The upscaling is capped so that
# no detector input is larger than a full page at rapidocr's 2000 px bound (2000 x 1440):
# full pages and ordinary crops keep the default.
DET_SHORT_SIDE = 736
DET_MAX_PIXELS = 2000 * 1440


def bundled_models() -> list[Path]:
    """The ONNX model files inside the installed rapidocr wheel (det, rec, cls)."""
    import importlib.util

    spec = importlib.util.find_spec("rapidocr")
    if spec is None or not spec.submodule_search_locations:
        return []
    folder = Path(list(spec.submodule_search_locations)[0]) / "models"
    return sorted(folder.glob("*.onnx"))


def new_engine():
    """A fresh RapidOCR instance on the bundled models (no cls: report pages are upright)."""
    from gongkai.readers.base import ExtractionError

    models = bundled_models()
    if not any("det" in m.name for m in models) or not any("rec" in m.name for m in models):
        raise ExtractionError("OCR models missing from the rapidocr install (run scripts/setup.sh)")
    os.environ.setdefault("OMP_NUM_THREADS", str(THREADS))
    from rapidocr import RapidOCR

    return RapidOCR(params={
        "Global.log_level": "error",
        "Global.use_cls": False,
        "Global.model_root_dir": str(models[0].parent),
        "EngineConfig.onnxruntime.intra_op_num_threads": THREADS,
        "EngineConfig.onnxruntime.inter_op_num_threads": THREADS,
    })


def engine():
    """The process-wide engine, made on first use (models load once per worker)."""
    global _ENGINE
    if _ENGINE is None:
        _ENGINE = new_engine()
    return _ENGINE


def det_short_side(height: int, width: int) -> int:
    """The detector's short-side target for an image: 736, or less when that would make the
    detector's input larger than ``DET_MAX_PIXELS``.

    Mirrors rapidocr's preprocessing: the image is first brought within 2000 px, and a very
    wide line is padded vertically (width/height > 8 or height <= 30) before detection.
    """
    scale = min(1.0, 2000 / max(height, width, 1))
    height, width = height * scale, width * scale
    if width / max(height, 1) > 8 or height <= 30:
        height = max(height, max(width / 8, 30) * 2)
    short = max(min(height, width), 1)
    if short >= DET_SHORT_SIDE:
        return DET_SHORT_SIDE
    ratio = min(DET_SHORT_SIDE / short, (DET_MAX_PIXELS / max(height * width, 1)) ** 0.5)
    return max(32, min(DET_SHORT_SIDE, int(short * ratio)))


def recognise(image, *, detect: bool = True) -> list[tuple[tuple[float, float, float, float], str, float]]:
    """Text boxes of a grayscale/RGB uint8 image: ((x0, y0, x1, y1), text, score) each.

    ``detect=False`` recognises the whole image as one text line (a cell crop).
    """
    ocr = engine()
    if detect:  # rapidocr reads Det.limit_side_len on every call (TextDetector.get_preprocess)
        ocr._load_det_model().limit_side_len = det_short_side(image.shape[0], image.shape[1])
    result = ocr(image, use_det=detect, use_cls=False, use_rec=True)
    texts = result.txts or ()
    scores = result.scores or ()
    if not detect:
        h, w = image.shape[:2]
        return [((0.0, 0.0, float(w), float(h)), t, float(s)) for t, s in zip(texts, scores)]
    boxes = result.boxes if result.boxes is not None else ()
    out = []
    for box, text, score in zip(boxes, texts, scores):
        xs, ys = [p[0] for p in box], [p[1] for p in box]
        out.append(((float(min(xs)), float(min(ys)), float(max(xs)), float(max(ys))), text, float(score)))
    return out
