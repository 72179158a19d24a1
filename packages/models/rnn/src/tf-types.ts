/** The tfjs namespace exactly as `tensorsFor(services)` (@anomalab/tfjs) hands it out. */
export type { Tf } from '@anomalab/tfjs';
