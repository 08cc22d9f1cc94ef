import { readFileSync, readdirSync } from 'node:fs';

/** A codex-team-mcp process serving a store, with its start time (clock ticks since boot). */
export interface ServerProcess {
  pid: number;
  startTicks: number;
}

/**
 * The processes (Linux /proc) whose command line names this store file, oldest first: the MCP
 * servers Codex started for a scripted run, one per agent thread, in the order the threads began.
 */
export function serverProcessesOf(dbPath: string): ServerProcess[] {
  const found: ServerProcess[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (!cmdline.includes(dbPath)) continue;
      // Field 22 of /proc/PID/stat, counted after the command name's closing parenthesis.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      found.push({ pid: Number(entry), startTicks: Number(fields[19]) });
    } catch {
      // The process ended while we looked.
    }
  }
  return found.sort((a, b) => a.startTicks - b.startTicks || a.pid - b.pid);
}
