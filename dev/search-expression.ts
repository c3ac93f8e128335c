/**
 * Narrowing a shared R4 SearchParameter expression to the one resource type being searched.
 *
 * Why: many R4 search parameters are shared by dozens of types with one union expression, e.g. `patient`
 * (1,386 characters: `AllergyIntolerance.patient | CarePlan.subject.where(resolve() is Patient) | …`) and
 * `code` (`AllergyIntolerance.code | … | Observation.code | …`). Medplum's memory repository evaluates the
 * whole union on every resource, so `Observation?patient=X` over 2,000 Observations took 4–7 s here.
 * On an Observation only the `Observation.…` branches can ever yield anything, so keeping just those gives
 * the same matches at a fraction of the cost. (Medplum's Postgres server never evaluates these expressions
 * at search time, which is why upstream never needed this.)
 *
 * Pure string work, no Medplum import. Conservative: if any branch does not start with a concrete type name
 * the expression is returned unchanged.
 */

/** Split on `|` that is not inside parentheses or a string literal. */
export function splitTopLevelUnion(expression: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote: string | undefined;
  let start = 0;
  for (let i = 0; i < expression.length; i++) {
    const ch = expression[i];
    if (quote) {
      if (ch === '\\') i++;
      else if (ch === quote) quote = undefined;
    } else if (ch === "'" || ch === '"' || ch === '`') quote = ch;
    else if (ch === '(') depth++;
    else if (ch === ')') depth--;
    else if (ch === '|' && depth === 0) {
      parts.push(expression.slice(start, i).trim());
      start = i + 1;
    }
  }
  parts.push(expression.slice(start).trim());
  return parts;
}

/** `(Observation.value as Quantity)` → `Observation`; `%resource.x` → undefined. */
function leadingTypeName(branch: string): string | undefined {
  return /^\(*\s*([A-Z][A-Za-z]*)\./.exec(branch)?.[1];
}

/**
 * The branches of `expression` that apply to `resourceType`, re-joined with ` | `; the input unchanged when
 * it is not a union, when a branch has no concrete leading type (`Resource.id`, `%resource`, `extension`),
 * or when no branch names `resourceType`.
 */
export function narrowExpressionToType(
  expression: string,
  resourceType: string,
  isConcreteType: (name: string) => boolean,
): string {
  const branches = splitTopLevelUnion(expression);
  if (branches.length < 2) return expression;
  const kept: string[] = [];
  for (const branch of branches) {
    const type = leadingTypeName(branch);
    if (type === undefined || !isConcreteType(type)) return expression;
    if (type === resourceType) kept.push(branch);
  }
  return kept.length > 0 && kept.length < branches.length ? kept.join(' | ') : expression;
}
