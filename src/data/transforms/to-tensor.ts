/** The tensor form of `torchvision.transforms.ToTensor`: uint8 pixels to float32 in [0, 1]. */
import { DTypeError, ShapeError } from "../../core/errors.ts";
import type { Tensor } from "../../core/tensor.ts";
import { div } from "../../ops/defs/binary.ts";
import { to, unsqueeze } from "../../ops/views.ts";
import type { TransformSpec } from "../worker/spec.ts";
import { Transform } from "./transform.ts";

/**
 * A uint8 image [H, W] or [C, H, W] becomes float32 [C, H, W] divided by 255 (a [H, W]
 * image gets one channel, as torchvision's ToTensor gives a grey image). Images of other
 * dtypes are converted to float32 without scaling, as ToTensor leaves float arrays. Unlike
 * torchvision's ToTensor, which takes H x W x C (PIL, NumPy), the input is channel-first.
 *
 * @example new ToTensor().forward(mnistImage) // uint8 [1, 28, 28] -> float32 [1, 28, 28] in [0, 1]
 */
export class ToTensor extends Transform {
  forward(x: Tensor): Tensor {
    if (x.ndim !== 2 && x.ndim !== 3) throw new ShapeError(`ToTensor: expected an image [H, W] or [C, H, W], got [${x.shape.join(", ")}]`);
    if (x.dtype === "bool" || x.dtype === "int64") throw new DTypeError(`ToTensor: unsupported image dtype ${x.dtype}`);
    const image = x.ndim === 2 ? unsqueeze(x, 0) : x;
    const f = to(image, "float32");
    return x.dtype === "uint8" ? div(f, 255) : f;
  }

  toSpec(): TransformSpec {
    return { kind: "to-tensor" };
  }
}
