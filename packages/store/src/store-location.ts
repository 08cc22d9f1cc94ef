/** Whether a store location (`--db`, CODEX_TEAM_DB) names a PostgreSQL database rather than a SQLite file. */
export function isPostgresUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//i.test(location);
}

/** A store location fit for logs and messages: a PostgreSQL URL without its password. */
export function redactStoreLocation(location: string): string {
  if (!isPostgresUrl(location)) return location;
  try {
    const url = new URL(location);
    if (url.password !== '') url.password = '***';
    return url.toString();
  } catch {
    return 'postgres://(unparsable url)';
  }
}
