/** The provider proxy: what the gateway delivers to, and the backend calls behind it. */
export { createProviderProxyApp, type ProviderProxyOptions } from './provider-proxy-app';
export { ProviderDelivery, type DeliveryResult, type ProviderDeliveryDeps } from './provider-delivery';
export { takeAnswer, type TakeAnswerDeps } from './take-answer';
export { checkDelivery, type AcceptedDelivery, type ProviderScope } from './check-delivery';
export { findBackendRoute, type BackendRoute } from './backend-route';
export { backendUrl, buildBackendRequest, type BackendRequest } from './backend-request';
export {
  DEFAULT_CONTENT_TYPE,
  answerParams,
  buildBackendAnswer,
  type BackendResponse,
} from './backend-answer';
export { BackendClient, type BackendClientOptions } from './backend-client';
export { isGatewayCertificate, requireGateway } from './gateway-only';
export { readMessage } from './read-message';
export { ProviderMetrics } from './provider-metrics';
export { fromHeaderValue, toHeaderValue } from './header-text';
