// A real OpenID Connect provider (panva/oidc-provider) for the identity tests, on loopback.
//
// Usage: node provider.mjs CONFIG.json. The test writes the config: issuer and port, the hub's
// client, the accounts and their claims, the signing keys (private JWKs; the first signs, all
// are published) and the ID token lifetime. The provider's own development login form signs any
// account in; consent is granted without a page, as a first-party platform does for its own
// applications. Prints "ready" once it listens.
import { readFileSync } from 'node:fs';
import Provider from 'oidc-provider';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));

// A provider whose clock is off (tests of the hub's clock-skew setting): every time it stamps
// (iat, exp, code and session expiry) is shifted by this many seconds.
if (config.clockOffsetSeconds) {
  const realNow = Date.now;
  Date.now = () => realNow() + config.clockOffsetSeconds * 1000;
}

const provider = new Provider(config.issuer, {
  clients: config.clients,
  jwks: { keys: config.keys },
  cookies: { keys: [config.cookieKey] },
  // role and agency ride in the ID token (not only at the userinfo endpoint), as the hub reads them.
  conformIdTokenClaims: false,
  claims: { openid: ['sub'], profile: ['name', 'role', 'agency'] },
  scopes: ['openid', 'profile'],
  pkce: { required: () => true },
  ttl: {
    IdToken: config.idTokenTtl,
    AccessToken: 600,
    AuthorizationCode: 60,
    Interaction: 600,
    Session: 3600,
    Grant: 3600,
  },
  features: { devInteractions: { enabled: true } },
  async findAccount(ctx, id) {
    const claims = config.accounts[id] ?? {};
    return { accountId: id, async claims() { return { sub: id, ...claims }; } };
  },
  async loadExistingGrant(ctx) {
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope('openid profile');
    await grant.save();
    return grant;
  },
});

// Quiet: the tests read stdout for "ready" and stderr for failures.
provider.on('server_error', (ctx, err) => console.error('server_error', err));
provider.listen(config.port, '127.0.0.1', () => console.log('ready'));
