/** An error that knows its HTTP status; thrown by panel routes, turned into a response by error-handler.ts only. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}
