// Jest for @codex-team/hierarchy: shared settings in jest.preset.js; the nx targets pick unit or integration specs.
module.exports = {
  displayName: 'hierarchy',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
};
