/**
 * The six clinical variants of the 2024 topic.
 *
 * Source: variant texts verbatim from /work/shared/clinical/acr-ratings.csv (column variant_text), which is
 * /work/shared/clinical/acr-intracranial-hypotension.md §1.3; phase is the last sentence of each text.
 * The short names are our own words for card summaries.
 */
import type { VariantDef, VariantId } from './types.js';

export const VARIANTS: Readonly<Record<VariantId, VariantDef>> = {
  1: {
    id: 1,
    text:
      'Adult. Orthostatic headache from suspected intracranial hypotension, without recent spinal intervention ' +
      'that could cause CSF leakage. Initial imaging.',
    shortName: 'V1: orthostatic headache, no recent spinal intervention',
    phase: 'Initial imaging',
  },
  2: {
    id: 2,
    text:
      'Adult. Orthostatic headache from suspected intracranial hypotension within 72 hours of dural puncture or ' +
      'other spinal intervention that could cause CSF leakage. Initial imaging.',
    shortName: 'V2: within 72 h of dural puncture or spinal intervention',
    phase: 'Initial imaging',
  },
  3: {
    id: 3,
    text:
      'Adult. Orthostatic headache from suspected intracranial hypotension without improvement post 72 hours of ' +
      'dural puncture or other spinal intervention that could cause CSF leakage. Initial imaging.',
    shortName: 'V3: no improvement 72 h after dural puncture or spinal intervention',
    phase: 'Initial imaging',
  },
  4: {
    id: 4,
    text:
      'Adult. Obtundation with initial brain imaging features of suspected intracranial hypotension. Next ' +
      'imaging study.',
    shortName: 'V4: obtundation with brain imaging features of SIH',
    phase: 'Next imaging study',
  },
  5: {
    id: 5,
    text:
      'Adult. Chronic daily headache from suspected intracranial hypotension with negative initial brain and ' +
      'spine imaging, but with history and clinical examination suggesting CSF leakage. Next imaging study.',
    shortName: 'V5: chronic headache, negative initial MRI',
    phase: 'Next imaging study',
  },
  6: {
    id: 6,
    text:
      'Adult. Rebound headache following epidural blood patch or fibrin glue patch treatment for suspected ' +
      'intracranial hypotension. Initial imaging.',
    shortName: 'V6: rebound headache after epidural blood or fibrin glue patch',
    phase: 'Initial imaging',
  },
};
