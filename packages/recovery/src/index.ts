// Public API of @codex-team/recovery.
export {};
