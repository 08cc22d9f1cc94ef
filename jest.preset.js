// Shared Jest settings; each project's jest.config.cjs uses it as its preset and sets rootDir.
// `@codex-team/<name>` resolves through the package's "codex-team-source" export condition to its
// src/index.ts, so specs run against workspace sources without building first (as tsc does).
// Type checking is the typecheck target's job: ts-jest only transpiles (isolatedModules is on).
module.exports = {
  testEnvironment: 'node',
  testEnvironmentOptions: {
    customExportConditions: ['codex-team-source', 'node', 'node-addons'],
  },
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.spec.json' }],
  },
  moduleFileExtensions: ['ts', 'js', 'json', 'node'],
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  coverageDirectory: '<rootDir>/coverage',
  clearMocks: true,
};
