// Contracts for technologies: filled in by the technologies work.
export {};
