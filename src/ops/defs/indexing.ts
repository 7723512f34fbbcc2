/** (being written) */
export const indexingOps = {};
export const indexingMethods = {};
