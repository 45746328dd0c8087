/**
 * The macro's version, written into every report so a processed template tells what hardened it.
 * package.json's version, plus the commit it was built from (`0.2.0+1a2b3c4`, SemVer build
 * metadata) when scripts/build.mjs built it inside a git checkout: it injects
 * `TAP_HARDENING_BUILD` with esbuild's `define`. Run from source (tests) or built outside git (an
 * unpacked tarball, SAM's own esbuild build), it is the plain version.
 */
import { version } from '../package.json';

declare const TAP_HARDENING_BUILD: string | undefined;

/** The release, without build metadata: what tags (`v0.2.0`), docs links and SAR use. */
export const RELEASE: string = version;

export const VERSION: string = typeof TAP_HARDENING_BUILD === 'string' && TAP_HARDENING_BUILD !== '' ? `${version}+${TAP_HARDENING_BUILD}` : version;
