export * from './identifier';
export * from './parse';
export * from './format';
