/** The client proxy: X-Road's REST protocol for the agency's own systems. */
export { createClientProxyApp } from './client-proxy-app';
export { callService, GATEWAY_GRACE_MS } from './service-call';
export { MessageAnswers } from './message-answers';
export { callMetaservice, type MetaserviceRoute } from './metaservice-call';
export { messageUrlOf, providerMemberOf, type ExchangeContext } from './exchange-context';
export { parseProxyRoute, decodePart, MAX_URL_LENGTH, type ProxyRoute } from './proxy-route';
export {
  clientOf,
  messageBodyOf,
  preferencesOf,
  requestParamsOf,
  DEFAULT_CONTENT_TYPE,
  type ServiceRequest,
} from './request-envelope';
export { httpAnswerOf, jsonAnswer, xRoadHeadersOf, type HttpAnswer } from './http-answer';
export {
  allowedMethods,
  listClients,
  listMethods,
  type ClientList,
  type ServiceList,
  type XRoadClientId,
  type XRoadServiceId,
} from './metaservices';
export { openApiOf, registeredOpenApi, type OpenApiSource } from './openapi-from-schemas';
export { ServiceSchemas, type ServiceSchemasOptions } from './service-schemas';
export { clientProxyErrorHandler } from './error-handler';
export { clientProxyMetrics, type ClientProxyMetrics } from './client-proxy-metrics';
