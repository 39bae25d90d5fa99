/** Sluice handler module (runs in the engine's worker threads): does nothing. */
export default function noop(): void {}
