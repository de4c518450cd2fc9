export { type ConfigProblem } from './config-problem';
export { ENV_KEYWORD } from './config-schema';
export { loadConfig, type LoadConfigOptions } from './load-config';
