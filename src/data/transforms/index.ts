/** Tensor transforms with torchvision's semantics; each can run in DataLoader workers. */
export { Transform, applyTransform, type TransformLike } from "./transform.ts";
export { Compose } from "./compose.ts";
export { Normalize } from "./normalize.ts";
export { ToTensor } from "./to-tensor.ts";
export { RandomHorizontalFlip } from "./random-flip.ts";
export { RandomCrop, padImage, type RandomCropOptions, type PaddingMode } from "./random-crop.ts";
