// A real OpenID Provider for development and tests (the `oidc-provider` package), registered in
// identity as the provider named `local`: the whole sign-in flow then runs offline. Login is a
// plain form over a dev account list (email + password); consent is implied (the client is ours).
// Not for production: in-memory storage, one key generated per process.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import Provider from 'oidc-provider';

/** The accounts `npm start` and compose offer (the flow's docs use the first). */
export const DEV_ACCOUNTS = [
  { email: 'ada@example.com', password: 'ada password', name: 'Ada Lovelace', emailVerified: true },
  { email: 'grace@example.com', password: 'grace password', name: 'Grace Hopper', emailVerified: true },
  { email: 'mallory@example.com', password: 'mallory password', name: 'Mallory (unverified)', emailVerified: false },
];

const escape = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function loginPage(uid, message = '') {
  return `<!doctype html><meta charset="utf-8"><title>Local sign-in</title>
<h1>Local OpenID provider</h1>${message ? `<p role="alert">${escape(message)}</p>` : ''}
<form method="post" action="/interaction/${escape(uid)}/login">
<label>Email <input name="email" type="email" autofocus></label>
<label>Password <input name="password" type="password"></label>
<button type="submit">Sign in</button></form>`;
}

async function formBody(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > 16_384) throw new Error('form too large');
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

/**
 * @param {{ port?: number, host?: string, issuer?: string, clients: Array<{ clientId: string, clientSecret: string, redirectUris: string[] }>,
 *   accounts?: typeof DEV_ACCOUNTS, codeTtlSeconds?: number }} options
 * @returns {Promise<{ issuer: string, url: string, close(): Promise<void> }>}
 */
export async function startLocalOidcProvider(options) {
  const host = options.host ?? '127.0.0.1';
  const accounts = new Map((options.accounts ?? DEV_ACCOUNTS).map((a) => [a.email.toLowerCase(), a]));
  const server = createServer();
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, resolve);
  });
  const port = /** @type {import('node:net').AddressInfo} */ (server.address()).port;
  const issuer = options.issuer ?? `http://${host}:${port}`;
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const provider = new Provider(issuer, {
    clients: options.clients.map((c) => ({
      client_id: c.clientId,
      client_secret: c.clientSecret,
      redirect_uris: c.redirectUris,
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    })),
    jwks: { keys: [{ ...privateKey.export({ format: 'jwk' }), kid: `local-${randomBytes(4).toString('hex')}`, use: 'sig', alg: 'RS256' }] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    pkce: { required: () => true },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    features: { devInteractions: { enabled: false } },
    // Scope claims (email, name) in the ID token itself, as Google does.
    conformIdTokenClaims: false,
    ttl: { AuthorizationCode: options.codeTtlSeconds ?? 60, AccessToken: 600, IdToken: 600, Interaction: 600, Session: 3600, Grant: 3600 },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    async findAccount(_ctx, id) {
      const account = accounts.get(id);
      if (!account) return undefined;
      return {
        accountId: id,
        claims: async () => ({ sub: id, email: account.email, email_verified: account.emailVerified, name: account.name }),
      };
    },
    // The only clients are the platform's own: consent to the requested scopes is implied.
    async loadExistingGrant(ctx) {
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
      grant.addOIDCScope('openid email profile');
      await grant.save();
      return grant;
    },
  });
  const handle = provider.callback();
  server.on('request', async (req, res) => {
    const match = /^\/interaction\/([\w-]+)(\/login)?$/.exec(req.url?.split('?')[0] ?? '');
    if (!match) return handle(req, res);
    try {
      const details = await provider.interactionDetails(req, res);
      if (req.method === 'GET' && !match[2]) {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(loginPage(details.uid));
        return;
      }
      if (req.method !== 'POST' || !match[2]) {
        res.writeHead(405).end();
        return;
      }
      const form = await formBody(req);
      const account = accounts.get((form.get('email') ?? '').toLowerCase());
      if (!account || account.password !== form.get('password')) {
        res.writeHead(401, { 'content-type': 'text/html; charset=utf-8' }).end(loginPage(details.uid, 'Unknown email or wrong password.'));
        return;
      }
      await provider.interactionFinished(req, res, { login: { accountId: account.email.toLowerCase() } }, { mergeWithLastSubmission: false });
    } catch {
      res.writeHead(400, { 'content-type': 'text/plain' }).end('interaction failed; start the sign-in again');
    }
  });
  return {
    issuer,
    url: issuer,
    close: () => new Promise((resolve) => { server.closeAllConnections?.(); server.close(() => resolve()); }),
  };
}

/**
 * What a browser does at the local provider: follows the authorization URL, signs in through the
 * form with a dev account and follows redirects until one leaves the provider.
 * @returns {Promise<URL>} where the provider sends the browser (the redirect URI with `code` and `state`), or the login page's answer when refused
 */
export async function signInAtLocalProvider(authorizationUrl, { email, password }) {
  const jar = new Map();
  const origin = new URL(authorizationUrl).origin;
  const send = async (url, init = {}) => {
    const headers = { ...(init.headers ?? {}), cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') };
    const res = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const i = pair.indexOf('=');
      jar.set(pair.slice(0, i).trim(), pair.slice(i + 1).trim());
    }
    return res;
  };
  let url = new URL(authorizationUrl);
  for (let hop = 0; hop < 10; hop++) {
    const res = await send(url);
    if (res.status >= 300 && res.status < 400) {
      const next = new URL(res.headers.get('location') ?? '', url);
      if (next.origin !== origin) return next;
      url = next;
      continue;
    }
    const uid = /\/interaction\/([\w-]+)/.exec(url.pathname)?.[1];
    if (res.status !== 200 || !uid) throw new Error(`local provider answered ${res.status} at ${url.pathname}`);
    const login = await send(new URL(`/interaction/${uid}/login`, origin), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ email, password }).toString(),
    });
    if (login.status < 300 || login.status >= 400) throw new Error(`local provider refused the login (${login.status})`);
    url = new URL(login.headers.get('location') ?? '', origin);
  }
  throw new Error('too many redirects at the local provider');
}
