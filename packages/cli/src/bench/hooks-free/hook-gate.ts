// The hook gate of a server built without the hook engine (the hooks benchmark's baseline): it
// replaces mcp-server's hooks/hook-gate module in that build, so every call runs the pipeline
// exactly as it did before hooks existed (ToolEnv.hooks is null: nothing is asked, read or run).

/** No gate: the tool pipeline skips the hook phase entirely. */
export function createHookGate(): null {
  return null;
}
