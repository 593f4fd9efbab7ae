/*
 * The rooms of DESIGN.md and what each may import, checked on every `npm test`. Shared helpers at
 * the top of src/ (errors.ts, fs-atomic.ts) may be imported by any room.
 */
const ROOMS = ['labels', 'eval', 'records', 'data', 'train', 'experiment', 'report', 'bench', 'cli'];
const MAY_IMPORT = {
  labels: [],
  eval: ['labels'],
  records: ['eval', 'labels'],
  data: ['labels', 'records'],
  train: ['labels', 'records'],
  experiment: ['labels', 'eval', 'records', 'data', 'train', 'report'],
  report: ['labels', 'eval', 'records'],
  bench: ['labels', 'eval', 'records', 'data', 'train', 'experiment', 'report'],
  cli: ['labels', 'eval', 'records', 'data', 'train', 'experiment', 'report', 'bench'],
};

const roomRules = ROOMS.map((room) => {
  const forbidden = ROOMS.filter((other) => other !== room && !MAY_IMPORT[room].includes(other));
  return {
    name: `${room}-may-import`,
    comment: `src/${room}/ may import ${MAY_IMPORT[room].join(', ') || 'no other room'} (DESIGN.md)`,
    severity: 'error',
    from: { path: `^src/${room}/` },
    to: { path: `^src/(${forbidden.join('|')})/` },
  };
});

module.exports = {
  forbidden: [
    ...roomRules,
    {
      name: 'no-cycles',
      comment: 'no module reaches itself through its imports',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'tfjs-only-in-train-and-augment',
      comment: 'tfjs is loaded by the training engine and by augmentation only',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/(train/|data/augment\\.ts|bench/)' },
      to: { path: '@tensorflow/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'pure-label-and-metric-math',
      comment: 'labels/ and eval/ are pure: no I/O, no tfjs',
      severity: 'error',
      from: { path: '^src/(labels|eval)/' },
      to: { path: '^(node:)?(fs|child_process|net|http|os)$|@tensorflow/|sharp' },
    },
    {
      name: 'src-never-imports-test',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^test/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'], extensions: ['.ts', '.js'] },
  },
};
