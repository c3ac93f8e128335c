/**
 * Pseudonymous patient key for the audit: HMAC-SHA256 with a secret from configuration. A plain hash of
 * an EHR patient id could be reversed by hashing every id in the EHR; the keyed hash cannot without the
 * key, yet the same patient still gets the same value, so per-patient analyses remain possible.
 */
import { createHmac, createSecretKey, type KeyObject } from 'node:crypto';

/** The key imported once (a process has one or two): a string key is re-imported on every createHmac. */
const KEYS = new Map<string, KeyObject>();
function keyObject(key: string): KeyObject {
  let k = KEYS.get(key);
  if (k === undefined) {
    k = createSecretKey(Buffer.from(key, 'utf8'));
    if (KEYS.size < 8) KEYS.set(key, k);
  }
  return k;
}

export function hashPatientId(key: string, patientId: string): string {
  return createHmac('sha256', keyObject(key)).update(patientId, 'utf8').digest('hex');
}

const FINGERPRINTS = new Map<string, string>();

/**
 * The id of an audit hash key when the operator names none (AUDIT_HASH_KEY_ID): a keyed fingerprint of the
 * key itself ("fp-" + 12 hex). It tells rows hashed under different keys apart after a rotation and cannot
 * be turned back into the key. Kept per key (a process has one or two).
 */
export function hashKeyFingerprint(key: string): string {
  let fp = FINGERPRINTS.get(key);
  if (fp === undefined) {
    fp = `fp-${createHmac('sha256', key).update('sih-cds audit hash key id', 'utf8').digest('hex').slice(0, 12)}`;
    if (FINGERPRINTS.size < 8) FINGERPRINTS.set(key, fp);
  }
  return fp;
}
