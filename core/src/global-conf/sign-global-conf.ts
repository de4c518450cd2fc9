import { canonicalJson } from '../envelope/canonical-json';
import type { JwsSigner } from '../envelope/jws';
import type { GlobalConf, SignedGlobalConf } from './global-conf';

/**
 * Signs a global configuration into its wire form: the signer signs the
 * canonical JSON text, and the payload carries exactly those bytes, so the
 * result is a standard flattened JWS that any JOSE library verifies.
 */
export function signGlobalConf(conf: GlobalConf, signer: JwsSigner): SignedGlobalConf {
  const text = canonicalJson(conf);
  const { protected: header, signature } = signer.sign(text);
  return { payload: Buffer.from(text).toString('base64url'), protected: header, signature };
}
