import type { Certificate, GlobalConfClient, ReadinessCheck, SqlExecutor } from '../../core/src';
import type { ConfHolder } from './conf-holder';
import type { ServerIdentity } from './deps';

/** What a security server's readiness is judged by. */
export interface SecurityServerReadinessParts {
  readonly store: SqlExecutor;
  readonly conf: ConfHolder;
  readonly identity: ServerIdentity;
  readonly authCertificate: Certificate;
  readonly clock: () => Date;
  /** The clock skew to the gateway last measured, and the one tolerated. */
  readonly skew: Pick<GlobalConfClient, 'clockSkewMs' | 'maxClockSkewMs'>;
  /** The witness of the gateway's audit log: not ready while it holds a refused checkpoint. */
  readonly witness?: { readonly conflict: { reason: string; message: string } | undefined };
}

/**
 * The checks of a security server's `/readyz`: its message log's database
 * answers (nothing is exchanged unlogged), it holds a valid global
 * configuration, its clock is within the tolerated skew of the gateway's,
 * and its signing and TLS certificates are valid now.
 */
export function securityServerReadinessChecks(parts: SecurityServerReadinessParts): ReadinessCheck[] {
  const { store, conf, identity, authCertificate, clock, skew, witness } = parts;
  return [
    ...(witness === undefined
      ? []
      : [
          {
            name: 'audit_witness',
            run: async () => {
              const conflict = witness.conflict;
              if (conflict !== undefined) {
                throw new Error(
                  `refused the gateway's audit-log checkpoint (${conflict.reason}): ${conflict.message}`,
                );
              }
              return Promise.resolve();
            },
          },
        ]),
    { name: 'database', run: async () => void (await store.query('SELECT 1')) },
    { name: 'global_conf', run: async () => void conf.index() },
    {
      name: 'clock',
      run: async () => {
        const measured = skew.clockSkewMs;
        if (measured === undefined || Math.abs(measured) <= skew.maxClockSkewMs) return;
        const seconds = Math.round(Math.abs(measured) / 1000);
        throw new Error(
          `clock is ${seconds} s ${measured > 0 ? 'ahead of' : 'behind'} the gateway's; ${skew.maxClockSkewMs / 1000} s tolerated`,
        );
      },
    },
    {
      name: 'certificates',
      run: async () => {
        const now = clock();
        for (const [name, certificate] of [
          ['sign', identity.signCertificate],
          ['auth', authCertificate],
        ] as const) {
          if (!certificate.isValidAt(now)) throw new Error(`${name} certificate is not valid now`);
        }
      },
    },
  ];
}
