// Jest in ESM mode (NODE_OPTIONS=--experimental-vm-modules, set by the npm scripts) with ts-jest transpiling each
// file on its own (isolatedModules in tsconfig.json); `npm run typecheck` does the type checking.
const common = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }] },
  setupFilesAfterEnv: ['<rootDir>/test/helpers/jest-setup.ts'],
};

export default {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/{src,drivers,simulators}/**/*.spec.ts'] },
    { ...common, displayName: 'integration', testMatch: ['<rootDir>/test/integration/**/*.spec.ts'] },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.spec.ts'] },
  ],
  testTimeout: 60_000,
};
