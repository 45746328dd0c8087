/**
 * The connection model's vocabulary. A connection is one service reaching one resource because a
 * property of the template says so (a bucket's `QueueConfigurations[0].Queue`, a trail's
 * `S3BucketName`); a kind of connection says once what it needs (its grants), and `applyConnection`
 * puts those grants into the template through the rule context, so rules stay thin.
 *
 * The model follows aws-cdk-lib's grant vocabulary (`Grant.addToPrincipalOrResource`,
 * `topic.grantPublish`, `aws-s3-notifications`): grantee, actions, resource, conditions; the
 * resource's half goes into its one resource policy, the caller's half onto its role, the key's
 * half into the key policy when the resource or the channel is encrypted.
 */
import type { Json, JsonObject } from '../template/json';
import type { PolicyKind } from '../template/policies';
import type { Guard } from '../template/resolve';
import type { KeyService } from '../preflight/kms';
import type { RuleContext } from '../rules/types';
import type { LogsPolicyGrant } from './logs-resource-policy';
import type { PermissionGrant } from './permission';
import type { RoleGrant } from './role';

/**
 * The ARN of the acting source, as a grant's `aws:SourceArn` (or `SourceArn`) should say it.
 *
 * `pinned`: the ARN of exactly this source, built from its name with `Fn::Sub` so that it never
 * refers to the source resource (a `GetAtt` would close a cycle whenever the source must wait for
 * the grant: the bucket for its queue policy, the trail for its bucket policy).
 *
 * Not pinned: no name is known without referring to the source; `pattern` is the documented
 * fallback (the ARN with `*` where the name goes, e.g. `arn:<p>:cloudtrail:<r>:<a>:trail/*`), or
 * undefined when the source's ARN carries no account and only `aws:SourceAccount` can scope the
 * grant (S3 buckets). `why` and `fix` say why and what makes it pinned; the grant is then reported
 * as a warning.
 */
export type SourceArn =
  | {
      pinned: true;
      /** `{ 'Fn::Sub': 'arn:${AWS::Partition}:s3:::acme-uploads' }` */
      arn: Json;
      /**
       * The name holds a literal `*` or `?` (or a parameter value that does): the ARN must be
       * matched exactly (`StringEquals`), never as a pattern (`ArnLike`).
       */
      exact: boolean;
      /** Every way the template may spell this ARN (the name-built Sub, `GetAtt X.Arn`, `Ref X`), for judging existing statements. */
      spellings: Json[];
    }
  | {
      pinned: false;
      pattern?: Json;
      spellings: Json[];
      /** `Uploads has no BucketName` */
      why: string;
      /** `give Uploads a BucketName built from literals, parameters and pseudo parameters` */
      fix: string;
      /** The rule already reported the fallback (with its own option), so `applyConnection` does not repeat it. */
      reported?: boolean;
    };

/** One connection found in the template. */
export interface Connection {
  /** The kind's id (`s3-notification-queue`). */
  kind: string;
  /** The rule that owns the kind (`S3N-002`). */
  rule: string;
  /** Logical id of the resource whose service acts (the bucket). */
  source: string;
  /** Logical id of the resource it reaches (the queue). */
  destination: string;
  /** The property of the source (or destination) that makes the connection. */
  path: string;
  /** The acting service principal (`s3.amazonaws.com`), when there is one. */
  principal?: string;
  sourceArn?: SourceArn;
  /**
   * The `Fn::If` branches under which the property names this destination (empty: always). The
   * connection also exists only when the source's and destination's own `Condition`s hold; grants
   * written into the destination's policy inherit the destination's condition by construction.
   */
  when: Guard[];
}

/**
 * What a concrete connection asks of one statement, for deciding whether a statement already in
 * the policy covers it: the principal, the actions, the resource, and the request context the
 * service sends (`aws:SourceArn`, `aws:SourceAccount`, `kms:EncryptionContext:…`), each as every
 * spelling the template may use for the same value.
 */
export interface Request {
  /** The service principal (`s3.amazonaws.com`, or a `Fn::Sub` for a regional one). */
  principal: Json;
  actions: string[];
  /** Spellings of the one resource the actions are on (`*` for a key policy). */
  resources: Json[];
  /** Condition key (any case) → the spellings of its value in this connection's requests. */
  context: Record<string, Json[]>;
}

/** A statement in the destination's (or key's) one resource policy. */
export interface PolicyGrant {
  to: 'policy';
  policy: PolicyKind;
  /** The bucket, queue, topic or key whose one policy gets the statement. */
  target: string;
  statement: JsonObject;
  request: Request;
  /** One line for the report (`s3.amazonaws.com sqs:SendMessage from Uploads`). */
  detail: string;
  /**
   * The source waits for this policy: a condition value there that names the source's ARN by
   * reference (a cycle) is rewritten to the pinned, name-built ARN first (`rewrite.ts`).
   */
  pinSourceReferences?: boolean;
}

/**
 * The key half: the destination (or channel) is encrypted with the key `value` names. A key of
 * the template gets `statement(key)` in its key policy (unless one covering `request` is there); a
 * key outside the template is checked by the KMS preflight for `service`; an AWS managed key,
 * whose policy cannot be changed, is a finding.
 */
export interface KeyGrant {
  to: 'key';
  /** The resource whose property names the key, and where (`SecureQueue`, `Properties.KmsMasterKeyId`). */
  owner: string;
  path: string;
  value: Json;
  service: KeyService;
  statement: JsonObject;
  request: Request;
  detail: string;
  /** Aliases of AWS managed keys that cannot serve this connection (`alias/aws/sqs`). */
  managedAliases?: RegExp;
  /** False when another grant of the connection already handed the same value's external keys to the preflight. */
  checksExternal?: boolean;
  /** As for `PolicyGrant`: the source waits for the key, so references to it are rewritten to the pinned ARN. */
  pinSourceReferences?: boolean;
}

/**
 * The ordering edge: `from` must be created after `after` (a resource id, or the one policy of a
 * target as the policy grants left it).
 */
export interface OrderGrant {
  to: 'order';
  from: string;
  after: string | { policy: PolicyKind; target: string };
  /** Why CloudFormation needs the order (`S3 validates notification destinations when it creates the bucket`). */
  detail: string;
  /**
   * What to tell the user when the edge would close a cycle: the finding goes on the resource
   * waited for, at `path`; `consequence` says what fails, `rewrite` how to break a reference to
   * `from` (a cycle through a DependsOn is told to remove it).
   */
  onCycle?: { path: string; consequence: string; rewrite: string };
}

export type Grant = PolicyGrant | KeyGrant | OrderGrant | PermissionGrant | RoleGrant | LogsPolicyGrant;

/**
 * One entry of the catalogue: a kind of connection, said once. `grants` returns what the
 * connection needs, in the order they must be applied (policy and key statements before the
 * ordering edge that waits for them).
 */
export interface ConnectionKind {
  id: string;
  rule: string;
  principal?: string;
  /** One-line summary for docs (`S3 bucket notification → SQS queue`). */
  title: string;
  /** AWS pages and aws-cdk-lib files the grants follow (title + the requirement). */
  references: string[];
  grants(connection: Connection, ctx: RuleContext): Grant[];
}
