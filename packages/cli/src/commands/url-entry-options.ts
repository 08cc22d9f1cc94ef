import { UsageError } from '../errors';
import { stringOption, type OptionValues } from './command';
import { DEFAULT_TOKEN_ENV } from './serve';

/**
 * `--url URL [--bearer-env VAR]`: the endpoint of a running `codex-team serve --http`, or undefined.
 * A bad value or combination is a USAGE error (exit 2).
 */
export function httpOptions(values: OptionValues): { url: string; bearerTokenEnvVar: string } | undefined {
  const url = stringOption(values, 'url');
  const bearer = stringOption(values, 'bearer-env');
  if (url === undefined) {
    if (bearer !== undefined) throw new UsageError('--bearer-env goes with --url');
    return undefined;
  }
  if (stringOption(values, 'db') !== undefined || stringOption(values, 'profiles-dir') !== undefined) {
    throw new UsageError('--url registers a running server: its --db and --profiles-dir are given to codex-team serve');
  }
  if (stringOption(values, 'hooks-file') !== undefined) {
    // Lifecycle hooks run in the server process, which Codex does not start with --url.
    throw new UsageError('--url registers a running server: lifecycle hooks run in it, so give the file to codex-team serve --hooks FILE');
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`--url ${JSON.stringify(url)} is not a URL`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new UsageError('--url must be http:// or https://');
  const bearerTokenEnvVar = bearer ?? DEFAULT_TOKEN_ENV;
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(bearerTokenEnvVar)) {
    throw new UsageError(`--bearer-env ${JSON.stringify(bearerTokenEnvVar)} is not an environment variable name`);
  }
  return { url, bearerTokenEnvVar };
}
