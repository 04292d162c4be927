// A real OpenID Connect / OAuth 2.0 authorization server (oidc-provider, from the npm
// registry) for Conflux's integration tests: one confidential client that may use the
// client-credentials grant, issuing RS256 JWT access tokens (RFC 9068, typ at+jwt) for the
// resource api://orders. Listens on 127.0.0.1:$PORT only; the issuer is that address.
import http from 'node:http';
import crypto from 'node:crypto';
import Provider from 'oidc-provider';

const port = Number(process.env.PORT);
const issuer = `http://127.0.0.1:${port}`;
const resource = 'api://orders';

const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: 'conflux-test-rs256', alg: 'RS256', use: 'sig' };

const provider = new Provider(issuer, {
    clients: [{
        client_id: 'conflux-test',
        client_secret: process.env.CLIENT_SECRET,
        grant_types: ['client_credentials'],
        redirect_uris: [],
        response_types: [],
        token_endpoint_auth_method: 'client_secret_basic',
    }],
    jwks: { keys: [signingKey] },
    features: {
        devInteractions: { enabled: false },
        clientCredentials: { enabled: true },
        resourceIndicators: {
            enabled: true,
            defaultResource: () => resource,
            useGrantedResource: () => true,
            getResourceServerInfo: (ctx, indicator) => {
                if (indicator !== resource)
                    throw new Error(`unknown resource ${indicator}`);
                return {
                    scope: 'orders.read orders.write',
                    audience: resource,
                    accessTokenTTL: 600,
                    accessTokenFormat: 'jwt',
                    jwt: { sign: { alg: 'RS256' } },
                };
            },
        },
    },
    scopes: ['openid', 'orders.read', 'orders.write'],
});
// Plain HTTP on loopback is what the test wants; the provider warns about it otherwise.
provider.proxy = false;

http.createServer(provider.callback()).listen(port, '127.0.0.1', () => {
    console.log(`oidc-provider ${issuer} ready`);
});
