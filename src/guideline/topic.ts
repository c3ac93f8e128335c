/**
 * The ACR topic this service encodes: title, citation and where a clinician can read the original.
 *
 * Source: /work/shared/clinical/acr-intracranial-hypotension.md §1 (title, citation, panel and year from the
 * JACR record, https://ouci.dntb.gov.ua/en/works/4VjKErb4 and the WUSTL profile page).
 */

export interface TopicDef {
  /** Verbatim ACR title (with the registered-trademark sign, as the ACR prints it). */
  title: string;
  year: number;
  panel: string;
  citation: string;
  doi: string;
  /** Links cards can offer: the article (doi) and the ACR search portal (no per-topic URL was verified). */
  doiUrl: string;
  acrUrl: string;
  /** Said wherever the ratings are shown for review: where the numbers come from and how sure we are. */
  dataCaution: string;
}

export const TOPIC: TopicDef = {
  title: 'ACR Appropriateness Criteria® Imaging of Suspected Intracranial Hypotension',
  year: 2024,
  panel: 'Expert Panel on Neurological Imaging',
  citation: 'J Am Coll Radiol 2024;21(11S):S396–S412',
  doi: '10.1016/j.jacr.2024.08.020',
  doiUrl: 'https://doi.org/10.1016/j.jacr.2024.08.020',
  // §1: no ACR topic id or acsearch document id was found, so cards link the portal's topic list.
  acrUrl: 'https://acsearch.acr.org/list',
  // §1.1 and §4: the rating table comes from a third-party copy of the ACR data set (charlieliu9999/acrac-web
  // @34cfc0f, ACR_Rec.xlsx + ACR_NotRec.xlsx), corroborated for Variant 5 by the seed article and partly by
  // secondary sites; nothing was checked against an ACR-hosted page.
  dataCaution:
    'Ratings are transcribed from a third-party copy of the ACR Appropriateness Criteria data set, not from an ' +
    'ACR download; Variant 5 matches the seed article and other variants are partly corroborated by secondary ' +
    'sources. Whether Variants 4 and 5 list further procedures in the official table is unconfirmed. Check ' +
    'against the ACR publication before clinical use.',
};
