/**
 * The connections view of the report: one line per service-to-service connection the template
 * makes (a bucket notifying a queue, a trail writing to a bucket, a rule targeting a function),
 * saying what hardening added so that the connection works, or why nothing was needed.
 * Produced by the connection model (`macro/connections/`); rendered by every report format.
 */

/** What the connection needed and got. */
export type ConnectionStatus =
  /** Hardening added at least one grant (statement, role permission, key statement, DependsOn). */
  | 'added'
  /** Everything the connection needs was already in the template (possibly under another Sid, or narrower). */
  | 'present'
  /** The connection needs something hardening may not or cannot add: see `reason` and the findings. */
  | 'finding'
  /** The source or destination asked to skip the rule, or the connection is outside the template (external). */
  | 'skipped';

export interface ConnectionRecord {
  /** The rule that owns this connection kind (`S3N-002`). */
  rule: string;
  /** The connection kind, short and stable (`s3-notification-queue`, `cloudtrail-topic`). */
  kind: string;
  /** Logical id of the resource whose service acts (the bucket, the trail, the event rule). */
  source: string;
  /** Logical id of the resource it reaches (the queue, the bucket, the function), or the external value as written. */
  destination: string;
  /** The service principal that acts (`s3.amazonaws.com`), when there is one. */
  principal?: string;
  status: ConnectionStatus;
  /** One short line per grant added (`queue policy QueuePolicy: sqs:SendMessage for s3.amazonaws.com`). */
  added: string[];
  /** Why nothing was added, or what is missing (one sentence). */
  reason?: string;
}
