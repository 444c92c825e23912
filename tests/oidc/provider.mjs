// A real OpenID provider (the `oidc-provider` package) for the end-to-end
// tests: it issues RFC 9068 JWT access tokens through the client credentials
// grant, as the gateway's identity provider will in production.
//
//   node tests/oidc/provider.mjs [PORT]      (or PORT=... in the environment)
//
// It listens on 127.0.0.1 (port 0, the default, picks a free one), its issuer
// is http://127.0.0.1:<port>, and once it serves requests it prints exactly one
// line on stdout:
//
//   OIDC_PROVIDER_READY http://127.0.0.1:<port>
//
// Everything else it or oidc-provider has to say goes to stderr. It exits
// with status 0 on SIGTERM or SIGINT.

import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';

// oidc-provider prints its development notices with console.info: keep
// stdout for the readiness line alone.
console.log = console.error;
console.info = console.error;

// Imported only now, so that its import-time warnings also go to stderr.
const { Provider, errors } = await import('oidc-provider');

// The API the tokens are for. RFC 8707 requires a resource indicator to be
// an absolute URI, so clients ask for RESOURCE and the tokens carry AUDIENCE.
const RESOURCE = 'urn:mdm:api';
const AUDIENCE = 'mdm-api';
// Every scope the API knows; a client may ask only for those in its `scope`.
const API_SCOPES = ['mdm:integration', 'mdm:other'];
const TOKEN_TTL_SECONDS = 600;

const CLIENTS = [
  {
    client_id: 'mdm-test-integration',
    client_secret: 'mdm-test-secret',
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
    token_endpoint_auth_method: 'client_secret_basic',
    scope: 'mdm:integration',
  },
  {
    // Same setup, but not allowed the `mdm:integration` scope.
    client_id: 'mdm-test-other',
    client_secret: 'mdm-test-secret',
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
    token_endpoint_auth_method: 'client_secret_basic',
    scope: 'mdm:other',
  },
];

function parsePort(value, source) {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`provider.mjs: ${source} must be a port number (0-65535), got ${JSON.stringify(value)}`);
    process.exit(2);
  }
  return port;
}

function signingKey() {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = privateKey.export({ format: 'jwk' });
  return { ...jwk, kid: `mdm-test-${randomBytes(6).toString('hex')}`, alg: 'RS256', use: 'sig' };
}

function listen(server, port) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve(server.address().port);
    });
  });
}

const requested = process.argv[2] ?? process.env.PORT ?? '0';
const port = parsePort(requested, process.argv[2] !== undefined ? 'the first argument' : 'PORT');

// The issuer names the port, so listen first and attach the provider after.
const server = createServer();
const bound = await listen(server, port);
const issuer = `http://127.0.0.1:${bound}`;

const provider = new Provider(issuer, {
  clients: CLIENTS,
  jwks: { keys: [signingKey()] },
  scopes: ['openid', ...API_SCOPES],
  cookies: { keys: [randomBytes(32).toString('base64url')] },
  ttl: { ClientCredentials: TOKEN_TTL_SECONDS },
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    introspection: { enabled: false },
    revocation: { enabled: false },
    resourceIndicators: {
      enabled: true,
      defaultResource: async () => undefined,
      useGrantedResource: async () => false,
      getResourceServerInfo: async (_ctx, resourceIndicator) => {
        if (resourceIndicator !== RESOURCE) {
          throw new errors.InvalidTarget(`unknown resource ${resourceIndicator}`);
        }
        return {
          audience: AUDIENCE,
          scope: API_SCOPES.join(' '),
          accessTokenFormat: 'jwt',
          accessTokenTTL: TOKEN_TTL_SECONDS,
          jwt: { sign: { alg: 'RS256' } },
        };
      },
    },
  },
});

provider.on('server_error', (_ctx, error) => {
  console.error('provider.mjs: server error:', error);
});

server.on('request', provider.callback());

let stopping = false;
function stop(signal) {
  if (stopping) return;
  stopping = true;
  console.error(`provider.mjs: ${signal}, stopping`);
  server.close(() => process.exit(0));
  server.closeAllConnections();
  // Should a connection linger, do not hang the test that stops us.
  setTimeout(() => process.exit(0), 2000).unref();
}
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));

process.stdout.write(`OIDC_PROVIDER_READY ${issuer}\n`);
