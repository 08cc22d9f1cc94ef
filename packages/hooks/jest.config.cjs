// Jest for @codex-team/hooks: shared settings in jest.preset.js; the nx targets pick unit or integration specs.
module.exports = {
  displayName: 'hooks',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
};
