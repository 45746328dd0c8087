// The handler's structured log line is for CloudWatch; tests assert on responses instead.
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
delete process.env.TAP_HARDENING_DEFAULTS;
