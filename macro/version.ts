/** The macro's version, from package.json: written into every report so a processed template tells what hardened it. */
import { version } from '../package.json';

export const VERSION: string = version;
