/** (being written) */
export const linalgKernels = {};
