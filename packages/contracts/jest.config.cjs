// Jest for @codex-team/contracts: shared settings in jest.preset.js; the nx targets pick unit or integration specs.
module.exports = {
  displayName: 'contracts',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
};
