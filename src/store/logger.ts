/** The little the store needs of a logger; pino's Logger fits it. */
export interface StoreLogger {
  info(obj: object, msg: string): void;
  /** Lines for whoever reads debug (absent: dropped). */
  debug?(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export const silentLogger: StoreLogger = {
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
