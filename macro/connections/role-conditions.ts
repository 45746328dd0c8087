/**
 * "Covers" for identity statements with conditions. `role.ts` counts an identity Allow only when
 * it has no condition; a key grant on a role is conditioned by design (the state machine's
 * encryption context), so a statement already there with the same (or a broader) condition, or a
 * pattern that matches this connection's context, must count too — or every run would add it
 * again. This judges it for the concrete request, with the operators `covers.ts` knows.
 */
import { isObject, type Json } from '../template/json';
import type { TemplateModel } from '../template/model';
import { statementAllows } from './covers';
import { rolePolicies } from './role';
import type { Request } from './types';

const SELF = 'identity.local';

/** True when an identity statement (no Principal) allows `actions` on one of `resources` for a request with `context`. */
export function identityAllowsIn(statement: Json, actions: string[], resources: Json[], context: Request['context']): boolean {
  if (!isObject(statement) || statement.Principal !== undefined) return false;
  return statementAllows({ ...statement, Principal: { Service: SELF } }, { principal: SELF, actions, resources, context });
}

/** True when some policy of the role (inline, attached, AWS managed) allows the request, conditions judged. */
export function roleAllows(model: TemplateModel, role: string, condition: string | undefined, actions: string[], resources: Json[], context: Request['context']): boolean {
  return rolePolicies(model, role, condition).some((p) => p.statements.some((s) => identityAllowsIn(s, actions, resources, context)));
}
