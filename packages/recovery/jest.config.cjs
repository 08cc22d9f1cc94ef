// Jest for @codex-team/recovery: shared settings in jest.preset.js; the nx targets pick unit or integration specs.
module.exports = {
  displayName: 'recovery',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
};
