// The handler's structured log line and its EMF metrics are for CloudWatch; tests assert on responses
// instead (tests/handler/operations.test.ts turns both on in a child process).
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
delete process.env.TAP_HARDENING_DEFAULTS;
process.env.POWERTOOLS_METRICS_DISABLED = 'true';
