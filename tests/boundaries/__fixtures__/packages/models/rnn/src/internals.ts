export const rnnInternals = 1;
