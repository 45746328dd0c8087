/** The key helpers live with the connection model (`macro/connections/keys.ts`); rules import them from here too. */
export { keysOf, isSymmetricEncryptionKey, type KeyTarget, type ExternalKey } from '../../connections/keys';
