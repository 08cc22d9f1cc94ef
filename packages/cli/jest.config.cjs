// Jest for @codex-team/cli: shared settings in jest.preset.js; the nx targets pick unit or integration specs.
module.exports = {
  displayName: 'cli',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
};
