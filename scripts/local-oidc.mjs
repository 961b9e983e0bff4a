#!/usr/bin/env node
// The local OpenID provider on its own (compose's `oidc-local`; `npm start` runs it in-process):
// LOCAL_OIDC_PORT (7100), LOCAL_OIDC_ISSUER (http://localhost:<port>), LOCAL_OIDC_CLIENT_ID,
// LOCAL_OIDC_CLIENT_SECRET, LOCAL_OIDC_REDIRECT_URI. Dev accounts: DEV_ACCOUNTS in lib/local-oidc-provider.mjs.
import { DEV_ACCOUNTS, startLocalOidcProvider } from './lib/local-oidc-provider.mjs';

const env = process.env;
const port = Number(env.LOCAL_OIDC_PORT ?? '7100');
const missing = ['LOCAL_OIDC_CLIENT_ID', 'LOCAL_OIDC_CLIENT_SECRET', 'LOCAL_OIDC_REDIRECT_URI'].filter((k) => !env[k]);
if (missing.length > 0) {
  process.stderr.write(`local-oidc: set ${missing.join(', ')}\n`);
  process.exit(2);
}
const provider = await startLocalOidcProvider({
  port,
  host: env.LOCAL_OIDC_HOST ?? '0.0.0.0',
  issuer: env.LOCAL_OIDC_ISSUER ?? `http://localhost:${port}`,
  clients: [{ clientId: env.LOCAL_OIDC_CLIENT_ID, clientSecret: env.LOCAL_OIDC_CLIENT_SECRET, redirectUris: [env.LOCAL_OIDC_REDIRECT_URI] }],
});
process.stdout.write(`local-oidc: ${provider.issuer}; accounts: ${DEV_ACCOUNTS.map((a) => a.email).join(', ')}\n`);
const stop = async () => {
  await provider.close();
  process.exit(0);
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
