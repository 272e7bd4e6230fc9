/**
 * The PBX's bindings in the register file (`pbx_bindings`, migration 7), on a connection of their own: a handful
 * of rows, rewritten in one transaction when a REGISTER changes them, read once at start.
 */
import type { Binding, BindingStore } from '../../pbx-register/index.js';
import { Connection } from '../sqlite/connection.js';

interface Row {
  aor: string;
  contact: string;
  expires_at: number;
  updated_at: number;
  call_id: string;
  cseq: number;
  source_address: string;
  source_port: number;
  transport: string;
  user_agent: string | null;
}

export class PbxBindingTable implements BindingStore {
  private constructor(private readonly db: Connection) {}

  /** Opens the register file, which `openRegister` has already brought to the current schema. */
  static async open(file: string, busyTimeoutMs = 5000): Promise<PbxBindingTable> {
    const db = await Connection.open(file);
    db.setBusyTimeout(busyTimeoutMs);
    return new PbxBindingTable(db);
  }

  async load(): Promise<Binding[]> {
    const rows = await this.db.all<Row>('SELECT * FROM pbx_bindings ORDER BY updated_at DESC');
    return rows.map((r) => ({
      aor: r.aor,
      contact: r.contact,
      expiresAt: r.expires_at,
      updatedAt: r.updated_at,
      callId: r.call_id,
      cseq: r.cseq,
      source: { address: r.source_address, port: r.source_port, transport: r.transport },
      userAgent: r.user_agent,
    }));
  }

  async replace(bindings: readonly Binding[]): Promise<void> {
    await this.db.run('BEGIN IMMEDIATE');
    try {
      await this.db.run('DELETE FROM pbx_bindings');
      for (const b of bindings) {
        await this.db.run(
          `INSERT INTO pbx_bindings (aor, contact, expires_at, updated_at, call_id, cseq, source_address, source_port, transport, user_agent)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          [
            b.aor,
            b.contact,
            b.expiresAt,
            b.updatedAt,
            b.callId,
            b.cseq,
            b.source.address,
            b.source.port,
            b.source.transport,
            b.userAgent,
          ],
        );
      }
      await this.db.run('COMMIT');
    } catch (err) {
      await this.db.run('ROLLBACK').catch(() => undefined);
      throw err;
    }
  }

  close(): Promise<void> {
    return this.db.close();
  }
}
