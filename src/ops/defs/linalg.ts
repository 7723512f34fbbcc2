/** (being written) */
export const linalgOps = {};
export const linalgMethods = {};
