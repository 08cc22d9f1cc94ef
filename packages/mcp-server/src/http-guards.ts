import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import { TeamError } from '@codex-team/contracts';

/** Where the HTTP server listens. */
export interface ListenAddress {
  /** A host name or IP literal, without brackets. */
  host: string;
  /** 0 lets the system pick a free port. */
  port: number;
}

/** The port `--http` means when it names none (`--http 127.0.0.1`). */
export const DEFAULT_HTTP_PORT = 7316;

/** Shortest bearer token the server accepts: guessing one must stay out of reach. */
export const MIN_BEARER_TOKEN_LENGTH = 32;

/**
 * Parses `HOST:PORT`, `[IPv6]:PORT`, `:PORT`, `PORT` or `HOST`; a missing host is 127.0.0.1
 * (loopback by default), a missing port DEFAULT_HTTP_PORT. INVALID_INPUT for anything else.
 */
export function parseListenAddress(text: string): ListenAddress {
  const trimmed = text.trim();
  let host: string;
  let portText: string | undefined;
  const bracketed = /^\[([^\]]+)\](?::(\d*))?$/.exec(trimmed);
  if (bracketed !== null) {
    host = bracketed[1] ?? '';
    portText = bracketed[2];
  } else if (/^\d+$/.test(trimmed)) {
    host = '';
    portText = trimmed;
  } else {
    const colon = trimmed.lastIndexOf(':');
    if (colon !== -1 && trimmed.indexOf(':') !== colon) {
      throw new TeamError('INVALID_INPUT', `--http ${JSON.stringify(text)}: write an IPv6 address in brackets, e.g. [::1]:${DEFAULT_HTTP_PORT}`);
    }
    host = colon === -1 ? trimmed : trimmed.slice(0, colon);
    portText = colon === -1 ? undefined : trimmed.slice(colon + 1);
  }
  if (host === '') host = '127.0.0.1';
  if (!/^[A-Za-z0-9.:-]+$/.test(host)) throw new TeamError('INVALID_INPUT', `--http ${JSON.stringify(text)}: not a host name or IP address`);
  if (portText === undefined || portText === '') return { host, port: DEFAULT_HTTP_PORT };
  const port = Number(portText);
  if (!/^\d{1,5}$/.test(portText) || port > 65_535) throw new TeamError('INVALID_INPUT', `--http ${JSON.stringify(text)}: the port must be 0-65535`);
  return { host, port };
}

/** Whether `host` only ever reaches this machine: localhost, 127.0.0.0/8 or ::1. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (bare === 'localhost' || bare === '::1' || bare === '0:0:0:0:0:0:0:1') return true;
  return isIP(bare) === 4 && bare.startsWith('127.');
}

/** `host:port` as a Host header carries it (IPv6 in brackets). */
export function hostHeaderOf(host: string, port: number): string {
  return `${isIP(host) === 6 ? `[${host}]` : host}:${port}`;
}

/**
 * The Host header values the server answers, against DNS rebinding: a page on another site whose
 * name was re-pointed at this address still sends its own name as Host. A loopback server answers
 * every loopback name of its port; any server answers its own address and the names it is given.
 */
export function allowedHostHeaders(address: ListenAddress, extraHosts: readonly string[]): Set<string> {
  const hosts = new Set<string>([hostHeaderOf(address.host, address.port).toLowerCase()]);
  if (isLoopbackHost(address.host)) {
    for (const name of ['127.0.0.1', 'localhost', '::1']) hosts.add(hostHeaderOf(name, address.port));
  }
  for (const extra of extraHosts) {
    hosts.add((extra.includes(':') && !extra.startsWith('[') && isIP(extra) !== 6 ? extra : hostHeaderOf(extra, address.port)).toLowerCase());
  }
  return hosts;
}

/**
 * Whether a request's Origin may reach the server. Codex and other native clients send none; a
 * browser always does, so a page of any site not listed is refused even with a guessed token.
 * `allowed` holds exact origins (`http://localhost:7316`); the server's own host origins are always allowed.
 */
export function originAllowed(origin: string | undefined, allowedOrigins: ReadonlySet<string>, allowedHosts: ReadonlySet<string>): boolean {
  if (origin === undefined) return true;
  const normalized = origin.toLowerCase();
  if (allowedOrigins.has(normalized)) return true;
  const match = /^https?:\/\/([^/]+)$/.exec(normalized);
  return match?.[1] !== undefined && allowedHosts.has(match[1]);
}

/** A fresh bearer token: 32 random bytes, base64url (43 characters). */
export function generateBearerToken(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * Compares an Authorization header with the expected token in constant time (digests of both, so
 * neither length nor content leaks through timing). False when the header is missing or not Bearer.
 */
export class BearerCheck {
  private readonly expected: Buffer;

  constructor(token: string) {
    if (token.length < MIN_BEARER_TOKEN_LENGTH) {
      throw new TeamError('INVALID_INPUT', `the bearer token must be at least ${MIN_BEARER_TOKEN_LENGTH} characters`);
    }
    this.expected = createHash('sha256').update(token, 'utf8').digest();
  }

  accepts(authorization: string | undefined): boolean {
    const match = /^Bearer[ ]+(\S+)\s*$/i.exec(authorization ?? '');
    if (match?.[1] === undefined) return false;
    return timingSafeEqual(createHash('sha256').update(match[1], 'utf8').digest(), this.expected);
  }
}
