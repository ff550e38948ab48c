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

// The longest browser journeys (about twelve minutes of two cores between them) run with
// `npm run test:browser`, so that `npm test` and CI stay well inside fifteen minutes; the
// journeys of sign-in, prisoners and the assessment workspace, with and without JavaScript, stay in
// `npm test`. TEST_BROWSER=all (npm run test:browser) runs every journey.
const extendedJourneys = [
  'roles',
  'roles-no-js',
  'inspection',
  'training-journey',
  'rights-journey-no-js',
];
const ignored =
  process.env.TEST_BROWSER === 'all'
    ? []
    : [`<rootDir>/test/ui/(${extendedJourneys.join('|')})\\.e2e-spec\\.ts$`];

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
  // Database-bound files wait on PostgreSQL and Chromium as much as on the CPU: two workers use
  // both cores of the machines this runs on.
  maxWorkers: 2,
};
