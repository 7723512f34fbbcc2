/**
 * NumPy's .npy (one array) and .npz (a zip of them). `load`/`save` for .npy,
 * `loadNpz`/`saveNpz` for .npz; file helpers for Node are in `./node.ts`.
 */
export { load, save, type LoadOptions } from "./npy.ts";
export { loadNpz, saveNpz, type NpzLoadOptions } from "./npz.ts";
export { readNpyHeader, type NpyHeader } from "./header.ts";
