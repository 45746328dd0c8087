/**
 * Where a user's report links to: the rule documentation hosted with the package's source, at
 * the tag of the release that produced the report (`…/blob/v0.2.0/docs/rules.md#s3-002`), so a
 * link in a pull request comment or a code-scanning alert opens the rules that ran, not the
 * newest ones, and never a path that exists only in this repository.
 */
import { homepage, repository } from '../../package.json';
import { RELEASE } from '../version';

/** The repository's web address, from package.json's `repository` (else `homepage`). */
export function repositoryUrl(): string {
  const url = typeof repository === 'string' ? repository : repository.url;
  return url.replace(/^git\+/, '').replace(/\.git$/, '').replace(/#.*$/, '') || homepage.replace(/#.*$/, '');
}

/**
 * The hosted docs/rules.md of this release.
 *
 * @example
 * hostedDocsUrl(); // 'https://github.com/tap-hardening/tap-hardening/blob/v0.2.0/docs/rules.md'
 */
export function hostedDocsUrl(): string {
  return `${repositoryUrl()}/blob/v${RELEASE}/docs/rules.md`;
}

/** The anchor of a rule in docs/rules.md (the generator's heading ids: `S3-002` → `#s3-002`). */
export function ruleDocUrl(docs: string, id: string): string {
  return `${docs.replace(/#.*$/, '')}#${id.toLowerCase()}`;
}
