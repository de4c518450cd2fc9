/**
 * `npm run bench`: the core's hot path on one core, ES256 and a ~1 KB body.
 * - sign: build the request envelope (body digest over the canonical body),
 *   canonicalise it and sign it, as a consumer's security server does per call;
 * - verify: check the body digest and the signature, as the gateway and the
 *   provider's server do per call;
 * - validate: check the body against its compiled JSON Schema;
 * - endpoint right: normalise a request path and match it against a client's
 *   endpoint patterns, as the gateway and the provider's server do per call.
 * Beside them, the bare node:crypto ES256 sign and verify over the same
 * envelope, in the same run, so the table shows what the protocol adds to the
 * primitive. Writes `bench/results/core.json`.
 */
import { generateKeyPairSync, sign, verify } from 'node:crypto';
import {
  buildRequest,
  canonicalJson,
  createJwsSigner,
  signMessage,
  verifyMessage,
} from '../../core/src/envelope';
import {
  compileEndpoint,
  endpointAllows,
  normalizeRequestPath,
  parseEndpointText,
} from '../../core/src/exchange/endpoint-pattern';
import { certificateThumbprint } from '../../core/src/pki';
import { SchemaRegistry } from '../../core/src/schemas';
import { runSuite } from './bench-suite';
import { PERSON_RECORD, PERSON_SCHEMA } from './person-record';

const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
// The thumbprint only names the signer; the certificate itself plays no part in the hot path.
const thumbprint = certificateThumbprint(publicKey.export({ type: 'spki', format: 'der' }));
const signer = createJwsSigner({ privateKey, thumbprint });
const signers = new Map([[thumbprint, { publicKey }]]);
const resolve = (name: string) => signers.get(name);

const params = {
  client: 'MN/GOV/7000001/e-services',
  service: 'MN/GOV/9011311/civil-registry/person',
  method: 'POST',
  path: '/persons',
  query: '',
  headers: { accept: 'application/json' },
  userId: 'MN-officer-17',
  issue: 'case 2026/114',
  body: { contentType: 'application/json', json: PERSON_RECORD },
} as const;

const signed = signMessage(buildRequest(params), signer);
verifyMessage(signed, resolve); // fail fast if the pair does not round-trip

const schemas = new SchemaRegistry();
schemas.register('MN/GOV/9011311/civil-registry/person', '1', PERSON_SCHEMA);
if (!schemas.validate('MN/GOV/9011311/civil-registry/person', '1', PERSON_RECORD).valid) {
  throw new Error('the benchmark record does not match its schema');
}

// A client with three endpoint rights; the call is covered by the last one.
const endpoints = ['POST /certificates', 'GET /persons/*', 'GET /persons/*/addresses'].map((text) =>
  compileEndpoint(parseEndpointText(text)),
);
const endpointPath = `/persons/${encodeURIComponent('УБ99010112')}/addresses`;
if (!endpoints.some((endpoint) => endpointAllows(endpoint, 'GET', normalizeRequestPath(endpointPath)))) {
  throw new Error('the benchmark call is not covered by its endpoint rights');
}

// The bare primitive: node:crypto ES256 over the same signing input, nothing else.
const input = Buffer.from(
  `${signed.signature.protected}.${Buffer.from(canonicalJson(signed.envelope)).toString('base64url')}`,
);
const signature = Buffer.from(signed.signature.signature, 'base64url');
const bareSign = { key: privateKey, dsaEncoding: 'ieee-p1363' } as const;
const bareVerify = { key: publicKey, dsaEncoding: 'ieee-p1363' } as const;

void runSuite({
  suite: 'core',
  tasks: [
    { name: 'bare ES256 sign (node:crypto)', fn: () => sign('sha256', input, bareSign) },
    {
      name: 'sign (ES256, 1 KB body)',
      fn: () => signMessage(buildRequest(params), signer),
      target: 20_000,
      baseline: 'bare ES256 sign (node:crypto)',
    },
    { name: 'bare ES256 verify (node:crypto)', fn: () => verify('sha256', input, bareVerify, signature) },
    {
      name: 'verify (ES256, 1 KB body)',
      fn: () => verifyMessage(signed, resolve),
      target: 8_000,
      baseline: 'bare ES256 verify (node:crypto)',
    },
    {
      name: 'validate (1 KB record)',
      fn: () => schemas.validate('MN/GOV/9011311/civil-registry/person', '1', PERSON_RECORD),
      target: 100_000,
    },
    {
      name: 'endpoint right (normalise, 3 patterns)',
      fn: () => {
        const path = normalizeRequestPath(endpointPath);
        return endpoints.some((endpoint) => endpointAllows(endpoint, 'GET', path));
      },
      target: 200_000,
    },
  ],
});
