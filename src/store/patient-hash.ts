/**
 * Pseudonymous patient key for the audit: HMAC-SHA256 with a secret from configuration. A plain hash of
 * an EHR patient id could be reversed by hashing every id in the EHR; the keyed hash cannot without the
 * key, yet the same patient still gets the same value, so per-patient analyses remain possible.
 */
import { createHmac } from 'node:crypto';

export function hashPatientId(key: string, patientId: string): string {
  return createHmac('sha256', key).update(patientId, 'utf8').digest('hex');
}
