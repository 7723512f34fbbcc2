/** (being written) */
export const pointwiseMethods = {};
