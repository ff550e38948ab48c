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
    },
  ],
  testTimeout: 30000,
};
