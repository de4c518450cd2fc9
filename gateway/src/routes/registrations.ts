import { Router } from 'express';
import { OrtooError, toOrtooError } from '../../../core/src';
import type { RouterFactory } from '../app';
import { principalOf } from '../middleware/authenticate';
import { validateBody } from '../middleware/validate-body';
import { findCertificate } from '../registry/certificate-repository';
import {
  approveRegistration,
  describeRegistration,
  issueRegistrationToken,
  rejectRegistration,
  submitRegistration,
  type RegistrationSubmission,
} from '../registry/registration-flow';
import {
  findRegistration,
  listRegistrations,
  type RegistrationStatus,
} from '../registry/registration-repository';
import { pageRequest, toPage } from './pagination';
import { registryChange } from './admin-change';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function registrationId(value: unknown): string {
  if (typeof value !== 'string' || !UUID.test(value))
    throw new OrtooError('NotFound', 'No such registration');
  return value;
}

const STATUSES: readonly RegistrationStatus[] = ['pending', 'approved', 'rejected'];

/**
 * The registration of security servers: tokens (admin), submission (the
 * server, with its one-time token), decisions (admin), and the result the
 * server polls for its certificates.
 */
export const registrationsRouter: RouterFactory = (deps, guards) => {
  const router = Router();
  const { config } = deps;

  router.post(
    '/v1/registration-tokens',
    guards.write,
    validateBody(deps.schemas, 'registration-token-create'),
    async (req, res) => {
      const { securityServerId } = req.body as { securityServerId: string };
      const issued = await registryChange(
        deps,
        res,
        (tx) =>
          issueRegistrationToken(tx, {
            securityServerId,
            instance: config.instance,
            createdBy: principalOf(res).name,
            now: deps.clock(),
            validitySeconds: config.registration.tokenValiditySeconds,
          }),
        (result) => ({
          action: 'registration-tokens.create',
          id: result.id,
          securityServer: securityServerId,
        }),
      );
      res.status(201).json(issued);
    },
  );

  // The security server has no bearer token: its one-time registration token is its credential.
  router.post('/v1/registrations', validateBody(deps.schemas, 'registration-submit'), async (req, res) => {
    const submission = req.body as RegistrationSubmission;
    const actor = submission.securityServerId;
    try {
      const registration = await deps.audit.transaction(async (tx, record) => {
        const submitted = await submitRegistration(tx, submission, {
          instance: config.instance,
          now: deps.clock(),
        });
        await record({
          event: 'registration-submitted',
          outcome: 'ok',
          actor,
          securityServer: actor,
          detail: { id: submitted.id, address: submitted.address },
        });
        return submitted;
      });
      res.status(202).json(registration);
    } catch (thrown) {
      const error = toOrtooError(thrown);
      await deps.audit.record({
        event: 'registration-refused',
        outcome: error.status >= 500 ? 'failed' : 'refused',
        errorType: error.type,
        actor,
        securityServer: actor,
      });
      throw error;
    }
  });

  router.get('/v1/registrations', guards.read, async (req, res) => {
    const status = req.query.status;
    if (status !== undefined && !STATUSES.includes(status as RegistrationStatus)) {
      throw new OrtooError('BadRequest', `status must be one of ${STATUSES.join(', ')}`);
    }
    const page = pageRequest(req);
    const rows = await listRegistrations(deps.store, status as RegistrationStatus | undefined, page);
    res.json(toPage(rows, page, (registration) => registration.id));
  });

  router.get('/v1/registrations/:id', guards.read, async (req, res) => {
    res.json(await describeRegistration(deps.store, registrationId(req.params.id)));
  });

  router.post('/v1/registrations/:id/approve', guards.write, async (req, res) => {
    const id = registrationId(req.params.id);
    const approved = await registryChange(
      deps,
      res,
      (tx) =>
        approveRegistration(tx, id, {
          ca: deps.trust.ca,
          now: deps.clock(),
          approvedBy: principalOf(res).name,
          certificateValidityDays: config.registration.certificateValidityDays,
        }),
      (result) => ({
        action: 'registrations.approve',
        id,
        securityServer: result.registration.securityServerId,
        certificates: [result.sign.serial, result.auth.serial],
      }),
    );
    res.json(approved.registration);
  });

  router.post(
    '/v1/registrations/:id/reject',
    guards.write,
    validateBody(deps.schemas, 'registration-reject'),
    async (req, res) => {
      const id = registrationId(req.params.id);
      const { reason } = req.body as { reason: string };
      const rejected = await registryChange(
        deps,
        res,
        (tx) => rejectRegistration(tx, id, { now: deps.clock(), rejectedBy: principalOf(res).name, reason }),
        (result) => ({ action: 'registrations.reject', id, securityServer: result.securityServerId, reason }),
      );
      res.json(rejected);
    },
  );

  // Polled by the registering server. The id is a random UUID only that server
  // was given, and certificates are public, so no credential is needed here.
  router.get('/v1/registrations/:id/result', async (req, res) => {
    const registration = await findRegistration(deps.store, registrationId(req.params.id));
    if (registration === undefined) throw new OrtooError('NotFound', 'No such registration');
    const pemOf = async (serial: string | undefined) =>
      serial === undefined ? undefined : (await findCertificate(deps.store, serial))?.pem;
    res.json({
      status: registration.status,
      ...(registration.decisionReason === undefined ? {} : { reason: registration.decisionReason }),
      signCertificate: await pemOf(registration.signCertificateSerial),
      authCertificate: await pemOf(registration.authCertificateSerial),
      caCertificate: deps.trust.ca.certificate.pem,
    });
  });

  return router;
};
