import { Router, type Express } from 'express';
import { TAXPAYER_STATUS_SERVICE } from '../demo-data';
import { createBackendApp, methodNotAllowed, validateBody } from './backend-app';
import { sendProblem } from './problem';
import { requestValidator } from './request-validator';
import { TAXPAYERS, type TaxpayerStatus } from './tax-records';

const BY_REGISTER_NUMBER: ReadonlyMap<string, TaxpayerStatus> = new Map(
  TAXPAYERS.map((taxpayer) => [taxpayer.registerNumber, taxpayer]),
);

/**
 * The standing of the taxpayer with `registerNumber`: the body of
 * `tax/taxpayer-status`, or undefined for someone who was never a taxpayer.
 */
export function findTaxpayerStatus(registerNumber: string): TaxpayerStatus | undefined {
  return BY_REGISTER_NUMBER.get(registerNumber);
}

/**
 * The tax authority's backend (Татварын ерөнхий газар), for the service
 * `tax/taxpayer-status`: `POST /taxpayer-status` with
 * `{ "registerNumber": "УБ99010112" }` → 200 with the {@link TaxpayerStatus};
 * 404 (problem body naming the number) for someone who was never a
 * taxpayer; 400 with the schema's errors for a body that does not match
 * `taxpayer-status.request.schema.json`.
 */
export function createTaxAuthorityBackend(): Express {
  const router = Router();
  router.post(
    TAXPAYER_STATUS_SERVICE.backendPath,
    validateBody(requestValidator(TAXPAYER_STATUS_SERVICE)),
    (req, res) => {
      const { registerNumber } = req.body as { registerNumber: string };
      const taxpayer = findTaxpayerStatus(registerNumber);
      if (taxpayer === undefined) {
        sendProblem(res, 404, 'No taxpayer has this register number', { registerNumber });
        return;
      }
      res.json(taxpayer);
    },
  );
  router.all(TAXPAYER_STATUS_SERVICE.backendPath, methodNotAllowed('POST'));
  return createBackendApp(router);
}
