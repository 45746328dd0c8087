/** Tests run TypeScript through ts-jest without type-checking each file (`tsc --noEmit` does that once). */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/tests'],
  testMatch: ['**/*.test.ts'],
  setupFiles: ['<rootDir>/tests/support/env.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
};
