/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'jsdom',
  roots: ['<rootDir>/test'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.test.json' }],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper: {
    '\\.css$': '<rootDir>/test/support/style-stub.js',
    // Tests use the protocol's source, so they need no build of kernel-bridge first.
    '^@go-slowmo/kernel-bridge/protocol$': '<rootDir>/../kernel-bridge/src/protocol/index.ts',
  },
};
