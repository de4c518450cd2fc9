import type { Certificate } from '../../../core/src';
import type { GatewayTrust } from '../trust/gateway-trust';

/** One of the gateway's own certificates, named as the `certificate` label names it. */
export interface OwnCertificate {
  /** `ca`, `tls`, `global_conf_signing` or `audit_signing`. */
  readonly name: string;
  readonly certificate: Certificate;
}

/** The gateway's own certificates: the instance CA, its TLS identity, and its two signing keys'. */
export function ownCertificatesOf(trust: GatewayTrust): OwnCertificate[] {
  return [
    { name: 'ca', certificate: trust.ca.certificate },
    { name: 'tls', certificate: trust.tls.certificate },
    { name: 'global_conf_signing', certificate: trust.confCertificate },
    { name: 'audit_signing', certificate: trust.auditCertificate },
  ];
}
