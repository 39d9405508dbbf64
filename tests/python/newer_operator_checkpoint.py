"""Rewrites a checkpoint so that it calls an operator LibTorch 1.13 does not have, as a model
scripted with a newer PyTorch (fused attention, say) does.

    python3 newer_operator_checkpoint.py IN.pt OUT.pt

The archive's TorchScript code is text: one call of an existing operator is renamed.
"""

import sys
import zipfile

OLD, NEW = "torch.adaptive_avg_pool2d(", "torch.scaled_dot_product_attention_from_the_future("


def main(source: str, target: str) -> int:
    renamed = False
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_STORED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename.endswith(".py") and OLD.encode() in data and not renamed:
                data = data.replace(OLD.encode(), NEW.encode(), 1)
                renamed = True
            zout.writestr(item, data, compress_type=zipfile.ZIP_STORED)
    return 0 if renamed else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
