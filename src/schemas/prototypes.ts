// Contracts for prototypes: filled in by the prototypes work.
export {};
