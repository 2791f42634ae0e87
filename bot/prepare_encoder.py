"""`python -m bot.prepare_encoder`: make the sentence encoder's 8-bit model now.

The Makefile runs it at install; `bot.encoder` runs it in a child process when the file is
missing (it needs about 550 MB for some seconds, more than a server worker should hold).
"""

from __future__ import annotations

import logging
import sys

from .encoder import MODEL_ONNX, PREPARED_SHA256, _Unavailable, _verified_path, prepare_model, prepared_model_path


def main(argv: list[str]) -> int:
    """Prepare the model; print where it went and its sha256. Return the exit status."""
    if argv:
        print("usage: python -m bot.prepare_encoder", file=sys.stderr)
        return 2
    # The quantization tool advises pre-processing on the root logger; it is not needed here.
    logging.getLogger().setLevel(logging.ERROR)
    try:
        source = _verified_path(MODEL_ONNX)
    except _Unavailable as exc:
        print(f"cannot prepare the encoder model: {exc}", file=sys.stderr)
        return 1
    target = prepared_model_path()
    digest = prepare_model(source, target)
    note = "" if digest == PREPARED_SHA256 else f" (not the recorded {PREPARED_SHA256[:12]}...: other onnx releases?)"
    print(f"prepared {target}: sha256 {digest}{note}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
