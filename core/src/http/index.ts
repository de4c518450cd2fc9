/** HTTP helpers both servers use: hardened listeners, the one body reader and the strict JSON reader. */
export { readAnswerBody } from './read-answer-body';
export { listenerRefusals } from './listener-refusals';
export {
  DEFAULT_LISTENER_LIMITS,
  bodyIdleTimeoutOf,
  createHardenedServer,
  type HardenedServerOptions,
  type ListenerLimits,
} from './harden-server';
export {
  readJsonBody,
  readRequestBody,
  type ReadJsonBodyOptions,
  type ReadRequestBodyOptions,
} from './read-request-body';
export {
  DEFAULT_MAX_JSON_DEPTH,
  checkJsonText,
  isStorableText,
  parseStrictJson,
  type StrictJsonOptions,
} from './strict-json';
export {
  DEFAULT_LISTENER_CONFIG,
  listenerConfigSchema,
  listenerLimitsOf,
  type ListenerConfig,
} from './listener-config';
