/**
 * The sample agency backends of the demo network: one express app per
 * providing agency, not listening until {@link startBackend} serves it.
 */
import type { Express } from 'express';
import type { AgencyKey } from '../demo-data';
import { createCivilRegistryBackend } from './civil-registry-backend';
import { createSocialInsuranceBackend } from './social-insurance-backend';
import { createTaxAuthorityBackend } from './tax-authority-backend';

export { BODY_LIMIT_BYTES, createBackendApp } from './backend-app';
export { addressesOf, type Certificate, type RegisteredAddress } from './civil-registry-api';
export { createCivilRegistryBackend, findPerson } from './civil-registry-backend';
export {
  CONTRIBUTION_PERCENT,
  EMPLOYMENT,
  FIRST_MONTH,
  LAST_MONTH,
  contributionHistory,
  type Contribution,
  type ContributionHistory,
  type EmploymentSpell,
  type Month,
} from './contribution-records';
export { PROBLEM_CONTENT_TYPE, problem, type Problem } from './problem';
export { createSocialInsuranceBackend } from './social-insurance-backend';
export { DEFAULT_BACKEND_HOST, startBackend, type RunningBackend } from './start-backend';
export { createTaxAuthorityBackend, findTaxpayerStatus } from './tax-authority-backend';
export { TAXPAYERS, type Money, type TaxpayerStatus, type TaxpayerStatusCode } from './tax-records';

/** The backend factory of each providing agency, by its key in `AGENCIES`. */
export const BACKEND_FACTORIES: Readonly<Record<Exclude<AgencyKey, 'eServices'>, () => Express>> = {
  civilRegistry: createCivilRegistryBackend,
  tax: createTaxAuthorityBackend,
  socialInsurance: createSocialInsuranceBackend,
};
