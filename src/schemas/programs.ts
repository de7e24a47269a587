// Contracts for programs: filled in by the programs work.
export {};
