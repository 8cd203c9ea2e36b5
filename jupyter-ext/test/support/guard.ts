/** The CI-aware guard is the bridge's (one rule for every suite in the project). */
export { guardedDescribe } from '../../../kernel-bridge/test/support/guard';
