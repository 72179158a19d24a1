// @anomalab/datasets: dataset plugins. The default export is discovered by the core
// through `anomalab.plugins` in this package's package.json.
import { syntheticDataset } from './synthetic/synthetic-dataset.ts';

export { syntheticDataset, generateSynthetic } from './synthetic/synthetic-dataset.ts';
export type { SyntheticOptions, InjectedAnomaly, AnomalyKind } from './synthetic/synthetic-dataset.ts';

export default [syntheticDataset];
