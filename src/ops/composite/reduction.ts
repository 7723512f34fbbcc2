/** (being written) */
export const reductionMethods = {};
