/**
 * @go-slowmo/kernel-bridge. The server, sessions and CLI arrive with the
 * kernel-bridge issue; today the package is its protocol.
 */
export * from './protocol';
