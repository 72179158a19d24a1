// The model conformance suite (see docs/writing-a-model-plugin.md) on KMeansAD.
import { runModelConformance } from '@anomalab/core/testing';
import { kmeansModel } from './index.ts';

runModelConformance({ plugin: kmeansModel, options: { clusters: 5 } });
