// Contracts for road-models: filled in by the road-models work.
export {};
