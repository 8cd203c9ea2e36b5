/**
 * @go-slowmo/kernel-bridge: the bridge (server, sessions, sandbox, CLI) and,
 * re-exported, its protocol.
 */
export * from './protocol';
export { Bridge, type RunHandle, type RunObserver } from './bridge';
export { makeConfig, type BridgeConfig, type BridgeConfigInput, type Limits } from './config';
export { startServer, buildApp, type BridgeServer } from './server/app';
