/** Native ESM jest: run through `npm test` (node --experimental-vm-modules). */
// Packages published as ESM only but required from CommonJS (content-disposition, by
// @fastify/static for the /docs assets; cookie, by light-my-request and @fastify/cookie). Node 20
// loads them natively; Jest's CommonJS loader only does from Node 24.9, so they are compiled to
// CommonJS for the tests. @fastify/cookie is compiled too, so that its `import('cookie')` becomes
// a require of that same CommonJS build.
const esmOnly = ['content-disposition', 'cookie', '@fastify/cookie'];

const shared = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }],
    [`node_modules/(${esmOnly.join('|')})/.+\\.js$`]: [
      'ts-jest',
      { tsconfig: { allowJs: true, module: 'commonjs', isolatedModules: true } },
    ],
  },
  transformIgnorePatterns: [`/node_modules/(?!(${esmOnly.join('|')})/)`],
};

// Five browser journey files run only with `npm run test:browser` (TEST_BROWSER=all), so that CI
// stays well inside its 15 minutes: the PVE inspector's, security officer's, supervisor's and
// administrator's days with and without JavaScript and the inspection pages (some eight minutes
// of one core between them), and the prisoner and assessment journeys without JavaScript (about
// two and a half minutes): their pages are checked with axe by the same journeys with JavaScript,
// and their forms without it by test/ui-html. Every other journey, the team, training and
// prisoners' rights journeys included, is part of `npm test`.
const browserOnly = [
  'roles',
  'roles-no-js',
  'inspection',
  'journey-no-js',
  'assessment-journey-no-js',
];
const ignored =
  process.env.TEST_BROWSER === 'all'
    ? []
    : [`<rootDir>/test/ui/(${browserOnly.join('|')})\\.e2e-spec\\.ts$`];

export default {
  projects: [
    {
      ...shared,
      displayName: 'unit',
      testMatch: ['<rootDir>/src/**/*.spec.ts'],
    },
    {
      ...shared,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/test/setup/global-setup.js',
      globalTeardown: '<rootDir>/test/setup/global-teardown.js',
      testPathIgnorePatterns: ['/node_modules/', ...ignored],
    },
  ],
  testTimeout: 30000,
  // The browser journeys first: see the file.
  testSequencer: '<rootDir>/test/setup/sequencer.js',
  // Database-bound files wait on PostgreSQL and Chromium as much as on the CPU: two workers use
  // both cores of the machines this runs on.
  maxWorkers: 2,
};
