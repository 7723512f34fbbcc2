/** (being written) */
export const activationMethods = {};
