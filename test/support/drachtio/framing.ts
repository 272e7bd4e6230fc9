/**
 * drachtio's framing: every message either way is `<byte length of the rest, UTF-8>#<rest>`.
 *
 * drachtio-server's `BaseClient::readMessageLength` (src/client.cpp) reads at most five digits: a sixth digit
 * before `#` is rejected as "invalid message length specifier" and the client is dropped. We do the same, so a
 * test cannot pass against the double with a frame the real server refuses.
 */

export const MAX_LENGTH_DIGITS = 5;

export class FramingError extends Error {
  override name = 'FramingError';
}

/** Frames one message for the wire. */
export function encodeFrame(message: string): Buffer {
  const body = Buffer.from(message, 'utf8');
  return Buffer.concat([Buffer.from(`${body.length}#`, 'ascii'), body]);
}

/**
 * Reassembles frames from a byte stream: several messages per chunk, messages (and even the length prefix, or a
 * multi-byte UTF-8 character) split across chunks.
 */
export class FrameDecoder {
  private buffer: Buffer = Buffer.alloc(0);

  /** Appends a chunk and returns every message now complete, in order. Throws FramingError on a bad prefix. */
  push(chunk: Buffer): string[] {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const messages: string[] = [];
    for (;;) {
      const hash = this.buffer.indexOf(0x23); // '#'
      const prefixEnd = hash === -1 ? this.buffer.length : hash;
      for (let i = 0; i < prefixEnd; i++) {
        const c = this.buffer[i] ?? 0;
        if (c < 0x30 || c > 0x39) throw new FramingError(`invalid message length specifier at byte ${i}`);
      }
      if (prefixEnd > MAX_LENGTH_DIGITS) {
        throw new FramingError(`message length specifier longer than ${MAX_LENGTH_DIGITS} digits`);
      }
      if (hash === -1) return messages; // prefix not complete yet
      if (hash === 0) throw new FramingError('missing message length specifier');
      const length = Number(this.buffer.toString('ascii', 0, hash));
      if (length <= 0) throw new FramingError('message length must be positive');
      const end = hash + 1 + length;
      if (this.buffer.length < end) return messages;
      messages.push(this.buffer.toString('utf8', hash + 1, end));
      this.buffer = this.buffer.subarray(end);
    }
  }

  /** Bytes held waiting for the rest of a frame. */
  get pending(): number {
    return this.buffer.length;
  }
}
