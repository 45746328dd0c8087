/**
 * CloudFormation modules: a resource of type `<Org>::<Service>::<Name>::MODULE` stands for the
 * resources of the module, which CloudFormation adds when it processes the template. A resource
 * inside a module is referred to by the module's logical id and the resource's logical id within
 * the module, "with or without using a period (.) between them" ("Reference module resources in
 * CloudFormation templates", CloudFormation User Guide): `!Ref MyModule.S3Bucket`,
 * `!Ref MyModuleS3Bucket`, `!GetAtt MyModule.S3Bucket.Arn`, `DependsOn: MyModuleS3Bucket`. The
 * module's own resources are not in the template the macro sees, so such a name cannot be checked
 * here: it is not dangling.
 */
import type { TemplateModel } from './model';

const MODULE_TYPE = /^[A-Za-z0-9]+::[A-Za-z0-9]+::[A-Za-z0-9]+::MODULE$/;

/** True when the type is a CloudFormation module (`My::S3::SampleBucket::MODULE`). */
export function isModuleType(type: string | undefined): boolean {
  return type !== undefined && MODULE_TYPE.test(type);
}

/**
 * The module whose resources a name may refer to: a module's logical id followed by more of the
 * name (`MyModuleS3Bucket`, `MyModule.S3Bucket`, `MyModule.S3Bucket.Arn`), or undefined. The
 * longest module id wins, when one module's id begins another's.
 *
 * @example
 * moduleOf(model, 'MyBucketS3Bucket'); // 'MyBucket' (a My::S3::SampleBucket::MODULE)
 */
export function moduleOf(model: TemplateModel, name: string): string | undefined {
  let best: string | undefined;
  for (const id of model.ids()) {
    if (name.length > id.length && name.startsWith(id) && isModuleType(model.type(id)) && (best === undefined || id.length > best.length)) best = id;
  }
  return best;
}
