// Contracts for technology-categories: filled in by the technology-categories work.
export {};
