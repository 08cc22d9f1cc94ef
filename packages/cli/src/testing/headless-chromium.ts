// Test harness: drives Debian's headless chromium over the DevTools protocol on a pipe
// (--remote-debugging-pipe: NUL-separated JSON on file descriptors 3 and 4), with no dependency
// and no browser download. Never part of the CLI's public API.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { packageRoot } from '../codex/package-assets';

/** Where browser tests keep their screens for a human to look at: the workspace's tmp/screens (ignored by git). */
export const SCREENS_DIR = join(packageRoot(__dirname, '@codex-team/cli'), '..', '..', 'tmp', 'screens');

/**
 * The chromium binary: /usr/bin/chromium (Debian's `chromium`), else the one on the PATH. Missing
 * chromium is a failure, never a skip: CI installs it (.ci/run), a developer machine gets
 * `apt-get install -y chromium`.
 */
export function chromiumPath(): string {
  const found = spawnSync('sh', ['-c', 'command -v /usr/bin/chromium || command -v chromium'], { encoding: 'utf8' });
  const path = found.stdout.trim().split('\n')[0] ?? '';
  if (found.status !== 0 || path === '') {
    throw new Error('chromium is not installed: run `apt-get install -y chromium` (CI does it in .ci/run)');
  }
  return path;
}

/** The flags every test browser starts with: headless, sandbox-free (containers), nothing phoning home. */
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
  '--hide-scrollbars',
  '--mute-audio',
];

interface CdpMessage {
  id?: number;
  method?: string;
  params?: Record<string, unknown>;
  result?: Record<string, unknown>;
  error?: { message: string };
  sessionId?: string;
}

/** Something the page reported that a clean page never does: console errors, exceptions, failed loads, CSP violations. */
export interface PageProblem {
  kind: 'console' | 'exception' | 'log';
  text: string;
}

/** One tab, attached over the browser's pipe. */
export class BrowserPage {
  readonly problems: PageProblem[] = [];

  constructor(
    private readonly browser: HeadlessChromium,
    readonly sessionId: string,
  ) {}

  send(method: string, params: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    return this.browser.send(method, params, this.sessionId);
  }

  /** @internal */
  onEvent(message: CdpMessage): void {
    const params = message.params ?? {};
    if (message.method === 'Runtime.consoleAPICalled' && (params['type'] === 'error' || params['type'] === 'assert')) {
      const args = (params['args'] as { value?: unknown; description?: unknown }[] | undefined) ?? [];
      this.problems.push({ kind: 'console', text: args.map((a) => String(a.value ?? a.description ?? '')).join(' ') });
    } else if (message.method === 'Runtime.exceptionThrown') {
      const details = params['exceptionDetails'] as { text?: string; exception?: { description?: string } } | undefined;
      this.problems.push({ kind: 'exception', text: `${details?.text ?? ''} ${details?.exception?.description ?? ''}`.trim() });
    } else if (message.method === 'Log.entryAdded') {
      const entry = params['entry'] as { level?: string; text?: string; url?: string } | undefined;
      if (entry?.level === 'error') this.problems.push({ kind: 'log', text: `${entry.text ?? ''} ${entry.url ?? ''}`.trim() });
    }
  }

  async navigate(url: string): Promise<void> {
    const loaded = this.browser.waitForEvent('Page.loadEventFired', this.sessionId);
    await this.send('Page.navigate', { url });
    await loaded;
  }

  /** The value of a JavaScript expression in the page (awaited if it is a promise). */
  async evaluate<T>(expression: string): Promise<T> {
    const reply = await this.send('Runtime.evaluate', { expression, returnByValue: true, awaitPromise: true });
    const thrown = reply['exceptionDetails'] as { text?: string } | undefined;
    if (thrown !== undefined) throw new Error(`evaluating ${expression}: ${thrown.text ?? 'exception'}`);
    return (reply['result'] as { value: T }).value;
  }

  /** Polls `expression` until it is truthy; fails after `timeoutMs` with what it last saw. */
  async waitFor(expression: string, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (await this.evaluate<boolean>(`Boolean(${expression})`)) return;
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${expression}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** Sets the viewport, e.g. 1280x900. */
  async resize(width: number, height: number): Promise<void> {
    await this.send('Emulation.setDeviceMetricsOverride', { width, height, deviceScaleFactor: 1, mobile: false });
  }

  /** A PNG of the page (the whole page, or the viewport only), written to `path`; returns its size in bytes. */
  async screenshot(path: string, options: { fullPage?: boolean } = {}): Promise<number> {
    const reply = await this.send('Page.captureScreenshot', { format: 'png', captureBeyondViewport: options.fullPage ?? true });
    const png = Buffer.from(String(reply['data']), 'base64');
    writeFileSync(path, png);
    return png.length;
  }
}

/** A headless chromium with a fresh profile, driven over its DevTools pipe. */
export class HeadlessChromium {
  private nextId = 0;
  private buffer = '';
  private readonly pending = new Map<number, { resolve: (value: Record<string, unknown>) => void; reject: (error: Error) => void }>();
  private readonly waiters: { method: string; sessionId: string | undefined; resolve: () => void }[] = [];
  private readonly pages = new Map<string, BrowserPage>();
  private exited = false;

  private constructor(
    private readonly child: ChildProcess,
    private readonly profileDir: string,
    private readonly toBrowser: Writable,
    fromBrowser: Readable,
  ) {
    fromBrowser.on('data', (chunk: Buffer) => this.receive(chunk));
    child.once('exit', () => {
      this.exited = true;
      for (const { reject } of this.pending.values()) reject(new Error('chromium exited'));
      this.pending.clear();
    });
  }

  static launch(): HeadlessChromium {
    const profileDir = mkdtempSync(join(tmpdir(), 'codex-team-chromium-'));
    const child = spawn(chromiumPath(), [...CHROMIUM_FLAGS, `--user-data-dir=${profileDir}`, '--remote-debugging-pipe', 'about:blank'], {
      stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe'],
    });
    const toBrowser = child.stdio[3] as Writable;
    const fromBrowser = child.stdio[4] as Readable;
    return new HeadlessChromium(child, profileDir, toBrowser, fromBrowser);
  }

  private receive(chunk: Buffer): void {
    this.buffer += chunk.toString('utf8');
    for (let end = this.buffer.indexOf('\0'); end !== -1; end = this.buffer.indexOf('\0')) {
      const message = JSON.parse(this.buffer.slice(0, end)) as CdpMessage;
      this.buffer = this.buffer.slice(end + 1);
      if (message.id !== undefined) {
        const waiting = this.pending.get(message.id);
        this.pending.delete(message.id);
        if (message.error !== undefined) waiting?.reject(new Error(message.error.message));
        else waiting?.resolve(message.result ?? {});
        continue;
      }
      if (message.sessionId !== undefined) this.pages.get(message.sessionId)?.onEvent(message);
      for (let i = this.waiters.length - 1; i >= 0; i -= 1) {
        const waiter = this.waiters[i];
        if (waiter !== undefined && waiter.method === message.method && waiter.sessionId === message.sessionId) {
          this.waiters.splice(i, 1);
          waiter.resolve();
        }
      }
    }
  }

  send(method: string, params: Record<string, unknown> = {}, sessionId?: string): Promise<Record<string, unknown>> {
    if (this.exited) return Promise.reject(new Error('chromium exited'));
    this.nextId += 1;
    const id = this.nextId;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.toBrowser.write(`${JSON.stringify({ id, method, params, ...(sessionId === undefined ? {} : { sessionId }) })}\0`);
    });
  }

  waitForEvent(method: string, sessionId?: string): Promise<void> {
    return new Promise((resolve) => this.waiters.push({ method, sessionId, resolve }));
  }

  /** A new tab with console, exceptions and the browser log recorded as `problems`. */
  async newPage(width = 1280, height = 900): Promise<BrowserPage> {
    const { targetId } = (await this.send('Target.createTarget', { url: 'about:blank' })) as { targetId: string };
    const { sessionId } = (await this.send('Target.attachToTarget', { targetId, flatten: true })) as { sessionId: string };
    const page = new BrowserPage(this, sessionId);
    this.pages.set(sessionId, page);
    await page.send('Runtime.enable');
    await page.send('Log.enable');
    await page.send('Page.enable');
    await page.resize(width, height);
    return page;
  }

  async close(): Promise<void> {
    if (!this.exited) {
      const exited = new Promise((resolve) => this.child.once('exit', resolve));
      await this.send('Browser.close').catch(() => undefined);
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000))]);
      if (!this.exited) this.child.kill('SIGKILL');
    }
    rmSync(this.profileDir, { recursive: true, force: true });
  }
}
