// Jest for @codex-team/policy-engine: shared settings in jest.preset.js; the nx targets pick unit or integration specs.
module.exports = {
  displayName: 'policy-engine',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
};
