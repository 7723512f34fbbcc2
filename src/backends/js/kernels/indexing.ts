/** (being written) */
export const indexingKernels = {};
