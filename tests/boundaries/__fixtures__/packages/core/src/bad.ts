// Deliberately bad: core importing a plugin (the boundary check must refuse this).
import { rnnModel } from '../../models/rnn/src/index.ts';

export const bad = rnnModel;
