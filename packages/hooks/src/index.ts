// Public API of @codex-team/hooks.
export {};
