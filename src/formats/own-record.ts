/**
 * Records keyed by names read from files. A file may name a tensor or key `__proto__`;
 * plain assignment would then replace the record's prototype, so entries are defined.
 */
export function setOwn<T>(record: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
}
