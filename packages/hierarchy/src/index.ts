// Public API of @codex-team/hierarchy.
export {};
