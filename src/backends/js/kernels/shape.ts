/** (being written) */
export const shapeKernels = {};
