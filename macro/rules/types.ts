/**
 * What a rule is. One file per rule exports one `Rule`; `rules/index.ts` orders them.
 * Rules read the template through the model and change it only through the context, which
 * records every change, so the report is complete by construction.
 */
import type { Json, JsonObject } from '../template/json';
import type { TemplateModel } from '../template/model';
import type { DependsOnOutcome } from '../template/depends-on';
import type { EnsureOptions, PolicyKind, StatementOutcome } from '../template/policies';
import type { ConnectionRecord } from '../report/connections';
import type { Severity } from '../report/records';
import type { KeyService } from '../preflight/kms';
import type { ApiGatewayAccountState } from '../preflight/apigateway';
import type { Guard } from '../template/resolve';

/** A template option a rule reads (`Metadata: {TapHardening: {<name>: value}}`). */
export interface RuleSetting {
  name: string;
  description: string;
  /** Returns the parsed value, or throws an Error whose message says what is accepted. */
  parse(value: Json): Json;
}

export interface Rule {
  /** Never reused: `S3-002`. */
  id: string;
  /** Imperative: "Block public access on buckets". */
  title: string;
  /** Why, in one to three sentences, naming the failure or risk it prevents. */
  rationale: string;
  /**
   * The resource types the engine hands to `apply`, in template order; `'*'` for every resource.
   * Empty for a rule about the template as a whole (see `applyTemplate`).
   */
  resourceTypes: string[];
  /**
   * What the rule may write, as `Type Path` prefixes (`AWS::S3::Bucket Properties.BucketEncryption`)
   * or a bare type for resources it may create. A write outside these is an internal error.
   */
  changes: string[];
  /** AWS documentation and aws-cdk-lib sources the rule follows. */
  references: string[];
  /** Detector ids whose finding the rule resolves (cdk-nag, Security Hub, checkov, cfn-lint, guard). */
  satisfies?: string[];
  settings?: RuleSetting[];
  /**
   * Writes whose update replaces an existing resource and that are the rule's documented fix, as
   * `Type Properties.Name` (`AWS::Lambda::Permission Properties.SourceArn`). The engine fails a
   * run in which a rule changes any other property of an input resource that the resource
   * specification marks as requiring replacement (DESIGN.md invariant 4), unless the template sets
   * `AllowReplacement: true`; the ones listed here are accepted and reported.
   */
  replaces?: string[];
  /** Runs once per resource of `resourceTypes`, except resources that skip the rule (`Metadata.TapHardening.Skip`). */
  apply?(resource: ResourceView, ctx: RuleContext): void;
  /**
   * Runs once per template, before `apply`, for what belongs to no resource: parameters, the region
   * the stack deploys to. A resource's Skip does not reach it; a template turns it off with
   * `Metadata.TapHardening.Rules`.
   */
  applyTemplate?(template: TemplateView, ctx: RuleContext): void;
}

/** The template as `applyTemplate` sees it. */
export interface TemplateView {
  /** `Parameters`, or an empty object when there are none. */
  parameters: JsonObject;
}

/** The resource a rule is applied to. */
export interface ResourceView {
  id: string;
  type: string;
  condition?: string;
  /** `Properties`, or an empty object when there are none. */
  properties: JsonObject;
}

export interface RuleContext {
  readonly model: TemplateModel;
  readonly region?: string;
  readonly accountId?: string;
  /**
   * What the account says about its API Gateway CloudWatch role in the stack's region, when the
   * preflight asked (preflight/apigateway.ts); undefined when it did not (`harden`, the CLI
   * without --preflight, or nothing in the template needs it).
   */
  readonly apiGatewayAccount?: ApiGatewayAccountState;
  /** The value of one of this rule's settings, as parsed, or undefined when not set. */
  setting(name: string): Json | undefined;
  /**
   * Writes a value and records it (`added` when nothing was there, else `updated`). `hint`, when
   * given, says in one line how the template could say this itself (recorded with the change).
   */
  set(resource: string, path: readonly (string | number)[], value: Json, detail: string, hint?: string): void;
  /**
   * Removes a value (a key, or one entry of a list) and records it as `removed`: the detail must
   * hold the removed value in full, so nothing is lost silently. A list entry is recorded at the
   * list's path (the indices after it shift).
   */
  remove(resource: string, path: readonly (string | number)[], detail: string, hint?: string): void;
  /**
   * Writes a value outside `Resources` (`['Parameters', 'Env', 'AllowedPattern']`) and records it
   * against resource `-` with the full path; declared in `changes` as that path (`Parameters.*.AllowedPattern`).
   */
  setTemplate(path: readonly (string | number)[], value: Json, detail: string, hint?: string): void;
  /** Adds a statement to the target's one policy (see `ensureStatement`), recording what happened. */
  ensureStatement(kind: PolicyKind, target: string, statement: JsonObject, detail: string, options?: EnsureOptions): StatementOutcome;
  /** Adds one line to the report's connections view (`macro/connections/apply.ts` does, for every connection). */
  connection(record: ConnectionRecord): void;
  /** Adds a DependsOn edge, recording it, or a finding saying why it could not be added. */
  dependsOn(from: string, to: string, detail: string): DependsOnOutcome;
  /**
   * Adds a new resource serving `owner` (it inherits the owner's Condition) and returns its id.
   * A resource that serves several resources at once (one per account and region) names a fixed
   * owner (`ApiGateway`) and states its condition: `options.condition`, a condition name or `null`
   * for none, replaces the owner's.
   */
  createResource(owner: string, suffix: string, body: JsonObject, detail: string, options?: { condition?: string | null }): string;
  /**
   * True when the resource asked to skip this rule (`Metadata.TapHardening.Skip`): for a rule
   * that decides once for several resources, which must leave out the ones that opted out.
   */
  skips(resource: string): boolean;
  /**
   * Asks for a key outside the template (a parameter value or literal) to be checked live before
   * the deploy (the KMS preflight): it exists, is enabled and symmetric, and its policy allows
   * the service. A key chosen by an `Fn::If` branch (`when`) that this deploy does not take, or on
   * a resource whose Condition is false, is not checked (reported instead).
   */
  checkKey(resource: string, path: string, key: { value?: string; parameter?: string; when?: readonly Guard[] }, service: KeyService): void;
  /** Records something the rule cannot or may not fix; `hint` says in one line how to fix it. */
  finding(resource: string, path: string, severity: Severity, detail: string, hint?: string): void;
  /** Ends the run: the template cannot be hardened as written. */
  fail(resource: string, path: string, message: string): never;
}
