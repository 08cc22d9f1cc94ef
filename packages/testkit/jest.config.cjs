// Jest for @codex-team/testkit: shared settings in jest.preset.js; the nx targets pick unit or integration specs.
module.exports = {
  displayName: 'testkit',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
};
