// Domain refusals. They carry no HTTP: src/plugins/problems.ts maps each to a status and an
// RFC 9457 problem, and the pages map them to re-rendered forms.

export interface FieldProblem {
  /** JSON Pointer to the field, e.g. `/evidence/0/technology_id`. */
  path: string;
  message: string;
}

export class DomainError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** The addressed record does not exist (404). */
export class NotFoundError extends DomainError {
  constructor(
    readonly entity: string,
    readonly id: number | string,
  ) {
    super(`${entity} ${id} does not exist`);
  }
}

/** A conflict with the current state: a taken key, dependents blocking a delete (409). */
export class ConflictError extends DomainError {
  constructor(
    message: string,
    readonly errors: FieldProblem[] = [],
  ) {
    super(message);
  }
}

/** The client edited an old version (412). */
export class StaleVersionError extends DomainError {
  constructor(
    readonly entity: string,
    readonly id: number,
    readonly expected: number,
    readonly actual: number,
  ) {
    super(`${entity} ${id} is at version ${actual}, not ${expected}: reload it and apply your change again`);
  }
}

/** Well-formed input refused by a rule of DESIGN §3 (422 with `rule`). */
export class RuleViolationError extends DomainError {
  constructor(
    readonly rule: string,
    message: string,
    readonly errors: FieldProblem[] = [],
  ) {
    super(message);
  }
}

/** Well-formed input whose values do not fit together or point at nothing (422 with `errors`). */
export class InvalidInputError extends DomainError {
  constructor(readonly errors: FieldProblem[]) {
    super(errors.map((e) => `${e.path}: ${e.message}`).join('; '));
  }
}

/** Input the schema could not judge but that is malformed all the same, e.g. a forged cursor (400). */
export class MalformedInputError extends DomainError {
  constructor(readonly errors: FieldProblem[]) {
    super(errors.map((e) => `${e.path}: ${e.message}`).join('; '));
  }
}
