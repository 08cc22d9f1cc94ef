// Jest for @codex-team/scheduler: shared settings in jest.preset.js; the nx targets pick unit or integration specs.
module.exports = {
  displayName: 'scheduler',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
};
