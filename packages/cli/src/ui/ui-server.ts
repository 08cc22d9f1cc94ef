import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TeamError, isTeamError } from '@codex-team/contracts';
import { UsageError, describeFailure } from '../errors';
import { renderReportSections } from '../team-view/report-html';
import { reportModel } from '../team-view/report-model';
import type { TeamSource } from '../team-view/team-source';
import { UI_SCRIPT, uiPage } from './ui-page';

/** The only address the live view listens on: this machine, never the network. */
export const UI_HOST = '127.0.0.1';

export interface UiServerOptions {
  source: TeamSource;
  /** 0 picks a free port. */
  port: number;
  /** The team the page shows first (id or name); default: the newest active team, else the newest. */
  team?: string;
}

export interface RunningUi {
  url: string;
  close(): Promise<void>;
}

const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
  'x-frame-options': 'DENY',
};

function send(res: ServerResponse, status: number, type: string, body: string, head: boolean): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': type, 'content-length': Buffer.byteLength(body) });
  res.end(head ? undefined : body);
}

/**
 * Only requests addressed to the loopback name the server listens on: a page elsewhere that
 * points a DNS name at 127.0.0.1 (DNS rebinding) sends its own Host and is refused.
 */
function hostAllowed(req: IncomingMessage, port: number): boolean {
  const host = req.headers.host ?? '';
  return host === `${UI_HOST}:${port}` || host === `localhost:${port}`;
}

/**
 * `codex-team ui`'s server (node:http, no dependency): the report's sections of a team as a page
 * that updates itself, on loopback only, read-only (GET and HEAD; the store is opened read-only).
 * Routes: `/` the page, `/app.js` its script, `/api/teams`, `/api/report?team=`. Reads are one at
 * a time, so a refresh of the store never races a read.
 */
export async function startUiServer(options: UiServerOptions): Promise<RunningUi> {
  const { source } = options;
  let queue: Promise<unknown> = Promise.resolve();
  const serially = <T>(work: () => Promise<T>): Promise<T> => {
    const run = queue.then(work, work);
    queue = run.catch(() => undefined);
    return run;
  };
  const sectionsOf = (ref: string | undefined) =>
    serially(async () => {
      await source.refresh();
      const view = await source.view(ref);
      if (view.profile === null) {
        throw new TeamError('NOT_FOUND', `profile ${view.snapshot.team.profile} of team ${view.snapshot.team.name} is not on this machine`);
      }
      return { view, sections: renderReportSections(reportModel(view)) };
    });

  let port = 0;
  const server = createServer((req, res) => {
    const head = req.method === 'HEAD';
    if (req.method !== 'GET' && !head) {
      send(res, 405, 'text/plain; charset=utf-8', 'read-only: GET and HEAD only\n', head);
      return;
    }
    if (!hostAllowed(req, port)) {
      send(res, 403, 'text/plain; charset=utf-8', 'this view answers only to 127.0.0.1 and localhost\n', head);
      return;
    }
    const url = new URL(req.url ?? '/', `http://${UI_HOST}:${port}`);
    const team = url.searchParams.get('team') ?? options.team;
    const reply = async (): Promise<void> => {
      switch (url.pathname) {
        case '/': {
          let sections = {};
          try {
            sections = (await sectionsOf(team === '' ? undefined : team)).sections;
          } catch {
            // The script shows the error on its first poll.
          }
          send(res, 200, 'text/html; charset=utf-8', uiPage(sections, source.location.shown), head);
          return;
        }
        case '/app.js':
          send(res, 200, 'text/javascript; charset=utf-8', UI_SCRIPT, head);
          return;
        case '/favicon.ico':
          res.writeHead(204, SECURITY_HEADERS);
          res.end();
          return;
        case '/api/teams': {
          const teams = await serially(async () => {
            await source.refresh();
            return source.teams();
          });
          const body = { teams: teams.map((t) => ({ id: t.id, name: t.name, state: t.state, created_at: t.created_at })) };
          send(res, 200, 'application/json', JSON.stringify(body), head);
          return;
        }
        case '/api/report': {
          const { view, sections } = await sectionsOf(team === '' ? undefined : team);
          const body = { team_id: view.snapshot.team.id, state: view.snapshot.team.state, generated_at: new Date(view.now).toISOString(), sections };
          send(res, 200, 'application/json', JSON.stringify(body), head);
          return;
        }
        default:
          send(res, 404, 'text/plain; charset=utf-8', 'not found\n', head);
      }
    };
    reply().catch((error: unknown) => {
      // The page shows store errors itself; a 200 keeps the browser's console clean while it retries.
      const failure = describeFailure(error);
      const body = { error: { code: failure.code, message: isTeamError(error) || failure.code !== 'INTERNAL' ? failure.message : 'internal error' } };
      if (!res.headersSent) send(res, 200, 'application/json', JSON.stringify(body), head);
      else res.destroy();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new TeamError('CONFLICT', `port ${options.port} on ${UI_HOST} is in use; pick another with --port`)
          : error.code === 'EACCES'
            ? new UsageError(`this user may not listen on port ${options.port}; pick one above 1023 with --port`)
            : error,
      );
    });
    server.listen(options.port, UI_HOST, () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://${UI_HOST}:${port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
