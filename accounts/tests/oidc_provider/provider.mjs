// A real OpenID Connect provider (the `oidc-provider` package) for Hearth's single sign-on tests.
//
//   node provider.mjs <port>    (environment: OIDC_CLIENT_ID, OIDC_CLIENT_SECRET)
//
// Serves discovery, JWKS, the authorization-code flow and its development login and consent pages on
// http://127.0.0.1:<port>. The account id is whatever is typed as the login; the account's email is that id,
// verified, unless the id starts with "unverified:" (then the rest is the email and email_verified is false).
// The client may return to any clinic host under *.localhost (the test servers' ports are not known up front).
import Provider from 'oidc-provider';

const port = Number(process.argv[2]);
if (!Number.isInteger(port) || port <= 0) {
  console.error('usage: node provider.mjs <port>');
  process.exit(2);
}
const issuer = `http://127.0.0.1:${port}`;
const UNVERIFIED = 'unverified:';

const configuration = {
  clients: [
    {
      client_id: process.env.OIDC_CLIENT_ID || 'hearth-test',
      client_secret: process.env.OIDC_CLIENT_SECRET || 'hearth-test-secret',
      redirect_uris: ['http://riverside.localhost/sso/callback/'],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    },
  ],
  async findAccount(ctx, id) {
    const verified = !id.startsWith(UNVERIFIED);
    const email = verified ? id : id.slice(UNVERIFIED.length);
    return {
      accountId: id,
      async claims() {
        return { sub: id, email, email_verified: verified };
      },
    };
  },
  claims: { openid: ['sub'], email: ['email', 'email_verified'] },
  cookies: { keys: ['hearth-test-only-cookie-key'] },
  features: { devInteractions: { enabled: true } },
  pkce: { required: () => true },
};

const provider = new Provider(issuer, configuration);

const CALLBACK = /^http:\/\/[a-z0-9-]+\.localhost(:\d+)?\/sso\/callback\/$/;
provider.Client.prototype.redirectUriAllowed = function redirectUriAllowed(value) {
  return CALLBACK.test(value);
};

provider.listen(port, '127.0.0.1', () => {
  console.log(`oidc-provider listening on ${issuer}`);
});

const stop = () => process.exit(0);
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
