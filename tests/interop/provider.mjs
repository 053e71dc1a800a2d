// oidc-provider (panva's, OpenID-certified) as an independent provider for the interop tests.
//
// Usage: node provider.mjs SETTINGS.json   (written by tests/interop/provider.py)
// Its protocol behaviour is oidc-provider's own; what is ours is test code: the accounts and their
// claims, a minimal login/consent/cancel page (the tests submit its forms over HTTP), its keys, and
// test-only routes under /test/: the clock (kept in step with the application's FakeClock), a key
// rotation (the same provider again with new keys, as a restart would make it), and a record of what
// happened.
import { createHash, generateKeyPairSync, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

import Provider from 'oidc-provider';

const settings = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const itsme = settings.profile === 'itsme';

// -- time: the tests move the application's clock by hand; the provider's moves with it ------------
let offsetMs = 0;
const realNow = Date.now;
Date.now = () => realNow() + offsetMs;

// -- keys: new for each provider instance, so a rotation is a new instance ---------------------------
function rsaKey(use, alg) {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...privateKey.export({ format: 'jwk' }), use, alg, kid: randomUUID() };
}

// -- accounts: test code of ours ------------------------------------------------------------------
const accounts = settings.accounts;

async function findAccount(ctx, id) {
  if (!Object.hasOwn(accounts, id)) return undefined;
  return { accountId: id, claims: async () => ({ ...accounts[id], sub: id }) };
}

// -- what happened (for assertions on what a test cannot see from the application) ----------------
const events = [];
function record(name, details = {}) {
  events.push({ event: name, ...details });
}

const ITSME_ALG = { alg: ['RSA-OAEP'], enc: ['A128CBC-HS256'] };
const cookieKey = randomUUID();

const configuration = () => ({
  clients: settings.clients,
  jwks: { keys: [rsaKey('sig', 'RS256'), rsaKey('enc', 'RSA-OAEP')] },
  cookies: { keys: [cookieKey] },
  findAccount,
  claims: settings.claims,
  scopes: settings.scopes,
  acrValues: settings.acr_values,
  subjectTypes: ['public', 'pairwise'],
  // a salted hash, as a production provider does (the default uses the host name and warns)
  async pairwiseIdentifier(ctx, accountId, client) {
    return createHash('sha256').update(client.sectorIdentifier).update(accountId).update(settings.salt).digest('hex');
  },
  responseTypes: ['code'],
  pkce: { methods: ['S256'], required: () => true },
  features: {
    devInteractions: { enabled: false },
    claimsParameter: { enabled: true },
    encryption: { enabled: true },
    jwtUserinfo: { enabled: true },
    requestObjects: { request: true, requireSignedRequestObject: itsme, mode: 'strict' },
    revocation: { enabled: !itsme },
    rpInitiatedLogout: {
      enabled: !itsme,
      async logoutSource(ctx, form) {
        ctx.body = `<!DOCTYPE html><title>Log out</title>${form}<button type="submit" form="op.logoutForm" name="logout" value="yes">Log out</button>`;
      },
    },
  },
  // itsme offers no refresh tokens; the generic provider issues them without offline_access, rotating each
  async issueRefreshToken(ctx, client) {
    return client.grantTypeAllowed('refresh_token');
  },
  rotateRefreshToken: true,
  ttl: { AccessToken: settings.access_token_ttl, IdToken: 3600, RefreshToken: 86400, Grant: 86400, Session: 86400, Interaction: 600, AuthorizationCode: 60 },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  enabledJWA: itsme
    ? {
      clientAuthSigningAlgValues: ['RS256'],
      idTokenSigningAlgValues: ['RS256'],
      requestObjectSigningAlgValues: ['RS256'],
      userinfoSigningAlgValues: ['RS256'],
      idTokenEncryptionAlgValues: ITSME_ALG.alg,
      idTokenEncryptionEncValues: ITSME_ALG.enc,
      requestObjectEncryptionAlgValues: ITSME_ALG.alg,
      requestObjectEncryptionEncValues: ITSME_ALG.enc,
      userinfoEncryptionAlgValues: ITSME_ALG.alg,
      userinfoEncryptionEncValues: ITSME_ALG.enc,
    }
    : undefined,
});

function build() {
  const conf = configuration();
  if (!conf.enabledJWA) delete conf.enabledJWA;
  const instance = new Provider(settings.issuer, conf);
  listen(instance);
  return instance;
}

function listen(provider) {
  provider.on('grant.success', (ctx) => record('grant.success', { grant_type: ctx.oidc.params.grant_type }));
  provider.on('grant.error', (ctx, err) => record('grant.error', { error: err.error }));
  provider.on('grant.revoked', () => record('grant.revoked'));
  provider.on('refresh_token.consumed', () => record('refresh_token.consumed'));
  provider.on('revocation.error', (ctx, err) => record('revocation.error', { error: err.error }));
  provider.on('authorization.error', (ctx, err) => record('authorization.error', { error: err.error, description: err.error_description }));
  provider.on('end_session.success', () => record('end_session.success'));
  provider.on('end_session.error', (ctx, err) => record('end_session.error', { error: err.error, description: err.error_description }));
  provider.on('server_error', (ctx, err) => record('server_error', { message: String(err) }));
}

let provider = build();
let handler = provider.callback();

// -- the interaction pages: one form per step, as a user would see them ----------------------------
function escape(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function requestedAcr(params) {
  let claims = {};
  try {
    claims = params.claims ? JSON.parse(params.claims) : {};
  } catch { /* oidc-provider refuses it before we get here */ }
  const fromClaims = claims?.id_token?.acr?.values || (claims?.id_token?.acr?.value ? [claims.id_token.acr.value] : []);
  const fromParam = params.acr_values ? params.acr_values.split(' ') : [];
  return [...fromClaims, ...fromParam];
}

function page(ctxUid, prompt, params) {
  const abort = `<a id="cancel" href="/interaction/${ctxUid}/abort">Cancel</a>`;
  if (prompt === 'login') {
    // itsme always authenticates at the most constraining acr asked (its document, acr_values):
    // the acr the login ends with is the last in our list that was asked, or the first one
    const asked = requestedAcr(params);
    const acr = [...settings.acr_values].reverse().find((v) => asked.includes(v)) || settings.acr_values[0] || '';
    return `<!DOCTYPE html><title>Sign in</title>
<form method="post" action="/interaction/${ctxUid}/login">
<input type="text" name="login" value="">
<input type="hidden" name="acr" value="${escape(acr)}">
<button type="submit">Sign in</button></form>${abort}`;
  }
  return `<!DOCTYPE html><title>Authorize</title>
<form method="post" action="/interaction/${ctxUid}/confirm"><button type="submit">Allow</button></form>${abort}`;
}

async function readForm(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

async function interaction(req, res, uid, action) {
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) throw new Error('interaction mismatch');
  const { prompt, params, session, grantId } = details;
  if (req.method === 'GET' && !action) {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(page(uid, prompt.name, params));
    return;
  }
  if (action === 'abort') {
    await provider.interactionFinished(req, res, { error: 'access_denied', error_description: 'End-User cancelled' }, { mergeWithLastSubmission: false });
    return;
  }
  if (req.method === 'POST' && action === 'login' && prompt.name === 'login') {
    const form = await readForm(req);
    const login = form.get('login') || '';
    if (!Object.hasOwn(accounts, login)) {
      res.writeHead(400, { 'content-type': 'text/plain' });
      res.end('unknown account');
      return;
    }
    await provider.interactionFinished(req, res, { login: { accountId: login, acr: form.get('acr') || undefined } }, { mergeWithLastSubmission: false });
    return;
  }
  if (req.method === 'POST' && action === 'confirm' && prompt.name === 'consent') {
    const grant = grantId ? await provider.Grant.find(grantId) : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
    if (prompt.details.missingOIDCScope) grant.addOIDCScope(prompt.details.missingOIDCScope.join(' '));
    if (prompt.details.missingOIDCClaims) grant.addOIDCClaims(prompt.details.missingOIDCClaims);
    await provider.interactionFinished(req, res, { consent: { grantId: await grant.save() } }, { mergeWithLastSubmission: true });
    return;
  }
  res.writeHead(400, { 'content-type': 'text/plain' });
  res.end('unexpected interaction step');
}

async function testRoute(req, res, name) {
  if (name === 'clock' && req.method === 'POST') {
    const form = await readForm(req);
    offsetMs = Number(form.get('offset')) * 1000;
  }
  if (name === 'rotate' && req.method === 'POST') {
    // every key new, the old ones gone: what a provider that rotates without overlap publishes
    provider = build();
    handler = provider.callback();
    record('keys.rotated');
  }
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(name === 'events' ? events : { offset: offsetMs / 1000 }));
}

const server = createServer(async (req, res) => {
  const url = new URL(req.url, settings.issuer);
  const step = url.pathname.match(/^\/interaction\/([^/]+)(?:\/(login|confirm|abort))?$/);
  const test = url.pathname.match(/^\/test\/(clock|events|rotate)$/);
  try {
    if (step) await interaction(req, res, step[1], step[2]);
    else if (test) await testRoute(req, res, test[1]);
    else {
      // oidc-provider emits no event for a successful revocation: record its answer
      if (url.pathname === '/token/revocation') res.on('finish', () => record('revocation', { status: res.statusCode }));
      handler(req, res);
    }
  } catch (err) {
    record('interaction.error', { message: String(err) });
    if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
    res.end('interaction failed');
  }
});
server.listen(settings.port, '127.0.0.1', () => {
  process.stdout.write(`listening ${settings.port}\n`);
});
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}
