// Deliberately bad: a plugin reaching into another plugin's files.
import { rnnInternals } from '../../models/rnn/src/internals.ts';

export const deep = rnnInternals;
