import { Router, type Express } from 'express';
import { CONTRIBUTIONS_SERVICE } from '../demo-data';
import { createBackendApp, methodNotAllowed, validateBody } from './backend-app';
import { contributionHistory } from './contribution-records';
import { sendProblem } from './problem';
import { requestValidator } from './request-validator';

/** A request body that has passed `contributions.request.schema.json`. */
interface ContributionsRequest {
  readonly registerNumber: string;
  readonly from?: string;
  readonly to?: string;
}

/**
 * The social insurance office's backend (Нийгмийн даатгалын ерөнхий газар),
 * for the service `social-insurance/contributions`: `POST /contributions`
 * with `{ "registerNumber": "УБ99010112", "from": "2024-01", "to": "2024-06" }`
 * (`from` and `to` optional, both included) → 200 with the
 * `ContributionHistory` (an empty list when nothing was paid in the range);
 * 404 (problem body naming the number) for someone never insured; 400 with
 * the schema's errors for a body that does not match
 * `contributions.request.schema.json`, and 400 when `from` is after `to`.
 */
export function createSocialInsuranceBackend(): Express {
  const router = Router();
  router.post(
    CONTRIBUTIONS_SERVICE.backendPath,
    validateBody(requestValidator(CONTRIBUTIONS_SERVICE)),
    (req, res) => {
      const { registerNumber, from, to } = req.body as ContributionsRequest;
      if (from !== undefined && to !== undefined && from > to) {
        sendProblem(res, 400, `The range is empty: from (${from}) is after to (${to})`);
        return;
      }
      const history = contributionHistory(registerNumber, from, to);
      if (history === undefined) {
        sendProblem(res, 404, 'Nobody insured has this register number', { registerNumber });
        return;
      }
      res.json(history);
    },
  );
  router.all(CONTRIBUTIONS_SERVICE.backendPath, methodNotAllowed('POST'));
  return createBackendApp(router);
}
