/**
 * The topic's border: CSF-pressure disorders and headaches that look like SIH in a record but belong to other
 * work-ups, so this topic must not speak about them. Decided by codes first, text only where no code decides,
 * and a code that is deliberately outside can never come back in through its own display text:
 *
 *  - a concept (a Condition's code, an order's reason) with a CODE of a border set is outside, whatever else it
 *    says (G96.01 is inside the G96.0 hierarchy and displays "cerebrospinal fluid leak": still outside);
 *  - a concept whose only in-topic match is TEXT and whose text also names a border concept is outside
 *    ("orthostatic hypotension with headache");
 *  - a concept with an in-topic CODE and only border TEXT stays inside (the code decides).
 *
 * Patient level (`patientLevel`): an active border diagnosis in the record takes the whole record outside the
 * topic unless SIH is suspected by an in-topic CODE (a shunted patient's "low-pressure headache" text is
 * over-drainage until someone codes a spinal leak or SIH).
 *
 * ICD-10-CM G96.0x / G96.81x / G97.x one by one (clinical doc §2.4), the codes these rules rest on:
 */
export interface IcdBorderRow {
  code: string;
  display: string;
  side: 'inside' | 'outside';
  why: string;
  source: string;
}

export const ICD_BORDER_TABLE: readonly IcdBorderRow[] = [
  { code: 'G96.00', display: 'Cerebrospinal fluid leak, unspecified', side: 'inside', why: 'a leak of unstated site: read as a possible spinal leak (our reading)', source: 'clinical doc §2.4 [V]' },
  { code: 'G96.01', display: 'Cranial cerebrospinal fluid leak, spontaneous', side: 'outside', why: 'skull-base leak (rhinorrhoea, otorrhoea): CT cisternography / skull-base work-up', source: 'clinical doc §2.4 [V]' },
  { code: 'G96.02', display: 'Spinal cerebrospinal fluid leak, spontaneous', side: 'inside', why: 'the spinal leak behind SIH', source: 'clinical doc §2.4 [V]' },
  { code: 'G96.08', display: 'Other cranial cerebrospinal fluid leak', side: 'outside', why: 'post-surgical or traumatic skull-base leak', source: 'clinical doc §2.4 [V]' },
  { code: 'G96.09', display: 'Other spinal cerebrospinal fluid leak', side: 'inside', why: 'spinal leak', source: 'clinical doc §2.4 [V]' },
  { code: 'G96.810', display: 'Intracranial hypotension, unspecified', side: 'inside', why: 'the topic itself', source: 'clinical doc §2.4 [V]' },
  { code: 'G96.811', display: 'Intracranial hypotension, spontaneous', side: 'inside', why: 'the topic itself', source: 'clinical doc §2.4 [V]' },
  { code: 'G96.819', display: 'Other intracranial hypotension', side: 'inside', why: 'intracranial hypotension of another cause (e.g. after a spinal procedure): variants 2/3', source: 'clinical doc §2.4 [V]' },
  { code: 'G97.0', display: 'Cerebrospinal fluid leak from spinal puncture', side: 'inside', why: 'post-puncture leak: variants 2/3', source: 'clinical doc §2.4 [S]' },
  { code: 'G97.1', display: 'Other reaction to spinal and lumbar puncture', side: 'inside', why: 'post-lumbar-puncture headache indexes here: variants 2/3', source: 'clinical doc §2.4 [V] (indexing [U])' },
  { code: 'G97.2', display: 'Intracranial hypotension following ventricular shunting', side: 'outside', why: 'shunt over-drainage: shunt evaluation, not a leak search', source: 'clinical doc §2.4 [V]' },
  { code: 'G97.3x–G97.8x', display: 'Intraoperative and postprocedural complications of the nervous system', side: 'outside', why: 'not a CSF leak (haemorrhage, haematoma, other complications): no value set of this topic lists them', source: '[U] ICD-10-CM G97 block; our reading' },
];

export interface BorderDef {
  id: string;
  /** The value set in ./valuesets.ts. */
  valueSet: string;
  label: string;
  /** An active diagnosis in the record takes the record outside unless SIH is coded (see above). */
  patientLevel: boolean;
  why: string;
}

export const TOPIC_BORDER: readonly BorderDef[] = [
  { id: 'shunt', valueSet: 'border-shunt', label: 'shunt over-drainage', patientLevel: true, why: 'Intracranial hypotension from a ventricular shunt is evaluated as a shunt problem (shunt series, CSF flow study), not by a spinal leak search. Clinical doc §2.4 lists G97.2 apart from G96.81.' },
  { id: 'cranial-csf-leak', valueSet: 'border-cranial-csf-leak', label: 'cranial CSF leak', patientLevel: true, why: 'A skull-base leak (rhinorrhoea, otorrhoea, after sinus or skull-base surgery) is localised by CT / CT cisternography of the skull base; this topic is about spinal leaks (ICD-10-CM separates cranial G96.01/G96.08 from spinal G96.02/G96.09).' },
  { id: 'iih', valueSet: 'border-iih', label: 'idiopathic intracranial hypertension', patientLevel: false, why: 'High CSF pressure, the opposite disorder (the topic reads it only as the character of a headache after a patch, variant 6).' },
  { id: 'orthostatic-hypotension', valueSet: 'border-orthostatic-hypotension', label: 'orthostatic hypotension or POTS', patientLevel: true, why: 'An orthostatic picture from blood pressure or heart rate regulation, not from CSF volume: "orthostatic" here is not an orthostatic headache.' },
  { id: 'primary-headache', valueSet: 'border-primary-headache', label: 'migraine or another primary headache', patientLevel: false, why: 'Primary headaches are not suspected intracranial hypotension; a history of migraine does not take a patient with a coded orthostatic headache out of the topic, but an order for migraine is outside it.' },
];

export const BORDER_SETS: readonly string[] = TOPIC_BORDER.map((b) => b.valueSet);
export const PATIENT_LEVEL_BORDER_SETS: readonly string[] = TOPIC_BORDER.filter((b) => b.patientLevel).map((b) => b.valueSet);

/**
 * The in-topic value sets a border match overrides (never the rebound-headache set: G93.2 after a patch is
 * read as the character of a rebound headache, variant 6).
 */
export const IN_TOPIC_SETS: readonly string[] = [
  'sih-suspicion',
  'post-puncture-headache',
  'chronic-headache',
  'headache',
  'csf-leak-finding',
];
