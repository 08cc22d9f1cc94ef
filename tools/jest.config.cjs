// Jest for the workspace's own checks (tools/*.spec.ts), e.g. that lint enforces package boundaries.
module.exports = {
  displayName: 'workspace-tools',
  preset: '../jest.preset.js',
  rootDir: __dirname,
  testMatch: ['<rootDir>/**/*.spec.ts'],
};
