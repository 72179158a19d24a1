/**
 * Package boundaries of the workspace (docs/architecture.md), checked by `npm test`
 * (tests/boundaries/boundaries.test.ts) and `npm run check:boundaries`.
 * A package is `packages/<name>/` or `packages/<group>/<name>/` (models, evaluators, tools).
 */
const PACKAGE = '^(packages/(?:models/|evaluators/|tools/)?[^/]+)/';
// What a package exports (package.json "exports"): its entry and declared subpaths.
const ENTRY = '^packages/(?:models/|evaluators/|tools/)?[^/]+/src/(?:index|testing/index|metrics/index)\\.ts$|^packages/tools/[^/]+/[^/]+\\.mjs$';

module.exports = {
  forbidden: [
    {
      name: 'core-imports-no-workspace-package',
      comment: 'core holds the contracts: plugins, launcher, server and CLI depend on it, never the reverse',
      severity: 'error',
      from: { path: '^packages/core/' },
      to: { path: '^packages/(?!core/)' },
    },
    {
      name: 'no-deep-imports',
      comment: "import another package by name, through what its package.json exports; never its files (relative paths or subpaths it does not export)",
      severity: 'error',
      from: { path: PACKAGE },
      to: { path: '^packages/', pathNot: ['^$1/', ENTRY] },
    },
    {
      name: 'no-relative-imports-across-packages',
      comment: 'a relative path into another package bypasses its package.json: import it by name',
      severity: 'error',
      from: { path: PACKAGE },
      to: { path: '^packages/', pathNot: '^$1/', dependencyTypesNot: ['aliased-workspace'] },
    },
    {
      name: 'no-undeclared-dependencies',
      comment: 'every npm package a file imports is declared in its package.json (or the root one)',
      severity: 'error',
      from: { path: '^packages/' },
      to: { dependencyTypes: ['npm-no-pkg', 'npm-unknown'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['/public/', '\\.d\\.ts$', '/assembly/', '/templates/'] },
    tsPreCompilationDeps: true,
    combinedDependencies: true,
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'node', 'default'] },
  },
};
