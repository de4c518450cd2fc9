export * from './canonical-json';
export * from './digest';
export * from './envelope';
export * from './message-body';
export * from './build-envelope';
export * from './jws';
export * from './message-signature';
