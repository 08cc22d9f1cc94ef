/**
 * The corpus of the redaction benchmark: realistic texts an agent sends (messages, task results,
 * artifacts, shell output) holding synthetic secrets, and ordinary texts that must come back
 * unchanged. Every secret is made up: its body comes from a seeded generator at run time and its
 * prefix is joined from parts, so no literal credential sits in the repository for a secret
 * scanner to flag, and none of them was ever valid.
 */

/** A text holding secrets: none of `secrets` may survive redaction. */
export interface SecretSample {
  /** Which format or context (for the bench report). */
  kind: string;
  text: string;
  secrets: readonly string[];
}

/** An ordinary text: redaction must leave it exactly as it is. */
export interface OrdinarySample {
  kind: string;
  text: string;
}

export interface RedactionCorpus {
  secrets: readonly SecretSample[];
  ordinary: readonly OrdinarySample[];
}

const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const DIGITS = '0123456789';
const ALNUM = UPPER + LOWER + DIGITS;
const URLSAFE = `${ALNUM}_-`;
const BASE64 = `${ALNUM}+/`;
const HEX = '0123456789abcdef';
const LOWER_ALNUM = LOWER + DIGITS;
const UPPER_ALNUM = UPPER + DIGITS;

/** mulberry32: a small seeded generator, so every run builds the same corpus. */
function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Joins parts, so that no prefix of a credential format is written out whole in the source. */
const p = (...parts: string[]): string => parts.join('');

/** Builds the corpus. Deterministic: the same seed gives the same texts. */
export function buildRedactionCorpus(seed = 20_261_201): RedactionCorpus {
  const random = generator(seed);
  const pick = (alphabet: string, length: number): string =>
    Array.from({ length }, () => alphabet[Math.floor(random() * alphabet.length)] ?? 'x').join('');
  const b64 = (text: string): string => btoa(text);
  const jwtPart = (json: object): string => b64(JSON.stringify(json)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
  const jwt = (): string => `${jwtPart({ alg: 'HS256', typ: 'JWT' })}.${jwtPart({ sub: pick(DIGITS, 8), exp: 1_900_000_000 })}.${pick(URLSAFE, 43)}`;
  const pem = (label: string, lines: number): string =>
    [p('-----BEGIN ', label, '-----'), ...Array.from({ length: lines }, () => pick(BASE64, 64)), p('-----END ', label, '-----')].join('\n');
  const awsId = (prefix = p('AK', 'IA')): string => prefix + pick(UPPER_ALNUM, 16);
  const awsSecret = (): string => pick(BASE64, 40);
  const password = (): string => `${pick(ALNUM, 6)}${pick('!#%^*', 1)}${pick(ALNUM, 5)}`;

  const secrets: SecretSample[] = [];
  const add = (kind: string, build: (s: (value: string) => string) => string): void => {
    const found: string[] = [];
    const text = build((value) => {
      found.push(value);
      return value;
    });
    secrets.push({ kind, text, secrets: found });
  };

  // The kinds the hardening review found surviving.
  add('aws secret key, credentials CSV', (s) => [
    'User name,Password,Access key ID,Secret access key,Console login link',
    `deploy-bot,,${s(awsId())},${s(awsSecret())},https://123456789012.signin.aws.amazon.com/console`,
  ].join('\n'));
  add('aws secret key, credentials CSV (no header)', (s) => `ci-user,${s(awsId())},${s(awsSecret())}`);
  add('url password with raw @', (s) => `DATABASE_URL=postgres://app:${s(`${pick(ALNUM, 5)}@${pick(ALNUM, 6)}`)}@db.internal:5432/orders`);
  add('url password with raw @, in prose', (s) => `connect with mysql://admin:${s(`p@ss${pick(ALNUM, 4)}@x`)}@10.0.3.7:3306/shop then run the migration`);
  add('url password, empty user', (s) => `REDIS_URL=redis://:${s(pick(ALNUM, 18))}@cache.internal:6379/0`);
  add('url password, empty user, rediss', (s) => `cache: rediss://:${s(pick(ALNUM, 24))}@redis-1.prod:6380`);
  add('npm token, .npmrc', (s) => `//registry.npmjs.org/:_authToken=${s(p('np', 'm_') + pick(ALNUM, 36))}`);
  add('npm token, prose', (s) => `I published with ${s(p('np', 'm_') + pick(ALNUM, 36))} from the CI secrets`);
  add('github token, message', (s) => `use ${s(p('gh', 'p_') + pick(ALNUM, 36))} for the release`);
  add('github token, task title', (s) => `rotate ${s(p('gh', 'p_') + pick(ALNUM, 36))}`);

  // Provider formats, in the contexts they show up in.
  add('aws access key id, env', (s) => `AWS_ACCESS_KEY_ID=${s(awsId())}`);
  add('aws session key id', (s) => `assumed role, key ${s(awsId(p('AS', 'IA')))} expires in 1h`);
  add('aws secret key, ini', (s) => `[default]\naws_access_key_id = ${s(awsId())}\naws_secret_access_key = ${s(awsSecret())}\nregion = eu-west-1`);
  add('aws secret key, env', (s) => `export AWS_SECRET_ACCESS_KEY="${s(awsSecret())}"`);
  add('aws secret key, bare', (s) => `the secret part is ${s(awsSecret())} (keep it safe)`);
  add('github oauth token', (s) => `token: ${s(p('gh', 'o_') + pick(ALNUM, 36))}`);
  add('github app token', (s) => `GITHUB_TOKEN=${s(p('gh', 's_') + pick(ALNUM, 36))}`);
  add('github user-to-server token', (s) => `got ${s(p('gh', 'u_') + pick(ALNUM, 36))} back from the device flow`);
  add('github refresh token', (s) => `refresh=${s(p('gh', 'r_') + pick(ALNUM, 36))}`);
  add('github fine-grained pat', (s) => `git remote set-url origin https://x:${s(p('github', '_pat_') + pick(ALNUM, 22) + '_' + pick(ALNUM, 59))}@github.com/org/app.git`);
  add('github fine-grained pat, bare', (s) => `PAT ${s(p('github', '_pat_') + pick(ALNUM, 22) + '_' + pick(ALNUM, 59))}`);
  add('gitlab pat', (s) => `GITLAB_TOKEN=${s(p('gl', 'pat-') + pick(URLSAFE, 20))}`);
  add('gitlab pat, clone url', (s) => `git clone https://oauth2:${s(p('gl', 'pat-') + pick(ALNUM, 20))}@gitlab.com/group/proj.git`);
  add('gitlab runner token', (s) => `registration: ${s(p('gl', 'rt-') + pick(ALNUM, 20))}`);
  add('pypi token', (s) => `[pypi]\nusername = __token__\npassword = ${s(p('pypi-AgEI', 'cHlwaS5vcmc') + pick(URLSAFE, 70))}`);
  add('slack bot token', (s) => `SLACK_BOT_TOKEN=${s(p('xo', 'xb-') + pick(DIGITS, 12) + '-' + pick(DIGITS, 13) + '-' + pick(ALNUM, 24))}`);
  add('slack user token', (s) => `slack says ${s(p('xo', 'xp-') + pick(DIGITS, 12) + '-' + pick(DIGITS, 12) + '-' + pick(DIGITS, 13) + '-' + pick(HEX, 32))}`);
  add('slack webhook', (s) => `POST https://${s(p('hooks.sl', 'ack.com/services/T') + pick(UPPER_ALNUM, 10) + '/B' + pick(UPPER_ALNUM, 10) + '/' + pick(ALNUM, 24))}`);
  add('stripe live key', (s) => `STRIPE_SECRET_KEY=${s(p('sk_', 'live_') + pick(ALNUM, 99))}`);
  add('stripe test key', (s) => `stripe.api_key = "${s(p('sk_', 'test_') + pick(ALNUM, 24))}"`);
  add('stripe restricted key', (s) => `restricted key ${s(p('rk_', 'live_') + pick(ALNUM, 24))} for reporting`);
  add('stripe webhook secret', (s) => `endpoint secret: ${s(p('wh', 'sec_') + pick(ALNUM, 32))}`);
  add('openai project key', (s) => `OPENAI_API_KEY=${s(p('sk-', 'proj-') + pick(URLSAFE, 48) + 'T3Blbk' + 'FJ' + pick(URLSAFE, 48))}`);
  add('openai service account key', (s) => `using ${s(p('sk-', 'svcacct-') + pick(URLSAFE, 64))}`);
  add('openai legacy key', (s) => `openai.api_key = '${s(p('sk', '-') + pick(ALNUM, 20) + 'T3Blbk' + 'FJ' + pick(ALNUM, 20))}'`);
  add('openai admin key', (s) => `admin: ${s(p('sk-', 'admin-') + pick(URLSAFE, 48))}`);
  add('anthropic key', (s) => `ANTHROPIC_API_KEY=${s(p('sk-', 'ant-api03-') + pick(URLSAFE, 93) + 'AA')}`);
  add('anthropic key, prose', (s) => `Claude key is ${s(p('sk-', 'ant-api03-') + pick(URLSAFE, 93) + 'AA')}.`);
  add('google api key', (s) => `maps.googleapis.com/maps/api/js?key=${s(p('AI', 'za') + pick(URLSAFE, 35))}&callback=init`);
  add('google api key, json', (s) => `{"apiKey": "${s(p('AI', 'za') + pick(URLSAFE, 35))}", "projectId": "demo-app"}`);
  add('google oauth client secret', (s) => `"client_secret": "${s(p('GOC', 'SPX-') + pick(URLSAFE, 28))}"`);
  add('google oauth access token', (s) => `Authorization: Bearer ${s(p('ya', '29.') + pick(URLSAFE, 120))}`);
  add('google oauth refresh token', (s) => `refresh_token: ${s(p('1//', '0') + pick(URLSAFE, 100))}`);
  add('gcp service account key (json)', (s) => {
    const key = s(pem(p('PRIV', 'ATE KEY'), 6).replace(/\n/g, '\\n'));
    return `{"type": "service_account", "project_id": "demo", "private_key": "${key}\\n", "client_email": "ci@demo.iam.gserviceaccount.com"}`;
  });
  add('azure client secret', (s) => `AZURE_CLIENT_SECRET=${s(pick(ALNUM, 3) + '8Q~' + pick(`${ALNUM}_~.-`, 34))}`);
  add('azure storage connection string', (s) =>
    `DefaultEndpointsProtocol=https;AccountName=demostore;AccountKey=${s(pick(BASE64, 86) + '==')};EndpointSuffix=core.windows.net`);
  add('azure sas url', (s) => `https://demostore.blob.core.windows.net/c/f.zip?sv=2022-11-02&ss=b&sp=r&se=2026-12-31T00:00:00Z&sig=${s(pick(ALNUM, 43) + '%3D')}`);
  add('sendgrid key', (s) => `SENDGRID_API_KEY=${s(p('S', 'G.') + pick(URLSAFE, 22) + '.' + pick(URLSAFE, 43))}`);
  add('twilio api key', (s) => `twilio key sid ${s(p('S', 'K') + pick(HEX, 32))}`);
  add('twilio auth token', (s) => `TWILIO_AUTH_TOKEN=${s(pick(HEX, 32))}`);
  add('mailgun key', (s) => `mailgun: ${s(p('ke', 'y-') + pick(HEX, 32))}`);
  add('mailchimp key', (s) => `MAILCHIMP_KEY ${s(pick(HEX, 32) + '-us' + pick(DIGITS, 2))}`);
  add('shopify token', (s) => `X-Shopify-Access-Token: ${s(p('shp', 'at_') + pick(HEX, 32))}`);
  add('hugging face token', (s) => `huggingface-cli login --token ${s(p('h', 'f_') + pick(ALNUM, 34))}`);
  add('discord bot token', (s) => `client.login('${s(p('M', pick(ALNUM, 23)) + '.' + pick(URLSAFE, 6) + '.' + pick(URLSAFE, 38))}')`);
  add('discord webhook', (s) => `curl -X POST https://${s(p('disc', 'ord.com/api/webhooks/') + pick(DIGITS, 18) + '/' + pick(URLSAFE, 68))}`);
  add('telegram bot token', (s) => `https://api.telegram.org/bot${s(pick(DIGITS, 10) + p(':A', 'A') + pick(URLSAFE, 33))}/sendMessage`);
  add('digitalocean token', (s) => `doctl auth init -t ${s(p('do', 'p_v1_') + pick(HEX, 64))}`);
  add('databricks token', (s) => `DATABRICKS_TOKEN=${s(p('da', 'pi') + pick(HEX, 32))}`);
  add('doppler token', (s) => `DOPPLER_TOKEN="${s(p('dp', '.pt.') + pick(ALNUM, 43))}"`);
  add('vault token', (s) => `export VAULT_TOKEN=${s(p('hv', 's.') + pick(URLSAFE, 90))}`);
  add('terraform cloud token', (s) => `credentials "app.terraform.io" { token = "${s(pick(ALNUM, 14) + p('.atlas', 'v1.') + pick(URLSAFE, 67))}" }`);
  add('linear key', (s) => `LINEAR_API_KEY=${s(p('lin', '_api_') + pick(ALNUM, 40))}`);
  add('docker hub pat', (s) => `echo ${s(p('dckr', '_pat_') + pick(URLSAFE, 27))} | docker login -u ci --password-stdin`);
  add('figma token', (s) => `X-Figma-Token: ${s(p('fi', 'gd_') + pick(URLSAFE, 40))}`);
  add('grafana service account token', (s) => `GF_TOKEN=${s(p('gl', 'sa_') + pick(ALNUM, 32) + '_' + pick(HEX, 8))}`);
  add('sentry token', (s) => `SENTRY_AUTH_TOKEN=${s(p('sntr', 'ys_') + pick(BASE64, 80))}`);
  add('new relic key', (s) => `newrelic key ${s(p('NR', 'AK-') + pick(UPPER_ALNUM, 27))}`);
  add('atlassian token', (s) => `jira token ${s(p('ATAT', 'T3') + pick(URLSAFE, 180))}`);
  add('postman key', (s) => `x-api-key: ${s(p('PM', 'AK-') + pick(HEX, 24) + '-' + pick(HEX, 34))}`);
  add('supabase token', (s) => `SUPABASE_ACCESS_TOKEN=${s(p('sb', 'p_') + pick(HEX, 40))}`);
  add('groq key', (s) => `GROQ_API_KEY=${s(p('gs', 'k_') + pick(ALNUM, 52))}`);
  add('xai key', (s) => `key for grok: ${s(p('xa', 'i-') + pick(ALNUM, 80))}`);
  add('replicate token', (s) => `REPLICATE_API_TOKEN=${s(p('r', '8_') + pick(ALNUM, 37))}`);
  add('perplexity key', (s) => `pplx key ${s(p('pp', 'lx-') + pick(ALNUM, 48))}`);
  add('age secret key', (s) => `# created: 2026-01-01\n${s(p('AGE-SECRET', '-KEY-1') + pick(UPPER_ALNUM, 58))}`);
  add('alibaba access key', (s) => `ALIBABA_CLOUD_ACCESS_KEY_ID=${s(p('LT', 'AI') + pick(ALNUM, 20))}`);
  add('heroku key', (s) => `heroku: ${s(p('HRKU', '-AA') + pick(URLSAFE, 58))}`);
  add('heroku key (uuid)', (s) => `HEROKU_API_KEY=${s(`${pick(HEX, 8)}-${pick(HEX, 4)}-${pick(HEX, 4)}-${pick(HEX, 4)}-${pick(HEX, 12)}`)}`);
  add('square token', (s) => `SQUARE_ACCESS_TOKEN=${s(p('sq0', 'atp-') + pick(URLSAFE, 22))}`);
  add('jwt, header', (s) => `Authorization: Bearer ${s(jwt())}`);
  add('jwt, cookie', (s) => `Set-Cookie: session=${s(jwt())}; Path=/; HttpOnly`);
  add('jwt, prose', (s) => `the callback returned ${s(jwt())} as id_token`);
  add('rsa private key', (s) => `deploy key:\n${s(pem(p('RSA PRIV', 'ATE KEY'), 8))}\nadd it to the server`);
  add('openssh private key', (s) => s(pem(p('OPENSSH PRIV', 'ATE KEY'), 6)));
  add('ec private key', (s) => `tls.key: |\n${s(pem(p('EC PRIV', 'ATE KEY'), 3))}`);
  add('pgp private key', (s) => s(pem(p('PGP PRIV', 'ATE KEY BLOCK'), 10)));
  add('pkcs8 private key, cut off', (s) => `${s(pem(p('PRIV', 'ATE KEY'), 4).split('\n').slice(0, 3).join('\n'))}`);
  add('encrypted private key', (s) => s(pem(p('ENCRYPTED PRIV', 'ATE KEY'), 5)));

  // Credentials in URLs, headers and commands.
  add('url password', (s) => `postgresql://orders:${s(password())}@pg.internal:5432/orders?sslmode=require`);
  add('url password, mongodb+srv', (s) => `MONGO_URI=mongodb+srv://svc:${s(pick(ALNUM, 16))}@cluster0.ab1cd.mongodb.net/app`);
  add('url password, amqp', (s) => `amqp://guest:${s(pick(ALNUM, 12))}@rabbit:5672/%2f`);
  add('url password, https', (s) => `pip install --index-url https://build:${s(pick(ALNUM, 20))}@pypi.internal/simple pkg`);
  add('url password, ftp', (s) => `ftp://backup:${s(password())}@ftp.example.org/dumps/`);
  add('url password, percent-encoded', (s) => `mysql://root:${s(`${pick(ALNUM, 6)}%40${pick(ALNUM, 6)}`)}@127.0.0.1/db`);
  add('bearer token', (s) => `curl -H "Authorization: Bearer ${s(pick(ALNUM, 40))}" https://api.internal/v1/me`);
  add('bearer token, no header name', (s) => `send it as Bearer ${s(pick(URLSAFE, 32))} on every call`);
  add('basic auth header', (s) => `Authorization: Basic ${s(b64(`ci:${password()}`))}`);
  add('basic auth, prose', (s) => `header was Basic ${s(b64(`deploy:${pick(ALNUM, 14)}`))}`);
  add('token auth header', (s) => `Authorization: Token ${s(pick(HEX, 40))}`);
  add('x-api-key header', (s) => `X-Api-Key: ${s(pick(ALNUM, 32))}`);
  add('curl -u', (s) => `curl -u admin:${s(password())} https://jenkins.internal/api/json`);
  add('netrc', (s) => `machine api.heroku.com\n  login ci@example.com\n  password ${s(pick(HEX, 8) + '-' + pick(HEX, 4) + '-' + pick(HEX, 4) + '-' + pick(HEX, 4) + '-' + pick(HEX, 12))}`);
  add('docker config auth', (s) => `{"auths": {"ghcr.io": {"auth": "${s(b64(`ci:${p('gh', 'p_') + pick(ALNUM, 36)}`))}"}}}`);
  add('kubeconfig token', (s) => `users:\n- name: ci\n  user:\n    token: ${s(pick(ALNUM, 20) + '.' + pick(ALNUM, 40))}`);

  // Assigned secrets: env files, config, code.
  add('env password', (s) => `DB_PASSWORD=${s(password())}`);
  add('env password, simple', (s) => `DATABASE_PASSWORD=${s(`hunter${pick(DIGITS, 1)}hunter${pick(DIGITS, 1)}`)}`);
  add('django secret key', (s) => `SECRET_KEY = '${s(`django-insecure-${pick(`${LOWER_ALNUM}!@#$%^&*(-_=+)`, 50)}`)}'`);
  add('jwt secret', (s) => `JWT_SECRET=${s(pick(ALNUM, 32))}`);
  add('client secret, json', (s) => `{"client_id": "app-123", "client_secret": "${s(pick(URLSAFE, 40))}"}`);
  add('client secret, yaml', (s) => `oauth:\n  client_id: web\n  client_secret: ${s(pick(ALNUM, 36))}`);
  add('password, yaml quoted phrase', (s) => `smtp:\n  user: mailer\n  password: "${s(`correct horse ${pick(LOWER, 7)} staple`)}"`);
  add('password, json', (s) => `{"username": "admin", "password": "${s(password())}"}`);
  add('password, connection string', (s) => `Server=sql01;Database=app;User Id=svc;Password=${s(password())};Encrypt=true`);
  add('password, cli flag', (s) => `psql --host db --password=${s(password())} -c 'select 1'`);
  add('password, js object', (s) => `const cfg = { user: 'svc', password: '${s(password())}' };`);
  add('password, python kwarg', (s) => `conn = psycopg2.connect(host="db", user="svc", password="${s(password())}")`);
  add('password, toml', (s) => `[database]\nuser = "svc"\npassword = "${s(password())}"`);
  add('password, prose', (s) => `the password is ${s(`Tr0ub4dor&${pick(DIGITS, 1)}`)}, change it after the demo`);
  add('password, prose colon-less', (s) => `Use password ${s(password())} for the staging box.`);
  add('token, cli flag', (s) => `gh auth login --with-token --token ${s(pick(ALNUM, 40))}`);
  add('api key, prose', (s) => `My api key: ${s(pick(ALNUM, 32))}`);
  add('api key, env', (s) => `WEATHER_API_KEY=${s(pick(LOWER_ALNUM, 32))}`);
  add('access token, ruby', (s) => `ACCESS_TOKEN = "${s(pick(ALNUM, 28))}"`);
  add('private key, assignment', (s) => `PRIVATE_KEY=${s(pick(HEX, 64))}`);
  add('encryption key, base64', (s) => `ENCRYPTION_KEY=${s(pick(BASE64, 43) + '=')}`);
  add('session secret', (s) => `app.use(session({ secret: '${s(pick(ALNUM, 24))}' }))`);
  add('cookie', (s) => `cookie: ${s(pick(URLSAFE, 48))}`);
  add('webhook secret', (s) => `WEBHOOK_SECRET=${s(pick(HEX, 40))}`);
  add('random key in a sentence', (s) => `Here is the key ${s(pick(ALNUM, 40))} - paste it into the vault`);
  add('random key in a table', (s) => `| prod | ${s(pick(ALNUM, 32))} | rotated 2026-11-02 |`);

  return { secrets, ordinary: ORDINARY };
}

/** Everyday texts of agents and operators, many of them near misses of the rules above. */
const ORDINARY: readonly OrdinarySample[] = [
  // The strings the hardening review saw mangled, and their kin.
  { kind: 'config', text: 'tokenizer=cl100k_base' },
  { kind: 'shell', text: 'PWD=/home/runner/work/app' },
  { kind: 'git config', text: 'credential.helper=osxkeychain' },
  { kind: 'config', text: 'api_key_env=OPENAI_API_KEY' },
  { kind: 'prose', text: 'Token refresh-handler-implementation' },
  { kind: 'prose', text: 'Basic configuration/installation/guide' },
  { kind: 'package', text: 'sk-learn-compatible-estimator' },
  { kind: 'config', text: 'max_tokens=4096' },
  { kind: 'profile', text: 'hard_tokens: 16000000' },
  { kind: 'prose', text: 'token budget reached: 2000 of 1000 tokens used' },
  { kind: 'config', text: 'password: required' },
  { kind: 'config', text: 'secret: ${MY_SECRET}' },
  { kind: 'ids', text: 'task tk_22222223 done; fence 3; artifact af_2222222a' },
  { kind: 'prose', text: 'the tokenizer splits words' },
  { kind: 'prose', text: 'sk-short' },
  { kind: 'config', text: 'token_type=bearer' },
  { kind: 'k8s', text: 'secretName: prod-db-credentials' },
  { kind: 'config', text: 'TOKEN_EXPIRY_SECONDS=3600' },
  { kind: 'config', text: 'auth: true' },
  { kind: 'ci', text: 'GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}' },
  { kind: 'shell', text: 'export OPENAI_API_KEY="$(pass show openai/api)"' },
  { kind: 'code', text: 'api_key = os.environ["OPENAI_API_KEY"]' },
  { kind: 'code', text: 'password_hash = bcrypt.hashpw(password.encode(), bcrypt.gensalt())' },
  { kind: 'config', text: 'client_secret_file: ./client_secret.json' },
  // Ids, hashes and checksums.
  { kind: 'git', text: 'git checkout 9fceb02d0ae598e95dc970b74767f19372d61af8' },
  { kind: 'git', text: 'Merge pull request #4821 from org/feature/token-refresh (3f2a9c1)' },
  { kind: 'digest', text: 'image: ghcr.io/org/app@sha256:3b1c8e1f0a9d2f4e6b7c5a8d9e0f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b' },
  { kind: 'checksum', text: 'checksum sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' },
  { kind: 'uuid', text: 'request 550e8400-e29b-41d4-a716-446655440000 failed with 502' },
  { kind: 'npm lock', text: '"integrity": "sha512-z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUdBeoGlODJ6+SfaPg=="' },
  { kind: 'go.sum', text: 'golang.org/x/text v0.14.0 h1:ScX5w1eTa3QqT8oi6+ziP7dTV1S2+ALU0bI+0zXKWiQ=' },
  { kind: 'ethereum', text: 'deployed to 0x5FbDB2315678afecb367f032d93F642f64180aa3 on the local chain' },
  { kind: 'etag', text: 'ETag: "33a64df551425fcc55e4d42a148795d9f25f89d4"' },
  { kind: 'ssh public key', text: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGRlbW9rZXlub3RyZWFsMDEyMzQ1Njc4OWFiY2RlZmdo ci@build-01' },
  { kind: 'k8s', text: 'pod web-frontend-7d4b9c8f6d-x2k9p restarted 3 times' },
  { kind: 'k8s', text: 'kubectl logs deploy/api-server-5c9f8b7d6-qw4rt -n payments' },
  { kind: 'docker', text: 'Successfully built 4f9a2b1c7d3e and tagged app:1.4.2' },
  { kind: 'ids', text: 'trace_id=4bf92f3577b34da6a3ce929d0e0e4736 span_id=00f067aa0ba902b7' },
  { kind: 'ids', text: 'run id gh-actions-7421938475-1 took 4m12s' },
  { kind: 'semver', text: 'bumped @nx/js from 23.2.1 to 23.3.0-beta.4+build.20261201' },
  { kind: 'public key block', text: '-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEcm9vdHB1YmxpY2tleWZvcnRlc3Rpbmdvbmx5Y3VydmVQMjU2\n-----END PUBLIC KEY-----' },
  { kind: 'data uri', text: 'icon: data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAYAAAAf8/9hAAAAFklEQVR42mNk' },
  // Paths, urls, identifiers.
  { kind: 'path', text: '/home/runner/work/app/node_modules/.bin/jest --config jest.config.cjs' },
  { kind: 'path', text: 'packages/policy-engine/src/redact-secrets.ts:42:7' },
  { kind: 'path', text: 'could not open /tmp/codex-team-e2e-myDOcA/home/.codex-team/team.db' },
  { kind: 'path', text: 'logs in ~/.codex-team/runs/tm_62uzzc3qciu3v5jm/implementer-2.log' },
  { kind: 'path', text: 'C:\\Users\\dev\\AppData\\Local\\Programs\\app\\resources\\app.asar' },
  { kind: 'url', text: 'https://github.com/org/repo/blob/main/docs/security.md#what-is-masked' },
  { kind: 'url', text: 'git clone git@github.com:org/repo.git' },
  { kind: 'url', text: 'ssh://git@github.com:22/org/repo.git' },
  { kind: 'url', text: 'https://user@bitbucket.org/team/repo.git' },
  { kind: 'url', text: 'http://localhost:3000/api/v1/tasks?page=2&token_type=bearer' },
  { kind: 'url', text: 'https://accounts.google.com/o/oauth2/v2/auth?response_type=code&scope=openid%20email' },
  { kind: 'url', text: 'token_endpoint: https://oauth2.googleapis.com/token' },
  { kind: 'url', text: 'redis://cache.internal:6379/0' },
  { kind: 'url', text: 'postgres://localhost/orders_test' },
  { kind: 'email', text: 'contact: security@example.com, cc: ops-team+alerts@example.org' },
  { kind: 'identifier', text: 'class OAuth2AuthorizedClientService implements AuthorizedClientRepository' },
  { kind: 'identifier', text: 'AbstractSingletonProxyFactoryBean' },
  { kind: 'identifier', text: 'useAuthTokenRefreshInterval(60_000)' },
  { kind: 'identifier', text: 'test_password_reset_sends_email_with_token' },
  { kind: 'identifier', text: 'getUserAccountSettingsV2ForOrganization' },
  { kind: 'identifier', text: 'HTTP2ServerPushPromiseFrameHandler3' },
  { kind: 'identifier', text: 'Base64UrlEncoderWithoutPadding2024' },
  { kind: 'identifier', text: 'x86_64-unknown-linux-gnu' },
  { kind: 'identifier', text: 'ENCRYPTION_KEY_LENGTH=32' },
  { kind: 'identifier', text: 'secret_santa_2024.xlsx' },
  { kind: 'identifier', text: 'reset-password-form.tsx' },
  { kind: 'identifier', text: 'passwordless login via WebAuthn' },
  // Prose and logs.
  { kind: 'prose', text: 'Bearer token authentication is configured in auth/middleware.ts' },
  { kind: 'prose', text: 'The access token expires after 3600 seconds' },
  { kind: 'prose', text: 'password is incorrect, 2 attempts left' },
  { kind: 'prose', text: 'Rotate the secret every 90 days and store it in the vault' },
  { kind: 'prose', text: 'The API key lives in 1Password under "Weather service"' },
  { kind: 'prose', text: 'Use Basic auth only over TLS; prefer OAuth2 with PKCE' },
  { kind: 'prose', text: 'Authorization: see docs/auth.md for the scopes' },
  { kind: 'prose', text: 'token 42 of 100 processed' },
  { kind: 'prose', text: 'Implemented the login flow; tests pass (142 passed, 0 failed).' },
  { kind: 'prose', text: 'Blocked on review from @alice; will pick up tk_3 next.' },
  { kind: 'prose', text: 'The secret sauce is the retry with jitter in transaction.ts' },
  { kind: 'prose', text: 'Set the password policy to 12+ characters with a breach check' },
  { kind: 'log', text: '2026-12-01T10:22:31.482Z INFO  server listening on 0.0.0.0:8080 (pid 48213)' },
  { kind: 'log', text: '[WARN] token refresh failed (401), retrying in 2s' },
  { kind: 'log', text: 'npm WARN deprecated inflight@1.0.6: This module is not supported' },
  { kind: 'log', text: 'error TS2345: Argument of type \'string\' is not assignable to parameter of type \'number\'.' },
  { kind: 'log', text: '    at Object.<anonymous> (/app/src/auth/token-service.ts:88:13)' },
  { kind: 'log', text: 'PASS packages/store/src/claim-race.int.spec.ts (12.481 s)' },
  { kind: 'log', text: 'Tests: 3 failed, 211 passed, 214 total' },
  { kind: 'sql', text: 'SELECT id, email FROM users WHERE password_reset_token IS NOT NULL LIMIT 50;' },
  { kind: 'sql', text: 'ALTER TABLE sessions ADD COLUMN token_hash TEXT NOT NULL DEFAULT \'\';' },
  { kind: 'json', text: '{"name": "codex-team", "version": "0.1.0", "private": true, "engines": {"node": ">=20"}}' },
  { kind: 'json', text: '{"usage": {"input_tokens": 1532, "output_tokens": 211, "cached_input_tokens": 1024}}' },
  { kind: 'yaml', text: 'env:\n  - name: DB_PASSWORD\n    valueFrom:\n      secretKeyRef:\n        name: db-credentials\n        key: password' },
  { kind: 'yaml', text: 'lease:\n  length_ms: 60000\nbudget:\n  soft_tokens: 8000000' },
  { kind: 'toml', text: '[mcp_servers.team]\ncommand = "node"\nargs = ["/opt/codex-team/dist/codex-team-mcp.cjs", "--db", "/tmp/team.db"]' },
  { kind: 'code', text: 'const token = await getAccessToken({ scopes: ["repo", "read:org"] });' },
  { kind: 'code', text: 'if (password.length < 12) throw new Error("password too short");' },
  { kind: 'code', text: 'headers: { Authorization: `Bearer ${token}` }' },
  { kind: 'code', text: 'secret = secrets.token_urlsafe(32)' },
  { kind: 'code', text: 'const apiKey = process.env.WEATHER_API_KEY ?? "";' },
  { kind: 'code', text: 'expect(redact("x")).toBe("x"); // no secret here' },
  { kind: 'code', text: 'def verify_password(plain: str, hashed: str) -> bool:' },
  { kind: 'css', text: '.btn-primary { color: #1f6feb; background: linear-gradient(90deg, #0969da, #8250df); }' },
  { kind: 'markdown', text: '## Secrets\n\nNever commit `.env`; use `direnv` and `pass` instead.' },
  { kind: 'markdown', text: '| key | value |\n|---|---|\n| lease.length_ms | 60000 |\n| budget.hard_tokens | 16000000 |' },
  { kind: 'command', text: 'docker run --rm -e POSTGRES_PASSWORD -p 5432:5432 postgres:16' },
  { kind: 'command', text: 'npx nx run-many -t typecheck lint build test-unit test-integration' },
  { kind: 'command', text: 'openssl rand -base64 32 > .secret && chmod 600 .secret' },
  { kind: 'command', text: 'aws sts get-caller-identity --profile prod-readonly' },
  { kind: 'command', text: 'ssh -i ~/.ssh/id_ed25519 deploy@10.0.3.7 -p 2222' },
  { kind: 'command', text: 'kubectl create secret generic db-credentials --from-env-file=.env.prod' },
  { kind: 'numbers', text: 'p50 1.82 ms, p99 14.7 ms, 1432 pairs/s at 4 processes' },
  { kind: 'numbers', text: 'Total: 8,589,935,116 tokens across 12 agents' },
  { kind: 'base64 short', text: 'encoded "hello": aGVsbG8=' },
  { kind: 'mixed', text: 'Done: rotated the key (old one revoked), updated CI, see PR #912.' },
];
