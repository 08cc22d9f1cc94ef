// Public API of @codex-team/cli: none. It is the `codex-team` binary (src/bin.ts); no package imports
// it. Its end-to-end harness (a scripted Responses endpoint driving a real Codex offline) lives in
// src/testing/ for its own specs.
export {};
