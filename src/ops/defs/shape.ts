/** (being written) */
export const shapeOps = {};
export const shapeMethods = {};
