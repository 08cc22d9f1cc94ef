// Jest for @codex-team/mcp-server: shared settings in jest.preset.js; the nx targets pick unit or integration specs.
module.exports = {
  displayName: 'mcp-server',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
};
