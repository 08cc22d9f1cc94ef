// Jest for @codex-team/store: shared settings in jest.preset.js; the nx targets pick unit or integration specs.
module.exports = {
  displayName: 'store',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
};
